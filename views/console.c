/* views/console.c: a console model's cells in a pane under a title bar, in the colours the terminal has. */
#include "views/console.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* What one canvas shows of this pane, to skip or shorten the next draw. */
struct drawn {
    uint64_t canvas;           /* canvas_id; 0: unused */
    struct rect rect;
    struct console *model;
    unsigned long age;
    unsigned long tsm_age;     /* libtsm's age at that draw, for partial redraws */
    char head[512];
    unsigned long used;        /* for replacing the least recently used */
};

/* Clients showing the same pane at once; beyond that a draw is a full one. */
#define DRAWN_SLOTS 8

struct consoleview {
    struct console *model;
    consoleview_describe_fn describe;
    void *opaque;
    struct drawn drawn[DRAWN_SLOTS];
    unsigned long draws;
    /* This pane's own scroll position, lines back (0: live). The model is
     * shown there only while this view draws, so other panes of the same
     * console stay live. */
    unsigned back;
    bool sizer;                /* the model follows this pane's size */
    /* The terminal cursor's place after the last draw, in canvas coordinates. */
    bool cursor_ok;
    int cursor_y, cursor_x;
};

/* ---- cells ---- */

struct draw_ctx {
    struct canvas *cv;
    int y, x, h, w;   /* the body of the pane */
};

static bool printable(uint32_t c)
{
    return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) &&
           !(c >= 0xd800 && c <= 0xdfff) && c <= 0x10ffff;
}

static uint8_t cell_attrs(const struct console_attr *a)
{
    return (uint8_t)((a->bold ? CELL_BOLD : 0) | (a->underline ? CELL_UNDERLINE : 0) |
                     (a->inverse ? CELL_REVERSE : 0) | (a->blink ? CELL_BLINK : 0) |
                     (a->italic ? CELL_ITALIC : 0));
}

static void draw_cell(unsigned ux, unsigned uy, const uint32_t *ch, size_t len, unsigned width,
                      const struct console_attr *attr, void *opaque)
{
    struct draw_ctx *d = opaque;
    if (width == 0)
        return;   /* right half of a wide character, drawn with its left half */
    if (ux >= (unsigned)d->w || uy >= (unsigned)d->h)
        return;
    int x = (int)ux, y = (int)uy;
    bool colour = canvas_colour(d->cv);
    struct cell c = { 0, 0, colour ? attr->fg : CELL_COLOUR_DEFAULT, colour ? attr->bg : CELL_COLOUR_DEFAULT,
                      cell_attrs(attr), 1 };
    if (len > 0 && ch[0] != 0) {
        /* The terminal counts columns with the C library's wcwidth; a
         * character it finds wider than libtsm did would shift the rest of
         * the line, so it becomes '?'. */
        int lw = printable(ch[0]) ? wcwidth((wchar_t)ch[0]) : -1;
        if (lw <= 0 || (lw == 2 && width < 2)) {
            c.ch = '?';
        } else {
            c.ch = ch[0];
            c.width = (uint8_t)lw;
            for (size_t i = 1; i < len && !c.comb; i++)
                if (printable(ch[i]) && wcwidth((wchar_t)ch[i]) == 0)
                    c.comb = ch[i];
        }
    }
    if (c.width == 2 && x + 2 > d->w) {
        /* A wide character cut by the pane's edge must not spill into the next pane. */
        c.ch = 0;
        c.comb = 0;
        c.width = 1;
    }
    canvas_set(d->cv, d->y + y, d->x + x, &c);
    if (c.width == 2) {
        struct cell half = c;
        half.ch = half.comb = 0;
        half.width = 0;
        canvas_set(d->cv, d->y + y, d->x + x + 1, &half);
    } else if (width > 1 && x + 1 < d->w) {
        /* The model holds two columns here: blank the one we do not fill. */
        struct cell sp = c;
        sp.ch = sp.comb = 0;
        canvas_set(d->cv, d->y + y, d->x + x + 1, &sp);
    }
}

/* ---- the view ---- */

static void head_text(struct consoleview *cv, char *head, size_t len, char *title, size_t tlen,
                     char *right, size_t rlen)
{
    char badge[128] = "";
    title[0] = '\0';
    if (cv->describe)
        cv->describe(cv->opaque, title, tlen, badge, sizeof badge);
    unsigned sc = cv->model ? cv->back : 0;
    if (sc > 0)
        snprintf(right, rlen, "[scroll %u]%s%s", sc, *badge ? " " : "", badge);
    else
        snprintf(right, rlen, "%s", badge);
    snprintf(head, len, "%s\n%s", title, right);
}

