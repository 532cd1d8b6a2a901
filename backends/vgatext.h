/* backends/vgatext.h: a VNC framebuffer turned back into text — exact glyph
 * recognition for VGA text mode and the Linux framebuffer console, half-block
 * pixels for graphics screens. Pure computation: no I/O, no curses, no
 * libvncclient, no threads; one recognizer per console. */
#ifndef VIRTMUX_VGATEXT_H
#define VIRTMUX_VGATEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "backends/console.h"

struct vgafont;                 /* backends/vgafont.h */

/* Shown for a cell whose bitmap matches no glyph (counted in vgatext_unknown). */
#define VGATEXT_PLACEHOLDER 0xFFFDu

enum vgatext_mode {
    VGATEXT_NONE,               /* no frame yet */
    VGATEXT_TEXT,               /* cells recognised as characters */
    VGATEXT_PIXELS,             /* a graphics screen drawn with half blocks */
};

struct vgatext_cell {
    uint32_t ch;                /* Unicode; ' ' blank; U+2580 in pixel mode */
    struct console_attr attr;   /* text: VGA palette 0..15; pixels: CONSOLE_COLOUR_RGB|rgb */
};

/* font: not owned, must outlive the recognizer. */
struct vgatext *vgatext_new(const struct vgafont *font);
void vgatext_free(struct vgatext *t);

/* A framebuffer update touched this rectangle (pixels). Several calls may come
 * before one vgatext_frame. */
void vgatext_damage(struct vgatext *t, unsigned x, unsigned y, unsigned w, unsigned h);

/* Turn the framebuffer into cells: fb is w x h pixels of 32 bits, 0x00RRGGBB,
 * `stride` pixels per row. Text mode re-matches only damaged cells; a size
 * change re-matches everything. out_cols x out_rows is the pane, used to scale
 * a graphics screen. Text or pixels is chosen per frame. */
enum vgatext_mode vgatext_frame(struct vgatext *t, const uint32_t *fb, unsigned w, unsigned h,
                                unsigned stride, unsigned out_cols, unsigned out_rows);

enum vgatext_mode vgatext_mode(const struct vgatext *t);
unsigned vgatext_cols(const struct vgatext *t);
unsigned vgatext_rows(const struct vgatext *t);
const struct vgatext_cell *vgatext_cell(const struct vgatext *t, unsigned x, unsigned y);

/* Walk the cells the last vgatext_frame changed (all of them after a mode or
 * geometry change). */
typedef void (*vgatext_cell_fn)(unsigned x, unsigned y, const struct vgatext_cell *cell, void *opaque);
void vgatext_walk_changed(const struct vgatext *t, vgatext_cell_fn fn, void *opaque);

/* The text cursor (VGA underline cursor, or the console's block); false when
 * none is seen. */
bool vgatext_cursor(const struct vgatext *t, unsigned *x, unsigned *y);
/* A screen of cells read as text for the line watcher: the last row with
 * anything on it into out (UTF-8, one character a cell, controls as blanks,
 * the blanks at its end dropped), and that row (-1 and "" when all are
 * blank); *hash (never 0) changes when any cell's character does, not when
 * only colours do (a blinking cursor reads as the character under it). */
int vgatext_bottom_line(const struct vgatext_cell *cells, unsigned cols, unsigned rows, char *out, size_t outlen,
                        uint64_t *hash);
/* Cells of the last frame that matched no glyph (shown as the placeholder). */
unsigned vgatext_unknown(const struct vgatext *t);
/* A short description for the pane's status, e.g. "text 80x25 (9x16)" or
 * "pixels 1024x768". */
const char *vgatext_describe(const struct vgatext *t);

#endif
