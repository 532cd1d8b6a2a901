/* server/source.c: a console held once in the server, shown by any number of
 * panes: creating it (serial or VNC), following the registry, keys, titles. */
#include "server/source.h"
#include "server/app.h"
#include "server/pane.h"
#include "backends/conlog.h"
#include "backends/console.h"
#include "backends/domain.h"
#include "backends/host.h"
#include "util/monotime.h"
#include "backends/serial.h"
#include "backends/vnc.h"
#include "views/dialog.h"
#include "views/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the backends report ---- */

/* A VNC screen is read whole, as recognised: the model may be smaller (a
 * pane's size; 80x21 for a board outside any session) and would cut off the
 * bottom rows, where the prompt is. The watcher tells output from a cursor
 * that blinks. */
static void watch_vnc(struct source *s)
{
    char line[LINEWATCH_LINE];
    int col;
    uint64_t hash;
    if (vnc_bottom_line(s->impl, line, sizeof line, &col, &hash))
        linewatch_screen(&s->lines, &s->app->patterns, line, col, hash, mono_ms());
}

static void on_changed(struct source *s)
{
    if (s->kind == SOURCE_VNC)
        watch_vnc(s);
    if (s->lines.alarm && !s->alarm_told)
        app_alarm(s->app, s);
    s->alarm_told = s->lines.alarm;
    app_output(s->app, s);
}

static void on_message(struct source *s, bool error, const char *msg)
{
    app_source_message(s->app, s, error, "%s", msg);
}

static void on_serial_changed(struct serial *ser, void *opaque) { on_changed(opaque); }
static void on_vnc_changed(struct vnc *v, void *opaque) { on_changed(opaque); }

static void on_serial_message(struct serial *ser, bool error, const char *msg, void *opaque)
{
    on_message(opaque, error, msg);
}

static void on_vnc_message(struct vnc *v, bool error, const char *msg, void *opaque)
{
    on_message(opaque, error, msg);
}

/* The console is held by another session: ask before taking it over. The
 * answer finds the console again by UUID: it may be gone by then. */
struct takeover { struct app *app; unsigned char uuid[VIR_UUID_BUFLEN]; };

static void takeover_done(bool ok, const char *text, void *opaque)
{
    struct takeover *t = opaque;
    struct source *s = app_find_source(t->app, t->uuid, SOURCE_SERIAL, NULL);
    if (s && ok)
        source_reattach(s);
    else if (s)
        app_source_message(t->app, s, false, "%s: left to the other session (:attach -f takes over)", s->label);
    free(t);
}

static void on_serial_busy(struct serial *ser, void *opaque)
{
    struct source *s = opaque;
    struct takeover *t = malloc(sizeof *t);
    char q[600];
    snprintf(q, sizeof q, "Another session has the console of %s open. Take it over? "
             "(the other session is disconnected)", s->label);
    struct dialog *d = t ? dialog_new(DIALOG_CONFIRM, "console busy", q, takeover_done, t) : NULL;
    if (!d) {
        free(t);
        return;
    }
    t->app = s->app;
    memcpy(t->uuid, s->uuid, VIR_UUID_BUFLEN);
    app_push_dialog(s->app, s->app->c, d);
}

static const struct serial_ops source_serial_ops = {
    .changed = on_serial_changed,
    .busy = on_serial_busy,
    .message = on_serial_message,
};

/* A password dialog; the source disarms it (source = NULL) when it goes first. */
struct pw_ask { struct source *source; };

static void pw_done(bool ok, const char *text, void *opaque)
{
    struct pw_ask *w = opaque;
    if (w->source) {
        w->source->asking = NULL;
        vnc_password(w->source->impl, ok ? text : NULL);
    }
    free(w);
}

static void on_vnc_ask_password(struct vnc *v, void *opaque)
{
    struct source *s = opaque;
    if (s->asking)
        return;
    struct pw_ask *w = malloc(sizeof *w);
    char q[400];
    snprintf(q, sizeof q, "VNC password for %s:", s->label);
    struct dialog *d = w ? dialog_new(DIALOG_SECRET, "VNC password", q, pw_done, w) : NULL;
    if (!d) {
        free(w);
        vnc_password(v, NULL);
        return;
    }
    w->source = s;
    s->asking = w;
    app_push_dialog(s->app, s->app->c, d);
}

