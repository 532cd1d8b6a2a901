/* tui/pane.c: creating, feeding and freeing one attached console. */
#include "tui/pane.h"
#include "tui/app.h"
#include "backends/conlog.h"
#include "backends/console.h"
#include "backends/serial.h"
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
    struct pane *p = app_find_pane(t->app, t->uuid);
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

void pane_free(struct pane *p)
{
    if (!p)
        return;
    serial_free(p->serial);
    view_free(p->view);
    console_free(p->model);
    conlog_close(p->log);
    free(p);
}

void pane_sync(struct pane *p)
{
    struct dom *d = domreg_find(p->app->reg, p->uuid);
    if (!d) {
        serial_update(p->serial, serial_host(p->serial), false, true);
        return;
    }
    /* The title names the host the domain runs on now (it moves on migration). */
    char name[256];
    text_escape(d->name, name, sizeof name);
    snprintf(p->label, sizeof p->label, "%s/%s", host_name(d->host), name);
    bool running = d->state == VIR_DOMAIN_RUNNING || d->state == VIR_DOMAIN_BLOCKED ||
                   d->state == VIR_DOMAIN_PAUSED || d->state == VIR_DOMAIN_SHUTDOWN;
    serial_update(p->serial, d->host, running, host_state(d->host) == HOST_CONNECTED);
    bool migrating = d->state == VIR_DOMAIN_PAUSED &&
                     (d->reason == VIR_DOMAIN_PAUSED_MIGRATION || d->reason == VIR_DOMAIN_PAUSED_POSTCOPY);
    struct host *incoming = d->incoming && host_state(d->incoming) == HOST_CONNECTED ? d->incoming : NULL;
    serial_follow(p->serial, migrating, incoming);
}

bool pane_readonly(const struct pane *p)
{
    return serial_readonly(p->serial);
}

void pane_key(struct pane *p, key_code k)
{
    if (pane_readonly(p)) {
        app_message(p->app, true, "%s is read-only (attach without -r to type)", p->label);
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
    console_send(p->model, bytes, n);
    serial_flush(p->serial);
}
