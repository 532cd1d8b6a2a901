/* server/statedir.c: virtmux's state directory and creating directories under it. */
#include "server/statedir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

void statedir_path(char *out, size_t outlen)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    /* The XDG spec: a relative path in the variable is invalid; ignore it. */
    if (xdg && xdg[0] == '/')
        snprintf(out, outlen, "%s/virtmux", xdg);
    else
        snprintf(out, outlen, "%s/.local/state/virtmux", home ? home : "/tmp");
}

int statedir_mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}
