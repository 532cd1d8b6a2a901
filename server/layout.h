/* server/layout.h: console tabs, each holding one or more panes in splits or a grid. */
#ifndef VIRTMUX_LAYOUT_H
#define VIRTMUX_LAYOUT_H
#include <stdbool.h>
#include <stddef.h>
#include "views/view.h"

#define TAB_MAX_PANES 64

struct pane;

enum layout_kind {
    LAYOUT_SIDE_BY_SIDE,   /* split-window -h */
    LAYOUT_STACKED,        /* split-window -v */
    LAYOUT_GRID,           /* tiled, read-only by default (the watch grid) */
};

struct tab {
    struct pane *panes[TAB_MAX_PANES];
    size_t n, focus;
    enum layout_kind kind;
};

/* Where pane i of t goes inside area (one row of each pane is its title). */
struct rect layout_pane_rect(const struct tab *t, size_t i, struct rect area);
/* The pane under screen cell (y, x), or -1. */
int layout_pane_at(const struct tab *t, struct rect area, int y, int x);
/* The neighbour of the focused pane in a direction (dy, dx), or the focus itself. */
size_t layout_neighbour(const struct tab *t, struct rect area, int dy, int dx);

#endif