static const struct vnc_ops source_vnc_ops = {
    .changed = on_vnc_changed,
    .message = on_vnc_message,
    .ask_password = on_vnc_ask_password,
};

/* ---- life cycle ---- */

/* Replay the end of an earlier log so the scrollback starts where it stopped. */
static void replay_log(struct source *s, const char *file_name)
{
    struct app *a = s->app;
    char *tail = conlog_tail(a->opt.log_dir, file_name, a->opt.log_replay);
    if (!tail || !*tail) {
        free(tail);
        return;
    }
    console_marker(s->model, "[virtmux: from the log]");
    for (char *line = tail, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        console_feed(s->model, line, strlen(line));
        console_feed(s->model, "\r\n", 2);
    }
    console_marker(s->model, "[virtmux: live]");
    free(tail);
}

static void name_after(struct source *s, const struct dom *d)
{
    char name[256];
    text_escape(d->name, name, sizeof name);
    snprintf(s->label, sizeof s->label, "%s/%s", host_name(d->host), name);
}

static struct source *source_new(struct app *a, const struct dom *d, const char *addr, enum source_kind kind,
                                 bool force, bool unshown, char *err, size_t errlen)
{
    struct source *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->app = a;
    s->kind = kind;
    s->ops = kind == SOURCE_VNC ? &vnc_source_ops : &serial_source_ops;
    if (d) {
        memcpy(s->uuid, d->uuid, VIR_UUID_BUFLEN);
        name_after(s, d);
    } else {
        snprintf(s->addr, sizeof s->addr, "%s", addr);
        text_escape(addr, s->label, sizeof s->label);
    }
    /* Start at the size of a full-width pane of the session that opens it:
     * shrinking later would push the first lines into the scrollback. */
    struct rect body = unshown ? (struct rect){ 0, 0, 25, 80 } : app_body(a);
    unsigned cols = body.w > 0 ? (unsigned)body.w : 80, rows = body.h > 1 ? (unsigned)body.h - 1 : 24;
    /* No scrollback for VNC: the screen is a picture redrawn in place. */
    s->model = console_new(cols, rows, kind == SOURCE_VNC ? 0 : a->opt.scrollback);
    if (!s->model) {
        snprintf(err, errlen, "out of memory");
        free(s);
        return NULL;
    }
    if (kind == SOURCE_SERIAL && *a->opt.log_dir) {
        char file[300], lerr[600];
        snprintf(file, sizeof file, "%s-%s", host_name(d->host), d->name);
        if (a->opt.log_replay)
            replay_log(s, file);
        s->log = conlog_open(a->opt.log_dir, file, lerr, sizeof lerr);
        if (!s->log)
            app_message(a, true, "%s", lerr);
    }
    /* Read-only until a pane that may type shows it (source_writers). */
    if (kind == SOURCE_SERIAL) {
        console_set_lines(s->model, &s->lines, &a->patterns);
        struct serial *ser = serial_new(d->host, d->uuid, s->label, a->opt.console_device, s->model, true,
                                        &source_serial_ops, s);
        if (ser) {
            serial_set_log(ser, s->log);
            if (force)
                serial_force_next(ser);
        }
        s->impl = ser;
    } else {
        s->impl = d ? vnc_new(d->host, d->uuid, s->label, s->model, true, a->opt.vnc_password, &source_vnc_ops, s)
                    : vnc_new_address(addr, s->label, s->model, true, a->opt.vnc_password, &source_vnc_ops, s);
    }
    if (!s->impl) {
        snprintf(err, errlen, "out of memory");
        console_free(s->model);
        conlog_close(s->log);
        free(s);
        return NULL;
    }
    return s;
}

static void source_free(struct source *s)
{
    if (s->asking)
        s->asking->source = NULL;
    s->ops->free(s->impl);
    console_free(s->model);
    conlog_close(s->log);
    free(s);
}

/* A new source starts following its domain: open now if it runs. */
static void source_start(struct source *s, const struct dom *d)
{
    if (!d) {
        s->ops->attach(s->impl);
        return;
    }
    source_sync(s);
    bool stopped = s->kind == SOURCE_VNC ? vnc_state(s->impl) == VNC_STOPPED
                                         : serial_state(s->impl) == SERIAL_STOPPED;
    if (stopped && d->state != VIR_DOMAIN_SHUTOFF) {
        if (s->kind == SOURCE_VNC)
            vnc_attach(s->impl);
        else
            serial_attach(s->impl, false);
    }
}

