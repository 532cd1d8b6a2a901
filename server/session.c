/* server/session.c: a session's tabs and panes: opening, focusing, closing. */
#include "server/session.h"
#include "server/authz.h"
#include "views/messages.h"
#include "server/app.h"
#include "server/board.h"
#include "server/pane.h"
#include "backends/domain.h"
#include "views/console.h"
#include "views/board.h"
#include "views/domlist.h"
#include "views/hostlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool sees(const struct dom *d, void *opaque)
{
    struct session *s = opaque;
    return authz_sees(s->app, s, d);
}

struct session *session_new(struct app *a, const char *name, char *err, size_t errlen)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->app = a;
    snprintf(s->name, sizeof s->name, "%s", name);
    s->cur_tab = s->last_tab = -1;
    s->rows = 24;
    s->cols = 80;
    s->domlist = domlist_new(a->reg);
    s->hostlist = hostlist_new(&a->hosts, &a->nhosts, a->reg);
    s->log = msglog_new(200);
    if (!s->domlist || !s->hostlist || !s->log) {
        snprintf(err, errlen, "out of memory");
        session_free(s);
        return NULL;
    }
    s->main_view = s->domlist;
    /* A system server's student sees their own domains only. */
    domlist_set_visible(s->domlist, sees, s);
    hostlist_set_visible(s->hostlist, sees, s);
    return s;
}

void session_free(struct session *s)
{
    if (!s)
        return;
    for (size_t t = 0; t < s->ntabs; t++) {
        for (size_t i = 0; i < s->tabs[t]->n; i++)
            pane_free(s->tabs[t]->panes[i]);
        tab_free(s->tabs[t]);
    }
    board_free(s->board);
    view_free(s->domlist);
    view_free(s->hostlist);
    msglog_free(s->log);
    free(s);
}

struct tab *session_current_tab(struct session *s)
{
    return s->cur_tab >= 0 && (size_t)s->cur_tab < s->ntabs ? s->tabs[s->cur_tab] : NULL;
}

struct pane *session_focused_pane(struct session *s)
{
    struct tab *t = session_current_tab(s);
    return t && t->n ? t->panes[t->focus] : NULL;
}

struct rect session_body(const struct session *s)
{
    return (struct rect){ 1, 0, s->rows - 2, s->cols };
}

void session_select_tab(struct session *s, int index)
{
    if (index >= (int)s->ntabs)
        return;
    if (index != s->cur_tab)
        s->last_tab = s->cur_tab;
    s->cur_tab = index;
    if (index >= 0) {
        struct tab *t = s->tabs[index];
        for (size_t i = 0; i < t->n; i++)
            consoleview_invalidate(t->panes[i]->view);
    }
    app_session_changed(s->app, s);
}

void session_show(struct session *s, struct view *main_view)
{
    s->main_view = main_view;
    session_select_tab(s, -1);
}

static bool find_pane_pos(struct session *s, const unsigned char *uuid, enum source_kind kind, const char *addr,
                          size_t *tab, size_t *idx)
{
    for (size_t t = 0; t < s->ntabs; t++)
        for (size_t i = 0; i < s->tabs[t]->n; i++)
            if (pane_is(s->tabs[t]->panes[i], uuid, kind, addr)) {
                *tab = t;
                *idx = i;
                return true;
            }
    return false;
}

struct pane *session_find_pane(struct session *s, const unsigned char *uuid, enum source_kind kind)
{
    size_t t, i;
    return find_pane_pos(s, uuid, kind, NULL, &t, &i) ? s->tabs[t]->panes[i] : NULL;
}

bool session_has_uuid(struct session *s, const unsigned char *uuid)
{
    for (size_t t = 0; t < s->ntabs; t++)
        for (size_t i = 0; i < s->tabs[t]->n; i++)
            if (memcmp(pane_uuid(s->tabs[t]->panes[i]), uuid, VIR_UUID_BUFLEN) == 0)
                return true;
    return false;
}

static struct tab *new_tab(struct session *s, enum layout_kind kind, char *err, size_t errlen)
{
    if (s->ntabs == SESSION_MAX_TABS) {
        snprintf(err, errlen, "too many tabs (%d): close some with prefix x", SESSION_MAX_TABS);
        return NULL;
    }
    struct tab *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->kind = kind;
    s->tabs[s->ntabs++] = t;
    return t;
}

/* The tab a new pane goes to: where 'h', 'v', 'g' join the console tab last
 * shown (if it has room), else a new tab. */
