/* server/keys.c: a client's keys: its question first, then its prompt, then
 * the bindings of the view in focus; in a console everything but the prefix
 * goes to the guest (never from a read-only client or pane). */
#include "server/client.h"
#include "server/authz.h"
#include "server/app.h"
#include "server/command.h"
#include "server/pane.h"
#include "server/session.h"
#include "backends/console.h"
#include "backends/domain.h"
#include "util/monotime.h"
#include "views/console.h"
#include "views/domlist.h"

#include <stdio.h>
#include <string.h>

/* How long a typed key's echo is waited for before output is paced again. */
#define ECHO_WAIT_MS 500

struct view *client_focus(struct client *c)
{
    if (c->overlay)
        return c->overlay;
    struct pane *p = c->session ? session_focused_pane(c->session) : NULL;
    return p ? p->view : c->session ? c->session->main_view : NULL;
}

void client_set_overlay(struct client *c, struct view *overlay)
{
    view_free(c->overlay);
    c->overlay = overlay;
    c->dirty = true;
}

void client_open_prompt(struct client *c, enum prompt_mode mode, const char *initial)
{
    c->prompt = mode;
    lineedit_set(&c->edit, initial);
    c->dirty = true;
}

static void run(struct client *c, const char *line)
{
    char err[768] = "";
    if (command_run_line(c->app, line, err, sizeof err) < 0)
        app_message(c->app, true, "%s", err);
}

static void prompt_key(struct client *c, key_code k)
{
    struct session *s = c->session;
    char line[LINEEDIT_MAX * 4];
    enum prompt_mode mode = c->prompt;
    bool filter = mode == PROMPT_FILTER;
    if (k == '\033' || k == ('c' | KEYC_CTRL) || k == ('g' | KEYC_CTRL) ||
        (k == KEYC_BSPACE && c->edit.len == 0)) {
        c->prompt = PROMPT_NONE;
        if (filter && k == '\033')
            session_set_filter(s, "");
        return;
    }
    if (k == '\r') {
        lineedit_get(&c->edit, line, sizeof line);
        c->prompt = PROMPT_NONE;
        if (filter) {
            session_set_filter(s, line);
            return;
        }
        if (mode == PROMPT_SEARCH) {
            snprintf(c->search, sizeof c->search, "%s", line);
            struct pane *p = session_focused_pane(s);
            if (p && consoleview_search(p->view, line) < 0)
                app_message(c->app, true, "'%s' not found in the scrollback", line);
            return;
        }
        run(c, line);
        return;
    }
    lineedit_key(&c->edit, k);
    if (filter) {
        /* Filter as you type. */
        lineedit_get(&c->edit, line, sizeof line);
        session_set_filter(s, line);
    }
}

/* The mouse is virtmux's: a click focuses a pane, the wheel scrolls it. */
static void pane_mouse(struct client *c, key_code k)
{
    struct session *s = c->session;
    struct tab *t = session_current_tab(s);
    int hit = layout_pane_at(t, session_body(s), c->mouse_y, c->mouse_x);
    if (hit >= 0)
        t->focus = (size_t)hit;
    struct pane *p = t->panes[t->focus];
    if (k != KEYC_MOUSE1) {
        p->scroll_mode = true;
        consoleview_scroll(p->view, k == KEYC_WHEELUP ? 3 : -3);
        if (!consoleview_scrolled(p->view))
            p->scroll_mode = false;
    }
    app_session_changed(c->app, s);
}

/* A TA typed into a console: told, and logged (once per client, not once per key). */
static bool ta_refuses(struct client *c, struct pane *p)
{
    if (!authz_system(c->app) || c->role == ROLE_OPERATOR || c->role == ROLE_STUDENT)
        return false;
    app_message(c->app, true, "%s: a TA watches: keys reach no guest", p->label);
    if (!c->refusal_logged)
        authz_audit(c->app, "(typing)", domreg_find(c->app->reg, pane_uuid(p)), false, "a TA typed into a console");
    c->refusal_logged = true;
    return true;
}

/* A key for the guest of the focused pane. */
static void guest_key(struct client *c, struct pane *p, key_code k, bool had_status)
{
    if (c->readonly) {
        if (!ta_refuses(c, p))
            app_message(c->app, true, "this client is read-only (attached with -r): keys reach no guest");
        return;
    }
    if (!authz_input(c->app, c, pane_uuid(p), 1))
        return;
    /* Nothing on screen changes until the guest answers: no frame now, and
     * the answer (its echo, when the key prints) is drawn the moment it
     * arrives rather than paced. */
    c->dirty = had_status;
    c->echo_wanted = true;
    c->echo_until_ms = mono_ms() + ECHO_WAIT_MS;
    struct console *m = pane_model(p);
    if (m)
        console_watch(m, k >= 0x20 && k < 0x7f ? (int)k : -1);
    pane_key(p, k);
}

static void handle_key(struct client *c, key_code k)
{
    struct app *a = c->app;
    struct session *s = c->session;
    bool had_status = c->status[0] != '\0';
    c->dirty = true;
    if (app_dialog_for(a, c)) {
        app_dialog_key(a, c, k);
        return;
    }
    if (c->prompt != PROMPT_NONE) {
        prompt_key(c, k);
        return;
    }
    /* A key press acknowledges the last message, as in vim. */
    c->status[0] = '\0';
    struct pane *p = c->overlay ? NULL : session_focused_pane(s);
    const char *table = NULL;
    if (p && (k == KEYC_MOUSE1 || k == KEYC_WHEELUP || k == KEYC_WHEELDOWN)) {
        pane_mouse(c, k);
        return;
    }
    if (p) {
        if (c->prefix_pending) {
            c->prefix_pending = false;
            table = "prefix";
        } else if (p->scroll_mode) {
            table = "scroll";
        } else if (p->readonly) {
            /* Watching, not typing: arrows move, Enter opens it for typing. */
            table = "grid";
        } else if (!keymap_lookup(a->km, "console", k)) {
            /* Everything but the prefix keys belongs to the guest. */
            guest_key(c, p, k, had_status);
            return;
        } else {
            table = "console";
        }
    }
    struct view *v = client_focus(c);
    const struct binding *b = keymap_lookup(a->km, table ? table : v->ops->keytable, k);
    /* A TA's read-only pane: what would be typing (or opening it for
     * typing) is refused, not run. */
    if (table && !strcmp(table, "grid") && (!b || !strncmp(b->command, "attach", 6)) && ta_refuses(c, p))
        return;
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
    run(c, b->command);
}

void client_key(struct client *c, key_code k)
{
    struct app *a = c->app;
    if (!c->session)
        return;
    struct session *saved_s = a->s;
    struct client *saved_c = a->c;
    a->s = c->session;
    a->c = c;
    handle_key(c, k);
    a->s = saved_s;
    a->c = saved_c;
}
