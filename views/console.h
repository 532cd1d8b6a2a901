/* views/console.h: a pane that draws any console model (serial or VNC text) with a title bar. */
#ifndef VIRTMUX_VIEWS_CONSOLE_H
#define VIRTMUX_VIEWS_CONSOLE_H
#include <stdbool.h>
#include <stddef.h>
#include "views/view.h"
#include "backends/console.h"

/* Fills the pane's title (e.g. "demo/demo1 serial0 running") and a badge shown
 * on the right (e.g. "[stopped]", "[read-only]", ""). Called on every draw. */
typedef void (*consoleview_describe_fn)(void *opaque, char *title, size_t tlen,
                                        char *badge, size_t blen);

/* Keytable "console". The model is not owned by the view: detach it with
 * consoleview_set_model(v, NULL) before freeing it. describe may be NULL. */
struct view *consoleview_new(struct console *model, consoleview_describe_fn describe, void *opaque);
/* NULL = nothing attached (yet). Forces a full repaint. */
void consoleview_set_model(struct view *v, struct console *model);
struct console *consoleview_model(struct view *v);

/* Where the terminal cursor belongs (screen coordinates) after the last draw;
 * false when there is no model, the guest hid the cursor or the pane is
 * scrolled back. For the app to place the cursor when this view has focus. */
bool consoleview_cursor(struct view *v, int *y, int *x);

/* Repaint everything on the next draw, even if the model did not change
 * (e.g. after something else drew over the pane). Drawing is otherwise
 * skipped while the model's age, the rect and the title stay the same. */
void consoleview_invalidate(struct view *v);

/* This pane's scroll position (other panes of the same model keep theirs):
 * lines > 0 goes back, 0 returns to live output. */
void consoleview_scroll(struct view *v, int lines);
unsigned consoleview_scrolled(struct view *v);
/* Search back from this pane's position; scrolls there. 0 found, -1 not. */
int consoleview_search(struct view *v, const char *text);
/* Whether this pane sizes the model (the default); a model shown by several
 * panes follows one of them, the others show what fits. */
void consoleview_set_sizer(struct view *v, bool sizer);

#endif
