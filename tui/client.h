/* tui/client.h: the virtmux client: finds (or starts) the server, hands it
 * the commands to run, then paints the frames it sends and sends back keys
 * and the terminal's size. It keeps nothing that would be lost if it died. */
#ifndef VIRTMUX_TUI_CLIENT_H
#define VIRTMUX_TUI_CLIENT_H
#include <stdbool.h>
#include "proto/msg.h"

struct client_opts {
    const char *socket_path;   /* -S */
    const char *socket_name;   /* -L */
    const char *config;        /* -f: for a server this client starts */
    bool start_server;         /* start one when none answers */
    bool command_mode;         /* no terminal: print what the commands say */
    bool mono, no_mouse, readonly, exit_after_paint;
    int ncmds;
    int argc[HELLO_MAX_CMDS];
    char **argv[HELLO_MAX_CMDS];
};

/* Returns the exit status for main. */
int client_run(const struct client_opts *o);

#endif
