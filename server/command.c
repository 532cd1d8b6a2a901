/* server/command.c: every command virtmux knows, as one const table (tmux cmd_entry style);
 * the config file, key bindings and the ':' prompt all come through here. */
#include "server/command.h"
#include "server/migrations.h"
#include "server/app.h"
#include "server/board.h"
#include "server/client.h"
#include "server/pane.h"
#include "server/session.h"
#include "server/config.h"
#include "server/demo.h"
#include "views/board.h"
#include "views/domlist.h"
#include "views/help.h"
#include "views/hostlist.h"
#include "views/messages.h"
#include "views/text.h"
#include "views/console.h"
#include "backends/console.h"
#include "backends/serial.h"
#include "keymaps/cmdline.h"
#include "keymaps/errf.h"
#include "keymaps/keyfile.h"
#include "proto/msg.h"

#include <errno.h>
#include <regex.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- views and navigation ---- */

/* The list (or host list) in place of the consoles, nothing over it. */
static void show_main(struct app *a, struct view *v)
{
    client_set_overlay(a->c, NULL);
    session_show(a->s, v);
}

static int cmd_navigate(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    int rc = view_command(client_focus(a->c), argv[0], argc, argv, err, errlen);
    if (rc == 1)
        return errf(err, errlen, "%s: not available in the %s view", argv[0], client_focus(a->c)->ops->name);
    return rc;
}

static int cmd_select_mouse(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct view *v = client_focus(a->c);
    if (v->ops->click)
        v->ops->click(v, a->c->mouse_y, a->c->mouse_x);
    return 0;
}

static int cmd_show_help(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct view *v = help_new(a->km, a->s->main_view->ops->keytable);
    if (!v)
        return errf(err, errlen, "out of memory");
    client_set_overlay(a->c, v);
    return 0;
}

static int cmd_show_messages(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct view *v = messages_new(a->log);
    if (!v)
        return errf(err, errlen, "out of memory");
    client_set_overlay(a->c, v);
    return 0;
}

static int cmd_show_hosts(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    show_main(a, a->s->hostlist);
    return 0;
}

static int cmd_show_domains(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    show_main(a, a->s->domlist);
    return 0;
}

static int cmd_close_view(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (a->c->overlay)
        client_set_overlay(a->c, NULL);
    else if (a->s->main_view != a->s->domlist)
        show_main(a, a->s->domlist);
    return 0;
}

static int cmd_command_prompt(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    client_open_prompt(a->c, PROMPT_COMMAND, argc > 1 ? argv[1] : "");
    return 0;
}

/* The filter of the list shown: the domain list, or the board. */
static int cmd_filter(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    bool board = a->s->board && a->s->main_view == a->s->board->view;
    if (!board && a->s->main_view != a->s->domlist)
        show_main(a, a->s->domlist);
    if (argc > 1)
        session_set_filter(a->s, argv[1]);
    else
        client_open_prompt(a->c, PROMPT_FILTER, session_filter(a->s));
    return 0;
}

static int cmd_filter_clear(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    session_set_filter(a->s, "");
    return 0;
}

static int cmd_board(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    client_set_overlay(a->c, NULL);
    if (session_show_board(a->s) < 0)
        return errf(err, errlen, "out of memory");
    return 0;
}

static int cmd_sort(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (domlist_set_sort(a->s->domlist, argc > 1 ? argv[1] : "next", err, errlen) < 0)
        return -1;
    app_message(a, false, "sorted by %s", domlist_sort_name(a->s->domlist));
    return 0;
}

/* q: this session ends (the server with its last one); C-] d only detaches. */
static int cmd_quit(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    app_kill_session(a, a->s, "");
    return 0;
}

static int cmd_refresh_client(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    client_term(a->c, TERM_REDRAW, 0);
    client_redraw_all(a->c);
    return 0;
}

static int cmd_suspend_client(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    client_term(a->c, TERM_SUSPEND, 0);
    return 0;
}

static int cmd_display_message(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    char *text = cmdline_join(argc - 1, argv + 1);
    app_message(a, false, "%s", text ? text : "");
    free(text);
    return 0;
}

static int cmd_list_commands(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    bool screen = a->c && !a->c->command_mode;
    for (size_t i = 0; i < command_count(); i++) {
        const struct cmd_entry *c = command_at(i);
        char line[300];
        snprintf(line, sizeof line, "%-16s %-26s %s", c->name, c->usage, c->help);
        if (screen)
            msglog_add(a->log, false, line);
        else
            app_message(a, false, "%s", line);
    }
    return screen ? cmd_show_messages(a, argc, argv, err, errlen) : 0;
}

/* ---- domains ---- */

/* [-y] [DOMAIN]: the named domain, or the selected one. */
static struct dom *target_domain(struct app *a, int argc, char **argv, bool *yes, char *err, size_t errlen)
{
    const char *spec = NULL;
    *yes = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-y") == 0)
            *yes = true;
        else if (argv[i][0] == '-' && argv[i][1])
            { errf(err, errlen, "%s: unknown flag %s", argv[0], argv[i]); return NULL; }
        else if (!spec)
            spec = argv[i];
        else
            { errf(err, errlen, "%s: too many arguments", argv[0]); return NULL; }
    }
    if (spec)
        return domreg_lookup(a->reg, spec, err, errlen);
    struct dom *d = a->s && a->s->main_view == a->s->domlist ? domlist_selected(a->s->domlist) : NULL;
    if (!d)
        errf(err, errlen, a->s ? "%s: no domain selected" : "%s: which domain? (name it)", argv[0]);
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

