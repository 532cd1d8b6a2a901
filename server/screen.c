/* server/screen.c: a client's screen composed in its canvas — title bar,
 * the session's panes or list, status line or prompt, a question on top —
 * and sent as the cells that changed, on the pace of server/pace.h. */
#include "server/client.h"
#include "server/app.h"
#include "server/board.h"
#include "server/migrations.h"
#include "server/pane.h"
#include "server/session.h"
#include "backends/console.h"
#include "util/monotime.h"
#include "proto/msg.h"
#include "views/console.h"
#include "views/domlist.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdio.h>
#include <string.h>
#include <libvirt/libvirt.h>

/* "0:list 1:demo1* 2:web" — the tabs, then what the list holds. */
static void draw_title(struct client *c, int cols)
{
    struct app *a = c->app;
    struct session *s = c->session;
    size_t connected = 0;
    for (size_t i = 0; i < a->nhosts; i++)
        connected += host_state(a->hosts[i]) == HOST_CONNECTED;
    char left[1200], right[96];
    const char *main = s->main_view == s->hostlist ? "hosts" : s->board && s->main_view == s->board->view ? "board" : "list";
    int o = snprintf(left, sizeof left, " virtmux  %s0:%s%s", s->cur_tab < 0 ? "[" : "", main, s->cur_tab < 0 ? "]" : "");
    for (size_t t = 0; t < s->ntabs && o < (int)sizeof left - 80; t++) {
        const char *label = s->tabs[t]->n ? s->tabs[t]->panes[0]->label : "";
        const char *slash = strrchr(label, '/');
        bool cur = (int)t == s->cur_tab;
        char pages[32] = "";
        size_t page, npages = layout_pages(s->tabs[t], session_body(s), &page);
        if (npages > 1)
            snprintf(pages, sizeof pages, " page %zu/%zu", page + 1, npages);
        o += snprintf(left + o, sizeof left - (size_t)o, " %s%zu:%s%s%s%s", cur ? "[" : "", t + 1,
                      slash ? slash + 1 : label, s->tabs[t]->n > 1 ? "+" : "", pages, cur ? "]" : "");
    }
    const char *filter = domlist_filter(s->domlist);
    char f[300] = "";
    if (*filter) {
        char esc[256];
        text_escape(filter, esc, sizeof esc);
        snprintf(f, sizeof f, "  filter '%s'", esc);
    }
    snprintf(left + o, sizeof left - (size_t)o, "   %zu/%zu domains  hosts %zu/%zu  sort %s%s",
             domlist_shown(s->domlist), domlist_visible(s->domlist), connected, a->nhosts,
             domlist_sort_name(s->domlist), f);
    snprintf(right, sizeof right, "%s%s ? help ", c->readonly ? "[read-only] " : "", s->name);
    /* Unchanged text is not drawn again (a frame per echoed key should cost
     * as little as possible). */
    char both[1300];
    snprintf(both, sizeof both, "%s\n%s", left, right);
    if (c->title_valid && strcmp(c->title_drawn, both) == 0)
        return;
    snprintf(c->title_drawn, sizeof c->title_drawn, "%s", both);
    c->title_valid = true;
    ui_attr t = theme_attr(ROLE_TITLE);
    int rw = text_width(right);
    text_put(c->screen, 0, 0, cols > rw ? cols - rw : cols, left, t);
    if (cols > rw)
        text_put(c->screen, 0, cols - rw, rw, right, t);
}

static void put_status(struct client *c, int y, int cols, const char *text, ui_attr attr)
{
    if (c->status_valid && c->status_attr == attr && strcmp(c->status_drawn, text) == 0)
        return;
    snprintf(c->status_drawn, sizeof c->status_drawn, "%s", text);
    c->status_attr = attr;
    c->status_valid = true;
    text_put(c->screen, y, 0, cols, text, attr);
}

