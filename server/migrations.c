/* server/migrations.c: `migrate`, `migrate-cancel` and the progress line. */
#include "server/migrations.h"
#include "server/commands.h"
#include "server/app.h"
#include "server/pane.h"
#include "server/session.h"
#include "backends/domain.h"
#include "backends/host.h"
#include "backends/migrate.h"
#include "util/errf.h"
#include "views/domlist.h"
#include "views/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void forget(struct app *a, struct migration *m)
{
    for (size_t i = 0; i < a->nmigrations; i++) {
        if (a->migrations[i] == m) {
            memmove(&a->migrations[i], &a->migrations[i + 1], (a->nmigrations - i - 1) * sizeof *a->migrations);
            a->nmigrations--;
            break;
        }
    }
    migration_free(m);
}

static void on_progress(struct migration *m, void *opaque)
{
    app_dirty(opaque);
}

static void on_done(struct migration *m, bool ok, const char *msg, void *opaque)
{
    struct app *a = opaque;
    const struct migration_progress *p = migration_progress(m);
    if (ok)
        app_message(a, false, "%s: migrated (%llu ms, downtime %llu ms)", migration_label(m), p->elapsed_ms,
                    p->downtime_ms);
    else if (migration_cancelled(m))   /* not "failed": the user asked for it */
        app_message(a, false, "%s: migration cancelled; still on %s", migration_label(m),
                    host_name(migration_source(m)));
    else
        app_message(a, true, "%s: migration failed: %s", migration_label(m), msg);
    forget(a, m);
    app_dirty(a);
}

static const struct migration_ops ops = { on_progress, on_done };

static struct dom *default_domain(struct app *a)
{
    if (!a->s)
        return NULL;
    struct pane *p = session_focused_pane(a->s);
    if (p)
        return domreg_find(a->reg, pane_uuid(p));
    return a->s->main_view == a->s->domlist ? domlist_selected(a->s->domlist) : NULL;
}

int cmd_migrate(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    bool p2p = args_has(args, 'p');
    const char *spec = args_get(args, 'd'), *dest = args->argv[0];
    struct dom *d = spec ? domreg_lookup(a->reg, spec, err, errlen) : default_domain(a);
    if (!d)
        return spec ? -1 : errf(err, errlen, "migrate: no domain selected");
    struct host *dst = app_find_host(a, dest);
    if (!dst)
        return errf(err, errlen, "migrate: no host '%s' (add it: host NAME URI)", dest);
    if (d->state != VIR_DOMAIN_RUNNING && d->state != VIR_DOMAIN_PAUSED && d->state != VIR_DOMAIN_BLOCKED)
        return errf(err, errlen, "migrate: %s is %s; only a running domain migrates live", d->name,
                    dom_state_name(d->state));
    if (a->nmigrations >= APP_MAX_MIGRATIONS)
        return errf(err, errlen, "migrate: %d migrations already under way", APP_MAX_MIGRATIONS);
    for (size_t i = 0; i < a->nmigrations; i++)
        if (memcmp(migration_uuid(a->migrations[i]), d->uuid, VIR_UUID_BUFLEN) == 0)
            return errf(err, errlen, "migrate: %s is migrating already (migrate-cancel stops it)", d->name);
    char name[256], label[400];
    text_escape(d->name, name, sizeof name);
    snprintf(label, sizeof label, "%s %s\u2192%s", name, host_name(d->host), host_name(dst));
    struct migration *m = migration_start(d->host, dst, d->uuid, label, p2p, &ops, a, err, errlen);
    if (!m)
        return -1;
    a->migrations[a->nmigrations++] = m;
    /* Logged, not shown: the status line goes straight to the progress,
     * which a message would cover until the next key. */
    char msg[512];
    snprintf(msg, sizeof msg, "%s: migration started (migrate-cancel stops it)", label);
    msglog_add(a->log, false, msg);
    app_dirty(a);
    return 0;
}

