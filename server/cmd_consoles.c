/* server/cmd_consoles.c: opening consoles, tabs and panes, the grid,
 * scrolling and searching back, keys and text for a guest. */
#include "server/commands.h"
#include "server/authz.h"
#include "server/app.h"
#include "server/board.h"
#include "server/client.h"
#include "server/pane.h"
#include "server/session.h"
#include "backends/console.h"
#include "backends/domain.h"
#include "backends/host.h"
#include "util/errf.h"
#include "keymaps/key.h"
#include "keymaps/keysym.h"
#include "views/board.h"
#include "views/console.h"
#include "views/domlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* attach [-f] [-r] [-w] [--vnc|--serial] [DOMAIN | --vnc-address ADDR];
 * split-window [-h|-v] [-r] [--vnc] [DOMAIN]. */
static int attach_like(struct app *a, const struct cmd_args *args, char where, char *err, size_t errlen)
{
    bool force = args_has(args, 'f'), readonly = args_has(args, 'r'), wait = args_has(args, 'w');
    const char *spec = args->argc ? args->argv[0] : NULL, *addr = args_get(args, 'A');
    if (where && args_has(args, 'v'))
        where = 'v';
    int kind = -1;   /* unless said: the kind of the focused pane, else serial */
    if (args_has(args, 'V') || addr)
        kind = SOURCE_VNC;
    else if (args_has(args, 'S'))
        kind = SOURCE_SERIAL;
    /* A read-only client opens read-only panes; so does a TA. */
    readonly |= (a->c && a->c->readonly) || authz_readonly(a);
    if (addr && authz_system(a) && a->c && a->c->role != ROLE_OPERATOR) {
        errf(err, errlen, "%s: --vnc-address: operators only on a system server", args->name);
        authz_audit(a, NULL, NULL, false, err);
        return -1;
    }
    if (addr) {
        if (spec)
            return errf(err, errlen, "%s: a domain or --vnc-address, not both", args->name);
        return session_attach(a->s, NULL, addr, SOURCE_VNC, readonly, where, force, err, errlen);
    }
    struct pane *focused = session_focused_pane(a->s);
    if (kind < 0)
        kind = focused && !spec ? (int)pane_kind(focused) : SOURCE_SERIAL;
    struct dom *d = NULL;
    if (spec && authz_system(a) && !authz_readonly(a) && a->c && a->c->role != ROLE_OPERATOR) {
        /* A student's: decided now, on the domain as it is (no waiting for
         * a name that may become someone else's). */
        if (!(d = authz_lookup(a, spec, readonly ? AUTHZ_READ : AUTHZ_TYPE, args->name, err, errlen)))
            return -1;
    } else if (spec && authz_system(a) && a->c && a->c->role != ROLE_OPERATOR) {
        if (!(d = authz_lookup(a, spec, AUTHZ_READ, args->name, err, errlen)))
            return -1;
    } else if (spec) {
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
            errf(err, errlen, "%s: no domain selected", args->name);
    } else if (board_shown(a->s)) {
        unsigned char uuid[VIR_UUID_BUFLEN];
        d = board_selected(a->s->board->view, uuid) ? domreg_find(a->reg, uuid) : NULL;
        if (!d)
            errf(err, errlen, "%s: no console selected on the board", args->name);
        else if (kind < 0 || (kind == SOURCE_SERIAL && !d->has_serial && d->has_vnc))
            kind = d->has_serial || !d->has_vnc ? SOURCE_SERIAL : SOURCE_VNC;
    } else {
        errf(err, errlen, "%s: which domain? (select one in the list, or name it)", args->name);
    }
    if (!d)
        return -1;
    if (!spec && authz_domain(a, d, readonly ? AUTHZ_READ : AUTHZ_TYPE, args->name, err, errlen) < 0)
        return -1;
    /* An open pane is taken over (VNC: reconnected) now; a new one on its first open. */
    struct pane *open = force ? session_find_pane(a->s, d->uuid, (enum source_kind)kind) : NULL;
    if (open)
        pane_reattach(open);
    return session_attach(a->s, d, NULL, (enum source_kind)kind, readonly, where, force, err, errlen);
}