static int cmd_domain_action(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    bool yes;
    struct dom *d = target_domain(a, argc, argv, &yes, err, errlen);
    if (!d)
        return -1;
    enum dom_action act = action_of(argv[0]);
    if (act != DOM_DESTROY || yes || !a->c || a->c->command_mode)
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

/* attach [-f] [-r] [--vnc|--serial] [DOMAIN | --vnc-address ADDR];
 * split-window [-h|-v] [-r] [--vnc] [DOMAIN]. */
static int attach_like(struct app *a, int argc, char **argv, char where, char *err, size_t errlen)
{
    bool force = false, readonly = false, wait = false;
    const char *spec = NULL, *addr = NULL;
    int kind = -1;   /* unless said: the kind of the focused pane, else serial */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-f")) force = true;
        else if (!strcmp(argv[i], "-r")) readonly = true;
        else if (!strcmp(argv[i], "-w") && !where) wait = true;
        else if (!strcmp(argv[i], "-h") && where) where = 'h';
        else if (!strcmp(argv[i], "-v") && where) where = 'v';
        else if (!strcmp(argv[i], "--vnc")) kind = SOURCE_VNC;
        else if (!strcmp(argv[i], "--serial")) kind = SOURCE_SERIAL;
        else if (!strcmp(argv[i], "--vnc-address") && i + 1 < argc) { addr = argv[++i]; kind = SOURCE_VNC; }
        else if (argv[i][0] == '-' && argv[i][1]) return errf(err, errlen, "%s: unknown flag %s", argv[0], argv[i]);
        else if (!spec) spec = argv[i];
        else return errf(err, errlen, "%s: too many arguments", argv[0]);
    }
    if (addr) {
        if (spec)
            return errf(err, errlen, "%s: a domain or --vnc-address, not both", argv[0]);
        return session_attach(a->s, NULL, addr, SOURCE_VNC, readonly, where, force, err, errlen);
    }
    struct pane *focused = session_focused_pane(a->s);
    if (kind < 0)
        kind = focused && !spec ? (int)pane_kind(focused) : SOURCE_SERIAL;
    struct dom *d = NULL;
    if (spec) {
        d = domreg_lookup(a->reg, spec, err, errlen);
        /* Not listed yet (a host still connecting; -w: being defined): the
         * pane is there from now on and holds the keys typed for it. */
        if (!d && (wait || !app_settled(a)) && !where)
            return session_attach_waiting(a->s, spec, (enum source_kind)kind, readonly, 0, wait, err, errlen);
    } else if (focused && force) {
        if (focused->src && focused->src->addr[0]) {
            pane_reattach(focused);
            return 0;
        }
        d = domreg_find(a->reg, pane_uuid(focused));
    } else if (focused && focused->readonly && !readonly) {
        d = domreg_find(a->reg, pane_uuid(focused));
        /* Opening a watched console for typing: a writable tab of its own. */
        if (d) {
            struct tab *t = session_current_tab(a->s);
            session_close_pane(a->s, t, t->focus);
        }
    } else if (a->s->main_view == a->s->domlist && a->s->cur_tab < 0) {
        d = domlist_selected(a->s->domlist);
        if (!d)
            errf(err, errlen, "%s: no domain selected", argv[0]);
    } else if (board_shown(a->s)) {
        unsigned char uuid[VIR_UUID_BUFLEN];
        d = board_selected(a->s->board->view, uuid) ? domreg_find(a->reg, uuid) : NULL;
        if (!d)
            errf(err, errlen, "%s: no console selected on the board", argv[0]);
        else if (kind < 0 || (kind == SOURCE_SERIAL && !d->has_serial && d->has_vnc))
            kind = d->has_serial || !d->has_vnc ? SOURCE_SERIAL : SOURCE_VNC;
    } else {
        errf(err, errlen, "%s: which domain? (select one in the list, or name it)", argv[0]);
    }
    if (!d)
        return -1;
    /* An open pane is taken over (VNC: reconnected) now; a new one on its first open. */
    struct pane *open = force ? session_find_pane(a->s, d->uuid, (enum source_kind)kind) : NULL;
    if (open)
        pane_reattach(open);
    return session_attach(a->s, d, NULL, (enum source_kind)kind, readonly, where, force, err, errlen);
}

/* The focused pane's domain, the other console: serial <-> VNC, in its place. */
static int cmd_switch_console(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "switch-console: no console focused");
    if (p->src && p->src->addr[0])
        return errf(err, errlen, "switch-console: %s is a bare VNC address, no domain", p->label);
    struct dom *d = domreg_find(a->reg, pane_uuid(p));
    if (!d)
        return errf(err, errlen, "switch-console: the domain is gone");
    enum source_kind other = pane_kind(p) == SOURCE_VNC ? SOURCE_SERIAL : SOURCE_VNC;
    if (session_find_pane(a->s, d->uuid, other))
        return session_attach(a->s, d, NULL, other, false, 0, false, err, errlen);   /* focus it */
    if (other == SOURCE_VNC && !d->has_vnc && d->facts_known)
        return errf(err, errlen, "switch-console: %s has no VNC display", d->name);
    if (other == SOURCE_SERIAL && !d->has_serial && d->facts_known)
        return errf(err, errlen, "switch-console: %s has no serial console", d->name);
    bool ro = p->readonly;
    struct pane *n = pane_new(a->s, d, NULL, other, ro, false, err, errlen);
    if (!n)
        return -1;
    t->panes[t->focus] = n;
    pane_free(p);
    app_message(a, false, "%s: %s console", n->label, source_kind_name(other));
    app_session_changed(a, a->s);
    return 0;
}

