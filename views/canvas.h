/* views/canvas.h: the grid of cells views draw into (one per client screen);
 * it remembers which cells changed since they were last sent, so a frame
 * carries only those. No curses here: the client paints the cells. */
#ifndef VIRTMUX_CANVAS_H
#define VIRTMUX_CANVAS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/cell.h"

/* What views draw with: CELL_* attribute bits, plus a theme role (UI_ROLE)
 * that the canvas resolves to colours or, on a monochrome client, to
 * attributes (views/theme.c). */
typedef uint32_t ui_attr;
#define UI_NORMAL    0u
#define UI_BOLD      CELL_BOLD
#define UI_DIM       CELL_DIM
#define UI_UNDERLINE CELL_UNDERLINE
#define UI_REVERSE   CELL_REVERSE
#define UI_ROLE(r)   ((ui_attr)((r) + 1) << 8)
#define UI_ROLE_OF(a) ((int)((a) >> 8) - 1)   /* -1: none */

struct canvas;

struct canvas *canvas_new(int rows, int cols, bool colour);
void canvas_free(struct canvas *cv);
/* A new size blanks every cell and marks it changed. */
int canvas_resize(struct canvas *cv, int rows, int cols);
int canvas_rows(const struct canvas *cv);
int canvas_cols(const struct canvas *cv);
bool canvas_colour(const struct canvas *cv);
void canvas_set_colour(struct canvas *cv, bool colour);
/* Unique for the life of the process (views key their caches on it); a
 * canvas that must be drawn whole again gets a new one. */
uint64_t canvas_id(const struct canvas *cv);

/* One cell at (y, x); outside the grid it is ignored. Marks it changed only
 * when it differs from what is there. */
void canvas_set(struct canvas *cv, int y, int x, const struct cell *c);
const struct cell *canvas_at(const struct canvas *cv, int y, int x);
/* A blank cell in attr's style. */
struct cell canvas_blank(const struct canvas *cv, ui_attr attr);
/* Resolve attr (role and bits) into c's colours and attributes. */
void canvas_style(const struct canvas *cv, ui_attr attr, struct cell *c);

/* The terminal cursor: where it goes, and whether it is shown. */
void canvas_move(struct canvas *cv, int y, int x);
void canvas_cursor(const struct canvas *cv, int *y, int *x);
void canvas_show_cursor(struct canvas *cv, bool shown);
bool canvas_cursor_shown(const struct canvas *cv);

/* Changed cells, row by row: [*x0, *x1) of row y changed since canvas_clean. */
bool canvas_changed(const struct canvas *cv);
bool canvas_row_changed(const struct canvas *cv, int y, int *x0, int *x1);
void canvas_clean(struct canvas *cv);
/* Every cell counts as changed (a client that must get a full snapshot), and
 * views forget what they drew here (the id changes). */
void canvas_touch_all(struct canvas *cv);

#endif
