/* proto/msg.h: the messages between a virtmux client and its server.
 *
 * A client says HELLO (what it is, its terminal, the commands to run for it),
 * the server answers WELCOME, then sends the screen as it changes: RUNS of
 * changed cells closed by a FRAME_END, which the client ACKs once painted.
 * The server sends the next frame only after that ACK, so a client that reads
 * slowly gets fewer, fuller frames (its changes coalesce in the server's
 * canvas) and never a growing queue. Keys and the terminal size go up as KEYS
 * and RESIZE. EXIT ends the connection with a status and a message. A HELLO
 * with HELLO_COMMAND asks for commands run without a screen: OUTPUT lines,
 * then EXIT. The HELLO's first two fields (magic, version) never change, so
 * any two versions can tell each other that they differ. */
#ifndef VIRTMUX_PROTO_MSG_H
#define VIRTMUX_PROTO_MSG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/wire.h"

#define PROTO_MAGIC   0x584d4d56u   /* "VMMX" */
#define PROTO_VERSION 1

enum msg_type {
    /* client -> server */
    MSG_HELLO = 1,
    MSG_KEYS = 2,
    MSG_RESIZE = 3,
    MSG_ACK = 4,
    /* server -> client */
    MSG_WELCOME = 100,
    MSG_RUNS = 101,
    MSG_FRAME_END = 102,
    MSG_TERM = 103,
    MSG_OUTPUT = 104,
    MSG_EXIT = 105,
};

/* HELLO flags. */
#define HELLO_COMMAND  0x01   /* no screen: run the commands, print, exit */
#define HELLO_READONLY 0x02   /* this client never sends a byte to a guest */
#define HELLO_NO_MOUSE 0x04   /* leave the mouse to the terminal */
#define HELLO_EXIT_AFTER_PAINT 0x08   /* leave after the first full screen (bench/list) */

#define HELLO_MAX_CMDS 64
#define HELLO_MAX_ARGS 64

struct msg_hello {
    uint32_t magic, version;
    uint8_t flags;
    uint16_t rows, cols;
    uint16_t colours;          /* 0: monochrome, else 8, 16, 256... */
    char term[64];
    char cwd[1024];            /* for relative paths in the commands */
    int ncmds;
    int argc[HELLO_MAX_CMDS];
    char **argv[HELLO_MAX_CMDS];   /* each NULL-terminated; msg_hello_free */
};

struct key_event_wire { uint32_t key; uint16_t y, x; };
#define KEYS_MAX 256

/* MSG_TERM operations. */
enum term_op { TERM_MOUSE = 1, TERM_REDRAW = 2, TERM_SUSPEND = 3, TERM_BELL = 4 };

/* ---- writing (each appends one whole frame; -1 when it would not fit) ---- */
int msg_put_hello(struct wbuf *b, const struct msg_hello *h);
int msg_put_keys(struct wbuf *b, const struct key_event_wire *k, size_t n);
int msg_put_resize(struct wbuf *b, int rows, int cols);
int msg_put_ack(struct wbuf *b, uint32_t seq);
int msg_put_welcome(struct wbuf *b, uint32_t pid, const char *session);
int msg_put_frame_end(struct wbuf *b, uint32_t seq, int cy, int cx, bool cursor);
int msg_put_term(struct wbuf *b, enum term_op op, int value);
int msg_put_output(struct wbuf *b, int fd, const char *text);
int msg_put_exit(struct wbuf *b, int status, const char *message);

/* ---- reading (each reads one frame's payload; -1 when malformed) ---- */
/* Only magic and version: enough to refuse another version cleanly. */
int msg_get_hello_head(struct rbuf r, uint32_t *magic, uint32_t *version);
int msg_get_hello(struct rbuf *r, struct msg_hello *h);
void msg_hello_free(struct msg_hello *h);
int msg_get_keys(struct rbuf *r, struct key_event_wire *out, size_t max, size_t *n);
int msg_get_resize(struct rbuf *r, int *rows, int *cols);
int msg_get_ack(struct rbuf *r, uint32_t *seq);
int msg_get_welcome(struct rbuf *r, uint32_t *pid, char *session, size_t slen);
int msg_get_frame_end(struct rbuf *r, uint32_t *seq, int *cy, int *cx, bool *cursor);
int msg_get_term(struct rbuf *r, int *op, int *value);
int msg_get_output(struct rbuf *r, int *fd, char **text);
int msg_get_exit(struct rbuf *r, int *status, char **message);

#endif