/* send-key COMBO...: key combinations for a VNC guest (C-A-Delete, A-SysRq-h). */
static int cmd_send_key(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "send-key: no console focused");
    for (int i = 1; i < argc; i++) {
        struct keysym_combo c;
        char why[200];
        if (!keysym_combo_parse(argv[i], &c, why, sizeof why))
            return errf(err, errlen, "send-key: %s", why);
        if (!pane_combo(p, &c, err, errlen))
            return -1;
    }
    if (argc == 2)
        app_message(a, false, "%s: sent %s", p->label, argv[1]);
    return 0;
}

static int cmd_attach(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    return attach_like(a, argc, argv, 0, err, errlen);
}

static int cmd_split_window(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    /* From a console: the next tab's console joins this tab (tmux join-pane);
     * from the list: the selected domain joins the last console tab. */
    bool has_domain = false;
    for (int i = 1; i < argc; i++)
        has_domain |= argv[i][0] != '-';
    struct tab *cur = session_current_tab(a->s);
    if (!has_domain && cur) {
        char where = 'h';
        for (int i = 1; i < argc; i++)
            if (!strcmp(argv[i], "-v"))
                where = 'v';
        size_t next = ((size_t)a->s->cur_tab + 1) % a->s->ntabs;
        if (a->s->ntabs < 2 || a->s->tabs[next] == cur)
            return errf(err, errlen, "split-window: no other console tab to join (attach another domain first)");
        struct tab *src = a->s->tabs[next];
        struct pane *p = src->panes[src->focus];
        if (tab_push(cur, p) < 0)
            return errf(err, errlen, "out of memory");
        memmove(&src->panes[src->focus], &src->panes[src->focus + 1], (src->n - src->focus - 1) * sizeof *src->panes);
        src->n--;
        if (src->focus >= src->n && src->n)
            src->focus = src->n - 1;
        cur->kind = where == 'v' ? LAYOUT_STACKED : LAYOUT_SIDE_BY_SIDE;
        cur->focus = cur->n - 1;
        if (!src->n) {
            tab_free(src);
            memmove(&a->s->tabs[next], &a->s->tabs[next + 1], (a->s->ntabs - next - 1) * sizeof *a->s->tabs);
            a->s->ntabs--;
            for (size_t i = 0; i < a->s->ntabs; i++)
                if (a->s->tabs[i] == cur)
                    a->s->cur_tab = (int)i;
        }
        session_select_tab(a->s, a->s->cur_tab);
        return 0;
    }
    return attach_like(a, argc, argv, 'h', err, errlen);
}

static int by_name(const void *x, const void *y)
{
    const struct dom *a = *(struct dom *const *)x, *b = *(struct dom *const *)y;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(host_name(a->host), host_name(b->host));
}

/* The TA view: every running domain with a serial console, read-only, tiled. */
static int cmd_watch_all(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    size_t total = domreg_count(a->reg), n = 0;
    struct dom **doms = calloc(total ? total : 1, sizeof *doms);
    if (!doms)
        return errf(err, errlen, "out of memory");
    total = domreg_list(a->reg, doms, total);
    qsort(doms, total, sizeof *doms, by_name);
    const char *filter = session_filter(a->s);   /* the board's, from the board */
    bool vnc = argc > 1 && !strcmp(argv[1], "--vnc");
    int started = 0;
    for (size_t i = 0; i < total; i++) {
        struct dom *d = doms[i];
        if (d->state != VIR_DOMAIN_RUNNING || !(vnc ? d->has_vnc : d->has_serial) || session_has_uuid(a->s, d->uuid))
            continue;
        if (*filter && !strcasestr(d->name, filter))
            continue;
        /* The first one makes a fresh grid tab; the rest join it. */
        if (session_attach(a->s, d, NULL, vnc ? SOURCE_VNC : SOURCE_SERIAL, true, started ? 'g' : 0, false,
                            err, errlen) == 0) {
            struct tab *t = session_current_tab(a->s);
            if (t)
                t->kind = LAYOUT_GRID;
            started++;
            n++;
        }
    }
    free(doms);
    if (!started)
        return errf(err, errlen, "watch-all: no running domain with a serial console%s", *filter ? " matches the filter" : "");
    struct tab *t = session_current_tab(a->s);
    if (t)
        t->focus = 0;   /* the first page */
    size_t pages = t ? layout_pages(t, session_body(a->s), NULL) : 1;
    if (pages > 1)
        app_message(a, false, "watching %d consoles on %zu pages (n/p turns them; read-only; Enter opens one for typing)",
                    started, pages);
    else
        app_message(a, false, "watching %d console%s (read-only; Enter opens one for typing)", started,
                    started == 1 ? "" : "s");
    return 0;
}

static int cmd_select_layout(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t)
        return errf(err, errlen, "select-layout: no console tab shown");
    if (!strcmp(argv[1], "grid")) t->kind = LAYOUT_GRID;
    else if (!strcmp(argv[1], "side-by-side")) t->kind = LAYOUT_SIDE_BY_SIDE;
    else if (!strcmp(argv[1], "stacked")) t->kind = LAYOUT_STACKED;
    else return errf(err, errlen, "select-layout: '%s' is not grid, side-by-side or stacked", argv[1]);
    session_select_tab(a->s, a->s->cur_tab);
    return 0;
}

static int cmd_select_window(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    int n = (int)a->s->ntabs + 1; /* the list counts as 0 */
    int target;
    if (!strcmp(argv[0], "next-window"))
        target = (a->s->cur_tab + 2) % n - 1;
    else if (!strcmp(argv[0], "previous-window"))
        target = (a->s->cur_tab + n) % n - 1;
    else if (!strcmp(argv[0], "last-window"))
        target = a->s->last_tab;
    else {
        if (argc < 2)
            return errf(err, errlen, "usage: select-window N");
        char *end;
        long v = strtol(argv[1], &end, 10);
        if (*end || v < 0 || v >= n)
            return errf(err, errlen, "select-window: no tab %s (0 is the list, 1..%zu consoles)", argv[1], a->s->ntabs);
        target = (int)v - 1;
    }
    client_set_overlay(a->c, NULL);
    session_select_tab(a->s, target < 0 ? -1 : target);
    return 0;
}

