/* server/app.c: the application object: owns hosts, registry, keymap and views; routes
 * keys (dialog > prompt > bindings) and draws once per loop iteration when dirty. */
#include "server/app.h"
#include "backends/monotime.h"
#include "server/migrations.h"
#include "server/command.h"
#include "views/domlist.h"
#include "views/help.h"
#include "views/hostlist.h"
#include "views/text.h"
#include "views/theme.h"
#include "views/console.h"
#include "backends/console.h"
#include "keymaps/cmdline.h"
#include "keymaps/keyfile.h"
#include "tui/paint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const char default_keys_text[];

/* ---- host callbacks (loop thread) ---- */

static void try_pending_attach(struct app *a)
{
    if (!a->pending_attach[0])
        return;
    char err[600];
    struct dom *d = domreg_lookup(a->reg, a->pending_attach, err, sizeof err);
    if (!d) {
        if (app_settled(a) && !a->pending_patient) {
            app_message(a, true, "attach: %s", err);
            a->pending_attach[0] = '\0';
        }
        return;
    }
    a->pending_attach[0] = '\0';
    if (app_attach_kind(a, d, NULL, a->pending_vnc ? PANE_VNC : PANE_SERIAL, a->pending_readonly, 0, false,
                        err, sizeof err) < 0)
        app_message(a, true, "%s", err);
}

static void on_host_changed(struct host *h, void *opaque)
{
    struct app *a = opaque;
    for (size_t t = 0; t < a->ntabs; t++)
        for (size_t i = 0; i < a->tabs[t]->n; i++)
            pane_sync(a->tabs[t]->panes[i]);
    try_pending_attach(a);
    app_dirty(a);
}

static void on_host_message(struct host *h, bool error, const char *msg, void *opaque)
{
    app_message(opaque, error, "%s", msg);
}

/* A credential dialog remembers its host; removing the host disarms it. */
struct ask_ctx { struct app *app; struct host *host; };

static void ask_done(bool ok, const char *text, void *opaque)
{
    struct ask_ctx *c = opaque;
    if (c->host)
        host_answer(c->host, ok ? text : NULL);
    free(c);
}

/* A dialog that answers host h's question; no dialog means "no answer". */
static void push_host_dialog(struct app *a, struct host *h, enum dialog_kind kind, const char *title,
                             const char *text, void (*done)(bool ok, const char *text, void *opaque))
{
    struct ask_ctx *c = malloc(sizeof *c);
    struct dialog *d = c ? dialog_new(kind, title, text, done, c) : NULL;
    if (!d) {
        free(c);
        host_answer(h, NULL);
        return;
    }
    c->app = a;
    c->host = h;
    app_push_dialog(a, d);
}

static void on_host_ask(struct host *h, const char *prompt, bool secret, void *opaque)
{
    char title[200];
    snprintf(title, sizeof title, "host %s asks", host_name(h));
    push_host_dialog(opaque, h, secret ? DIALOG_SECRET : DIALOG_TEXT, title, prompt, ask_done);
}

/* Yes/no (an unknown SSH host key): y answers "y", anything else refuses. */
static void confirm_done(bool ok, const char *text, void *opaque)
{
    struct ask_ctx *c = opaque;
    if (c->host)
        host_answer(c->host, ok ? "y" : NULL);
    free(c);
}

static void on_host_confirm(struct host *h, const char *question, void *opaque)
{
    char title[200];
    snprintf(title, sizeof title, "host %s: SSH host key", host_name(h));
    push_host_dialog(opaque, h, DIALOG_HOSTKEY, title, question, confirm_done);
}

static void on_host_left(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN], const char *name, void *opaque)
{
    migrations_left(opaque, h, uuid, name);
}

static const struct host_ops app_host_ops = {
    .changed = on_host_changed,
    .message = on_host_message,
    .ask = on_host_ask,
    .confirm = on_host_confirm,
    .left = on_host_left,
};

/* ---- life cycle ---- */

static void report_keyfile(const char *msg, void *opaque)
{
    app_message(opaque, true, "%s", msg);
}

