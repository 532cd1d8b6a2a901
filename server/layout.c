/* server/layout.c: pane geometry — equal splits side by side or stacked, or a grid
 * of roughly square cells; a one-column gap separates panes side by side. */
#include "server/layout.h"

#include <stdlib.h>

int tab_push(struct tab *t, struct pane *p)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        struct pane **n = realloc(t->panes, cap * sizeof *n);
        if (!n)
            return -1;
        t->panes = n;
        t->cap = cap;
    }
    t->panes[t->n++] = p;
    return 0;
}

void tab_free(struct tab *t)
{
    if (!t)
        return;
    free(t->panes);
    free(t);
}

size_t layout_per_page(struct rect area)
{
    /* A gap column between panes side by side; a title row in each. */
    int cols = (area.w + 1) / (GRID_MIN_COLS + 1), rows = area.h / (GRID_MIN_ROWS + 1);
    return (size_t)(cols < 1 ? 1 : cols) * (size_t)(rows < 1 ? 1 : rows);
}

size_t layout_pages(const struct tab *t, struct rect area, size_t *page)
{
    size_t per = t->kind == LAYOUT_GRID ? layout_per_page(area) : (t->n ? t->n : 1);
    if (page)
        *page = t->focus / per;
    return t->n ? (t->n + per - 1) / per : 1;
}

static void grid_shape(size_t n, struct rect area, size_t *cols, size_t *rows)
{
    /* Terminal cells are about twice as tall as wide: weigh width by half.
     * No narrower than GRID_MIN_COLS, no lower than GRID_MIN_ROWS (where the
     * area allows it at all). */
    int most_c = (area.w + 1) / (GRID_MIN_COLS + 1), most_r = area.h / (GRID_MIN_ROWS + 1);
    size_t max_c = most_c < 1 ? 1 : (size_t)most_c, max_r = most_r < 1 ? 1 : (size_t)most_r;
    size_t min_c = (n + max_r - 1) / max_r;
    if (min_c > max_c)
        min_c = max_c;
    size_t best_c = min_c;
    double best = -1;
    for (size_t c = min_c; c <= n && c <= max_c; c++) {
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
        /* The page the focus is on, laid out as a grid of its own. */
        size_t per = layout_per_page(area), first = t->focus / per * per;
        if (i < first || i >= first + per)
            return (struct rect){ area.y, area.x, 0, 0 };
        size_t n = t->n - first < per ? t->n - first : per, k = i - first;
        size_t cols, rows;
        grid_shape(n, area, &cols, &rows);
        struct rect row = slice(area, k / cols, rows, false);
        size_t in_row = k / cols + 1 == rows ? n - (rows - 1) * cols : cols;
        return slice(row, k % cols, in_row, true);
    }
    }
    return area;
}

int layout_pane_at(const struct tab *t, struct rect area, int y, int x)
{
    for (size_t i = 0; i < t->n; i++) {
        struct rect r = layout_pane_rect(t, i, area);
        if (r.w <= 0 || r.h <= 0)
            continue;   /* not on this page */
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
