/* proto/sockpath.h: where a server listens: -S PATH as given, else
 * $XDG_RUNTIME_DIR/virtmux/NAME or /tmp/virtmux-UID/NAME (-L NAME, default
 * "default") in a directory that must be the user's own and 0700 — the
 * socket is the key to every console, so a directory anyone else can enter
 * or own is refused, as tmux does. */
#ifndef VIRTMUX_SOCKPATH_H
#define VIRTMUX_SOCKPATH_H
#include <stdbool.h>
#include <stddef.h>

#define SOCKPATH_MAX 108   /* sun_path */
#define SOCKPATH_SYSTEM "/run/virtmux/system"

/* The socket's path for -S path (NULL: none) and -L name (NULL: "default");
 * the private directory is created (0700) or checked. -1 with a reason. */
int sockpath_resolve(const char *path, const char *name, char *out, size_t outlen, char *err, size_t errlen);
/* The directory must be a directory, ours, and reachable by nobody else. */
int sockpath_check_dir(const char *dir, char *err, size_t errlen);

/* The system server's socket (virtmux-server --system): path, else
 * $VIRTMUX_SYSTEM_SOCKET, else SOCKPATH_SYSTEM; its directory is made 0755
 * or checked (the caller's own, writable by nobody else). -1 with a reason. */
int sockpath_system(const char *path, char *out, size_t outlen, char *err, size_t errlen);
/* A client without -L or -S: is there a system server's socket to use? */
bool sockpath_system_found(char *out, size_t outlen);

#endif
