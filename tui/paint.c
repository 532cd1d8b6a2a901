/* tui/paint.c: cells onto the terminal: colours mapped to what the terminal
 * has (256, 16 or 8 colours), curses colour pairs allocated on demand. */
#include "tui/paint.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static bool coloured;



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
    if (c == CELL_COLOUR_DEFAULT)
        return -1;
    if (c & CELL_COLOUR_RGB) {
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

/* Colour pairs are the curses screen's: one cache (fg, bg) -> pair, filled
 * on demand as cells need them. */
#define NCOLOUR 257   /* -1..255 */
static int *pair_cache;
static int next_pair;
static WINDOW *pair_screen;   /* curscr of the screen the cache belongs to */


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
        next_pair = 1;
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


void paint_set_colour(bool colour)
{
    coloured = colour && has_colors() && start_color() == OK;
    if (coloured)
        use_default_colors();
}

bool paint_colour(void)
{
    return coloured;
}

static attr_t curses_attrs(uint8_t a)
{
    attr_t at = A_NORMAL;
    if (a & CELL_BOLD)
        at |= A_BOLD;
    if (a & CELL_DIM)
        at |= A_DIM;
    if (a & CELL_UNDERLINE)
        at |= A_UNDERLINE;
    if (a & CELL_REVERSE)
        at |= A_REVERSE;
    if (a & CELL_BLINK)
        at |= A_BLINK;
#ifdef A_ITALIC
    if (a & CELL_ITALIC)
        at |= A_ITALIC;
#endif
    return at;
}

static void put(int y, int x, const struct cell *c)
{
    attr_t at = curses_attrs(c->attrs);
    int pair = 0;
    if (coloured) {
        int fg = curses_colour(c->fg, true, &at);
        int bg = curses_colour(c->bg, false, &at);
        pair = colour_pair(fg, bg);
    }
    wchar_t wch[3] = { c->ch ? (wchar_t)c->ch : L' ', (wchar_t)c->comb, 0 };
    cchar_t cc;
    /* The int pair in opts lifts the 255/32767 limit of the short argument. */
    if (setcchar(&cc, wch, at, 0, &pair) == ERR) {
        static const wchar_t q[] = { L'?', 0 };
        setcchar(&cc, q, at, 0, &pair);
    }
    mvadd_wch(y, x, &cc);
}

void paint_cells(int y, int x, const struct cell *cells, int n)
{
    if (y < 0 || y >= LINES)
        return;
    for (int i = 0; i < n && x + i < COLS; i++) {
        const struct cell *c = &cells[i];
        if (c->width == 0 || x + i < 0)
            continue;   /* the right half of a wide character, drawn with its left */
        if (c->width == 2 && x + i + 1 >= COLS) {
            struct cell sp = *c;
            sp.ch = sp.comb = 0;
            sp.width = 1;
            put(y, x + i, &sp);
            continue;
        }
        put(y, x + i, c);
    }
}

void paint_flush(int cursor_y, int cursor_x, bool cursor_shown)
{
    if (cursor_shown && cursor_y >= 0 && cursor_y < LINES && cursor_x >= 0 && cursor_x < COLS)
        move(cursor_y, cursor_x);
    else
        cursor_shown = false;
    curs_set(cursor_shown ? 1 : 0);
    refresh();
}
