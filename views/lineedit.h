/* views/lineedit.h: a one-line editor for the prompt, the filter and dialogs. */
#ifndef VIRTMUX_LINEEDIT_H
#define VIRTMUX_LINEEDIT_H
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>
#include "views/canvas.h"
#include "keymaps/key.h"

#define LINEEDIT_MAX 1024

struct lineedit {
    wchar_t buf[LINEEDIT_MAX];
    size_t len, cur;
};

void lineedit_set(struct lineedit *le, const char *utf8);
/* Returns true when the key edited the line (printables, BSpace, DC, Left,
 * Right, Home, End, C-a, C-e, C-u, C-k, C-w). */
bool lineedit_key(struct lineedit *le, key_code k);
/* The line as UTF-8 into out. */
void lineedit_get(const struct lineedit *le, char *out, size_t outlen);
/* Draw at (y, x) within width columns; secret shows nothing of the text.
 * Leaves the canvas cursor at the edit position. */
void lineedit_draw(const struct lineedit *le, struct canvas *cv, int y, int x, int width,
                   bool secret, ui_attr attr);
/* Overwrite the contents (for secrets) before the editor is reused. */
void lineedit_wipe(struct lineedit *le);

#endif