static struct source *get(struct app *a, const struct dom *d, const char *addr, enum source_kind kind, bool force,
                          bool unshown, char *err, size_t errlen)
{
    struct source *s = app_find_source(a, d ? d->uuid : NULL, kind, d ? NULL : addr);
    if (s) {
        s->refs++;
        return s;
    }
    s = source_new(a, d, addr, kind, force, unshown, err, errlen);
    if (!s)
        return NULL;
    if (app_add_source(a, s) < 0) {
        snprintf(err, errlen, "out of memory");
        source_free(s);
        return NULL;
    }
    s->refs = 1;
    source_start(s, d);
    return s;
}

struct source *source_get(struct app *a, const struct dom *d, const char *addr, enum source_kind kind,
                          bool force, char *err, size_t errlen)
{
    return get(a, d, addr, kind, force, false, err, errlen);
}

struct source *source_hold(struct app *a, const struct dom *d, enum source_kind kind, char *err, size_t errlen)
{
    return get(a, d, NULL, kind, false, true, err, errlen);
}

void source_put(struct source *s)
{
    if (!s || --s->refs > 0)
        return;
    app_remove_source(s->app, s);
    source_free(s);
}

bool source_is(const struct source *s, const unsigned char *uuid, enum source_kind kind, const char *addr)
{
    if (s->kind != kind)
        return false;
    if (addr && *addr)
        return strcmp(s->addr, addr) == 0;
    return !s->addr[0] && uuid && memcmp(s->uuid, uuid, VIR_UUID_BUFLEN) == 0;
}

void source_writers(struct source *s, int delta)
{
    s->writers += delta;
    s->ops->set_readonly(s->impl, s->writers <= 0);
}

/* ---- following the registry ---- */

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

static bool running(const struct dom *d)
{
    return d->state == VIR_DOMAIN_RUNNING || d->state == VIR_DOMAIN_BLOCKED || d->state == VIR_DOMAIN_PAUSED ||
           d->state == VIR_DOMAIN_SHUTDOWN;
}

void source_sync(struct source *s)
{
    if (s->addr[0])
        return;   /* a bare VNC address follows no domain */
    struct dom *d = domreg_find(s->app->reg, s->uuid);
    if (!d) {
        /* Gone from the registry: stopped, on the host it was on. */
        s->ops->update(s->impl, s->ops->host(s->impl), false, true);
        return;
    }
    /* The title names the host the domain runs on now (it moves on migration). */
    name_after(s, d);
    s->ops->set_label(s->impl, s->label);
    s->ops->update(s->impl, d->host, running(d), host_state(d->host) == HOST_CONNECTED);
    s->ops->follow(s->impl, migrating_now(d), incoming_now(d));
}

/* ---- keys and titles ---- */

void source_reattach(struct source *s) { s->ops->attach(s->impl); }
void source_read_now(struct source *s) { s->ops->read_now(s->impl); }
const char *source_badge(struct source *s) { return s->ops->badge(s->impl); }
const char *source_kind_name(enum source_kind kind) { return kind == SOURCE_VNC ? "vnc" : "serial"; }

bool source_key(struct source *s, key_code k, char *err, size_t errlen)
{
    return s->ops->key(s->impl, k, err, errlen);
}

bool source_send(struct source *s, const char *bytes, size_t n, char *err, size_t errlen)
{
    return s->ops->send(s->impl, bytes, n, err, errlen);
}

bool source_combo(struct source *s, const struct keysym_combo *c, char *err, size_t errlen)
{
    return s->ops->combo(s->impl, c, err, errlen);
}

struct host *source_host(const struct source *s)
{
    return s->addr[0] ? NULL : s->ops->host(s->impl);
}

void source_title(struct source *s, char *out, size_t outlen)
{
    /* A screen painted from a picture is repainted at the model's new size. */
    s->ops->model_resized(s->impl);
    const char *state = "";
    if (!s->addr[0]) {
        struct dom *d = domreg_find(s->app->reg, s->uuid);
        state = !d ? "gone" : host_state(d->host) != HOST_CONNECTED ? "host lost" : dom_state_name(d->state);
    }
    const char *more = s->ops->describe(s->impl);
    snprintf(out, outlen, "%s  %s  %s%s%s", s->label, s->ops->kind, state, *state && *more ? "  " : "", more);
}
