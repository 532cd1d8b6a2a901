/* server/layout.c: pane geometry — equal splits side by side or stacked, or a grid
 * of roughly square cells; a one-column gap separates panes side by side. */
#include "server/layout.h"

#include <stdlib.h>

static void grid_shape(size_t n, struct rect area, size_t *cols, size_t *rows)
{
    /* Terminal cells are about twice as tall as wide: weigh width by half. */
    size_t best_c = 1;
    double best = -1;
    for (size_t c = 1; c <= n; c++) {
        size_t r = (n + c - 1) / c;
        double w = (double)area.w / (double)c / 2.0, h = (double)area.h / (double)r;
        double score = w < h ? w / h : h / w;
        if (score > best) {
            best = score;
            best_c = c;
        }
    }
    *cols = best_c;
    *rows = (n + best_c - 1) / best_c;
}

static struct rect slice(struct rect area, size_t i, size_t n, bool horizontal)
{
    struct rect r = area;
    int total = horizontal ? area.w : area.h;
    int gap = horizontal ? 1 : 0;
    int each = ((total - gap * (int)(n - 1)) / (int)n);
    if (each < 0)
        each = 0;   /* more panes than columns: those that do not fit get none */
    int start = (int)i * (each + gap);
    if (start > total)
        start = total;
    int size = i + 1 == n ? total - start : each;
    if (size > total - start)
        size = total - start;
    if (horizontal) {
        r.x = area.x + start;
        r.w = size;
    } else {
        r.y = area.y + start;
        r.h = size;
    }
    return r;
}

struct rect layout_pane_rect(const struct tab *t, size_t i, struct rect area)
{
    if (t->n <= 1 || i >= t->n)
        return area;
    switch (t->kind) {
    case LAYOUT_SIDE_BY_SIDE:
        return slice(area, i, t->n, true);
    case LAYOUT_STACKED:
        return slice(area, i, t->n, false);
    case LAYOUT_GRID: {
        size_t cols, rows;
        grid_shape(t->n, area, &cols, &rows);
        struct rect row = slice(area, i / cols, rows, false);
        size_t in_row = i / cols + 1 == rows ? t->n - (rows - 1) * cols : cols;
        return slice(row, i % cols, in_row, true);
    }
    }
    return area;
}

int layout_pane_at(const struct tab *t, struct rect area, int y, int x)
{
    for (size_t i = 0; i < t->n; i++) {
        struct rect r = layout_pane_rect(t, i, area);
        if (y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w)
            return (int)i;
    }
    return -1;
}

size_t layout_neighbour(const struct tab *t, struct rect area, int dy, int dx)
{
    if (t->n < 2)
        return t->focus;
    struct rect f = layout_pane_rect(t, t->focus, area);
    /* Step just outside the focused pane from its centre line. */
    int y = dy < 0 ? f.y - 1 : dy > 0 ? f.y + f.h : f.y + f.h / 2;
    int x = dx < 0 ? f.x - 2 : dx > 0 ? f.x + f.w + 1 : f.x + f.w / 2;
    int hit = layout_pane_at(t, area, y, x);
    return hit >= 0 ? (size_t)hit : t->focus;
}
