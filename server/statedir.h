/* server/statedir.h: where virtmux keeps its own state (log, demo guest):
 * $XDG_STATE_HOME/virtmux (when absolute), else ~/.local/state/virtmux. */
#ifndef VIRTMUX_STATEDIR_H
#define VIRTMUX_STATEDIR_H
#include <stddef.h>

void statedir_path(char *out, size_t outlen);
/* mkdir -p; 0 or -1 with errno. */
int statedir_mkdirs(const char *path);

#endif
