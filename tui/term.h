/* tui/term.h: the user's terminal: curses set-up, resize, suspend, restore on every exit. */
#ifndef VIRTMUX_TERM_H
#define VIRTMUX_TERM_H
#include <stdbool.h>
#include <stddef.h>

int term_init(bool colour, bool mouse, char *err, size_t errlen);
/* Idempotent and safe to call from any exit path, including fatal signals. */
void term_restore(void);
bool term_active(void);
/* The mouse to virtmux (clicks, the wheel) or to the terminal (selecting text). */
void term_set_mouse(bool mouse);
/* Take the terminal size from the tty after SIGWINCH. */
void term_resize(void);
/* ^Z: give the terminal back, stop, and take it again on fg. */
void term_suspend(void);
/* The terminal's size in cells. */
void term_size(int *rows, int *cols);
/* Repaint every cell on the next refresh (C-l). */
void term_redraw_all(void);

#endif