/* select-page next|previous|N: a grid with more panes than fit shows a page
 * of them, the one with the focus; this moves the focus a page on or back. */
static int cmd_select_page(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t || t->kind != LAYOUT_GRID)
        return errf(err, errlen, "select-page: no grid shown");
    struct rect body = session_body(a->s);
    size_t page, pages = layout_pages(t, body, &page), per = layout_per_page(body);
    size_t target;
    if (!strcmp(argv[1], "next"))
        target = page + 1 < pages ? page + 1 : 0;
    else if (!strcmp(argv[1], "previous"))
        target = page ? page - 1 : pages - 1;
    else {
        char *end;
        long v = strtol(argv[1], &end, 10);
        if (*end || v < 1 || (size_t)v > pages)
            return errf(err, errlen, "select-page: next, previous or a page from 1 to %zu", pages);
        target = (size_t)v - 1;
    }
    t->focus = target * per < t->n ? target * per : t->n - 1;
    app_session_changed(a, a->s);
    return 0;
}

static int cmd_select_pane(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t)
        return errf(err, errlen, "%s: no console tab shown", argv[0]);
    if (!strcmp(argv[0], "next-pane") || argc < 2) {
        t->focus = (t->focus + 1) % t->n;
    } else {
        int dy = 0, dx = 0;
        if (!strcmp(argv[1], "-L")) dx = -1;
        else if (!strcmp(argv[1], "-R")) dx = 1;
        else if (!strcmp(argv[1], "-U")) dy = -1;
        else if (!strcmp(argv[1], "-D")) dy = 1;
        else return errf(err, errlen, "select-pane: -L, -R, -U or -D");
        t->focus = layout_neighbour(t, session_body(a->s), dy, dx);
    }
    app_session_changed(a, a->s);
    return 0;
}

static int cmd_kill_pane(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t)
        return errf(err, errlen, "kill-pane: no console shown");
    char label[300];
    snprintf(label, sizeof label, "%s", t->panes[t->focus]->label);
    session_close_pane(a->s, t, t->focus);
    app_message(a, false, "%s: console closed", label);
    return 0;
}

static int cmd_kill_window(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t)
        return errf(err, errlen, "kill-window: no console tab shown");
    while (session_current_tab(a->s) == t && t->n)
        session_close_pane(a->s, t, t->n - 1);
    return 0;
}

static int cmd_prefix(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    a->c->prefix_pending = true;
    return 0;
}

/* The key that armed the prefix, sent through to the guest (prefix twice). */
static int cmd_send_prefix(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "send-prefix: no console focused");
    key_code k = argc > 1 ? key_string_to_code(argv[1]) : (']' | KEYC_CTRL);
    if (k == KEYC_NONE)
        return errf(err, errlen, "send-prefix: unknown key '%s'", argv[1]);
    pane_key(p, k);
    return 0;
}

static int cmd_copy_mode(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "%s: no console focused", argv[0]);
    if (!strcmp(argv[0], "scroll-exit")) {
        p->scroll_mode = false;
        consoleview_scroll(p->view, 0);
    } else {
        p->scroll_mode = true;
        struct console *m = pane_model(p);
        if (m && argc > 1 && !strcmp(argv[1], "-u"))
            consoleview_scroll(p->view, (int)console_rows(m) - 1);
    }
    app_session_changed(a, a->s);
    return 0;
}

static int cmd_search(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "%s: no console focused", argv[0]);
    p->scroll_mode = true;
    if (!strcmp(argv[0], "search-again")) {
        if (!a->c->search[0])
            return errf(err, errlen, "search-again: nothing searched yet (/ searches)");
        if (consoleview_search(p->view, a->c->search) < 0)
            return errf(err, errlen, "'%s' not found further back", a->c->search);
        return 0;
    }
    client_open_prompt(a->c, PROMPT_SEARCH, "");
    return 0;
}

/* Only on request: tell the guest's tty the pane's size. */
static int cmd_resize_guest(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "resize-guest: no console focused");
    if (pane_kind(p) == SOURCE_VNC)
        return errf(err, errlen, "resize-guest: a VNC screen has the guest's own size");
    if (!pane_model(p))
        return errf(err, errlen, "resize-guest: %s is not attached yet", p->label);
    char line[64];
    int n = snprintf(line, sizeof line, "stty rows %u cols %u\r", console_rows(pane_model(p)), console_cols(pane_model(p)));
    pane_send(p, line, (size_t)n);
    return 0;
}

/* ---- hosts ---- */

static int cmd_host(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (!app_add_host(a, argv[1], argv[2], err, errlen))
        return -1;
    app_message(a, false, "host %s: connecting to %s", argv[1], argv[2]);
    return 0;
}

static struct host *target_host(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct host *h = NULL;
    if (argc > 1)
        h = app_find_host(a, argv[1]);
    else if (a->s && a->s->main_view == a->s->hostlist)
        h = hostlist_selected(a->s->hostlist);
    else if (a->s && a->s->main_view == a->s->domlist && domlist_selected(a->s->domlist))
        h = domlist_selected(a->s->domlist)->host;
    if (!h)
        errf(err, errlen, argc > 1 ? "%s: no host '%s'" : "%s: no host selected", argv[0], argc > 1 ? argv[1] : "");
    return h;
}

