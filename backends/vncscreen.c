/* backends/vncscreen.c: the guest's recognised screen, kept whole, and the
 * rows of it a console model shows: all of them when they fit, else a
 * window that moves just enough to keep the cursor in it. */
#include "backends/vncscreen.h"

#include <stdlib.h>

struct vncscreen {
    struct console *model;
    struct vgatext_cell *cells;   /* cols x rows, the whole screen */
    unsigned cols, rows;
    bool cursor;
    unsigned cx, cy;
    unsigned top;                 /* the first guest row the model shows */
    unsigned painted_cols, painted_rows;
};

struct vncscreen *vncscreen_new(struct console *model)
{
    struct vncscreen *s = calloc(1, sizeof *s);
    if (s)
        s->model = model;
    return s;
}

void vncscreen_free(struct vncscreen *s)
{
    if (!s)
        return;
    free(s->cells);
    free(s);
}

/* Where the window starts: where it was, moved as little as holds the
 * cursor (a hidden one moves nothing), and never past the screen's end. */
static unsigned follow_top(const struct vncscreen *s, unsigned mrows)
{
    if (s->rows <= mrows || mrows == 0)
        return 0;
    unsigned top = s->top;
    if (s->cursor && s->cy < s->rows) {
        if (s->cy < top)
            top = s->cy;
        else if (s->cy >= top + mrows)
            top = s->cy + 1 - mrows;
    }
    return top > s->rows - mrows ? s->rows - mrows : top;
}

static void paint_cell(struct vncscreen *s, unsigned x, unsigned y)
{
    if (y < s->top)
        return;   /* above the window; below it console_put ignores */
    struct console_attr a = s->cells[(size_t)y * s->cols + x].attr;
    /* VGA's grey on black is the terminal's own default colours. */
    if (a.bg == 0)
        a.bg = CONSOLE_COLOUR_DEFAULT;
    if (a.fg == 7)
        a.fg = CONSOLE_COLOUR_DEFAULT;
    console_put(s->model, x, y - s->top, s->cells[(size_t)y * s->cols + x].ch, &a);
}

static void paint_cursor(struct vncscreen *s)
{
    bool in = s->cursor && s->cx < s->cols && s->cy >= s->top && s->cy < s->rows;
    console_set_cursor(s->model, s->cx, in ? s->cy - s->top : 0, in);
}

static void repaint(struct vncscreen *s)
{
    console_clear(s->model);
    for (unsigned y = 0; y < s->rows; y++)
        for (unsigned x = 0; x < s->cols; x++)
            paint_cell(s, x, y);
    paint_cursor(s);
    s->painted_cols = console_cols(s->model);
    s->painted_rows = console_rows(s->model);
}

int vncscreen_geometry(struct vncscreen *s, unsigned cols, unsigned rows)
{
    size_t n = (size_t)cols * rows;
    struct vgatext_cell *g = n ? calloc(n, sizeof *g) : NULL;
    if (n && !g)
        return -1;
    free(s->cells);
    s->cells = g;
    s->cols = n ? cols : 0;
    s->rows = n ? rows : 0;
    s->top = 0;
    console_clear(s->model);
    s->painted_cols = console_cols(s->model);
    s->painted_rows = console_rows(s->model);
    return 0;
}

void vncscreen_put(struct vncscreen *s, unsigned x, unsigned y, const struct vgatext_cell *cell)
{
    if (x >= s->cols || y >= s->rows)
        return;
    s->cells[(size_t)y * s->cols + x] = *cell;
    paint_cell(s, x, y);
}

void vncscreen_cursor(struct vncscreen *s, bool shown, unsigned x, unsigned y)
{
    s->cursor = shown;
    s->cx = x;
    s->cy = y;
    unsigned top = follow_top(s, console_rows(s->model));
    if (top != s->top) {
        s->top = top;
        repaint(s);
        return;
    }
    paint_cursor(s);
}

bool vncscreen_model_resized(struct vncscreen *s)
{
    if (console_cols(s->model) == s->painted_cols && console_rows(s->model) == s->painted_rows)
        return false;
    s->top = follow_top(s, console_rows(s->model));
    repaint(s);
    return true;
}

unsigned vncscreen_cols(const struct vncscreen *s) { return s->cols; }
unsigned vncscreen_rows(const struct vncscreen *s) { return s->rows; }
unsigned vncscreen_top(const struct vncscreen *s) { return s->top; }

bool vncscreen_bottom_line(const struct vncscreen *s, char *out, size_t outlen, int *cursor_col, uint64_t *hash)
{
    int row = vgatext_bottom_line(s->cells, s->cols, s->rows, out, outlen, hash);
    *cursor_col = row >= 0 && s->cursor && s->cy == (unsigned)row ? (int)s->cx : -1;
    return row >= 0;
}
