/* views/canvas.c: a cell grid with per-row change ranges. */
#include "views/canvas.h"
#include "views/theme.h"

#include <stdlib.h>
#include <string.h>

struct row_change { int x0, x1; };   /* x0 >= x1: unchanged */

struct canvas {
    int rows, cols;
    bool colour;
    struct cell *cells;
    struct row_change *changed;
    bool any_changed;
    int cy, cx;
    bool cursor_shown;
    uint64_t id;
};

static uint64_t next_id = 1;

static const struct cell blank_cell = { 0, 0, CELL_COLOUR_DEFAULT, CELL_COLOUR_DEFAULT, 0, 1 };

static void mark_all(struct canvas *cv)
{
    for (int y = 0; y < cv->rows; y++)
        cv->changed[y] = (struct row_change){ 0, cv->cols };
    cv->any_changed = cv->rows > 0 && cv->cols > 0;
}

struct canvas *canvas_new(int rows, int cols, bool colour)
{
    struct canvas *cv = calloc(1, sizeof *cv);
    if (!cv)
        return NULL;
    cv->colour = colour;
    cv->id = next_id++;
    if (canvas_resize(cv, rows, cols) < 0) {
        free(cv);
        return NULL;
    }
    return cv;
}

void canvas_free(struct canvas *cv)
{
    if (!cv)
        return;
    free(cv->cells);
    free(cv->changed);
    free(cv);
}

int canvas_resize(struct canvas *cv, int rows, int cols)
{
    if (rows < 0 || cols < 0 || rows > 4096 || cols > 4096)
        return -1;
    size_t n = (size_t)rows * (size_t)cols;
    struct cell *cells = malloc((n ? n : 1) * sizeof *cells);
    struct row_change *ch = calloc(rows ? (size_t)rows : 1, sizeof *ch);
    if (!cells || !ch) {
        free(cells);
        free(ch);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        cells[i] = blank_cell;
    free(cv->cells);
    free(cv->changed);
    cv->cells = cells;
    cv->changed = ch;
    cv->rows = rows;
    cv->cols = cols;
    cv->cy = cv->cx = 0;
    cv->id = next_id++;
    mark_all(cv);
    return 0;
}

int canvas_rows(const struct canvas *cv) { return cv->rows; }
int canvas_cols(const struct canvas *cv) { return cv->cols; }
bool canvas_colour(const struct canvas *cv) { return cv->colour; }
uint64_t canvas_id(const struct canvas *cv) { return cv->id; }

void canvas_set_colour(struct canvas *cv, bool colour)
{
    if (cv->colour != colour) {
        cv->colour = colour;
        canvas_touch_all(cv);
    }
}

static bool same_cell(const struct cell *a, const struct cell *b)
{
    return a->ch == b->ch && a->comb == b->comb && a->fg == b->fg && a->bg == b->bg &&
           a->attrs == b->attrs && a->width == b->width;
}

void canvas_set(struct canvas *cv, int y, int x, const struct cell *c)
{
    if (y < 0 || x < 0 || y >= cv->rows || x >= cv->cols)
        return;
    struct cell *dst = &cv->cells[(size_t)y * (size_t)cv->cols + (size_t)x];
    if (same_cell(dst, c))
        return;
    *dst = *c;
    struct row_change *r = &cv->changed[y];
    if (r->x0 >= r->x1) {
        r->x0 = x;
        r->x1 = x + 1;
    } else {
        if (x < r->x0)
            r->x0 = x;
        if (x + 1 > r->x1)
            r->x1 = x + 1;
    }
    cv->any_changed = true;
}

const struct cell *canvas_at(const struct canvas *cv, int y, int x)
{
    if (y < 0 || x < 0 || y >= cv->rows || x >= cv->cols)
        return NULL;
    return &cv->cells[(size_t)y * (size_t)cv->cols + (size_t)x];
}

void canvas_style(const struct canvas *cv, ui_attr attr, struct cell *c)
{
    theme_resolve(attr, cv->colour, &c->fg, &c->bg, &c->attrs);
}

struct cell canvas_blank(const struct canvas *cv, ui_attr attr)
{
    struct cell c = blank_cell;
    canvas_style(cv, attr, &c);
    return c;
}

void canvas_move(struct canvas *cv, int y, int x)
{
    cv->cy = y;
    cv->cx = x;
}

void canvas_cursor(const struct canvas *cv, int *y, int *x)
{
    *y = cv->cy;
    *x = cv->cx;
}

void canvas_show_cursor(struct canvas *cv, bool shown) { cv->cursor_shown = shown; }
bool canvas_cursor_shown(const struct canvas *cv) { return cv->cursor_shown; }

bool canvas_changed(const struct canvas *cv)
{
    return cv->any_changed;
}

bool canvas_row_changed(const struct canvas *cv, int y, int *x0, int *x1)
{
    if (y < 0 || y >= cv->rows || cv->changed[y].x0 >= cv->changed[y].x1)
        return false;
    *x0 = cv->changed[y].x0;
    *x1 = cv->changed[y].x1;
    return true;
}

void canvas_clean(struct canvas *cv)
{
    if (!cv->any_changed)
        return;
    memset(cv->changed, 0, (size_t)cv->rows * sizeof *cv->changed);
    cv->any_changed = false;
}

void canvas_touch_all(struct canvas *cv)
{
    cv->id = next_id++;
    mark_all(cv);
}
