/* backends/vncconn.h: one VNC connection on a thread of its own (libvncclient
 * blocks), talking to the loop thread only through a pipe and a mailbox. */
#ifndef VIRTMUX_VNCCONN_H
#define VIRTMUX_VNCCONN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "backends/vgatext.h"

struct vncconn;

/* What arrived since the last vncconn_take. */
struct vncconn_news {
    bool connected;            /* the handshake finished */
    bool ask_password;         /* the server wants a password: vncconn_password */
    bool ended;                /* the thread is done; err says why */
    bool auth_failed;          /* ... because the password was refused or not given */
    char err[256];
    bool geometry;             /* the cell grid changed size: every cell follows */
    unsigned cols, rows;
    bool cursor;               /* a text cursor is shown at cx, cy */
    unsigned cx, cy;
    enum vgatext_mode mode;
    unsigned unknown;
    char describe[96];
    unsigned long frames;      /* frames recognised so far */
};

/* fd >= 0: an already connected socket (taken over); else addr is dialled on
 * the thread ("HOST:PORT", "unix:PATH"). notify(opaque) runs on the loop thread
 * whenever news may be waiting. out_cols x out_rows: the pane, to scale a
 * graphics screen into. NULL with a reason when the thread cannot start. */
struct vncconn *vncconn_start(int fd, const char *addr, const char *password,
                              unsigned out_cols, unsigned out_rows,
                              void (*notify)(void *opaque), void *opaque, char *err, size_t errlen);
/* Bounded: wakes the thread (shutdown of its socket) and joins it for a short
 * while; a thread that does not finish in time frees itself later. */
void vncconn_stop(struct vncconn *c);
/* Give up now with this reason (e.g. the handshake took too long). */
void vncconn_abort(struct vncconn *c, const char *why);

/* Take the news, then the cells that changed (all after a geometry change)
 * for the geometry cols x rows the news said; when the thread has moved on
 * to another geometry meanwhile, nothing is walked (the next news says so). */
void vncconn_take(struct vncconn *c, struct vncconn_news *n);
void vncconn_cells(struct vncconn *c, unsigned cols, unsigned rows, vgatext_cell_fn fn, void *opaque);

/* Key events for the thread to send, in order; false when the queue is full. */
bool vncconn_keys(struct vncconn *c, const uint32_t *keysyms, const bool *down, size_t n);
/* The answer to ask_password; NULL cancels. */
void vncconn_password(struct vncconn *c, const char *password);
/* The pane's size changed. */
void vncconn_out_size(struct vncconn *c, unsigned cols, unsigned rows);

#endif
