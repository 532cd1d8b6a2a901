/* server/listen.h: the server's listening socket: a stale socket (its server
 * gone) is replaced, a live one is left alone; accepted connections become
 * clients, up to a limit past which a connection is told why and closed. */
#ifndef VIRTMUX_LISTEN_H
#define VIRTMUX_LISTEN_H
#include <stddef.h>
#include <sys/types.h>

struct app;

#define LISTEN_MAX_CLIENTS 256

/* Binds path with the given mode (0600: the user's own server). -1 with a
 * reason; "a server already listens" when one answers there. */
int listen_open(struct app *a, const char *path, mode_t mode, char *err, size_t errlen);
void listen_close(void);
/* A connection that is no client: it is told msg (EXIT 1) and closed once it
 * hangs up. Its HELLO may still be on its way: the connection keeps
 * reading, so that the peer's send does not fail before it reads why. */
void listen_refuse(int fd, const char *msg);

#endif
