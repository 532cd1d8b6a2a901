/* server/client.h: one client attached to the server, as the server sees
 * it: its connection, its terminal's size and colours, the canvas its screen
 * is composed in, and what is its own on that screen (prompt, status line,
 * help or message overlay, the prefix key). Read-only clients never send a
 * byte to a guest. Composing and pacing frames: server/screen.c; keys:
 * server/keys.c. */
#ifndef VIRTMUX_SERVER_CLIENT_H
#define VIRTMUX_SERVER_CLIENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "proto/wire.h"
#include "keymaps/key.h"
#include "server/pace.h"
#include "views/canvas.h"
#include "views/lineedit.h"
#include "policy/policy.h"

struct app;
struct session;
struct view;

enum prompt_mode { PROMPT_NONE, PROMPT_COMMAND, PROMPT_FILTER, PROMPT_SEARCH };

struct client {
    struct app *app;
    int fd, watch;
    uid_t uid;                 /* from the socket's peer credentials */
    pid_t pid;
    /* A system server's view of it (server/authz.h): who (credentials and
     * groups from the kernel and the databases), its role, and whether it
     * counts against its user's connection limit. */
    struct peer peer;
    enum user_role role;
    bool counted, refusal_logged;
    uint64_t input_audit_ms;   /* when its refused input was last audited (0: never) */
    char who[96];
    unsigned long id;          /* unique in this server: for answers that come later */
    int jobs, job_status;      /* libvirt calls under way for it; command mode exits after them */
    struct msglog *text;       /* what client_show_text shows */
    /* The connection. */
    unsigned char *in;
    size_t inlen, incap;
    struct wbuf out;
    bool hello_done, command_mode, closing;
    int timer;                 /* the HELLO deadline, then the stall check */
    /* What it is. */
    bool readonly, no_mouse, exit_after_paint;
    char cwd[1024];            /* where its relative paths start */
    unsigned colours;
    int rows, cols;
    struct session *session;
    /* Its screen: composed in screen, sent as the cells that changed. */
    struct canvas *screen;
    uint32_t seq;
    bool inflight;             /* a frame is sent and not yet acknowledged */
    bool dirty, output_dirty;
    unsigned long layout_sig;
    char title_drawn[1200], status_drawn[800];
    bool title_valid, status_valid;
    ui_attr status_attr;
    /* Pacing guest output (server/pace.h) and the echo of a typed key. */
    struct pace pace;
    int pace_timer;
    bool echo_wanted;
    unsigned long long echo_until_ms;
    /* Its own part of the screen. */
    enum prompt_mode prompt;
    struct lineedit edit;
    char status[768];
    bool status_error;
    struct view *overlay;      /* help or messages over the session, or NULL */
    bool prefix_pending;
    int mouse_y, mouse_x;
    char search[256];
};

/* A connection accepted on the listening socket: it must say HELLO in time. */
struct client *client_accept(struct app *a, int fd);
/* Close and free (the connection first says why, when it can). */
void client_free(struct client *c);
/* End the connection after this message (status: the client's exit status). */
void client_exit(struct client *c, int status, const char *message);
/* A status line message (in command mode: a line of output). */
void client_message(struct client *c, bool error, const char *text);
/* Tell the client's terminal to do something (mouse on/off, redraw, ^Z). */
void client_term(struct client *c, int op, int value);
/* Attach to (or move to) session s. */
void client_attach(struct client *c, struct session *s);
/* Write what is queued; -1 when the connection is gone. */
int client_flush(struct client *c);
/* A frame just went out: unless acknowledged within the client-timeout
 * option, the client is let go (it stopped reading: a stopped ssh, a hung
 * terminal), alone. */
void client_frame_sent(struct client *c);
/* A libvirt call for it went out / came back (error: the exit status of a
 * command-mode client becomes 1); command mode ends after the last. */
void client_job_started(struct client *c);
void client_job_done(struct client *c, bool error);
/* A text (a domain's XML): printed in command mode, else shown over the
 * session until a key closes it. */
void client_show_text(struct client *c, const char *title, const char *text);
/* Closed and flushed: the server's loop may free it now. */
bool client_done(const struct client *c);

/* server/screen.c */
void client_frame(struct client *c);           /* compose and send, paced */
void client_output(struct client *c);          /* guest output it shows */
void client_read_echo(struct client *c);       /* the echo of a key just typed */
void client_redraw_all(struct client *c);      /* a full snapshot next */

/* server/keys.c */
void client_key(struct client *c, key_code k);
void client_open_prompt(struct client *c, enum prompt_mode mode, const char *initial);
void client_set_overlay(struct client *c, struct view *overlay);   /* takes it; NULL closes */
/* The view that has the keys now. */
struct view *client_focus(struct client *c);

#endif
