/* server/pane.c: creating, feeding and freeing one attached console (serial or VNC). */
#include "server/pane.h"
#include "server/app.h"
#include "backends/conlog.h"
#include "backends/console.h"
#include "backends/serial.h"
#include "backends/vnc.h"
#include "views/console.h"
#include "views/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys typed while a migration holds them: bounded. */
#define HELD_KEYS_MAX 65536

static void on_serial_changed(struct serial *s, void *opaque)
{
    struct pane *p = opaque;
    app_output(p->app);
}

static void on_serial_message(struct serial *s, bool error, const char *msg, void *opaque)
{
    struct pane *p = opaque;
    app_message(p->app, error, "%s", msg);
}

/* The console is held by another session: ask before taking it over. */
struct takeover { struct app *app; unsigned char uuid[VIR_UUID_BUFLEN]; };

static void takeover_done(bool ok, const char *text, void *opaque)
{
    struct takeover *t = opaque;
    struct pane *p = app_find_pane_kind(t->app, t->uuid, PANE_SERIAL);
    if (p && ok)
        serial_attach(p->serial, true);
    else if (p)
        app_message(t->app, false, "%s: left to the other session (:attach -f takes over)", p->label);
    free(t);
}

static void on_serial_busy(struct serial *s, void *opaque)
{
    struct pane *p = opaque;
    struct takeover *t = malloc(sizeof *t);
    char q[600];
    snprintf(q, sizeof q, "Another session has the console of %s open. Take it over? "
             "(the other session is disconnected)", p->label);
    struct dialog *d = t ? dialog_new(DIALOG_CONFIRM, "console busy", q, takeover_done, t) : NULL;
    if (!d) {
        free(t);
        return;
    }
    t->app = p->app;
    memcpy(t->uuid, p->uuid, VIR_UUID_BUFLEN);
    app_push_dialog(p->app, d);
}

static const struct serial_ops pane_serial_ops = {
    .changed = on_serial_changed,
    .busy = on_serial_busy,
    .message = on_serial_message,
};

static void describe(void *opaque, char *title, size_t tlen, char *badge, size_t blen)
{
    struct pane *p = opaque;
    if (p->kind == PANE_VNC) {
        /* The view has just fitted the model to the pane: a VNC screen is
         * painted from the recogniser's cells, not a byte stream, so repaint. */
        vnc_model_resized(p->vnc);
        struct dom *d = p->addr[0] ? NULL : domreg_find(p->app->reg, p->uuid);
        const char *state = p->addr[0] ? "" : !d ? "gone" : host_state(d->host) != HOST_CONNECTED ? "host lost"
                                                                                    : dom_state_name(d->state);
        snprintf(title, tlen, "%s  vnc  %s%s%s", p->label, state, *state ? "  " : "", vnc_describe(p->vnc));
        snprintf(badge, blen, "%s", vnc_badge(p->vnc));
        return;
    }
    struct dom *d = domreg_find(p->app->reg, p->uuid);
    const char *state = !d ? "gone" : host_state(d->host) != HOST_CONNECTED ? "host lost"
                                                                          : dom_state_name(d->state);
    snprintf(title, tlen, "%s  serial  %s", p->label, state);
    snprintf(badge, blen, "%s%s", serial_badge(p->serial), p->scroll_mode ? "[scroll: q leaves]" : "");
}

/* Replay the end of an earlier log so the scrollback starts where it stopped. */
static void replay_log(struct pane *p, const char *file_name)
{
    char *tail = conlog_tail(p->app->log_dir, file_name, p->app->log_replay);
    if (!tail || !*tail) {
        free(tail);
        return;
    }
    console_marker(p->model, "[virtmux: from the log]");
    for (char *line = tail, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        console_feed(p->model, line, strlen(line));
        console_feed(p->model, "\r\n", 2);
    }
    console_marker(p->model, "[virtmux: live]");
    free(tail);
}

