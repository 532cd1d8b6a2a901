/* tui/paint.h: cells onto the user's terminal with ncursesw — the only place
 * that turns the screen state into curses calls. */
#ifndef VIRTMUX_PAINT_H
#define VIRTMUX_PAINT_H
#include <stdbool.h>
#include "proto/cell.h"

/* A run of n cells at (y, x) of the terminal; clipped to it. */
void paint_cells(int y, int x, const struct cell *cells, int n);
/* Place or hide the cursor, then push everything to the terminal. */
void paint_flush(int cursor_y, int cursor_x, bool cursor_shown);
/* Colours are used only when the terminal has them and they were not turned off. */
void paint_set_colour(bool colour);
bool paint_colour(void);

#endif