static int cmd_host_remove(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct host *h = target_host(a, argc, argv, err, errlen);
    if (!h)
        return -1;
    char name[200];
    snprintf(name, sizeof name, "%s", host_name(h));
    if (app_remove_host(a, name, err, errlen) < 0)
        return -1;
    app_message(a, false, "host %s removed", name);
    return 0;
}

static int cmd_host_reconnect(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct host *h = target_host(a, argc, argv, err, errlen);
    if (!h)
        return -1;
    host_connect(h);
    app_message(a, false, "host %s: connecting", host_name(h));
    return 0;
}

/* create [-H HOST] FILE: define a domain from XML and start it. */
static int cmd_create(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    const char *file = NULL, *hostname = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-H") && i + 1 < argc)
            hostname = argv[++i];
        else if (argv[i][0] == '-')
            return errf(err, errlen, "create: unknown flag %s", argv[i]);
        else
            file = argv[i];
    }
    if (!file)
        return errf(err, errlen, "usage: create [-H HOST] FILE");
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

/* ---- configuration ---- */

static int cmd_bind_key(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    return keymap_bind_argv(a->km, argc, argv, err, errlen);
}

static int cmd_unbind_key(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    return keymap_unbind_argv(a->km, argc, argv, err, errlen);
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        return *out = true, 0;
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        return *out = false, 0;
    return -1;
}

static int cmd_set(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    const char *opt = argv[1], *val = argv[2];
    if (strcmp(opt, "sort") == 0) {
        /* The sort of every session's list, and of the ones to come. */
        struct view *probe = domlist_new(a->reg);
        int rc = probe ? domlist_set_sort(probe, val, err, errlen) : errf(err, errlen, "out of memory");
        view_free(probe);
        if (rc < 0 || !strcmp(val, "next"))
            return rc < 0 ? -1 : errf(err, errlen, "set sort: name, host or state (sort-next cycles)");
        snprintf(a->opt.sort, sizeof a->opt.sort, "%s", val);
        for (size_t i = 0; i < a->nsessions; i++)
            domlist_set_sort(a->sessions[i]->domlist, val, err, errlen);
        return 0;
    }
    if (strcmp(opt, "mouse") == 0 || strcmp(opt, "colour") == 0 || strcmp(opt, "color") == 0) {
        bool b;
        if (parse_bool(val, &b) < 0)
            return errf(err, errlen, "set %s: '%s' is not on or off", opt, val);
        if (opt[0] == 'm')
            a->opt.mouse = b;
        else
            a->opt.colour = b;
        app_apply_options(a);
        return 0;
    }
    if (strcmp(opt, "reconnect-max") == 0) {
        char *end;
        long s = strtol(val, &end, 10);
        if (*end || s < 1 || s > 3600)
            return errf(err, errlen, "set reconnect-max: '%s' is not a number of seconds from 1 to 3600", val);
        a->opt.reconnect_max = (unsigned)s;
        for (size_t i = 0; i < a->nhosts; i++)
            host_set_backoff_max(a->hosts[i], a->opt.reconnect_max);
        return 0;
    }
    if (strcmp(opt, "log-dir") == 0) {
        snprintf(a->opt.log_dir, sizeof a->opt.log_dir, "%s", val);
        return 0;
    }
    if (strcmp(opt, "vnc-password") == 0) {
        snprintf(a->opt.vnc_password, sizeof a->opt.vnc_password, "%s", val);
        return 0;
    }
    if (strcmp(opt, "console-device") == 0) {
        snprintf(a->opt.console_device, sizeof a->opt.console_device, "%s", strcmp(val, "default") ? val : "");
        return 0;
    }
    if (strcmp(opt, "scrollback") == 0 || strcmp(opt, "log-replay") == 0) {
        char *end;
        long n = strtol(val, &end, 10);
        if (*end || n < 0 || n > 1000000)
            return errf(err, errlen, "set %s: '%s' is not a number of lines from 0 to 1000000", opt, val);
        if (opt[0] == 's')
            a->opt.scrollback = (unsigned)n;
        else
            a->opt.log_replay = (unsigned)n;
        return 0;
    }
    if (strcmp(opt, "alarm") == 0) {
        /* Repeatable: each adds one; "default" and "none" start over. */
        if (!strcmp(val, "none") || !strcmp(val, "default")) {
            for (size_t i = 0; i < a->patterns.nalarm; i++)
                regfree(&a->patterns.alarm[i]);
            a->patterns.nalarm = 0;
            return strcmp(val, "none") ? watch_patterns_add_alarm(&a->patterns, DEFAULT_ALARM, err, errlen) : 0;
        }
        return watch_patterns_add_alarm(&a->patterns, val, err, errlen) < 0 ? errf(err, errlen, "set alarm: %.400s", err) : 0;
    }
    if (strcmp(opt, "settled") == 0) {
        if (watch_patterns_set_settled(&a->patterns, strcmp(val, "default") ? val : DEFAULT_SETTLED, err, errlen) < 0)
            return errf(err, errlen, "set settled: %.400s", err);
        return 0;
    }
    return errf(err, errlen, "set: unknown option '%s' (sort, mouse, colour, reconnect-max, log-dir, "
                 "log-replay, scrollback, console-device, vnc-password, alarm, settled)", opt);
}

static int cmd_source_file(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    int bad = config_load(a, argv[1], false);
    if (bad < 0)
        return errf(err, errlen, "source-file: cannot read %s", argv[1]);
    return 0;
}

static void report_keyfile_line(const char *msg, void *opaque)
{
    app_message(opaque, true, "%s", msg);
}

/* A binding file (the syntax of keymaps/default.keys) over the bindings in force. */
static int cmd_source_keys(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    int bad = keyfile_load_path(a->km, argv[1], report_keyfile_line, a);
    if (bad < 0)
        return errf(err, errlen, "source-keys: cannot read %s", argv[1]);
    if (bad > 0)
        return errf(err, errlen, "source-keys: %d bad line%s in %s (:show-messages)", bad, bad == 1 ? "" : "s", argv[1]);
    return 0;
}

