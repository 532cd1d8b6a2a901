/* views/text.h: showing untrusted strings (domain names, errors) safely by column width. */
#ifndef VIRTMUX_TEXT_H
#define VIRTMUX_TEXT_H
#include <stddef.h>
#include "views/canvas.h"

/* Copy s into out, replacing control characters (C0, DEL, C1) and bytes that are
 * not valid UTF-8 with \xNN, so nothing a guest or host chose can move the
 * cursor or reach the terminal. Always NUL-terminates. */
void text_escape(const char *s, char *out, size_t outlen);
/* Display width in columns of an escaped (valid UTF-8) string. */
int text_width(const char *s);
/* Draw s (escaped first) at (y, x), clipped to width columns and padded with
 * spaces; returns the columns used by the text itself. */
int text_put(struct canvas *cv, int y, int x, int width, const char *s, ui_attr attr);
/* Like text_put but right-aligned inside width. */
void text_put_right(struct canvas *cv, int y, int x, int width, const char *s, ui_attr attr);
/* Fill width columns with spaces. */
void text_fill(struct canvas *cv, int y, int x, int width, ui_attr attr);

#endif
