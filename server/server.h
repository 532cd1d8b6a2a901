/* server/server.h: `virtmux server`: the process that holds the hosts,
 * consoles and sessions, runs libvirt's event loop and serves clients on a
 * Unix socket. Started by the first client; ends with its last session. */
#ifndef VIRTMUX_SERVER_H
#define VIRTMUX_SERVER_H

/* argv: "virtmux-server" [-S PATH] [-L NAME] [-f CONFIG] [--ready-fd N].
 * --ready-fd: a pipe the starter waits on: "ok\n" once the socket listens,
 * else the reason it will not. */
int server_main(int argc, char **argv);

#endif