struct pane *pane_new(struct app *a, const struct dom *d, bool readonly, bool force, char *err, size_t errlen)
{
    struct pane *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->app = a;
    memcpy(p->uuid, d->uuid, VIR_UUID_BUFLEN);
    char name[256];
    text_escape(d->name, name, sizeof name);
    snprintf(p->label, sizeof p->label, "%s/%s", host_name(d->host), name);
    /* Start at the size of a full-width pane: shrinking later would push the
     * first lines of output into the scrollback. */
    struct rect body = app_body(a);
    unsigned cols = a->curses_up && body.w > 0 ? (unsigned)body.w : 80;
    unsigned rows = a->curses_up && body.h > 1 ? (unsigned)body.h - 1 : 24;
    p->model = console_new(cols, rows, a->scrollback);
    p->view = p->model ? consoleview_new(p->model, describe, p) : NULL;
    if (!p->view) {
        snprintf(err, errlen, "out of memory");
        pane_free(p);
        return NULL;
    }
    if (*a->log_dir) {
        char file[300];
        snprintf(file, sizeof file, "%s-%s", host_name(d->host), d->name);
        if (a->log_replay)
            replay_log(p, file);
        char lerr[600];
        p->log = conlog_open(a->log_dir, file, lerr, sizeof lerr);
        if (!p->log)
            app_message(a, true, "%s", lerr);
    }
    p->serial = serial_new(d->host, d->uuid, p->label, a->console_device, p->model, readonly,
                           &pane_serial_ops, p);
    if (!p->serial) {
        snprintf(err, errlen, "out of memory");
        pane_free(p);
        return NULL;
    }
    serial_set_log(p->serial, p->log);
    if (force)
        serial_force_next(p->serial);
    pane_sync(p);
    if (serial_state(p->serial) == SERIAL_STOPPED && d->state != VIR_DOMAIN_SHUTOFF)
        serial_attach(p->serial, false);
    return p;
}

/* ---- VNC ---- */

static void on_vnc_changed(struct vnc *v, void *opaque)
{
    struct pane *p = opaque;
    app_output(p->app);
}

static void on_vnc_message(struct vnc *v, bool error, const char *msg, void *opaque)
{
    struct pane *p = opaque;
    app_message(p->app, error, "%s", msg);
}

/* A password dialog; the pane disarms it (pane = NULL) when it goes first. */
struct pw_ask { struct pane *pane; };

static void pw_done(bool ok, const char *text, void *opaque)
{
    struct pw_ask *w = opaque;
    if (w->pane) {
        w->pane->asking = NULL;
        vnc_password(w->pane->vnc, ok ? text : NULL);
    }
    free(w);
}

static void on_vnc_ask_password(struct vnc *v, void *opaque)
{
    struct pane *p = opaque;
    if (p->asking)
        return;
    struct pw_ask *w = malloc(sizeof *w);
    char q[400];
    snprintf(q, sizeof q, "VNC password for %s:", p->label);
    struct dialog *d = w ? dialog_new(DIALOG_SECRET, "VNC password", q, pw_done, w) : NULL;
    if (!d) {
        free(w);
        vnc_password(v, NULL);
        return;
    }
    w->pane = p;
    p->asking = w;
    app_push_dialog(p->app, d);
}

static const struct vnc_ops pane_vnc_ops = {
    .changed = on_vnc_changed,
    .message = on_vnc_message,
    .ask_password = on_vnc_ask_password,
};

struct pane *pane_new_vnc(struct app *a, const struct dom *d, const char *addr, bool readonly,
                          char *err, size_t errlen)
{
    struct pane *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->app = a;
    p->kind = PANE_VNC;
    if (d) {
        memcpy(p->uuid, d->uuid, VIR_UUID_BUFLEN);
        char name[256];
        text_escape(d->name, name, sizeof name);
        snprintf(p->label, sizeof p->label, "%s/%s", host_name(d->host), name);
    } else {
        snprintf(p->addr, sizeof p->addr, "%s", addr);
        text_escape(addr, p->label, sizeof p->label);
    }
    struct rect body = app_body(a);
    unsigned cols = a->curses_up && body.w > 0 ? (unsigned)body.w : 80;
    unsigned rows = a->curses_up && body.h > 1 ? (unsigned)body.h - 1 : 24;
    /* No scrollback: the screen is a picture redrawn in place. */
    p->model = console_new(cols, rows, 0);
    p->view = p->model ? consoleview_new(p->model, describe, p) : NULL;
    p->vnc = !p->view ? NULL
           : d ? vnc_new(d->host, d->uuid, p->label, p->model, readonly, a->vnc_password, &pane_vnc_ops, p)
               : vnc_new_address(addr, p->label, p->model, readonly, a->vnc_password, &pane_vnc_ops, p);
    if (!p->vnc) {
        snprintf(err, errlen, "out of memory");
        pane_free(p);
        return NULL;
    }
    if (d) {
        pane_sync(p);
        if (vnc_state(p->vnc) == VNC_STOPPED && d->state != VIR_DOMAIN_SHUTOFF)
            vnc_attach(p->vnc);
    } else {
        vnc_attach(p->vnc);
    }
    return p;
}

bool pane_is(const struct pane *p, const unsigned char *uuid, enum pane_kind kind, const char *addr)
{
    if (p->kind != kind)
        return false;
    if (addr && *addr)
        return strcmp(p->addr, addr) == 0;
    return !p->addr[0] && memcmp(p->uuid, uuid, VIR_UUID_BUFLEN) == 0;
}

void pane_reattach(struct pane *p)
{
    if (p->kind == PANE_VNC)
        vnc_attach(p->vnc);
    else
        serial_attach(p->serial, true);
}

