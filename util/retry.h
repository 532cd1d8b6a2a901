/* util/retry.h: try again later, each time twice as late, up to a cap.
 *
 * One one-shot timer on libvirt's loop per thing that reconnects (a host, a
 * serial console, a VNC display). A success resets the wait to the first
 * delay; cancelling (say, the user asked to reconnect now) keeps it, so a
 * failing retry does not hammer the other side. */
#ifndef VIRTMUX_RETRY_H
#define VIRTMUX_RETRY_H

#include <stdbool.h>

/* A console reattaches soon: 0.5 s, doubling up to 10 s. */
#define RETRY_CONSOLE_FIRST_MS 500
#define RETRY_CONSOLE_MAX_MS 10000

struct retry {
    int timer;        /* -1: none pending */
    unsigned last_ms; /* the last delay; 0: none since the reset */
    unsigned first_ms, max_ms;
    unsigned long long due_ms; /* when the pending one fires (monotonic) */
    void (*fire)(void *opaque);
    void *opaque;
};

/* The delay after `last_ms` (0: the first): first_ms, then doubling, never
 * over max_ms. Also the ramp of tui/pace.c's frame intervals. */
unsigned retry_delay_after(unsigned last_ms, unsigned first_ms, unsigned max_ms);

void retry_init(struct retry *r, unsigned first_ms, unsigned max_ms, void (*fire)(void *opaque), void *opaque);

/* Arm the timer with the next delay, unless it is armed already. -1 when
 * libvirt cannot add a timer. */
int retry_schedule(struct retry *r);

/* Disarm; the next delay stays where it was. */
void retry_cancel(struct retry *r);

/* It worked: the next failure waits first_ms again. */
void retry_reset(struct retry *r);

/* A new cap, for the next delay already. */
void retry_set_max(struct retry *r, unsigned max_ms);

bool retry_pending(const struct retry *r);

/* Milliseconds until the pending one fires; 0 when none is pending. */
unsigned long long retry_left_ms(const struct retry *r);

#endif