struct app *app_new(char *err, size_t errlen)
{
    struct app *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->colour = true;
    a->mouse = true;
    a->backoff_max = 60;
    a->cur_tab = a->last_tab = -1;
    a->pace_timer = -1;
    a->scrollback = 10000;
    a->log_replay = 50;
    a->rows = 24;
    a->cols = 80;
    a->screen = canvas_new(a->rows, a->cols, true);
    a->reg = domreg_new();
    a->km = keymap_new();
    a->log = msglog_new(500);
    if (!a->reg || !a->km || !a->log || !a->screen) {
        snprintf(err, errlen, "out of memory");
        app_free(a);
        return NULL;
    }
    keymap_set_command_check(a->km, command_check, a);
    if (keyfile_load_text(a->km, "default.keys", default_keys_text, report_keyfile, a) != 0)
        app_message(a, true, "the built-in key bindings have errors (see :show-messages)");
    a->domlist = domlist_new(a->reg);
    a->hostlist = hostlist_new(&a->hosts, &a->nhosts, a->reg);
    if (!a->domlist || !a->hostlist) {
        snprintf(err, errlen, "out of memory");
        app_free(a);
        return NULL;
    }
    a->main_view = a->domlist;
    a->dirty = true;
    return a;
}

void app_free(struct app *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->ndialogs; i++)
        dialog_free(a->dialogs[i]);
    if (a->pace_timer >= 0)
        virEventRemoveTimeout(a->pace_timer);
    migrations_free_all(a);
    for (size_t t = 0; t < a->ntabs; t++) {
        for (size_t i = 0; i < a->tabs[t]->n; i++)
            pane_free(a->tabs[t]->panes[i]);
        free(a->tabs[t]);
    }
    /* The app is freed on the way out: let workers finish (bounded). */
    for (size_t i = 0; i < a->nhosts; i++)
        host_free_wait(a->hosts[i], 1000);
    free(a->hosts);
    view_free(a->overlay);
    view_free(a->domlist);
    view_free(a->hostlist);
    keymap_free(a->km);
    domreg_free(a->reg);
    msglog_free(a->log);
    canvas_free(a->screen);
    free(a);
}

void app_dirty(struct app *a)
{
    a->dirty = true;
}

void app_message(struct app *a, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->status, sizeof a->status, fmt, ap);
    va_end(ap);
    a->status_error = error;
    msglog_add(a->log, error, a->status);
    a->dirty = true;
}

/* ---- hosts ---- */

struct host *app_find_host(struct app *a, const char *name)
{
    for (size_t i = 0; i < a->nhosts; i++)
        if (strcmp(host_name(a->hosts[i]), name) == 0)
            return a->hosts[i];
    return NULL;
}

