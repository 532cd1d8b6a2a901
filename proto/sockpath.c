/* proto/sockpath.c: the socket's path and the checks on its directory. */
#include "proto/sockpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sockpath_check_dir(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(dir, &st) < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is not a directory: refusing to put virtmux's socket there", dir);
        return -1;
    }
    if (st.st_uid != getuid()) {
        snprintf(err, errlen, "%s belongs to uid %u, not to you (uid %u): refusing to use it", dir,
                 (unsigned)st.st_uid, (unsigned)getuid());
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen, "%s has mode %03o: others could reach your consoles; refusing "
                 "(chmod 700 it, or remove it)", dir, (unsigned)(st.st_mode & 0777));
        return -1;
    }
    return 0;
}

int sockpath_resolve(const char *path, const char *name, char *out, size_t outlen, char *err, size_t errlen)
{
    if (path && *path) {
        if (strlen(path) >= SOCKPATH_MAX || strlen(path) >= outlen) {
            snprintf(err, errlen, "-S %s: longer than a socket path may be (%d bytes)", path, SOCKPATH_MAX - 1);
            return -1;
        }
        snprintf(out, outlen, "%s", path);
        return 0;
    }
    if (!name || !*name)
        name = "default";
    if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
        snprintf(err, errlen, "-L %s: a name, not a path (-S takes a path)", name);
        return -1;
    }
    char dir[SOCKPATH_MAX + 64];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg == '/') {
        snprintf(dir, sizeof dir, "%s/virtmux", xdg);
    } else {
        snprintf(dir, sizeof dir, "/tmp/virtmux-%u", (unsigned)getuid());
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (sockpath_check_dir(dir, err, errlen) < 0)
        return -1;
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= outlen || n >= SOCKPATH_MAX) {
        snprintf(err, errlen, "%s/%s: longer than a socket path may be (%d bytes)", dir, name, SOCKPATH_MAX - 1);
        return -1;
    }
    return 0;
}