const char *pane_kind_name(enum pane_kind kind)
{
    return kind == PANE_VNC ? "vnc" : "serial";
}

bool pane_combo(struct pane *p, const struct keysym_combo *c, char *err, size_t errlen)
{
    if (p->kind != PANE_VNC) {
        snprintf(err, errlen, "send-key: %s is a serial console (send-key is for VNC consoles)", p->label);
        return false;
    }
    return vnc_send_combo(p->vnc, c, err, errlen);
}

/* ---- both ---- */

void pane_free(struct pane *p)
{
    if (!p)
        return;
    if (p->asking)
        p->asking->pane = NULL;
    vnc_free(p->vnc);
    serial_free(p->serial);
    view_free(p->view);
    console_free(p->model);
    conlog_close(p->log);
    free(p);
}

/* The source is paused for a migration. */
static bool migrating_now(const struct dom *d)
{
    return d->state == VIR_DOMAIN_PAUSED &&
           (d->reason == VIR_DOMAIN_PAUSED_MIGRATION || d->reason == VIR_DOMAIN_PAUSED_POSTCOPY);
}

/* A connected host holding the destination of a migration, or NULL. */
static struct host *incoming_now(const struct dom *d)
{
    return d->incoming && host_state(d->incoming) == HOST_CONNECTED ? d->incoming : NULL;
}

void pane_sync(struct pane *p)
{
    if (p->addr[0])
        return;   /* a bare VNC address follows no domain */
    struct dom *d = domreg_find(p->app->reg, p->uuid);
    if (d) {
        /* The title names the host the domain runs on now (it moves on migration). */
        char name[256];
        text_escape(d->name, name, sizeof name);
        snprintf(p->label, sizeof p->label, "%s/%s", host_name(d->host), name);
    }
    if (p->kind == PANE_VNC) {
        bool running = d && (d->state == VIR_DOMAIN_RUNNING || d->state == VIR_DOMAIN_BLOCKED ||
                             d->state == VIR_DOMAIN_PAUSED || d->state == VIR_DOMAIN_SHUTDOWN);
        vnc_set_label(p->vnc, p->label);
        vnc_update(p->vnc, d ? d->host : vnc_host(p->vnc), running, !d || host_state(d->host) == HOST_CONNECTED);
        if (d)
            vnc_follow(p->vnc, migrating_now(d), incoming_now(d));
        return;
    }
    if (!d) {
        serial_update(p->serial, serial_host(p->serial), false, true);
        return;
    }
    bool running = d->state == VIR_DOMAIN_RUNNING || d->state == VIR_DOMAIN_BLOCKED ||
                   d->state == VIR_DOMAIN_PAUSED || d->state == VIR_DOMAIN_SHUTDOWN;
    serial_update(p->serial, d->host, running, host_state(d->host) == HOST_CONNECTED);
    serial_follow(p->serial, migrating_now(d), incoming_now(d));
}

bool pane_readonly(const struct pane *p)
{
    return p->kind == PANE_VNC ? vnc_readonly(p->vnc) : serial_readonly(p->serial);
}

void pane_read_now(struct pane *p)
{
    if (p->kind == PANE_SERIAL && p->serial)
        serial_read_now(p->serial);
}

void pane_key(struct pane *p, key_code k)
{
    if (pane_readonly(p)) {
        app_message(p->app, true, "%s is read-only (attach without -r to type)", p->label);
        return;
    }
    if (p->kind == PANE_VNC) {
        char err[400];
        if (!vnc_key(p->vnc, k, err, sizeof err))
            app_message(p->app, true, "%s", err);
        return;
    }
    const char *queued;
    if (serial_holding(p->serial) && console_pending(p->model, &queued) >= HELD_KEYS_MAX) {
        app_message(p->app, true, "%s: %d KiB of keys already held for the migration; this one is dropped",
                    p->label, HELD_KEYS_MAX / 1024);
        return;
    }
    if (!console_key(p->model, k)) {
        char ks[KEY_STRING_MAX] = "?";
        key_code_to_string(k, ks, sizeof ks);
        app_message(p->app, true, "%s cannot be sent to a serial console", ks);
        return;
    }
    serial_flush(p->serial);
}

void pane_send(struct pane *p, const char *bytes, size_t n)
{
    if (pane_readonly(p))
        return;
    if (p->kind == PANE_VNC) {
        char err[400];
        if (!vnc_type(p->vnc, bytes, n, err, sizeof err))
            app_message(p->app, true, "%s", err);
        return;
    }
    console_send(p->model, bytes, n);
    serial_flush(p->serial);
}

struct host *pane_host(const struct pane *p)
{
    if (p->kind == PANE_VNC)
        return p->addr[0] ? NULL : vnc_host(p->vnc);
    return serial_host(p->serial);
}