static void draw_title(struct canvas *screen, struct rect r, const char *title, const char *right)
{
    ui_attr a = theme_attr(ROLE_TITLE);
    char safe[256];
    text_escape(right, safe, sizeof safe);
    int rw = *safe ? text_width(safe) + 1 : 0;   /* one space before it */
    /* The console's name (the title up to its first gap) goes before the
     * badge: a narrow grid pane must still say whose it is. */
    char name[256];
    const char *gap = strstr(title, "  ");
    snprintf(name, sizeof name, "%.*s", gap ? (int)(gap - title) : (int)strlen(title), title);
    int nw = text_width(name);
    if (rw && r.w - rw - 1 < nw && r.w - 1 >= nw) {
        /* The badge then follows the name, cut ("[reattaching: ssh tu"),
         * rather than hiding it; none when only a few columns are left. */
        int room = r.w - nw - 2;
        if (room >= 4) {
            text_fill(screen, r.y, r.x, 1, a);
            text_put(screen, r.y, r.x + 1, nw, name, a);
            text_fill(screen, r.y, r.x + 1 + nw, 1, a);
            text_put(screen, r.y, r.x + 2 + nw, room, safe, a);
            return;
        }
        safe[0] = '\0';
        rw = 0;
    }
    int tw = r.w - rw;
    if (tw < 1) {
        text_put_right(screen, r.y, r.x, r.w, safe, a);
        return;
    }
    text_fill(screen, r.y, r.x, 1, a);
    text_put(screen, r.y, r.x + 1, tw - 1, title, a);
    if (rw)
        text_put_right(screen, r.y, r.x + tw, rw, safe, a);
}

static struct drawn *drawn_slot(struct consoleview *cv, const struct canvas *screen)
{
    uint64_t id = canvas_id(screen);
    struct drawn *lru = &cv->drawn[0];
    for (size_t i = 0; i < DRAWN_SLOTS; i++) {
        if (cv->drawn[i].canvas == id)
            return &cv->drawn[i];
        if (cv->drawn[i].used < lru->used)
            lru = &cv->drawn[i];
    }
    memset(lru, 0, sizeof *lru);
    return lru;
}

static void consoleview_draw(struct view *v, struct canvas *screen, struct rect r)
{
    struct consoleview *cv = v->data;
    if (r.h < 1 || r.w < 1)
        return;
    struct console *m = cv->model;
    int bh = r.h - 1;
    /* The guest's screen follows the size of the pane that sizes it. */
    if (m && cv->sizer && bh > 0 && (console_cols(m) != (unsigned)r.w || console_rows(m) != (unsigned)bh))
        console_resize(m, (unsigned)r.w, (unsigned)bh);

    char head[512], title[256], right[256];
    head_text(cv, head, sizeof head, title, sizeof title, right, sizeof right);

    cv->cursor_ok = false;
    unsigned cx, cy;
    /* A model larger than the pane (another pane sizes it) shows its top
     * left; a pane scrolled back shows no cursor. */
    if (m && bh > 0 && !cv->back && console_cursor(m, &cx, &cy) && cx < (unsigned)r.w && cy < (unsigned)bh) {
        cv->cursor_ok = true;
        cv->cursor_y = r.y + 1 + (int)cy;
        cv->cursor_x = r.x + (int)cx;
    }

    struct drawn *dr = drawn_slot(cv, screen);
    dr->used = ++cv->draws;
    unsigned long age = m ? console_age(m) : 0;
    bool same_place = dr->canvas == canvas_id(screen) && dr->model == m && memcmp(&dr->rect, &r, sizeof r) == 0;
    if (same_place && dr->age == age && strcmp(dr->head, head) == 0)
        return;   /* the canvas still holds these cells */
    /* This pane's scroll position, only while it draws (its age counts). */
    if (m)
        console_view_at(m, cv->back);

    /* Same place, same model: only the cells libtsm aged since the last draw. */
    bool partial = same_place && m;
    if (!partial || strcmp(dr->head, head) != 0)
        draw_title(screen, r, title, right);
    if (!partial)
        for (int i = 0; i < bh; i++)
            text_fill(screen, r.y + 1 + i, r.x, r.w, UI_NORMAL);
    if (m && bh > 0) {
        struct draw_ctx d = { screen, r.y + 1, r.x, bh, r.w };
        dr->tsm_age = console_draw_since(m, partial ? dr->tsm_age : 0, draw_cell, &d);
    } else if (bh > 1 && r.w > 4) {
        text_put(screen, r.y + 2, r.x + 2, r.w - 4, "no console attached", UI_DIM);
    }
    if (m) {
        console_view_at(m, 0);
        age = console_age(m);
    }

    dr->canvas = canvas_id(screen);
    dr->rect = r;
    dr->model = m;
    dr->age = age;
    snprintf(dr->head, sizeof dr->head, "%s", head);
}

