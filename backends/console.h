/* backends/console.h: the console model — the contract between a guest's console
 * (serial now, VNC later) and the views: a grid of cells, a cursor, an age for
 * dirty tracking, scrollback, and the bytes to send back to the guest. No curses. */
#ifndef VIRTMUX_CONSOLE_H
#define VIRTMUX_CONSOLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "keymaps/key.h"

/* Colours: CONSOLE_COLOUR_DEFAULT, a palette index 0..255, or
 * CONSOLE_COLOUR_RGB | 0xRRGGBB. */
#define CONSOLE_COLOUR_DEFAULT (-1)
#define CONSOLE_COLOUR_RGB     0x1000000

struct console_attr {
    int32_t fg, bg;
    bool bold, underline, inverse, blink, italic;
};

/* One cell: ch[0..len) is the base character and combining marks (len 0 =
 * blank); width is 0 for the right half of a wide character. */
typedef void (*console_cell_fn)(unsigned x, unsigned y, const uint32_t *ch, size_t len,
                                unsigned width, const struct console_attr *attr, void *opaque);

struct console;

/* sb_lines: scrollback size in lines. */
struct console *console_new(unsigned cols, unsigned rows, unsigned sb_lines);
void console_free(struct console *c);
/* As new: cols x rows, blank, no history, parser and modes reset, nothing
 * queued (what console_new gives, without reallocating libtsm). */
int console_reset(struct console *c, unsigned cols, unsigned rows);

/* Guest output (any bytes, however hostile) into the screen. */
void console_feed(struct console *c, const char *bytes, size_t len);
/* A line of virtmux's own (e.g. "[stopped]") written into the screen and so
 * into the scrollback, marked so it cannot be mistaken for guest output. */
void console_marker(struct console *c, const char *text);

/* A key typed by the user, encoded for the guest's current terminal modes
 * (application cursor keys etc.). false when the key has no encoding. */
bool console_key(struct console *c, key_code k);
/* Raw bytes for the guest (e.g. the prefix key sent through). */
void console_send(struct console *c, const char *bytes, size_t len);

/* What waits to go to the guest: typed keys and the terminal's replies (DA,
 * DSR, cursor position) — never anything else. */
size_t console_pending(const struct console *c, const char **data);
void console_consume(struct console *c, size_t n);

/* Watch guest output for one byte (the echo of a typed key); -1 stops.
 * console_watch_seen says whether it came since console_watch. */
void console_watch(struct console *c, int byte);
bool console_watch_seen(const struct console *c);
bool console_watching(const struct console *c);

int console_resize(struct console *c, unsigned cols, unsigned rows);
unsigned console_cols(const struct console *c);
unsigned console_rows(const struct console *c);

/* Walk the visible cells (scrollback position included). */
void console_draw(struct console *c, console_cell_fn fn, void *opaque);
/* Only the cells that changed since the draw that returned `since` (0: all);
 * returns the value to pass next time. A resize or scrollback move makes the
 * next call draw everything. */
unsigned long console_draw_since(struct console *c, unsigned long since, console_cell_fn fn, void *opaque);
/* How many console_draw_since calls took the echo fast path (tests, bench). */
unsigned long console_fast_draws(const struct console *c);
/* Changes whenever anything visible changed. */
unsigned long console_age(const struct console *c);
/* false when the guest hid the cursor or the view is scrolled back. */
bool console_cursor(const struct console *c, unsigned *x, unsigned *y);

/* Cells set directly, for a console whose screen is not a byte stream (VNC
 * text): bypasses the parser; out-of-range positions are ignored. ch is one
 * narrow character (controls become ' '). console_clear blanks the screen. */
void console_put(struct console *c, unsigned x, unsigned y, uint32_t ch, const struct console_attr *attr);
void console_set_cursor(struct console *c, unsigned x, unsigned y, bool visible);
void console_clear(struct console *c);

/* Scrollback: lines > 0 goes back in time; console_scroll_reset returns to live. */
void console_scroll(struct console *c, int lines);
void console_scroll_reset(struct console *c);
unsigned console_scrolled(const struct console *c);
/* Show the screen `lines` back, at once: for a pane that keeps its own
 * scroll position in a console other panes show live. lines must be a
 * position console_scroll reached (it does not look for the top). */
void console_view_at(struct console *c, unsigned lines);
/* Search back from the current scroll position for text; scrolls there.
 * 0 when found, -1 when not. */
int console_search(struct console *c, const char *text);

/* A line watcher fed with every byte of guest output (NULL: none); not owned. */
struct linewatch;
struct watch_patterns;
void console_set_lines(struct console *c, struct linewatch *w, const struct watch_patterns *p);

/* What the scrollback costs: the bytes its history holds (allocated); and
 * whether the screen that shows it (rebuilt when a pane looks back) exists. */
size_t console_history_bytes(const struct console *c);
bool console_has_past(const struct console *c);
/* Output and scrolling let the past go once nobody has looked back for a
 * while; a console that went quiet is asked with this. True while it stays. */
bool console_expire_past(struct console *c);

/* Every line of the scrollback (at most max_back of them) and of the
 * screen, oldest first, as UTF-8 without trailing blanks. 0, or -1 when out
 * of memory (some lines may have been given). */
typedef void (*console_line_fn)(const char *line, void *opaque);
int console_text(struct console *c, unsigned max_back, console_line_fn fn, void *opaque);

#endif