/* The focused pane's domain, the other console: serial <-> VNC, in its place. */
int cmd_switch_console(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
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
int cmd_send_key(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "send-key: no console focused");
    for (int i = 0; i < args->argc; i++) {
        struct keysym_combo c;
        char why[200];
        if (!keysym_combo_parse(args->argv[i], &c, why, sizeof why))
            return errf(err, errlen, "send-key: %s", why);
        if (!pane_combo(p, &c, err, errlen))
            return -1;
    }
    if (args->argc == 1)
        app_message(a, false, "%s: sent %s", p->label, args->argv[0]);
    return 0;
}

int cmd_attach(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    return attach_like(a, args, 0, err, errlen);
}

int cmd_split_window(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    /* From a console: the next tab's console joins this tab (tmux join-pane);
     * from the list: the selected domain joins the last console tab. */
    struct tab *cur = session_current_tab(a->s);
    if (!args->argc && cur) {
        char where = args_has(args, 'v') ? 'v' : 'h';
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
    return attach_like(a, args, 'h', err, errlen);
}

static int by_name(const void *x, const void *y)
{
    const struct dom *a = *(struct dom *const *)x, *b = *(struct dom *const *)y;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(host_name(a->host), host_name(b->host));
}

/* The TA view: every running domain with a serial console, read-only, tiled. */
int cmd_watch_all(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    size_t total = domreg_count(a->reg), n = 0;
    struct dom **doms = calloc(total ? total : 1, sizeof *doms);
    if (!doms)
        return errf(err, errlen, "out of memory");
    total = domreg_list(a->reg, doms, total);
    qsort(doms, total, sizeof *doms, by_name);
    const char *filter = session_filter(a->s);   /* the board's, from the board */
    bool vnc = args_has(args, 'V');
    int started = 0;
    for (size_t i = 0; i < total; i++) {
        struct dom *d = doms[i];
        if (d->state != VIR_DOMAIN_RUNNING || !(vnc ? d->has_vnc : d->has_serial) || session_has_uuid(a->s, d->uuid) ||
            !authz_sees(a, a->s, d))
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

int cmd_select_layout(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t)
        return errf(err, errlen, "select-layout: no console tab shown");
    const char *kind = args->argv[0];
    if (!strcmp(kind, "grid")) t->kind = LAYOUT_GRID;
    else if (!strcmp(kind, "side-by-side")) t->kind = LAYOUT_SIDE_BY_SIDE;
    else if (!strcmp(kind, "stacked")) t->kind = LAYOUT_STACKED;
    else return errf(err, errlen, "select-layout: '%s' is not grid, side-by-side or stacked", kind);
    session_select_tab(a->s, a->s->cur_tab);
    return 0;
}

int cmd_select_window(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    int n = (int)a->s->ntabs + 1; /* the list counts as 0 */
    int target;
    if (!strcmp(args->name, "next-window"))
        target = (a->s->cur_tab + 2) % n - 1;
    else if (!strcmp(args->name, "previous-window"))
        target = (a->s->cur_tab + n) % n - 1;
    else if (!strcmp(args->name, "last-window"))
        target = a->s->last_tab;
    else {
        if (!args->argc)
            return errf(err, errlen, "usage: select-window N");
        char *end;
        long v = strtol(args->argv[0], &end, 10);
        if (*end || v < 0 || v >= n)
            return errf(err, errlen, "select-window: no tab %s (0 is the list, 1..%zu consoles)", args->argv[0], a->s->ntabs);
        target = (int)v - 1;
    }
    client_set_overlay(a->c, NULL);
    session_select_tab(a->s, target < 0 ? -1 : target);
    return 0;
}

/* select-page next|previous|N: a grid with more panes than fit shows a page
 * of them, the one with the focus; this moves the focus a page on or back. */
int cmd_select_page(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t || t->kind != LAYOUT_GRID)
        return errf(err, errlen, "select-page: no grid shown");
    struct rect body = session_body(a->s);
    size_t page, pages = layout_pages(t, body, &page), per = layout_per_page(body);
    size_t target;
    const char *which = args->argv[0];
    if (!strcmp(which, "next"))
        target = page + 1 < pages ? page + 1 : 0;
    else if (!strcmp(which, "previous"))
        target = page ? page - 1 : pages - 1;
    else {
        char *end;
        long v = strtol(which, &end, 10);
        if (*end || v < 1 || (size_t)v > pages)
            return errf(err, errlen, "select-page: next, previous or a page from 1 to %zu", pages);
        target = (size_t)v - 1;
    }
    t->focus = target * per < t->n ? target * per : t->n - 1;
    app_session_changed(a, a->s);
    return 0;
}

int cmd_select_pane(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t)
        return errf(err, errlen, "%s: no console tab shown", args->name);
    int dy = args_has(args, 'U') ? -1 : args_has(args, 'D') ? 1 : 0;
    int dx = args_has(args, 'L') ? -1 : args_has(args, 'R') ? 1 : 0;
    if (!strcmp(args->name, "next-pane") || (!dx && !dy)) {
        t->focus = (t->focus + 1) % t->n;
    } else {
        t->focus = layout_neighbour(t, session_body(a->s), dy, dx);
    }
    app_session_changed(a, a->s);
    return 0;
}

