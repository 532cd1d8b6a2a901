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

/* Where the system server listens: $VIRTMUX_SYSTEM_SOCKET (tests, a second
 * class on one machine), else SOCKPATH_SYSTEM. */
static const char *system_path(void)
{
    const char *env = getenv("VIRTMUX_SYSTEM_SOCKET");
    return env && *env == '/' ? env : SOCKPATH_SYSTEM;
}

int sockpath_system(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
    if (!path || !*path)
        path = system_path();
    if (strlen(path) >= SOCKPATH_MAX || strlen(path) >= outlen) {
        snprintf(err, errlen, "%s: longer than a socket path may be (%d bytes)", path, SOCKPATH_MAX - 1);
        return -1;
    }
    snprintf(out, outlen, "%s", path);
    char dir[SOCKPATH_MAX + 1];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    /* Everyone may enter (the socket is 0666); nobody else may write: a
     * directory another user controls could hold a socket of theirs. */
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is not a directory", dir);
        return -1;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 022)) {
        snprintf(err, errlen, "%s must be yours (uid %u) and writable by you only (it is uid %u, mode %03o)", dir,
                 (unsigned)geteuid(), (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
        return -1;
    }
    return 0;
}

bool sockpath_system_found(char *out, size_t outlen)
{
    struct stat st;
    const char *path = system_path();
    if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
        return false;
    snprintf(out, outlen, "%s", path);
    return true;
}