/* ---- sessions and the server ---- */

/* -t NAME: that session; none: the one used last (created if none). */
static int cmd_attach_session(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    const char *name = NULL;
    bool readonly = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "-r"))
            readonly = true;
        else
            return errf(err, errlen, "usage: attach-session [-t NAME] [-r]");
    }
    if (!a->c || a->c->command_mode)
        return errf(err, errlen, "attach-session: needs a terminal (run virtmux attach-session)");
    struct session *s = name ? app_find_session(a, name) : app_recent_session(a);
    if (!s && name)
        return errf(err, errlen, "attach-session: no session '%s' (list-sessions shows them)", name);
    if (!s && !(s = app_new_session(a, "", err, errlen)))
        return -1;
    a->c->readonly |= readonly;
    client_attach(a->c, s);
    return 0;
}

static int cmd_new_session(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    const char *name = "";
    bool detached = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "-d"))
            detached = true;
        else
            return errf(err, errlen, "usage: new-session [-d] [-s NAME]");
    }
    struct session *s = app_new_session(a, name, err, errlen);
    if (!s)
        return -1;
    if (!detached && a->c && !a->c->command_mode)
        client_attach(a->c, s);
    else
        app_message(a, false, "session %s created", s->name);
    return 0;
}

static int count_clients(struct app *a, struct session *s)
{
    int n = 0;
    for (size_t i = 0; i < a->nclients; i++)
        n += a->clients[i]->session == s && !a->clients[i]->closing;
    return n;
}

static int cmd_list_sessions(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (!a->nsessions)
        return errf(err, errlen, "no sessions");
    for (size_t i = 0; i < a->nsessions; i++) {
        struct session *s = a->sessions[i];
        size_t panes = 0;
        for (size_t t = 0; t < s->ntabs; t++)
            panes += s->tabs[t]->n;
        int n = count_clients(a, s);
        app_message(a, false, "%s: %zu tab%s, %zu console%s%s%s", s->name, s->ntabs, s->ntabs == 1 ? "" : "s", panes,
                    panes == 1 ? "" : "s", n ? " (attached)" : "", s == a->s ? " (this one)" : "");
    }
    return 0;
}

static int cmd_kill_session(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct session *s = a->s;
    if (argc == 3 && !strcmp(argv[1], "-t"))
        s = app_find_session(a, argv[2]);
    else if (argc != 1)
        return errf(err, errlen, "usage: kill-session [-t NAME]");
    if (!s)
        return errf(err, errlen, argc == 3 ? "kill-session: no session '%s'" : "kill-session: which session? (-t NAME)",
                    argc == 3 ? argv[2] : "");
    char name[SESSION_NAME_MAX], why[128];
    snprintf(name, sizeof name, "%s", s->name);
    snprintf(why, sizeof why, "session %s was closed", name);
    app_kill_session(a, s, why);
    if (a->c && a->c->command_mode)
        app_message(a, false, "session %s closed", name);
    return 0;
}

static int cmd_kill_server(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    a->quit = true;
    return 0;
}

static int cmd_detach_client(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    char why[128];
    snprintf(why, sizeof why, "[detached (from session %s)]", a->s->name);
    client_exit(a->c, 0, why);
    return 0;
}

static int cmd_server_info(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    size_t attached = 0;
    for (size_t i = 0; i < a->nclients; i++)
        attached += a->clients[i]->session && !a->clients[i]->command_mode && !a->clients[i]->closing;
    app_message(a, false, "virtmux %s server pid %d: %zu session%s, %zu client%s attached, %zu console%s, %zu host%s",
                VIRTMUX_VERSION, (int)getpid(), a->nsessions, a->nsessions == 1 ? "" : "s", attached,
                attached == 1 ? "" : "s", a->nsources, a->nsources == 1 ? "" : "s", a->nhosts,
                a->nhosts == 1 ? "" : "s");
    return 0;
}

static void capture_line(const char *line, void *opaque)
{
    client_message(opaque, false, line);
}

/* capture-pane [-t SESSION] [-S LINES]: the text of the focused console of a
 * session, its scrollback first (as tmux capture-pane -p -S -LINES). */
static int cmd_capture_pane(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct session *s = a->s;
    unsigned back = 100000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) {
            if (!(s = app_find_session(a, argv[++i])))
                return errf(err, errlen, "capture-pane: no session '%s'", argv[i]);
        } else if (!strcmp(argv[i], "-S") && i + 1 < argc) {
            back = (unsigned)strtoul(argv[++i], NULL, 10);
        } else {
            return errf(err, errlen, "usage: capture-pane [-t SESSION] [-S LINES]");
        }
    }
    if (!s && !(s = app_recent_session(a)))
        return errf(err, errlen, "capture-pane: no session");
    struct pane *p = session_focused_pane(s);
    struct console *m = p ? pane_model(p) : NULL;
    if (!m)
        return errf(err, errlen, "capture-pane: session %s shows no console", s->name);
    if (!a->c || !a->c->command_mode)
        return errf(err, errlen, "capture-pane: prints; run it as virtmux capture-pane");
    return console_text(m, back, capture_line, a->c) < 0 ? errf(err, errlen, "out of memory") : 0;
}

/* connect URI: the host at URI, unless the server has it already (a client's -c). */
static int cmd_connect(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (app_find_host_uri(a, argv[1]))
        return 0;
    char name[128];
    app_host_name_for_uri(a, argv[1], name, sizeof name);
    return app_add_host(a, name, argv[1], err, errlen) ? 0 : -1;
}

