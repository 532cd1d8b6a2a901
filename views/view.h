/* views/view.h: what every view implements (tmux window_mode style: a const ops table). */
#ifndef VIRTMUX_VIEW_H
#define VIRTMUX_VIEW_H
#include <stddef.h>
#include "views/canvas.h"

struct rect { int y, x, h, w; };

struct view;

struct view_ops {
    const char *name;          /* shown in the title bar */
    const char *keytable;      /* binding table used while this view has focus */
    void (*draw)(struct view *v, struct canvas *cv, struct rect r);
    /* View-level commands (cursor-up, page-down, ...). Returns 0 when done,
     * -1 with err set on failure, 1 when this view has no such command. */
    int (*command)(struct view *v, const char *name, int argc, char **argv,
                   char *err, size_t errlen);
    /* A left click at screen cell (y, x) inside the view's last rect. */
    void (*click)(struct view *v, int y, int x);
    void (*destroy)(struct view *v);
};

struct view {
    const struct view_ops *ops;
    void *data;
    struct rect last;          /* where it was drawn last, for mouse clicks */
};

struct view *view_new(const struct view_ops *ops, void *data);
void view_free(struct view *v);
void view_draw(struct view *v, struct canvas *cv, struct rect r);
int view_command(struct view *v, const char *name, int argc, char **argv, char *err, size_t errlen);

/* Helpers for list-like views: move a cursor by a navigation command.
 * Returns 1 when name is not a navigation command. */
int view_navigate(const char *name, size_t count, size_t page, size_t *cursor);

#endif
