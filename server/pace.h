/* server/pace.h: when a frame may be drawn while guest output streams.
 *
 * A guest flooding its console must not flood the user's terminal (slow ssh
 * links): while output keeps streaming, frames come further apart (16 ms
 * doubling to 1 s), so the terminal gets the screen's state, not every line.
 * Quiet for 300 ms resets to immediate.  The echo of a typed key is drawn
 * the moment it arrives, whatever the pace, and so is the end of a burst:
 * 30 ms without output draws what came last (the prompt after a flood)
 * instead of up to a second later. */
#ifndef VIRTMUX_TUI_PACE_H
#define VIRTMUX_TUI_PACE_H

#include <stdbool.h>

#define PACE_FIRST_MS 16
#define PACE_MAX_MS 1000
#define PACE_IDLE_MS 300
#define PACE_BURST_END_MS 30
#define PACE_BOARD_MS 250

struct pace {
    unsigned interval_ms;                       /* 0: draw at once */
    unsigned long long last_frame_ms, last_output_ms;
};

/* Guest output arrived at `now`. */
void pace_output(struct pace *p, unsigned long long now);

/* 0 when a frame may be drawn now (`echo`: it carries a typed key's echo),
 * else how long to wait before asking again. */
unsigned pace_wait(const struct pace *p, unsigned long long now, bool echo);

/* The same for a board: rows that the output of many consoles changes, to
 * be read, not followed. No sooner than PACE_BOARD_MS after the last frame,
 * and while output streams on the same ramp, with no burst end (24 consoles
 * printing a line a second end a burst every 40 ms). Its alarms do not wait
 * here: they make the frame dirty. */
unsigned pace_wait_board(const struct pace *p, unsigned long long now);

/* A frame for output is drawn (the caller sets last_frame_ms for every
 * frame): the next one comes later, unless this one was an echo. */
void pace_step(struct pace *p, bool echo);

#endif