/* connect-default [URI]: with no host at all, libvirt's default (the
 * client's $LIBVIRT_DEFAULT_URI, else libvirt's probing). */
static int cmd_connect_default(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (a->nhosts)
        return 0;
    const char *uri = argc > 1 ? argv[1] : "";
    char name[128];
    app_host_name_for_uri(a, *uri ? uri : NULL, name, sizeof name);
    return app_add_host(a, name, uri, err, errlen) ? 0 : -1;
}

/* The tiny demo guest under the embedded QEMU driver, held by this server. */
static int cmd_demo(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (app_find_host(a, "demo"))
        return 0;
    char uri[600];
    char *xml = NULL;
    if (demo_prepare("virtmux", uri, sizeof uri, &xml, err, errlen) < 0)
        return -1;
    struct host *h = app_add_host(a, "demo", uri, err, errlen);
    int rc = h ? host_define_and_start(h, xml, err, errlen) : -1;
    free(xml);
    return rc;
}

/* ---- the table ---- */

#define NAV(n, h) { n, "", h, 0, 0, cmd_navigate, CMD_SESSION }
#define ACT(n, h) { n, "[-y] [DOMAIN]", h, 0, 2, cmd_domain_action, 0 }

static const struct cmd_entry commands[] = {
    { "attach-session", "[-t NAME] [-r]", "show a session in this client (-r: a read-only client)", 0, 3, cmd_attach_session, 0 },
    { "new-session", "[-d] [-s NAME]", "a new session (-d: not shown here)", 0, 3, cmd_new_session, 0 },
    { "list-sessions", "", "the sessions of this server", 0, 0, cmd_list_sessions, 0 },
    { "kill-session", "[-t NAME]", "close a session and its consoles", 0, 2, cmd_kill_session, 0 },
    { "kill-server", "", "stop the server: every session and console closes", 0, 0, cmd_kill_server, 0 },
    { "detach-client", "", "leave: the session and its consoles stay in the server", 0, 0, cmd_detach_client, CMD_SESSION },
    { "capture-pane", "[-t SESSION] [-S LINES]", "print the focused console's scrollback and screen", 0, 4, cmd_capture_pane, 0 },
    { "server-info", "", "the server's version, pid, sessions, clients and consoles", 0, 0, cmd_server_info, 0 },
    { "connect", "URI", "add the host at URI unless the server has it", 1, 1, cmd_connect, 0 },
    { "connect-default", "[URI]", "with no host yet: libvirt's default host", 0, 1, cmd_connect_default, 0 },
    { "demo", "", "build and boot the tiny demo guest (qemu:///embed)", 0, 0, cmd_demo, 0 },
    ACT("start", "start a domain"),
    ACT("shutdown", "ask a domain to shut down (ACPI)"),
    ACT("reboot", "ask a domain to reboot"),
    ACT("destroy", "power a domain off at once (asks unless -y)"),
    ACT("suspend", "pause a domain"),
    ACT("resume", "resume a paused domain"),
    { "attach", "[-f] [-r] [-w] [--vnc|--serial] [DOMAIN|--vnc-address ADDR]",
      "open a domain's console (-f take over/reconnect, -r read-only, -w wait for it, --vnc its VNC display as text)", 0, 6, cmd_attach, CMD_SESSION },
    { "split-window", "[-h|-v] [-r] [--vnc] [DOMAIN]", "a console beside (-h) or below (-v) the current one", 0, 4, cmd_split_window, CMD_SESSION },
    { "switch-console", "", "switch this pane between the domain's serial and VNC console", 0, 0, cmd_switch_console, CMD_SESSION },
    { "send-key", "COMBO...", "send key combinations to a VNC console (C-A-Delete, C-A-F2, A-SysRq-h)", 1, -1, cmd_send_key, CMD_SESSION },
    { "watch-all", "[--vnc]", "every running console in a read-only grid (--vnc: their VNC displays)", 0, 1, cmd_watch_all, CMD_SESSION },
    { "select-layout", "grid|side-by-side|stacked", "arrange the panes of this tab", 1, 1, cmd_select_layout, CMD_SESSION },
    { "next-window", "", "the next tab", 0, 0, cmd_select_window, CMD_SESSION },
    { "previous-window", "", "the previous tab", 0, 0, cmd_select_window, CMD_SESSION },
    { "last-window", "", "the tab shown before", 0, 0, cmd_select_window, CMD_SESSION },
    { "select-window", "N", "tab N (0 is the list)", 1, 1, cmd_select_window, CMD_SESSION },
    { "select-pane", "-L|-R|-U|-D", "focus the pane in that direction", 1, 1, cmd_select_pane, CMD_SESSION },
    { "next-pane", "", "focus the next pane", 0, 0, cmd_select_pane, CMD_SESSION },
    { "select-page", "next|previous|N", "the next, previous or Nth page of a grid too large for the screen", 1, 1, cmd_select_page, CMD_SESSION },
    { "kill-pane", "", "close the focused console", 0, 0, cmd_kill_pane, CMD_SESSION },
    { "kill-window", "", "close every console of this tab", 0, 0, cmd_kill_window, CMD_SESSION },
    { "prefix", "", "the next key is a virtmux command", 0, 0, cmd_prefix, CMD_SESSION },
    { "send-prefix", "[KEY]", "send the prefix key to the guest", 0, 1, cmd_send_prefix, CMD_SESSION },
    { "copy-mode", "[-u]", "scroll back through the console (-u: a page up)", 0, 1, cmd_copy_mode, CMD_SESSION },
    { "scroll-exit", "", "back to live output", 0, 0, cmd_copy_mode, CMD_SESSION },
    { "search", "", "search back in the scrollback", 0, 0, cmd_search, CMD_SESSION },
    { "search-again", "", "find the previous match", 0, 0, cmd_search, CMD_SESSION },
    { "resize-guest", "", "send 'stty rows R cols C' for the pane's size", 0, 0, cmd_resize_guest, CMD_SESSION },
    { "migrate", "[-p] [-d DOMAIN] HOST", "live-migrate the focused or selected domain to HOST (-p peer to peer)", 1, 4, command_migrate, 0 },
    { "migrate-cancel", "[DOMAIN]", "abort a migration started here", 0, 1, command_migrate_cancel, 0 },
    { "create", "[-H HOST] FILE", "define a domain from an XML file and start it", 1, 3, cmd_create, 0 },
    { "host", "NAME URI", "add a libvirt host and connect", 2, 2, cmd_host, 0 },
    { "host-remove", "[NAME]", "disconnect and forget a host", 0, 1, cmd_host_remove, 0 },
    { "host-reconnect", "[NAME]", "reconnect a host now", 0, 1, cmd_host_reconnect, 0 },
    { "bind-key", "[-T table] [-N note] KEY COMMAND...", "bind a key", 2, -1, cmd_bind_key, 0 },
    { "unbind-key", "[-T table] KEY", "remove a key binding", 1, 3, cmd_unbind_key, 0 },
    { "set", "OPTION VALUE", "set an option (sort, mouse, colour, reconnect-max)", 2, 2, cmd_set, 0 },
    { "source-file", "PATH", "run the commands in a file", 1, 1, cmd_source_file, 0 },
    { "source-keys", "PATH", "load a binding file (keymaps/*.keys syntax)", 1, 1, cmd_source_keys, 0 },
    { "filter", "[TEXT]", "filter the domain list or the board (prompt without TEXT)", 0, 1, cmd_filter, CMD_SESSION },
    { "board", "", "every console on one board: alarms, booting, at a prompt, stopped", 0, 0, cmd_board, CMD_SESSION },
    { "filter-clear", "", "show all domains again", 0, 0, cmd_filter_clear, CMD_SESSION },
    { "sort", "name|host|state|next", "sort the domain list", 0, 1, cmd_sort, CMD_SESSION },
    { "sort-next", "", "cycle the sort order", 0, 0, cmd_sort, CMD_SESSION },
    { "command-prompt", "[TEXT]", "open the : prompt", 0, 1, cmd_command_prompt, CMD_SESSION },
    { "show-help", "", "show the key bindings", 0, 0, cmd_show_help, CMD_SESSION },
    { "show-hosts", "", "show the host list", 0, 0, cmd_show_hosts, CMD_SESSION },
    { "show-domains", "", "show the domain list", 0, 0, cmd_show_domains, CMD_SESSION },
    { "show-messages", "", "show earlier messages", 0, 0, cmd_show_messages, CMD_SESSION },
    { "list-commands", "", "list every command", 0, 0, cmd_list_commands, 0 },
    { "close-view", "", "close help/messages, back to the list", 0, 0, cmd_close_view, CMD_SESSION },
    { "display-message", "TEXT...", "show a message in the status line", 0, -1, cmd_display_message, 0 },
    { "refresh-client", "", "redraw the whole screen", 0, 0, cmd_refresh_client, CMD_SESSION },
    { "suspend-client", "", "suspend virtmux (fg resumes)", 0, 0, cmd_suspend_client, CMD_SESSION },
    { "quit", "", "close this session and its consoles (the server ends with its last session)", 0, 0, cmd_quit, CMD_SESSION },
    NAV("cursor-up", "move up"),
    NAV("cursor-down", "move down"),
    NAV("page-up", "move a page up"),
    NAV("page-down", "move a page down"),
    NAV("cursor-top", "go to the first row"),
    NAV("cursor-bottom", "go to the last row"),
    NAV("scroll-up", "scroll up"),
    NAV("scroll-down", "scroll down"),
    NAV("scroll-reset", "back to live output"),
    { "select-mouse", "", "select the row under the mouse", 0, 0, cmd_select_mouse, CMD_SESSION },
};