int cmd_migrate_cancel(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct dom *d = args->argc ? domreg_lookup(a->reg, args->argv[0], err, errlen) : default_domain(a);
    for (size_t i = a->nmigrations; i-- > 0;) {
        struct migration *m = a->migrations[i];
        if (!d && args->argc)
            return -1;
        if (d && memcmp(migration_uuid(m), d->uuid, VIR_UUID_BUFLEN) != 0)
            continue;
        migration_cancel(m);
        app_message(a, false, "%s: cancelling", migration_label(m));
        return 0;
    }
    return errf(err, errlen, "migrate-cancel: no migration under way%s", d ? " for that domain" : "");
}

const char *migrations_status(struct app *a)
{
    if (!a->nmigrations)
        return NULL;
    size_t n = sizeof a->migration_line;
    migration_describe(a->migrations[a->nmigrations - 1], a->migration_line, n);
    size_t used = strlen(a->migration_line);
    snprintf(a->migration_line + used, n - used, "   (:migrate-cancel stops it)");
    return a->migration_line;
}

void migrations_forget_host(struct app *a, struct host *h)
{
    for (size_t i = a->nmigrations; i-- > 0;) {
        struct migration *m = a->migrations[i];
        if (migration_source(m) == h) {
            migration_cancel(m);
            forget(a, m);
        }
    }
}

void migrations_free_all(struct app *a)
{
    while (a->nmigrations) {
        struct migration *m = a->migrations[a->nmigrations - 1];
        migration_cancel(m);
        forget(a, m);
    }
}

/* ---- a domain that migrated to a host virtmux does not know ---- */

#define LEFT_GRACE_MS 3000   /* the destination's resume event may come after the source's stop */

struct left_ctx {
    struct app *app;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char from[128], name[256];
};

static void add_destination_done(bool ok, const char *text, void *opaque)
{
    struct left_ctx *c = opaque;
    struct app *a = c->app;
    if (ok && text && *text) {
        char name[128], uri[1024], err[600];
        if (sscanf(text, "%127s %1023s", name, uri) != 2)
            app_message(a, true, "add a host as NAME URI, e.g. B qemu+libssh://root@hostB/system");
        else if (!app_add_host(a, name, uri, err, sizeof err))
            app_message(a, true, "%s", err);
        else
            app_message(a, false, "host %s added: %s follows once it is listed there", name, c->name);
    }
    free(c);
}

static void on_left_timer(int timer, void *opaque)
{
    struct left_ctx *c = opaque;
    struct app *a = c->app;
    virEventRemoveTimeout(timer);
    struct dom *d = domreg_find(a->reg, c->uuid);
    /* Running anywhere virtmux knows (also back on the source: round trips)
     * means the console followed; only a domain gone from every known host
     * went somewhere unknown. */
    bool found = d && d->state != VIR_DOMAIN_SHUTOFF && d->state != VIR_DOMAIN_CRASHED &&
                 d->state != VIR_DOMAIN_NOSTATE;
    bool watched = false;
    for (size_t i = 0; i < a->nsessions; i++)
        watched |= session_has_uuid(a->sessions[i], c->uuid);
    if (found || !watched) {
        free(c);   /* followed, or nobody was watching it */
        return;
    }
    char q[700];
    snprintf(q, sizeof q, "%s migrated away from %s to a host virtmux does not know. "
             "Add that host as NAME URI and its console follows (Esc leaves it):", c->name, c->from);
    struct dialog *dlg = dialog_new(DIALOG_TEXT, "migrated to an unknown host", q, add_destination_done, c);
    if (!dlg) {
        free(c);
        return;
    }
    app_message(a, true, "%s migrated away from %s to a host virtmux does not know (host NAME URI adds it)",
                c->name, c->from);
    app_push_dialog(a, NULL, dlg);
}

void migrations_left(struct app *a, struct host *h, const unsigned char *uuid, const char *name)
{
    struct left_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->app = a;
    memcpy(c->uuid, uuid, VIR_UUID_BUFLEN);
    snprintf(c->from, sizeof c->from, "%s", host_name(h));
    text_escape(name, c->name, sizeof c->name);
    if (virEventAddTimeout(LEFT_GRACE_MS, on_left_timer, c, NULL) < 0)
        free(c);
}