/* Moves this pane's scroll position by lines (> 0 back in time). */
static void scroll_by(struct consoleview *cv, int lines)
{
    console_view_at(cv->model, cv->back);
    console_scroll(cv->model, lines);
    cv->back = console_scrolled(cv->model);
    console_view_at(cv->model, 0);
}

static int consoleview_command(struct view *v, const char *name, int argc, char **argv,
                               char *err, size_t errlen)
{
    struct consoleview *cv = v->data;
    int page = cv->model ? (int)console_rows(cv->model) - 1 : 1;
    if (page < 1)
        page = 1;
    int lines;
    if (strcmp(name, "scroll-up") == 0)
        lines = 1;
    else if (strcmp(name, "scroll-down") == 0)
        lines = -1;
    else if (strcmp(name, "page-up") == 0)
        lines = page;
    else if (strcmp(name, "page-down") == 0)
        lines = -page;
    else if (strcmp(name, "scroll-reset") == 0)
        lines = 0;
    else
        return 1;
    if (!cv->model) {
        snprintf(err, errlen, "%s: no console attached", name);
        return -1;
    }
    if (lines)
        scroll_by(cv, lines);
    else
        cv->back = 0;
    return 0;
}

void consoleview_scroll(struct view *v, int lines)
{
    struct consoleview *cv = v->data;
    if (!cv->model)
        return;
    if (lines)
        scroll_by(cv, lines);
    else
        cv->back = 0;
}

unsigned consoleview_scrolled(struct view *v)
{
    return ((struct consoleview *)v->data)->back;
}

int consoleview_search(struct view *v, const char *text)
{
    struct consoleview *cv = v->data;
    if (!cv->model)
        return -1;
    console_view_at(cv->model, cv->back);
    int rc = console_search(cv->model, text);
    cv->back = console_scrolled(cv->model);
    console_view_at(cv->model, 0);
    return rc;
}

void consoleview_set_sizer(struct view *v, bool sizer)
{
    ((struct consoleview *)v->data)->sizer = sizer;
}

static void consoleview_destroy(struct view *v)
{
    free(v->data);
}

static const struct view_ops consoleview_ops = {
    .name = "console",
    .keytable = "console",
    .draw = consoleview_draw,
    .command = consoleview_command,
    .destroy = consoleview_destroy,
};

struct view *consoleview_new(struct console *model, consoleview_describe_fn describe, void *opaque)
{
    struct consoleview *cv = calloc(1, sizeof *cv);
    if (!cv)
        return NULL;
    cv->model = model;
    cv->describe = describe;
    cv->opaque = opaque;
    cv->sizer = true;
    struct view *v = view_new(&consoleview_ops, cv);
    if (!v)
        free(cv);
    return v;
}

void consoleview_set_model(struct view *v, struct console *model)
{
    struct consoleview *cv = v->data;
    cv->model = model;
    memset(cv->drawn, 0, sizeof cv->drawn);
    cv->cursor_ok = false;
    cv->back = 0;
}

struct console *consoleview_model(struct view *v)
{
    return ((struct consoleview *)v->data)->model;
}

bool consoleview_cursor(struct view *v, int *y, int *x)
{
    struct consoleview *cv = v->data;
    if (!cv->model || !cv->cursor_ok)
        return false;
    *y = cv->cursor_y;
    *x = cv->cursor_x;
    return true;
}

void consoleview_invalidate(struct view *v)
{
    struct consoleview *cv = v->data;
    memset(cv->drawn, 0, sizeof cv->drawn);
}
