/* backends/vncscreen.h: a VNC guest's screen as last recognised (cells and
 * cursor), painted into a console model that may be smaller: a model with
 * fewer rows shows the part of the screen that holds the cursor, as a
 * terminal scrolls to keep it in view. No I/O, no curses. */
#ifndef VIRTMUX_VNCSCREEN_H
#define VIRTMUX_VNCSCREEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "backends/console.h"
#include "backends/vgatext.h"

struct vncscreen;

/* The model is not owned and must outlive the screen. */
struct vncscreen *vncscreen_new(struct console *model);
void vncscreen_free(struct vncscreen *s);

/* The guest's screen is now cols x rows cells, all blank until put: the
 * model is cleared. -1 when out of memory (the old grid stays). */
int vncscreen_geometry(struct vncscreen *s, unsigned cols, unsigned rows);
/* One cell of the guest's screen changed; painted if the model shows it. */
void vncscreen_put(struct vncscreen *s, unsigned x, unsigned y, const struct vgatext_cell *cell);
/* The cursor after a frame: the rows shown follow it. */
void vncscreen_cursor(struct vncscreen *s, bool shown, unsigned x, unsigned y);
/* The model changed size: which rows it shows is chosen again and it is
 * repainted. false when its size is the one last painted (nothing done). */
bool vncscreen_model_resized(struct vncscreen *s);

unsigned vncscreen_cols(const struct vncscreen *s);
unsigned vncscreen_rows(const struct vncscreen *s);
/* The first of the guest's rows the model shows (0 unless it is shorter). */
unsigned vncscreen_top(const struct vncscreen *s);
/* The whole screen's bottom line (vgatext_bottom_line), whatever the model
 * shows, and the cursor's column when it is on that row (else -1). */
bool vncscreen_bottom_line(const struct vncscreen *s, char *out, size_t outlen, int *cursor_col, uint64_t *hash);

#endif
