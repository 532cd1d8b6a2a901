/* views/help.h: the key bindings in force, generated from the binding tables. */
#ifndef VIRTMUX_HELP_H
#define VIRTMUX_HELP_H
#include "views/view.h"
#include "keymaps/keymap.h"

/* Shows table `focus` first (with its parents), then every other table. */
struct view *help_new(const struct keymap *km, const char *focus);

#endif
