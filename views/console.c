/* views/console.c: a console model's cells in a pane under a title bar, in the colours the terminal has. */
#include "views/console.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct consoleview {
    struct console *model;
    consoleview_describe_fn describe;
    void *opaque;
    /* What the pane shows now, to skip a redraw when nothing changed. */
    bool drawn;
    WINDOW *win;
    struct rect rect;
    struct console *drawn_model;
    unsigned long age;
    unsigned long tsm_age;     /* libtsm's age at the last draw, for partial redraws */
    char head[512];
    /* The terminal cursor's place, in screen coordinates. */
    bool cursor_ok;
    int cursor_y, cursor_x;
};

/* ---- colours ---- */

/* xterm's default RGB for the 16 palette colours, to find the nearest one. */
static const unsigned char palette16[16][3] = {
    { 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
    { 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
    { 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
    { 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};
static const int cube_level[6] = { 0, 95, 135, 175, 215, 255 };

static int dist2(int r, int g, int b, int r2, int g2, int b2)
{
    return (r - r2) * (r - r2) + (g - g2) * (g - g2) + (b - b2) * (b - b2);
}

static void index_rgb(int i, int *r, int *g, int *b)
{
    if (i < 16) {
        *r = palette16[i][0], *g = palette16[i][1], *b = palette16[i][2];
    } else if (i < 232) {
        i -= 16;
        *r = cube_level[i / 36], *g = cube_level[(i / 6) % 6], *b = cube_level[i % 6];
    } else {
        *r = *g = *b = 8 + 10 * (i - 232);
    }
}

static int nearest16(int r, int g, int b)
{
    int best = 0, bestd = -1;
    for (int i = 0; i < 16; i++) {
        int d = dist2(r, g, b, palette16[i][0], palette16[i][1], palette16[i][2]);
        if (bestd < 0 || d < bestd)
            best = i, bestd = d;
    }
    return best;
}

static int nearest_level(int v)
{
    int best = 0;
    for (int i = 1; i < 6; i++)
        if (abs(v - cube_level[i]) < abs(v - cube_level[best]))
            best = i;
    return best;
}

/* The 6x6x6 cube or the grey ramp, whichever is closer; not 0..15, whose
 * RGB the user may have changed. */
static int nearest256(int r, int g, int b)
{
    int ri = nearest_level(r), gi = nearest_level(g), bi = nearest_level(b);
    int cube = 16 + 36 * ri + 6 * gi + bi;
    int cd = dist2(r, g, b, cube_level[ri], cube_level[gi], cube_level[bi]);
    int avg = (r + g + b) / 3;
    int gi2 = avg < 8 ? 0 : avg > 238 ? 23 : (avg - 8 + 5) / 10;
    if (gi2 > 23)
        gi2 = 23;
    int gv = 8 + 10 * gi2;
    return dist2(r, g, b, gv, gv, gv) < cd ? 232 + gi2 : cube;
}

/* A palette index 0..15 on this terminal: bright colours become the dark
 * one plus bold (foreground only) when there are only 8. */
static int fold16(int i, bool fg, attr_t *extra)
{
    if (i < 8 || COLORS >= 16)
        return i;
    if (fg)
        *extra |= A_BOLD;
    return i - 8;
}

/* A console colour as a curses colour number (-1 = the terminal's default). */
static int curses_colour(int32_t c, bool fg, attr_t *extra)
{
    int r, g, b;
    if (c == CONSOLE_COLOUR_DEFAULT)
        return -1;
    if (c & CONSOLE_COLOUR_RGB) {
        r = (c >> 16) & 0xff, g = (c >> 8) & 0xff, b = c & 0xff;
        if (COLORS >= 256)
            return nearest256(r, g, b);
        return fold16(nearest16(r, g, b), fg, extra);
    }
    if (c < 0 || c > 255)
        return -1;
    if (c < 16)
        return fold16(c, fg, extra);
    if (COLORS >= 256)
        return c;
    index_rgb(c, &r, &g, &b);
    return fold16(nearest16(r, g, b), fg, extra);
}

/* Colour pairs are the curses screen's, shared by every console pane: one
 * cache (fg, bg) -> pair, filled on demand above the theme's pairs. */
#define NCOLOUR 257   /* -1..255 */
static int *pair_cache;
static int next_pair;
static WINDOW *pair_screen;   /* curscr of the screen the cache belongs to */

static int first_pair(void)
{
    /* Leave room for the theme and other fixed pairs, unless the terminal
     * has so few pairs (8-colour xterm, linux: 64) that we would get none. */
    return COLOR_PAIRS > 128 ? 64 : ROLE_COUNT + 1;
}

static int colour_pair(int fg, int bg)
{
    if (fg == -1 && bg == -1)
        return 0;
    if (!pair_cache) {
        pair_cache = calloc((size_t)NCOLOUR * NCOLOUR, sizeof *pair_cache);
        if (!pair_cache)
            return 0;
    }
    if (pair_screen != curscr) {
        memset(pair_cache, 0, (size_t)NCOLOUR * NCOLOUR * sizeof *pair_cache);
        next_pair = first_pair();
        pair_screen = curscr;
    }
    int *slot = &pair_cache[(fg + 1) * NCOLOUR + (bg + 1)];
    if (*slot) {
        /* Cheap check that nobody redefined it (or this is another screen at
         * the same address). */
        int f, b;
        if (extended_pair_content(*slot, &f, &b) == OK && f == fg && b == bg)
            return *slot;
        if (*slot < COLOR_PAIRS && init_extended_pair(*slot, fg, bg) == OK)
            return *slot;
        *slot = 0;
    }
    /* When all pairs are taken, the default colours keep the text readable. */
    if (next_pair >= COLOR_PAIRS || init_extended_pair(next_pair, fg, bg) != OK)
        return 0;
    *slot = next_pair++;
    return *slot;
}

static attr_t cell_attrs(const struct console_attr *a, int *pair)
{
    attr_t at = A_NORMAL;
    if (a->bold)
        at |= A_BOLD;
    if (a->underline)
        at |= A_UNDERLINE;
    if (a->inverse)
        at |= A_REVERSE;
    if (a->blink)
        at |= A_BLINK;
#ifdef A_ITALIC
    if (a->italic)
        at |= A_ITALIC;
#endif
    *pair = 0;
    if (theme_has_colour()) {
        int fg = curses_colour(a->fg, true, &at);
        int bg = curses_colour(a->bg, false, &at);
        *pair = colour_pair(fg, bg);
    }
    return at;
}

/* ---- cells ---- */

struct draw_ctx {
    WINDOW *win;
    int y, x, h, w;   /* the body of the pane */
};

static bool printable(uint32_t c)
{
    return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) &&
           !(c >= 0xd800 && c <= 0xdfff) && c <= 0x10ffff;
}

static void put_cell(struct draw_ctx *d, int x, int y, const wchar_t *wch, attr_t at, int pair)
{
    cchar_t cc;
    /* The int pair in opts lifts the 255/32767 limit of the short argument. */
    if (setcchar(&cc, wch, at, 0, &pair) == ERR) {
        static const wchar_t q[] = { L'?', 0 };
        setcchar(&cc, q, at, 0, &pair);
    }
    mvwadd_wch(d->win, d->y + y, d->x + x, &cc);
}

static void draw_cell(unsigned ux, unsigned uy, const uint32_t *ch, size_t len, unsigned width,
                      const struct console_attr *attr, void *opaque)
{
    struct draw_ctx *d = opaque;
    if (width == 0)
        return;   /* right half of a wide character, drawn with its left half */
    if (ux >= (unsigned)d->w || uy >= (unsigned)d->h)
        return;
    int x = (int)ux, y = (int)uy, pair;
    attr_t at = cell_attrs(attr, &pair);
    wchar_t wch[CCHARW_MAX + 1] = { L' ', 0 };
    int cw = 1;
    if (len > 0 && ch[0] != 0) {
        /* curses counts columns with the C library's wcwidth, as the
         * terminal does; a character it finds wider than libtsm did would
         * shift the rest of the line, so it becomes '?'. */
        int lw = printable(ch[0]) ? wcwidth((wchar_t)ch[0]) : -1;
        if (lw <= 0 || (lw == 2 && width < 2)) {
            wch[0] = L'?';
        } else {
            wch[0] = (wchar_t)ch[0];
            cw = lw;
            size_t n = 1;
            for (size_t i = 1; i < len && n < CCHARW_MAX; i++)
                if (printable(ch[i]) && wcwidth((wchar_t)ch[i]) == 0)
                    wch[n++] = (wchar_t)ch[i];
            wch[n] = 0;
        }
    }
    if (width > 1 && cw == 1 && x + 1 < d->w) {
        /* The model holds two columns here: blank the one we do not fill. */
        static const wchar_t sp[] = { L' ', 0 };
        put_cell(d, x + 1, y, sp, at, pair);
    }
    if (cw == 2 && x + 2 > d->w) {
        /* A wide character cut by the pane's edge must not spill into the next pane. */
        wch[0] = L' ';
        wch[1] = 0;
    }
    put_cell(d, x, y, wch, at, pair);
}

/* ---- the view ---- */

static void head_text(struct consoleview *cv, char *head, size_t len, char *title, size_t tlen,
                     char *right, size_t rlen)
{
    char badge[128] = "";
    title[0] = '\0';
    if (cv->describe)
        cv->describe(cv->opaque, title, tlen, badge, sizeof badge);
    unsigned sc = cv->model ? console_scrolled(cv->model) : 0;
    if (sc > 0)
        snprintf(right, rlen, "[scroll %u]%s%s", sc, *badge ? " " : "", badge);
    else
        snprintf(right, rlen, "%s", badge);
    snprintf(head, len, "%s\n%s", title, right);
}

static void draw_title(WINDOW *win, struct rect r, const char *title, const char *right)
{
    attr_t a = theme_attr(ROLE_TITLE);
    char safe[256];
    text_escape(right, safe, sizeof safe);
    int rw = *safe ? text_width(safe) + 1 : 0;   /* one space before it */
    int tw = r.w - rw;
    if (tw < 1) {
        text_put_right(win, r.y, r.x, r.w, safe, a);
        return;
    }
    text_fill(win, r.y, r.x, 1, a);
    text_put(win, r.y, r.x + 1, tw - 1, title, a);
    if (rw)
        text_put_right(win, r.y, r.x + tw, rw, safe, a);
}

static void consoleview_draw(struct view *v, WINDOW *win, struct rect r)
{
    struct consoleview *cv = v->data;
    if (r.h < 1 || r.w < 1)
        return;
    struct console *m = cv->model;
    int bh = r.h - 1;
    /* The guest's screen follows the pane's size. */
    if (m && bh > 0 && (console_cols(m) != (unsigned)r.w || console_rows(m) != (unsigned)bh))
        console_resize(m, (unsigned)r.w, (unsigned)bh);

    char head[512], title[256], right[256];
    head_text(cv, head, sizeof head, title, sizeof title, right, sizeof right);

    cv->cursor_ok = false;
    unsigned cx, cy;
    if (m && bh > 0 && console_cursor(m, &cx, &cy) && cx < (unsigned)r.w && cy < (unsigned)bh) {
        cv->cursor_ok = true;
        cv->cursor_y = r.y + 1 + (int)cy;
        cv->cursor_x = r.x + (int)cx;
    }

    unsigned long age = m ? console_age(m) : 0;
    if (cv->drawn && cv->win == win && cv->drawn_model == m && cv->age == age &&
        memcmp(&cv->rect, &r, sizeof r) == 0 && strcmp(cv->head, head) == 0)
        return;   /* curses still holds these cells */

    /* Same place, same model: only the cells libtsm aged since the last draw. */
    bool partial = cv->drawn && cv->win == win && cv->drawn_model == m && m &&
                   memcmp(&cv->rect, &r, sizeof r) == 0;
    if (!partial || strcmp(cv->head, head) != 0)
        draw_title(win, r, title, right);
    if (!partial)
        for (int i = 0; i < bh; i++)
            text_fill(win, r.y + 1 + i, r.x, r.w, A_NORMAL);
    if (m && bh > 0) {
        struct draw_ctx d = { win, r.y + 1, r.x, bh, r.w };
        cv->tsm_age = console_draw_since(m, partial ? cv->tsm_age : 0, draw_cell, &d);
        wattrset(win, A_NORMAL);
    } else if (bh > 1 && r.w > 4) {
        text_put(win, r.y + 2, r.x + 2, r.w - 4, "no console attached", A_DIM);
    }

    cv->drawn = true;
    cv->win = win;
    cv->rect = r;
    cv->drawn_model = m;
    cv->age = age;
    snprintf(cv->head, sizeof cv->head, "%s", head);
}

static int consoleview_command(struct view *v, const char *name, int argc, char **argv,
                               char *err, size_t errlen)
{
    struct consoleview *cv = v->data;
    int page;
    if (cv->drawn)
        page = cv->rect.h - 2;
    else
        page = cv->model ? (int)console_rows(cv->model) - 1 : 1;
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
        console_scroll(cv->model, lines);
    else
        console_scroll_reset(cv->model);
    return 0;
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
    struct view *v = view_new(&consoleview_ops, cv);
    if (!v)
        free(cv);
    return v;
}

void consoleview_set_model(struct view *v, struct console *model)
{
    struct consoleview *cv = v->data;
    cv->model = model;
    cv->drawn = false;
    cv->cursor_ok = false;
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
    ((struct consoleview *)v->data)->drawn = false;
}
