/* server/pane.c: a session's view of a console, and a pane that waits for its domain. */
#include "server/pane.h"
#include "server/app.h"
#include "server/session.h"
#include "backends/console.h"
#include "backends/domain.h"
#include "views/console.h"
#include "views/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char no_uuid[VIR_UUID_BUFLEN];

static void describe(void *opaque, char *title, size_t tlen, char *badge, size_t blen)
{
    struct pane *p = opaque;
    const char *ro = p->readonly ? "[read-only]" : "";
    const char *scroll = p->scroll_mode ? "[scroll: q leaves]" : "";
    if (!p->src) {
        snprintf(title, tlen, "%s  %s", p->label, source_kind_name(p->want_kind));
        if (p->want_failed)
            snprintf(badge, blen, "[no such domain]%s", ro);
        else if (p->nheld)
            snprintf(badge, blen, "[connecting: %zu key%s held]%s", p->nheld, p->nheld == 1 ? "" : "s", ro);
        else
            snprintf(badge, blen, "[connecting]%s", ro);
        return;
    }
    source_title(p->src, title, tlen);
    char viewers[32] = "";
    if (p->src->viewers > 1)
        snprintf(viewers, sizeof viewers, "[%d viewers]", p->src->viewers);
    snprintf(badge, blen, "%s%s%s%s", source_badge(p->src), ro, scroll, viewers);
}

static struct pane *pane_alloc(struct session *s, bool readonly, char *err, size_t errlen)
{
    struct pane *p = calloc(1, sizeof *p);
    if (p)
        p->view = consoleview_new(NULL, describe, p);
    if (!p || !p->view) {
        free(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->session = s;
    p->readonly = readonly;
    return p;
}

static void show_source(struct pane *p, struct source *src)
{
    p->src = src;
    snprintf(p->label, sizeof p->label, "%s", src->label);
    consoleview_set_model(p->view, src->model);
    if (!p->readonly)
        source_writers(src, 1);
    if (!src->sizer)
        src->sizer = p;
}

struct pane *pane_new(struct session *s, const struct dom *d, const char *addr, enum source_kind kind,
                      bool readonly, bool force, char *err, size_t errlen)
{
    struct pane *p = pane_alloc(s, readonly, err, errlen);
    if (!p)
        return NULL;
    struct source *src = source_get(s->app, d, addr, kind, force, err, errlen);
    if (!src) {
        pane_free(p);
        return NULL;
    }
    show_source(p, src);
    return p;
}

struct pane *pane_new_waiting(struct session *s, const char *spec, enum source_kind kind, bool readonly,
                              bool force, bool patient, char *err, size_t errlen)
{
    struct pane *p = pane_alloc(s, readonly, err, errlen);
    if (!p)
        return NULL;
    snprintf(p->want, sizeof p->want, "%s", spec);
    text_escape(spec, p->label, sizeof p->label);
    p->want_kind = kind;
    p->want_force = force;
    p->want_patient = patient;
    return p;
}

void pane_free(struct pane *p)
{
    if (!p)
        return;
    if (p->src) {
        if (p->src->sizer == p)
            p->src->sizer = NULL;
        if (!p->readonly)
            source_writers(p->src, -1);
        source_put(p->src);
    }
    view_free(p->view);
    free(p);
}

bool pane_is(const struct pane *p, const unsigned char *uuid, enum source_kind kind, const char *addr)
{
    return p->src && source_is(p->src, uuid, kind, addr);
}

enum source_kind pane_kind(const struct pane *p)
{
    return p->src ? p->src->kind : p->want_kind;
}

const unsigned char *pane_uuid(const struct pane *p)
{
    return p->src && !p->src->addr[0] ? p->src->uuid : no_uuid;
}

struct console *pane_model(const struct pane *p)
{
    return p->src ? p->src->model : NULL;
}

struct host *pane_host(const struct pane *p)
{
    return p->src ? source_host(p->src) : NULL;
}

/* The keys typed while the pane waited, to the guest, in order. */
static void send_held(struct pane *p)
{
    size_t n = p->nheld;
    p->nheld = 0;
    for (size_t i = 0; i < n && !p->readonly; i++)
        pane_key(p, p->held[i]);
    if (n)
        app_message(p->session->app, false, "%s: %zu key%s typed while connecting sent", p->label, n,
                    n == 1 ? "" : "s");
}

/* A waiting pane: has its domain shown up (or will it never)? */
static void resolve(struct pane *p)
{
    struct app *a = p->session->app;
    char err[600];
    struct dom *d = domreg_lookup(a->reg, p->want, err, sizeof err);
    if (!d) {
        if (app_settled(a) && !p->want_patient && !p->want_failed) {
            p->want_failed = true;
            app_message(a, true, "attach: %s%s", err, p->nheld ? "; the keys typed for it were dropped" : "");
            p->nheld = 0;
        }
        return;
    }
    if ((p->want_kind == SOURCE_SERIAL && !d->has_serial && d->facts_known) ||
        (p->want_kind == SOURCE_VNC && !d->has_vnc && d->facts_known)) {
        if (!p->want_failed)
            app_message(a, true, "attach %s: the domain has no %s", d->name,
                        p->want_kind == SOURCE_VNC ? "VNC display" : "serial console");
        p->want_failed = true;
        p->nheld = 0;
        return;
    }
    struct source *src = source_get(a, d, NULL, p->want_kind, p->want_force, err, sizeof err);
    if (!src) {
        app_message(a, true, "%s", err);
        return;
    }
    p->want_failed = false;
    show_source(p, src);
    send_held(p);
    app_session_changed(a, p->session);   /* the saved layout names its UUID now */
}

void pane_sync(struct pane *p)
{
    if (p->src) {
        source_sync(p->src);
        snprintf(p->label, sizeof p->label, "%s", p->src->label);
    } else {
        resolve(p);
    }
}

void pane_key(struct pane *p, key_code k)
{
    struct app *a = p->session->app;
    if (p->readonly) {
        app_message(a, true, "%s is read-only (attach without -r to type)", p->label);
        return;
    }
    if (!p->src) {
        if (p->want_failed) {
            app_message(a, true, "%s: no such domain; the key went nowhere", p->label);
        } else if (p->nheld == PANE_HELD_MAX) {
            app_message(a, true, "%s: %d keys already held while connecting; this one is dropped", p->label,
                        PANE_HELD_MAX);
        } else {
            p->held[p->nheld++] = k;
            app_dirty(a);   /* the badge counts them */
        }
        return;
    }
    /* The console follows the size of the pane typed into last. */
    p->src->sizer = p;
    consoleview_scroll(p->view, 0);
    p->scroll_mode = false;
    char err[600];
    if (!source_key(p->src, k, err, sizeof err))
        app_message(a, true, "%s", err);
}

void pane_send(struct pane *p, const char *bytes, size_t n)
{
    char err[600];
    if (p->readonly || !p->src)
        return;
    if (!source_send(p->src, bytes, n, err, sizeof err))
        app_message(p->session->app, true, "%s", err);
}

bool pane_combo(struct pane *p, const struct keysym_combo *c, char *err, size_t errlen)
{
    if (!p->src) {
        snprintf(err, errlen, "send-key: %s is not attached yet", p->label);
        return false;
    }
    if (p->readonly) {
        snprintf(err, errlen, "send-key: %s is read-only", p->label);
        return false;
    }
    return source_combo(p->src, c, err, errlen);
}

void pane_reattach(struct pane *p)
{
    if (p->src)
        source_reattach(p->src);
}

void pane_read_now(struct pane *p)
{
    if (p->src)
        source_read_now(p->src);
}