static void draw_status(struct client *c, int y, int cols)
{
    struct session *s = c->session;
    if (c->prompt != PROMPT_NONE) {
        c->status_valid = false;
        const char *label = c->prompt == PROMPT_COMMAND ? ":" : "/";
        text_put(c->screen, y, 0, 1, label, UI_BOLD);
        lineedit_draw(&c->edit, c->screen, y, 1, cols - 1, false, UI_NORMAL);
        return;
    }
    if (c->status[0]) {
        put_status(c, y, cols, c->status, theme_attr(c->status_error ? ROLE_STATUS_ERROR : ROLE_STATUS));
        return;
    }
    const char *mig = migrations_status(c->app);
    if (mig) {
        put_status(c, y, cols, mig, theme_attr(ROLE_STATUS));
        return;
    }
    if (c->prefix_pending) {
        put_status(c, y, cols, "prefix: l list  n/p next/prev  | - split  g grid  [ scroll  x close  d detach  ? keys",
                   theme_attr(ROLE_STATUS));
        return;
    }
    struct pane *p = c->overlay ? NULL : session_focused_pane(s);
    if (p) {
        const char *hint = p->scroll_mode ? "scroll: PgUp/PgDn Up/Down  / search  n again  q back to live"
                           : p->readonly ? "read-only: arrows move  n/p pages  Enter opens for typing  C-] prefix  q closes"
                           : "C-] or C-g then: l list  n/p tabs  | - split  [ scroll  x close  d detach  ? keys";
        put_status(c, y, cols, hint, UI_DIM);
        return;
    }
    const char *hint = s->main_view == s->hostlist
        ? "c reconnect  a add host  L domains  : command  ? help  q quit"
        : board_shown(s) ? "Enter open the console  / filter  w all in a grid  q the domain list  ? help"
        : "s start  S shutdown  r reboot  D destroy  p/P pause/resume  / filter  b board  H hosts  ? help  q quit";
    put_status(c, y, cols, hint, UI_DIM);
}

/* Which panes show which consoles changes what their badges say. */
static void count_viewers(struct app *a)
{
    for (size_t i = 0; i < a->nsources; i++)
        a->sources[i]->viewers = 0;
    for (size_t i = 0; i < a->nclients; i++) {
        struct client *c = a->clients[i];
        struct tab *t = c->session && !c->overlay && !c->command_mode ? session_current_tab(c->session) : NULL;
        for (size_t k = 0; t && k < t->n; k++)
            if (t->panes[k]->src)
                t->panes[k]->src->viewers++;
    }
}

static void draw_panes(struct client *c, struct tab *tab, struct rect body, int *cy, int *cx)
{
    for (size_t i = 0; i < tab->n; i++) {
        struct pane *p = tab->panes[i];
        struct rect r = layout_pane_rect(tab, i, body);
        /* A console shown by several panes follows the size of one of them. */
        if (p->src && !p->src->sizer)
            p->src->sizer = p;
        consoleview_set_sizer(p->view, !p->src || p->src->sizer == p);
        view_draw(p->view, c->screen, r);
        /* The gap right of a pane side by side with another. */
        if (r.x + r.w < body.x + body.w)
            for (int y = r.y; y < r.y + r.h; y++)
                text_put(c->screen, y, r.x + r.w, 1, "\u2502", i == tab->focus ? UI_BOLD : UI_DIM);
        if (i == tab->focus && tab->n > 1)
            text_put(c->screen, r.y, r.x, 1, ">", theme_attr(ROLE_STATUS_ERROR));
        if (i == tab->focus && !p->scroll_mode)
            consoleview_cursor(p->view, cy, cx);
        /* Looked at from this session: its board's alarm mark for it goes. */
        if (c->session->board && p->src && r.w > 0)
            board_seen(c->session->board, p->src);
    }
}

/* Compose the whole screen in the canvas (what did not change costs nothing
 * to send). panes_only: only guest output changed since the last frame. */
static void compose(struct client *c, bool panes_only)
{
    struct app *a = c->app;
    struct session *s = c->session;
    int rows = c->rows, cols = c->cols;
    if (canvas_rows(c->screen) != rows || canvas_cols(c->screen) != cols) {
        canvas_resize(c->screen, rows, cols);
        c->layout_sig = 0;
    }
    if (rows < 5 || cols < 20) {
        c->layout_sig = 0;
        for (int y = 0; y < rows; y++)
            text_fill(c->screen, y, 0, cols, UI_NORMAL);
        text_put(c->screen, 0, 0, cols, "terminal too small", UI_NORMAL);
        canvas_show_cursor(c->screen, false);
        return;
    }
    /* The session takes the size of the client that uses it. */
    s->rows = rows;
    s->cols = cols;
    count_viewers(a);
    struct rect body = session_body(s);
    struct tab *tab = c->overlay ? NULL : session_current_tab(s);
    struct dialog *question = app_dialog_for(a, c);
    /* Panes, title and status skip drawing what did not change; anything that
     * may have covered them (questions, overlays, prompt, resize, focus)
     * repaints them. */
    unsigned long sig = (unsigned long)rows * 7919 + (unsigned long)cols * 131 + (question != NULL) * 17 +
                        (c->overlay != NULL) * 3 + (unsigned long)(s->cur_tab + 1) * 1009 +
                        (tab ? tab->focus * 31 + tab->n * 37 + tab->kind * 41 : 0) + c->prompt * 5 +
                        (unsigned long)(size_t)tab * 13;
    if (sig != c->layout_sig || question) {
        c->title_valid = c->status_valid = false;
        if (tab)
            for (size_t i = 0; i < tab->n; i++)
                consoleview_invalidate(tab->panes[i]->view);
    }
    panes_only = panes_only && sig == c->layout_sig && c->title_valid && c->status_valid;
    c->layout_sig = sig;
    if (!panes_only)
        draw_title(c, cols);
    int cy = -1, cx = -1;
    if (tab)
        draw_panes(c, tab, body, &cy, &cx);
    else
        view_draw(client_focus(c), c->screen, body);
    bool cursor = c->prompt != PROMPT_NONE;
    if (!panes_only)
        draw_status(c, rows - 1, cols);
    if (question) {
        dialog_draw(question, c->screen, (struct rect){ 0, 0, rows, cols });
        cursor = true;
    }
    if (!cursor && cy >= 0) {
        canvas_move(c->screen, cy, cx);
        cursor = true;
    }
    canvas_show_cursor(c->screen, cursor);
}