struct host *app_add_host(struct app *a, const char *name, const char *uri, char *err, size_t errlen)
{
    if (!*name || strchr(name, '/')) {
        snprintf(err, errlen, "host: name '%s' must be non-empty and without '/'", name);
        return NULL;
    }
    if (app_find_host(a, name)) {
        snprintf(err, errlen, "host: there is already a host named '%s'", name);
        return NULL;
    }
    struct host **n = realloc(a->hosts, (a->nhosts + 1) * sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->hosts = n;
    struct host *h = host_new(name, uri, a->reg, &app_host_ops, a, err, errlen);
    if (!h)
        return NULL;
    host_set_backoff_max(h, a->backoff_max);
    a->hosts[a->nhosts++] = h;
    host_connect(h);
    a->dirty = true;
    return h;
}

int app_remove_host(struct app *a, const char *name, char *err, size_t errlen)
{
    for (size_t i = 0; i < a->nhosts; i++) {
        struct host *h = a->hosts[i];
        if (strcmp(host_name(h), name) != 0)
            continue;
        /* Its open questions now answer into nothing. */
        for (size_t k = 0; k < a->ndialogs; k++) {
            struct ask_ctx *c = dialog_opaque_if(a->dialogs[k], ask_done);
            if (!c)
                c = dialog_opaque_if(a->dialogs[k], confirm_done);
            if (c && c->host == h)
                c->host = NULL;
        }
        migrations_forget_host(a, h);
        /* Its consoles go with it: they hold its connection and session. */
        for (size_t t = a->ntabs; t-- > 0;) {
            struct tab *tab = a->tabs[t];
            for (size_t k = tab->n; k-- > 0;) {
                if (pane_host(tab->panes[k]) == h) {
                    app_message(a, false, "%s: closed with its host", tab->panes[k]->label);
                    app_close_pane(a, tab, k);
                    if (t >= a->ntabs || a->tabs[t] != tab)
                        break;   /* the tab went with its last pane */
                }
            }
        }
        memmove(&a->hosts[i], &a->hosts[i + 1], (a->nhosts - i - 1) * sizeof *a->hosts);
        a->nhosts--;
        host_free(h);
        /* A migration on its way to h is not any more. */
        for (size_t t = 0; t < a->ntabs; t++)
            for (size_t k = 0; k < a->tabs[t]->n; k++)
                pane_sync(a->tabs[t]->panes[k]);
        a->dirty = true;
        return 0;
    }
    snprintf(err, errlen, "no host '%s'", name);
    return -1;
}

void app_host_name_for_uri(struct app *a, const char *uri, char *out, size_t outlen)
{
    char base[128] = "default";
    const char *p = uri ? strstr(uri, "://") : NULL;
    if (p) {
        const char *host = p + 3;
        const char *at = strchr(host, '@'), *end = host + strcspn(host, "/:?");
        if (at && at < end)
            host = at + 1;
        end = host + strcspn(host, "/:?");
        if (end > host)
            snprintf(base, sizeof base, "%.*s", (int)(end - host), host);
        else
            snprintf(base, sizeof base, "%.*s", (int)strcspn(uri, ":+"), uri);
        if (strstr(uri, "/embed"))
            snprintf(base, sizeof base, "embed");
    }
    snprintf(out, outlen, "%s", base);
    for (int n = 2; app_find_host(a, out) && n < 1000; n++)
        snprintf(out, outlen, "%s-%d", base, n);
}

bool app_settled(struct app *a)
{
    for (size_t i = 0; i < a->nhosts; i++)
        if (!host_settled(a->hosts[i]))
            return false;
    return true;
}

/* ---- views, dialogs, prompt ---- */

struct view *app_focus(struct app *a)
{
    if (a->overlay)
        return a->overlay;
    struct pane *p = app_focused_pane(a);
    return p ? p->view : a->main_view;
}

void app_show(struct app *a, struct view *main_view)
{
    app_set_overlay(a, NULL);
    a->main_view = main_view;
    app_select_tab(a, -1);
    a->dirty = true;
}

/* ---- consoles ---- */

struct tab *app_current_tab(struct app *a)
{
    return a->cur_tab >= 0 && (size_t)a->cur_tab < a->ntabs ? a->tabs[a->cur_tab] : NULL;
}

struct pane *app_focused_pane(struct app *a)
{
    struct tab *t = app_current_tab(a);
    return t && t->n ? t->panes[t->focus] : NULL;
}

struct pane *app_find_pane(struct app *a, const unsigned char *uuid)
{
    for (size_t t = 0; t < a->ntabs; t++)
        for (size_t i = 0; i < a->tabs[t]->n; i++)
            if (memcmp(a->tabs[t]->panes[i]->uuid, uuid, VIR_UUID_BUFLEN) == 0)
                return a->tabs[t]->panes[i];
    return NULL;
}

struct pane *app_find_pane_kind(struct app *a, const unsigned char *uuid, enum pane_kind kind)
{
    for (size_t t = 0; t < a->ntabs; t++)
        for (size_t i = 0; i < a->tabs[t]->n; i++)
            if (pane_is(a->tabs[t]->panes[i], uuid, kind, NULL))
                return a->tabs[t]->panes[i];
    return NULL;
}

static bool find_pane_pos(struct app *a, const unsigned char *uuid, enum pane_kind kind, const char *addr,
                          size_t *tab, size_t *idx)
{
    for (size_t t = 0; t < a->ntabs; t++)
        for (size_t i = 0; i < a->tabs[t]->n; i++)
            if (pane_is(a->tabs[t]->panes[i], uuid, kind, addr)) {
                *tab = t;
                *idx = i;
                return true;
            }
    return false;
}

void app_select_tab(struct app *a, int index)
{
    if (index >= (int)a->ntabs)
        return;
    if (index != a->cur_tab)
        a->last_tab = a->cur_tab;
    a->cur_tab = index;
    a->prefix_pending = false;
    if (index >= 0) {
        struct tab *t = a->tabs[index];
        for (size_t i = 0; i < t->n; i++)
            consoleview_invalidate(t->panes[i]->view);
    }
    a->dirty = true;
}

static struct tab *new_tab(struct app *a, enum layout_kind kind, char *err, size_t errlen)
{
    if (a->ntabs == APP_MAX_TABS) {
        snprintf(err, errlen, "too many tabs (%d): close some with prefix x", APP_MAX_TABS);
        return NULL;
    }
    struct tab *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->kind = kind;
    a->tabs[a->ntabs++] = t;
    return t;
}

int app_attach(struct app *a, const struct dom *d, bool readonly, char where, bool force,
               char *err, size_t errlen)
{
    return app_attach_kind(a, d, NULL, PANE_SERIAL, readonly, where, force, err, errlen);
}

int app_attach_kind(struct app *a, const struct dom *d, const char *addr, enum pane_kind kind,
                    bool readonly, char where, bool force, char *err, size_t errlen)
{
    size_t ti, pi;
    /* One pane per console: libvirt allows one session, and two panes of
     * the same console would fight over it. */
    if (find_pane_pos(a, d ? d->uuid : NULL, kind, addr, &ti, &pi)) {
        a->tabs[ti]->focus = pi;
        app_select_tab(a, (int)ti);
        return 0;
    }
    if (d && kind == PANE_SERIAL && !d->has_serial && d->facts_known) {
        snprintf(err, errlen, "attach %s: the domain has no serial console", d->name);
        return -1;
    }
    if (d && kind == PANE_VNC && !d->has_vnc && d->facts_known) {
        snprintf(err, errlen, "attach --vnc %s: the domain has no VNC display", d->name);
        return -1;
    }
    struct tab *t = NULL;
    if (where == 'h' || where == 'v' || where == 'g') {
        /* Into the console tab last shown, or a new one. */
        int target = a->cur_tab >= 0 ? a->cur_tab : a->last_tab;
        if (target >= 0 && (size_t)target < a->ntabs && a->tabs[target]->n < TAB_MAX_PANES)
            t = a->tabs[target];
    }
    bool fresh = !t;
    if (!t && !(t = new_tab(a, LAYOUT_SIDE_BY_SIDE, err, errlen)))
        return -1;
    if (where == 'h')
        t->kind = LAYOUT_SIDE_BY_SIDE;
    else if (where == 'v')
        t->kind = LAYOUT_STACKED;
    else if (where == 'g')
        t->kind = LAYOUT_GRID;
    struct pane *p = kind == PANE_VNC ? pane_new_vnc(a, d, addr, readonly, err, errlen)
                                      : pane_new(a, d, readonly, force, err, errlen);
    if (!p) {
        if (fresh) {
            a->ntabs--;
            free(t);
        }
        return -1;
    }
    t->panes[t->n] = p;
    t->focus = t->n++;
    for (size_t i = 0; i < a->ntabs; i++)
        if (a->tabs[i] == t)
            app_select_tab(a, (int)i);
    app_set_overlay(a, NULL);
    return 0;
}

void app_close_pane(struct app *a, struct tab *t, size_t i)
{
    pane_free(t->panes[i]);
    memmove(&t->panes[i], &t->panes[i + 1], (t->n - i - 1) * sizeof *t->panes);
    t->n--;
    if (t->focus >= t->n && t->n)
        t->focus = t->n - 1;
    if (t->n)
        return;
    size_t k = 0;
    while (k < a->ntabs && a->tabs[k] != t)
        k++;
    free(t);
    memmove(&a->tabs[k], &a->tabs[k + 1], (a->ntabs - k - 1) * sizeof *a->tabs);
    a->ntabs--;
    a->last_tab = -1;
    a->cur_tab = -1;
    app_select_tab(a, a->ntabs ? (int)(k < a->ntabs ? k : a->ntabs - 1) : -1);
}

struct rect app_body(struct app *a)
{
    return (struct rect){ 1, 0, a->rows - 2, a->cols };
}

void app_set_overlay(struct app *a, struct view *overlay)
{
    view_free(a->overlay);
    a->overlay = overlay;
    a->dirty = true;
}

void app_push_dialog(struct app *a, struct dialog *d)
{
    if (a->ndialogs == APP_MAX_DIALOGS) {
        dialog_free(d); /* answers "cancel" */
        app_message(a, true, "too many questions at once; one was cancelled");
        return;
    }
    a->dialogs[a->ndialogs++] = d;
    a->dirty = true;
}

static void pop_dialog(struct app *a)
{
    dialog_free(a->dialogs[0]);
    memmove(a->dialogs, a->dialogs + 1, (a->ndialogs - 1) * sizeof *a->dialogs);
    a->ndialogs--;
}

void app_open_prompt(struct app *a, enum prompt_mode mode, const char *initial)
{
    a->prompt = mode;
    lineedit_set(&a->edit, initial);
    a->dirty = true;
}

static void prompt_key(struct app *a, key_code k)
{
    char line[LINEEDIT_MAX * 4];
    enum prompt_mode mode = a->prompt;
    bool filter = mode == PROMPT_FILTER;
    if (k == '\033' || k == ('c' | KEYC_CTRL) || k == ('g' | KEYC_CTRL) ||
        (k == KEYC_BSPACE && a->edit.len == 0)) {
        a->prompt = PROMPT_NONE;
        if (filter && k == '\033')
            domlist_set_filter(a->domlist, "");
        return;
    }
    if (k == '\r') {
        lineedit_get(&a->edit, line, sizeof line);
        a->prompt = PROMPT_NONE;
        if (filter) {
            domlist_set_filter(a->domlist, line);
            return;
        }
        if (mode == PROMPT_SEARCH) {
            snprintf(a->search, sizeof a->search, "%s", line);
            struct pane *p = app_focused_pane(a);
            if (p && console_search(p->model, line) < 0)
                app_message(a, true, "'%s' not found in the scrollback", line);
            return;
        }
        char err[768] = "";
        if (command_run_line(a, line, err, sizeof err) < 0)
            app_message(a, true, "%s", err);
        return;
    }
    lineedit_key(&a->edit, k);
    if (filter) {
        /* Filter as you type. */
        lineedit_get(&a->edit, line, sizeof line);
        domlist_set_filter(a->domlist, line);
    }
}

/* How long a typed key's echo is waited for before output is paced again. */
#define ECHO_WAIT_MS 500

void app_key(struct app *a, key_code k)
{
    bool had_status = a->status[0] != '\0';
    a->dirty = true;
    if (a->ndialogs) {
        if (dialog_key(a->dialogs[0], k))
            pop_dialog(a);
        return;
    }
    if (a->prompt != PROMPT_NONE) {
        prompt_key(a, k);
        return;
    }
    /* A key press acknowledges the last message, as in vim. */
    a->status[0] = '\0';
    struct pane *p = a->overlay ? NULL : app_focused_pane(a);
    const char *table = NULL;
    if (p && (k == KEYC_MOUSE1 || k == KEYC_WHEELUP || k == KEYC_WHEELDOWN)) {
        /* The mouse is virtmux's: a click focuses a pane, the wheel scrolls. */
        struct tab *t = app_current_tab(a);
        int hit = layout_pane_at(t, app_body(a), a->mouse_y, a->mouse_x);
        if (hit >= 0)
            t->focus = (size_t)hit;
        p = t->panes[t->focus];
        if (k != KEYC_MOUSE1) {
            p->scroll_mode = true;
            console_scroll(p->model, k == KEYC_WHEELUP ? 3 : -3);
            if (!console_scrolled(p->model))
                p->scroll_mode = false;
        }
        return;
    }
    if (p) {
        if (a->prefix_pending) {
            a->prefix_pending = false;
            table = "prefix";
        } else if (p->scroll_mode) {
            table = "scroll";
        } else if (pane_readonly(p)) {
            /* Watching, not typing: arrows move, Enter opens it for typing. */
            table = "grid";
        } else {
            /* Everything but the prefix keys belongs to the guest. */
            const struct binding *b = keymap_lookup(a->km, "console", k);
            if (!b) {
                /* Nothing on screen changes until the guest answers: no frame
                 * now, and the answer (its echo, when the key prints) is drawn
                 * the moment it arrives rather than paced. */
                a->dirty = had_status;
                a->echo_wanted = true;
                a->echo_until_ms = mono_ms() + ECHO_WAIT_MS;
                console_watch(p->model, k >= 0x20 && k < 0x7f ? (int)k : -1);
                pane_key(p, k);
                return;
            }
            table = "console";
        }
    }
    struct view *v = app_focus(a);
    const struct binding *b = keymap_lookup(a->km, table ? table : v->ops->keytable, k);
    if (!b && table && strcmp(table, "grid") == 0) {
        app_message(a, true, "%s is read-only here: Enter opens it for typing", p->label);
        return;
    }
    if (!b) {
        char ks[KEY_STRING_MAX] = "?";
        key_code_to_string(k, ks, sizeof ks);
        app_message(a, true, "%s is not bound here (? shows the keys)", ks);
        return;
    }
    char err[768] = "";
    if (command_run_line(a, b->command, err, sizeof err) < 0)
        app_message(a, true, "%s", err);
}

/* ---- drawing ---- */

/* "0:list 1:demo1* 2:web" — the tabs, then what the list holds. */
static void draw_title(struct app *a, int cols)
{
    size_t connected = 0;
    for (size_t i = 0; i < a->nhosts; i++)
        connected += host_state(a->hosts[i]) == HOST_CONNECTED;
    char left[1200], right[64];
    int o = snprintf(left, sizeof left, " virtmux  %s0:%s%s", a->cur_tab < 0 ? "[" : "",
                     a->main_view == a->hostlist ? "hosts" : "list", a->cur_tab < 0 ? "]" : "");
    for (size_t t = 0; t < a->ntabs && o < (int)sizeof left - 80; t++) {
        const char *label = a->tabs[t]->n ? a->tabs[t]->panes[0]->label : "";
        const char *slash = strrchr(label, '/');
        bool cur = (int)t == a->cur_tab;
        o += snprintf(left + o, sizeof left - (size_t)o, " %s%zu:%s%s%s", cur ? "[" : "", t + 1,
                      slash ? slash + 1 : label, a->tabs[t]->n > 1 ? "+" : "", cur ? "]" : "");
    }
    const char *filter = domlist_filter(a->domlist);
    char f[300] = "";
    if (*filter) {
        char esc[256];
        text_escape(filter, esc, sizeof esc);
        snprintf(f, sizeof f, "  filter '%s'", esc);
    }
    snprintf(left + o, sizeof left - (size_t)o, "   %zu/%zu domains  hosts %zu/%zu  sort %s%s",
             domlist_shown(a->domlist), domreg_count(a->reg), connected, a->nhosts,
             domlist_sort_name(a->domlist), f);
    snprintf(right, sizeof right, "? help ");
    /* Unchanged text is not drawn again: curses still holds it (a frame per
     * echoed key should cost as little as possible). */
    if (a->title_valid && strcmp(a->title_drawn, left) == 0)
        return;
    snprintf(a->title_drawn, sizeof a->title_drawn, "%s", left);
    a->title_valid = true;
    ui_attr t = theme_attr(ROLE_TITLE);
    int rw = (int)strlen(right);
    text_put(a->screen, 0, 0, cols > rw ? cols - rw : cols, left, t);
    if (cols > rw)
        text_put(a->screen, 0, cols - rw, rw, right, t);
}

static void put_status(struct app *a, int y, int cols, const char *text, ui_attr attr)
{
    if (a->status_valid && a->status_attr == attr && strcmp(a->status_drawn, text) == 0)
        return;
    snprintf(a->status_drawn, sizeof a->status_drawn, "%s", text);
    a->status_attr = attr;
    a->status_valid = true;
    text_put(a->screen, y, 0, cols, text, attr);
}

static void draw_status(struct app *a, int y, int cols)
{
    if (a->prompt != PROMPT_NONE) {
        a->status_valid = false;
        const char *label = a->prompt == PROMPT_COMMAND ? ":" : "/";
        text_put(a->screen, y, 0, 1, label, UI_BOLD);
        lineedit_draw(&a->edit, a->screen, y, 1, cols - 1, false, UI_NORMAL);
        return;
    }
    if (a->status[0]) {
        put_status(a, y, cols, a->status, theme_attr(a->status_error ? ROLE_STATUS_ERROR : ROLE_STATUS));
        return;
    }
    const char *mig = migrations_status(a);
    if (mig) {
        put_status(a, y, cols, mig, theme_attr(ROLE_STATUS));
        return;
    }
    if (a->prefix_pending) {
        put_status(a, y, cols, "prefix: l list  n/p next/prev  | - split  g grid  [ scroll  x close  f take over  ? keys",
                   theme_attr(ROLE_STATUS));
        return;
    }
    struct pane *p = a->overlay ? NULL : app_focused_pane(a);
    if (p) {
        const char *hint = p->scroll_mode ? "scroll: PgUp/PgDn Up/Down  / search  n again  q back to live"
                           : pane_readonly(p) ? "read-only: arrows move  Enter opens for typing  C-] prefix  q closes"
                           : "C-] or C-g then: l list  n/p tabs  | - split  [ scroll  x close  ? keys";
        put_status(a, y, cols, hint, UI_DIM);
        return;
    }
    const char *hint = a->main_view == a->hostlist
        ? "c reconnect  a add host  L domains  : command  ? help  q quit"
        : "s start  S shutdown  r reboot  D destroy  p/P pause/resume  / filter  H hosts  ? help  q quit";
    put_status(a, y, cols, hint, UI_DIM);
}

static void paint(struct app *a, bool panes_only);

/* The cells that changed onto the terminal. */
static void app_present(struct app *a)
{
    for (int y = 0; y < canvas_rows(a->screen); y++) {
        int x0, x1;
        if (canvas_row_changed(a->screen, y, &x0, &x1))
            paint_cells(y, x0, canvas_at(a->screen, y, x0), x1 - x0);
    }
    canvas_clean(a->screen);
    int cy, cx;
    canvas_cursor(a->screen, &cy, &cx);
    paint_flush(cy, cx, canvas_cursor_shown(a->screen));
}

/* Guest output: drawn on the pace of tui/pace.h. */
void app_output(struct app *a)
{
    pace_output(&a->pace, mono_ms());
    a->output_dirty = true;
    /* The echo of a typed key goes out from inside the stream callback, not
     * after the loop has dispatched the rest of this iteration. */
    struct pane *p = a->echo_wanted ? app_focused_pane(a) : NULL;
    if (p && console_watch_seen(p->model))
        app_frame(a);
}

static void on_pace_timer(int timer, void *opaque)
{
    struct app *a = opaque;
    virEventRemoveTimeout(timer);
    a->pace_timer = -1;   /* the loop wakes; app_frame draws */
}

void app_read_echo(struct app *a)
{
    struct pane *p = a->echo_wanted ? app_focused_pane(a) : NULL;
    if (p)
        pane_read_now(p);
}

void app_frame(struct app *a)
{
    if (a->dirty || !a->output_dirty) {
        app_redraw(a);
        return;
    }
    unsigned long long now = mono_ms();
    /* The echo of a typed key: the first output after it when the key does
     * not print, else the output that contains it. */
    bool echo = false;
    if (a->echo_wanted && now < a->echo_until_ms) {
        struct pane *p = app_focused_pane(a);
        echo = !p || console_watch_seen(p->model) || !console_watching(p->model);
    } else {
        a->echo_wanted = false;
    }
    unsigned wait = pace_wait(&a->pace, now, echo);
    if (wait) {
        if (a->pace_timer < 0)
            a->pace_timer = virEventAddTimeout((int)wait, on_pace_timer, a, NULL);
        return;
    }
    if (echo) {
        a->echo_wanted = false;
        struct pane *p = app_focused_pane(a);
        if (p)
            console_watch(p->model, -1);
    }
    pace_step(&a->pace, echo);
    a->dirty = true;
    paint(a, true);
}

void app_redraw(struct app *a)
{
    paint(a, false);
}

/* panes_only: only guest output changed since the last frame (anything that
 * changes the title or the status line marks the app dirty), so an echoed key
 * costs the pane's cells and nothing else. */
static void paint(struct app *a, bool panes_only)
{
    if (!a->curses_up || !a->dirty)
        return;
    a->dirty = false;
    a->output_dirty = false;
    a->pace.last_frame_ms = mono_ms();
    int rows = a->rows, cols = a->cols;
    if (canvas_rows(a->screen) != rows || canvas_cols(a->screen) != cols) {
        canvas_resize(a->screen, rows, cols);
        a->layout_sig = 0;
    }
    if (rows < 5 || cols < 20) {
        a->layout_sig = 0;
        for (int y = 0; y < rows; y++)
            text_fill(a->screen, y, 0, cols, UI_NORMAL);
        text_put(a->screen, 0, 0, cols, "terminal too small", UI_NORMAL);
        canvas_show_cursor(a->screen, false);
        app_present(a);
        return;
    }
    struct rect body = app_body(a);
    struct tab *tab = a->overlay ? NULL : app_current_tab(a);
    /* Panes, title and status skip drawing what did not change; anything that
     * may have covered them (dialogs, overlays, prompt, resize, focus)
     * repaints them. */
    unsigned long sig = (unsigned long)rows * 7919 + (unsigned long)cols * 131 + a->ndialogs * 17 +
                        (a->overlay != NULL) * 3 + (unsigned long)(a->cur_tab + 1) * 1009 +
                        (tab ? tab->focus * 31 + tab->n * 37 + tab->kind * 41 : 0) + a->prompt * 5;
    if (sig != a->layout_sig || a->ndialogs) {
        a->title_valid = a->status_valid = false;
        if (tab)
            for (size_t i = 0; i < tab->n; i++)
                consoleview_invalidate(tab->panes[i]->view);
    }
    panes_only = panes_only && sig == a->layout_sig && a->title_valid && a->status_valid;
    a->layout_sig = sig;
    if (!panes_only)
        draw_title(a, cols);
    int cy = -1, cx = -1;
    if (tab) {
        for (size_t i = 0; i < tab->n; i++) {
            struct rect r = layout_pane_rect(tab, i, body);
            view_draw(tab->panes[i]->view, a->screen, r);
            /* The gap right of a pane side by side with another. */
            if (r.x + r.w < body.x + body.w)
                for (int y = r.y; y < r.y + r.h; y++)
                    text_put(a->screen, y, r.x + r.w, 1, "\u2502", i == tab->focus ? UI_BOLD : UI_DIM);
            if (i == tab->focus && tab->n > 1)
                text_put(a->screen, r.y, r.x, 1, ">", theme_attr(ROLE_STATUS_ERROR));
            if (i == tab->focus && !tab->panes[i]->scroll_mode)
                consoleview_cursor(tab->panes[i]->view, &cy, &cx);
        }
    } else {
        view_draw(app_focus(a), a->screen, body);
    }
    bool cursor = a->prompt != PROMPT_NONE;
    if (!panes_only)
        draw_status(a, rows - 1, cols);
    if (a->ndialogs) {
        struct rect screen = { 0, 0, rows, cols };
        dialog_draw(a->dialogs[0], a->screen, screen);
        cursor = true;
    }
    if (!cursor && cy >= 0 && !a->ndialogs) {
        canvas_move(a->screen, cy, cx);
        cursor = true;
    }
    canvas_show_cursor(a->screen, cursor);
    app_present(a);
    if (a->exit_after_paint && app_settled(a))
        a->quit = true;
}
