/* server/persist.h: the sessions' layout in a file, rewritten as it changes,
 * so that a server that died (SIGKILL, a crash, a reboot) is followed by one
 * that brings the same sessions, tabs and consoles back. A server that ends
 * on purpose (kill-server, its last session closed) removes the file. */
#ifndef VIRTMUX_PERSIST_H
#define VIRTMUX_PERSIST_H
#include <stddef.h>

struct app;

/* The file for the server on socket path: $XDG_STATE_HOME/virtmux/sessions-NAME. */
void persist_path(const char *socket_path, char *out, size_t outlen);
/* -1 when it cannot be written (said once in the message log). */
int persist_save(struct app *a, const char *file);
/* Brings back what file says; how many sessions (0 when there is no file). */
int persist_restore(struct app *a, const char *file);

#endif
