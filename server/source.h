/* server/source.h: one console the server holds — a domain's serial console
 * or VNC display, or a bare VNC address — with its model (libtsm screen and
 * scrollback) and log. Held once however many panes, in however many
 * sessions, show it: one libvirt stream, fanned out. */
#ifndef VIRTMUX_SOURCE_H
#define VIRTMUX_SOURCE_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>
#include "backends/linewatch.h"
#include "backends/source.h"

struct app;
struct dom;
struct pane;
struct pw_ask;

enum source_kind { SOURCE_SERIAL, SOURCE_VNC };

struct source {
    struct app *app;
    enum source_kind kind;
    const struct source_ops *ops;
    void *impl;                /* struct serial or struct vnc */
    struct console *model;
    struct conlog *log;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char addr[300];            /* a bare VNC address, or "" */
    char label[300];           /* host/name, escaped */
    struct pw_ask *asking;     /* a password dialog waiting for it */
    int refs, writers;         /* panes showing it; read-write ones among them */
    int viewers;               /* clients showing it now (counted per frame) */
    struct pane *sizer;        /* the pane whose size the model follows */
    /* What it printed last, its alarm, its prompt (for the board); a VNC
     * console's bottom line is fed to it as it changes. */
    struct linewatch lines;
    bool alarm_told;           /* the board was told of lines.alarm */
};

/* The source for d's console of kind (or, d NULL, the VNC server at addr):
 * the one already held, else a new one (force: its first open takes a
 * busy console over). Counts one more pane. */
struct source *source_get(struct app *a, const struct dom *d, const char *addr, enum source_kind kind,
                          bool force, char *err, size_t errlen);
/* The same for a console held with no pane to show it (the board's): a new
 * one starts at 80x24, not at the size of a pane nobody opened, which is
 * what a console costs most (a 160x48 screen: ~370 KiB of libtsm cells). A
 * pane that shows it later gives it its size. */
struct source *source_hold(struct app *a, const struct dom *d, enum source_kind kind, char *err, size_t errlen);
/* One pane fewer; the last one closes the console. */
void source_put(struct source *s);
/* The same console? (kind, and domain or address) */
bool source_is(const struct source *s, const unsigned char *uuid, enum source_kind kind, const char *addr);
/* A pane that may type joins (+1) or leaves (-1). */
void source_writers(struct source *s, int delta);
/* Follow the registry: the domain's state, host and migration. */
void source_sync(struct source *s);
/* Reconnect now (serial: take it over from another session). */
void source_reattach(struct source *s);
bool source_key(struct source *s, key_code k, char *err, size_t errlen);
bool source_send(struct source *s, const char *bytes, size_t n, char *err, size_t errlen);
bool source_combo(struct source *s, const struct keysym_combo *c, char *err, size_t errlen);
void source_read_now(struct source *s);
/* "host/name  serial  running ..." for a pane's title, and the badge. */
void source_title(struct source *s, char *out, size_t outlen);
const char *source_badge(struct source *s);
struct host *source_host(const struct source *s);
const char *source_kind_name(enum source_kind kind);

#endif
