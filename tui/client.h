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
/* The server is a binary of its own (it links libvirt and everything the
 * consoles need; the client only ncurses, so it starts in a few ms):
 * virtmux-server beside this binary (virtmux-server-asan beside
 * virtmux-asan), else the installed one. Fills path; -1 when there is none. */
int client_server_path(char *path, size_t len);
/* `virtmux server ARGS`: exec it. Returns only on failure. */
int client_exec_server(int argc, char **argv);

#endif