size_t command_count(void)
{
    return sizeof commands / sizeof commands[0];
}

const struct cmd_entry *command_at(size_t i)
{
    return i < command_count() ? &commands[i] : NULL;
}

const struct cmd_entry *command_find(const char *name)
{
    for (size_t i = 0; i < command_count(); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int command_check(int argc, char **argv, char *err, size_t errlen, void *opaque)
{
    if (argc < 1)
        return errf(err, errlen, "missing command");
    const struct cmd_entry *c = command_find(argv[0]);
    if (!c)
        return errf(err, errlen, "unknown command '%s'", argv[0]);
    int n = argc - 1;
    if (n < c->min_args || (c->max_args >= 0 && n > c->max_args))
        return errf(err, errlen, "usage: %s %s", c->name, c->usage);
    return 0;
}

int command_run_argv(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (argc == 0)
        return 0;
    if (command_check(argc, argv, err, errlen, NULL) < 0)
        return -1;
    const struct cmd_entry *c = command_find(argv[0]);
    if ((c->flags & CMD_SESSION) && (!a->s || !a->c || a->c->command_mode))
        return errf(err, errlen, "%s: only inside a session (type it at virtmux's : prompt, or bind it to a key)",
                    argv[0]);
    return c->exec(a, argc, argv, err, errlen);
}

int command_run_line(struct app *a, const char *line, char *err, size_t errlen)
{
    int argc;
    char **argv;
    if (cmdline_split(line, &argc, &argv, err, errlen) < 0)
        return -1;
    int rc = command_run_argv(a, argc, argv, err, errlen);
    cmdline_free(argc, argv);
    return rc;
}
