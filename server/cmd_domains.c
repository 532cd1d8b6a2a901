/* server/cmd_domains.c: a domain's life cycle (start, shutdown, reboot,
 * destroy after asking, suspend, resume) and defining one from XML. */
#include "server/commands.h"
#include "server/authz.h"
#include "server/app.h"
#include "server/board.h"
#include "server/client.h"
#include "server/session.h"
#include "backends/domain.h"
#include "backends/host.h"
#include "util/errf.h"
#include "views/board.h"
#include "views/dialog.h"
#include "views/domlist.h"
#include "views/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* [DOMAIN]: the named domain, or the one selected in the list or on the board. */
static struct dom *target_domain(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (args->argc)
        return authz_lookup(a, args->argv[0], AUTHZ_CHANGE, args->name, err, errlen);
    struct dom *d = NULL;
    unsigned char uuid[VIR_UUID_BUFLEN];
    if (a->s && a->s->main_view == a->s->domlist)
        d = domlist_selected(a->s->domlist);
    else if (a->s && board_shown(a->s) && board_selected(a->s->board->view, uuid))
        d = domreg_find(a->reg, uuid);
    if (!d)
        errf(err, errlen, a->s ? "%s: no domain selected" : "%s: which domain? (name it)", args->name);
    else if (authz_domain(a, d, AUTHZ_CHANGE, args->name, err, errlen) < 0)
        return NULL;
    return d;
}

static enum dom_action action_of(const char *name)
{
    static const struct { const char *name; enum dom_action act; } map[] = {
        { "start", DOM_START }, { "shutdown", DOM_SHUTDOWN }, { "reboot", DOM_REBOOT },
        { "destroy", DOM_DESTROY }, { "suspend", DOM_SUSPEND }, { "resume", DOM_RESUME },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, name) == 0)
            return map[i].act;
    return DOM_START;
}

static int run_domain_action(struct app *a, struct dom *d, enum dom_action act, char *err, size_t errlen)
{
    char label[300];
    snprintf(label, sizeof label, "%s/%s", host_name(d->host), d->name);
    if (host_domain_action(d->host, d->uuid, label, act, err, errlen) < 0)
        return -1;
    app_message(a, false, "%s %s ...", dom_action_name(act), label);
    return 0;
}

/* The confirmation carries the UUID, not a pointer: the row may vanish meanwhile. */
struct confirm_ctx { struct app *app; unsigned char uuid[VIR_UUID_BUFLEN]; enum dom_action act; };

static void confirm_done(bool ok, const char *text, void *opaque)
{
    struct confirm_ctx *c = opaque;
    struct app *a = c->app;
    if (ok) {
        struct dom *d = domreg_find(a->reg, c->uuid);
        char err[600];
        if (!d)
            app_message(a, true, "%s: the domain is gone", dom_action_name(c->act));
        else if (run_domain_action(a, d, c->act, err, sizeof err) < 0)
            app_message(a, true, "%s", err);
    } else {
        app_message(a, false, "%s cancelled", dom_action_name(c->act));
    }
    free(c);
}

int cmd_domain_action(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct dom *d = target_domain(a, args, err, errlen);
    if (!d || !authz_take(a, LIMIT_LIFECYCLE, d, err, errlen))
        return -1;
    enum dom_action act = action_of(args->name);
    if (act == DOM_START && authz_start_image(a, d, err, errlen) < 0)
        return -1;
    if (act != DOM_DESTROY || args_has(args, 'y') || !a->c || a->c->command_mode)
        return run_domain_action(a, d, act, err, errlen);
    struct confirm_ctx *c = malloc(sizeof *c);
    if (!c)
        return errf(err, errlen, "out of memory");
    c->app = a;
    c->act = act;
    memcpy(c->uuid, d->uuid, VIR_UUID_BUFLEN);
    char q[600], name[300];
    text_escape(d->name, name, sizeof name);
    snprintf(q, sizeof q, "Destroy '%s' on %s? It is powered off at once, unsaved data is lost.",
             name, host_name(d->host));
    struct dialog *dlg = dialog_new(DIALOG_CONFIRM, "destroy", q, confirm_done, c);
    if (!dlg) {
        free(c);
        return errf(err, errlen, "out of memory");
    }
    app_push_dialog(a, a->c, dlg);
    return 0;
}

/* create [-H HOST] FILE: define a domain from XML and start it. */
int cmd_create(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    const char *file = args->argv[0], *hostname = args_get(args, 'H');
    char path[4096];
    app_path(a, file, path, sizeof path);
    file = path;
    struct host *h = hostname ? app_find_host(a, hostname) : NULL;
    if (!h && !hostname) {
        struct dom *d = a->s && a->s->main_view == a->s->domlist ? domlist_selected(a->s->domlist) : NULL;
        h = d ? d->host : a->nhosts == 1 ? a->hosts[0] : NULL;
    }
    if (!h)
        return errf(err, errlen, hostname ? "create: no host '%s'" : "create: which host? (-H HOST)%s", hostname ? hostname : "");
    FILE *f = fopen(file, "r");
    if (!f)
        return errf(err, errlen, "create: %s: %s", file, strerror(errno));
    char *xml = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&xml, &cap, '\0', f);
    fclose(f);
    if (n <= 0) {
        free(xml);
        return errf(err, errlen, "create: %s is empty", file);
    }
    int rc = host_define_and_start(h, xml, err, errlen);
    free(xml);
    return rc;
}