int cmd_kill_pane(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
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

int cmd_kill_window(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct tab *t = session_current_tab(a->s);
    if (!t)
        return errf(err, errlen, "kill-window: no console tab shown");
    while (session_current_tab(a->s) == t && t->n)
        session_close_pane(a->s, t, t->n - 1);
    return 0;
}

int cmd_prefix(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    a->c->prefix_pending = true;
    return 0;
}

/* The key that armed the prefix, sent through to the guest (prefix twice). */
int cmd_send_prefix(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "send-prefix: no console focused");
    key_code k = args->argc ? key_string_to_code(args->argv[0]) : (']' | KEYC_CTRL);
    if (k == KEYC_NONE)
        return errf(err, errlen, "send-prefix: unknown key '%s'", args->argv[0]);
    pane_key(p, k);
    return 0;
}

int cmd_copy_mode(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "%s: no console focused", args->name);
    if (!strcmp(args->name, "scroll-exit")) {
        p->scroll_mode = false;
        consoleview_scroll(p->view, 0);
    } else {
        p->scroll_mode = true;
        struct console *m = pane_model(p);
        if (m && args_has(args, 'u'))
            consoleview_scroll(p->view, (int)console_rows(m) - 1);
    }
    app_session_changed(a, a->s);
    return 0;
}

int cmd_search(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct pane *p = session_focused_pane(a->s);
    if (!p)
        return errf(err, errlen, "%s: no console focused", args->name);
    p->scroll_mode = true;
    if (!strcmp(args->name, "search-again")) {
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
int cmd_resize_guest(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
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

static void capture_line(const char *line, void *opaque)
{
    client_message(opaque, false, line);
}

/* capture-pane [-t SESSION] [-S LINES]: the text of the focused console of a
 * session, its scrollback first (as tmux capture-pane -p -S -LINES). */
int cmd_capture_pane(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct session *s = a->s;
    unsigned back = 100000;
    const char *lines = args_get(args, 'S');
    if (lines && strcmp(lines, "-")) {
        /* tmux's -S -N means N lines back: the sign is allowed, not needed */
        char *end;
        long n = strtol(lines + (*lines == '-'), &end, 10);
        if (!lines[*lines == '-'] || *end || n < 0 || n > 10000000)
            return errf(err, errlen, "capture-pane: -S '%s' is not a number of lines", lines);
        back = (unsigned)n;
    }
    if (args_has(args, 't') && !(s = app_find_session(a, args_get(args, 't'))))
        return errf(err, errlen, "capture-pane: no session '%s'", args_get(args, 't'));
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
