/* server/board.h: a session's board: it holds the console of every running
 * domain that matches its filter (read-only: watching takes nothing from
 * anyone typing), and gives the board view its rows from each console's
 * line watcher. */
#ifndef VIRTMUX_BOARD_H
#define VIRTMUX_BOARD_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>

struct session;
struct source;
struct view;

struct board_held {
    unsigned char uuid[VIR_UUID_BUFLEN];
    struct source *src;
    unsigned long long seen_ms;   /* its alarm was looked at then */
};

struct board {
    struct session *session;
    struct view *view;
    struct board_held *held;
    size_t nheld, cap;
};

struct board *board_new(struct session *s);
void board_free(struct board *b);
/* Follow the registry: hold the consoles of the running domains it shows,
 * let go of the others. */
void board_sync(struct board *b);
/* Does it hold src? (its output redraws the board) */
bool board_holds(const struct board *b, const struct source *src);
/* Someone of this session looked at src: its alarm mark goes (until the next). */
void board_seen(struct board *b, const struct source *src);
/* Is the board what the session shows now? */
bool board_shown(const struct session *s);

#endif
