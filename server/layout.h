/* server/layout.h: console tabs, each holding one or more panes in splits or a grid. */
#ifndef VIRTMUX_LAYOUT_H
#define VIRTMUX_LAYOUT_H
#include <stdbool.h>
#include <stddef.h>
#include "views/view.h"

/* A grid pane keeps at least this much of its console (plus its title
 * row); more panes than fit go on further pages. */
#define GRID_MIN_COLS 20
#define GRID_MIN_ROWS 5

struct pane;

enum layout_kind {
    LAYOUT_SIDE_BY_SIDE,   /* split-window -h */
    LAYOUT_STACKED,        /* split-window -v */
    LAYOUT_GRID,           /* tiled, read-only by default (the watch grid) */
};

struct tab {
    struct pane **panes;
    size_t n, cap, focus;
    enum layout_kind kind;
};

/* Append a pane (the tab grows as needed); -1 when out of memory. */
int tab_push(struct tab *t, struct pane *p);
void tab_free(struct tab *t);


/* Where pane i of t goes inside area (one row of each pane is its title).
 * A grid with more panes than fit shows the page the focused pane is on;
 * the others get an empty rect. */
struct rect layout_pane_rect(const struct tab *t, size_t i, struct rect area);
/* A grid's pages in area: how many, and which one the focus is on (0-based). */
size_t layout_pages(const struct tab *t, struct rect area, size_t *page);
/* Panes on one page of a grid in area. */
size_t layout_per_page(struct rect area);
/* The pane under screen cell (y, x), or -1. */
int layout_pane_at(const struct tab *t, struct rect area, int y, int x);
/* The neighbour of the focused pane in a direction (dy, dx), or the focus itself. */
size_t layout_neighbour(const struct tab *t, struct rect area, int dy, int dx);

#endif