static struct tab *tab_for(struct session *s, char where, bool *fresh, char *err, size_t errlen)
{
    struct tab *t = NULL;
    if (where == 'h' || where == 'v' || where == 'g') {
        int target = s->cur_tab >= 0 ? s->cur_tab : s->last_tab;
        if (target >= 0 && (size_t)target < s->ntabs)
            t = s->tabs[target];
    }
    *fresh = !t;
    if (!t && !(t = new_tab(s, LAYOUT_SIDE_BY_SIDE, err, errlen)))
        return NULL;
    if (where == 'h')
        t->kind = LAYOUT_SIDE_BY_SIDE;
    else if (where == 'v')
        t->kind = LAYOUT_STACKED;
    else if (where == 'g')
        t->kind = LAYOUT_GRID;
    return t;
}

static int place(struct session *s, struct tab *t, struct pane *p, char *err, size_t errlen)
{
    if (tab_push(t, p) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    t->focus = t->n - 1;
    for (size_t i = 0; i < s->ntabs; i++)
        if (s->tabs[i] == t)
            session_select_tab(s, (int)i);
    return 0;
}

static void drop_fresh_tab(struct session *s, struct tab *t)
{
    s->ntabs--;
    tab_free(t);
}

int session_attach(struct session *s, const struct dom *d, const char *addr, enum source_kind kind,
                   bool readonly, char where, bool force, char *err, size_t errlen)
{
    size_t ti, pi;
    /* One pane per console in a session: a second one would show the same. */
    if (find_pane_pos(s, d ? d->uuid : NULL, kind, addr, &ti, &pi)) {
        s->tabs[ti]->focus = pi;
        session_select_tab(s, (int)ti);
        return 0;
    }
    if (d && kind == SOURCE_SERIAL && !d->has_serial && d->facts_known) {
        snprintf(err, errlen, "attach %s: the domain has no serial console", d->name);
        return -1;
    }
    if (d && kind == SOURCE_VNC && !d->has_vnc && d->facts_known) {
        snprintf(err, errlen, "attach --vnc %s: the domain has no VNC display", d->name);
        return -1;
    }
    bool fresh;
    struct tab *t = tab_for(s, where, &fresh, err, errlen);
    if (!t)
        return -1;
    struct pane *p = pane_new(s, d, addr, kind, readonly, force, err, errlen);
    if (!p || place(s, t, p, err, errlen) < 0) {
        pane_free(p);
        if (fresh)
            drop_fresh_tab(s, t);
        return -1;
    }
    return 0;
}

int session_attach_waiting(struct session *s, const char *spec, enum source_kind kind, bool readonly, char where,
                           bool patient, char *err, size_t errlen)
{
    bool fresh;
    struct tab *t = tab_for(s, where, &fresh, err, errlen);
    if (!t)
        return -1;
    struct pane *p = pane_new_waiting(s, spec, kind, readonly, false, patient, err, errlen);
    if (!p || place(s, t, p, err, errlen) < 0) {
        pane_free(p);
        if (fresh)
            drop_fresh_tab(s, t);
        return -1;
    }
    return 0;
}

void session_close_pane(struct session *s, struct tab *t, size_t i)
{
    pane_free(t->panes[i]);
    memmove(&t->panes[i], &t->panes[i + 1], (t->n - i - 1) * sizeof *t->panes);
    t->n--;
    if (t->focus >= t->n && t->n)
        t->focus = t->n - 1;
    app_session_changed(s->app, s);
    if (t->n)
        return;
    size_t k = 0;
    while (k < s->ntabs && s->tabs[k] != t)
        k++;
    tab_free(t);
    memmove(&s->tabs[k], &s->tabs[k + 1], (s->ntabs - k - 1) * sizeof *s->tabs);
    s->ntabs--;
    s->last_tab = -1;
    s->cur_tab = -1;
    session_select_tab(s, s->ntabs ? (int)(k < s->ntabs ? k : s->ntabs - 1) : -1);
}

void session_sync(struct session *s)
{
    if (s->board)
        board_sync(s->board);
    for (size_t t = 0; t < s->ntabs; t++)
        for (size_t i = 0; i < s->tabs[t]->n; i++)
            pane_sync(s->tabs[t]->panes[i]);
}

bool session_shows(struct session *s, const struct source *src)
{
    if (board_shown(s))
        return board_holds(s->board, src);
    struct tab *t = session_current_tab(s);
    for (size_t i = 0; t && i < t->n; i++)
        if (t->panes[i]->src == src)
            return true;
    return false;
}

void session_set_filter(struct session *s, const char *filter)
{
    if (s->board && s->main_view == s->board->view) {
        board_set_filter(s->board->view, filter);
        board_sync(s->board);
    } else {
        domlist_set_filter(s->domlist, filter);
    }
    app_session_changed(s->app, s);
}

const char *session_filter(struct session *s)
{
    if (s->board && s->main_view == s->board->view)
        return board_filter(s->board->view);
    return domlist_filter(s->domlist);
}

int session_show_board(struct session *s)
{
    if (!s->board && !(s->board = board_new(s)))
        return -1;
    session_show(s, s->board->view);
    return 0;
}
