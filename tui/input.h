/* tui/input.h: terminal input (curses) -> key_code, at the edge, once. */
#ifndef VIRTMUX_INPUT_H
#define VIRTMUX_INPUT_H
#include <stddef.h>
#include <wchar.h>
#include "keymaps/key.h"

struct key_event { key_code key; int y, x; };   /* y, x: mouse position for clicks */

/* Reads every key curses has ready (never blocks); returns how many. */
size_t input_read(struct key_event *out, size_t max);
/* One curses key (from wget_wch) as a key_code; KEYC_NONE if it means nothing. */
key_code input_translate(int rc, wint_t wch);

#endif