/* The changed cells as RUNS frames, then FRAME_END; the next frame waits for
 * the client's ACK. */
static void send_frame(struct client *c)
{
    struct canvas *cv = c->screen;
    struct wbuf *b = &c->out;
    size_t start = wbuf_begin(b, MSG_RUNS);
    for (int y = 0; y < canvas_rows(cv); y++) {
        int x0, x1;
        if (!canvas_row_changed(cv, y, &x0, &x1))
            continue;
        /* Runs start on a character, not on the right half of a wide one. */
        while (x0 > 0 && canvas_at(cv, y, x0)->width == 0)
            x0--;
        if (b->len - start > 60000) {
            wbuf_end(b, start);
            start = wbuf_begin(b, MSG_RUNS);
        }
        wire_put_run(b, y, x0, canvas_at(cv, y, x0), x1 - x0);
    }
    wbuf_end(b, start);
    canvas_clean(cv);
    int cy, cx;
    canvas_cursor(cv, &cy, &cx);
    msg_put_frame_end(b, ++c->seq, cy, cx, canvas_cursor_shown(cv));
    client_frame_sent(c);
    client_flush(c);
}

static void present(struct client *c, bool panes_only)
{
    c->dirty = false;
    c->output_dirty = false;
    c->pace.last_frame_ms = mono_ms();
    compose(c, panes_only);
    if (canvas_changed(c->screen) || !c->seq)
        send_frame(c);
    if (c->exit_after_paint && app_settled(c->app))
        client_exit(c, 0, "");
}

static void on_pace_timer(int timer, void *opaque)
{
    struct client *c = opaque;
    virEventRemoveTimeout(timer);
    c->pace_timer = -1;   /* the loop wakes; the server's frame pass draws */
}

void client_output(struct client *c)
{
    pace_output(&c->pace, mono_ms());
    c->output_dirty = true;
    /* The echo of a typed key goes out from inside the stream callback, not
     * after the loop has dispatched the rest of this iteration. */
    struct pane *p = c->echo_wanted && c->session ? session_focused_pane(c->session) : NULL;
    struct console *m = p ? pane_model(p) : NULL;
    if (m && console_watch_seen(m))
        client_frame(c);
}

void client_read_echo(struct client *c)
{
    struct pane *p = c->echo_wanted && c->session ? session_focused_pane(c->session) : NULL;
    if (p)
        pane_read_now(p);
}

void client_redraw_all(struct client *c)
{
    canvas_touch_all(c->screen);
    c->layout_sig = 0;
    c->dirty = true;
}

void client_frame(struct client *c)
{
    if (!c->hello_done || c->command_mode || c->closing || !c->session)
        return;
    /* One frame in flight: what changes meanwhile waits in the canvas. */
    if (c->inflight)
        return;
    if (c->dirty || !c->output_dirty) {
        if (c->dirty)
            present(c, false);
        return;
    }
    unsigned long long now = mono_ms();
    /* The echo of a typed key: the first output after it when the key does
     * not print, else the output that contains it. */
    bool echo = false;
    struct pane *p = session_focused_pane(c->session);
    struct console *m = p ? pane_model(p) : NULL;
    if (c->echo_wanted && now < c->echo_until_ms)
        echo = !m || console_watch_seen(m) || !console_watching(m);
    else
        c->echo_wanted = false;
    unsigned wait = board_shown(c->session) ? pace_wait_board(&c->pace, now) : pace_wait(&c->pace, now, echo);
    if (wait) {
        if (c->pace_timer < 0)
            c->pace_timer = virEventAddTimeout((int)wait, on_pace_timer, c, NULL);
        return;
    }
    if (echo) {
        c->echo_wanted = false;
        if (m)
            console_watch(m, -1);
    }
    pace_step(&c->pace, echo);
    present(c, true);
}
