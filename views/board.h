/* views/board.h: the board — one row per console of every domain, for
 * watching a whole class boot: which consoles raised an alarm (a kernel
 * panic...), which are still booting, which reached a prompt, which domains
 * are stopped; with the last line each console printed and how long ago. A
 * data provider fills the rows; the view sorts, filters and draws them. */
#ifndef VIRTMUX_BOARD_VIEW_H
#define VIRTMUX_BOARD_VIEW_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>
#include "views/view.h"

enum board_mark { BOARD_ALARM, BOARD_BOOTING, BOARD_SETTLED, BOARD_STOPPED };

struct board_row {
    unsigned char uuid[VIR_UUID_BUFLEN];
    char host[64], owner[64], name[128], kind[8], state[24];
    enum board_mark mark;
    long idle_s;                    /* seconds since its last output; -1: none yet */
    unsigned long long alarm_ms;    /* when the alarm came (the newest sorts first) */
    char line[256];                 /* the last line it printed, or the alarm's */
};

/* Fills rows (at most max) and returns how many there are. */
typedef size_t (*board_rows_fn)(void *opaque, struct board_row *rows, size_t max);

struct view *board_new_view(board_rows_fn rows, void *opaque);
/* The selected row's domain; false when the board is empty. */
bool board_selected(struct view *v, unsigned char uuid[VIR_UUID_BUFLEN]);
void board_set_filter(struct view *v, const char *filter);
const char *board_filter(struct view *v);
/* Rows shown (after the filter) and the counts of the summary line. */
size_t board_count(struct view *v);

#endif
