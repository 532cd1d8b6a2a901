/* server/pace.c: frame pacing for streaming guest output (see pace.h). */
#include "server/pace.h"
#include "util/retry.h"

void pace_output(struct pace *p, unsigned long long now)
{
    if (now - p->last_output_ms > PACE_IDLE_MS)
        p->interval_ms = 0;
    p->last_output_ms = now;
}

unsigned pace_wait(const struct pace *p, unsigned long long now, bool echo)
{
    unsigned long long quiet = now - p->last_output_ms;
    if (echo || quiet >= PACE_BURST_END_MS)
        return 0;
    unsigned long long since = now - p->last_frame_ms;
    if (since >= p->interval_ms)
        return 0;
    /* The paced frame, or sooner to see whether the burst has ended. */
    unsigned long long wait = p->interval_ms - since;
    if (wait > PACE_BURST_END_MS - quiet)
        wait = PACE_BURST_END_MS - quiet;
    return (unsigned)wait;
}

unsigned pace_wait_board(const struct pace *p, unsigned long long now)
{
    unsigned long long since = now - p->last_frame_ms;
    unsigned want = p->interval_ms > PACE_BOARD_MS ? p->interval_ms : PACE_BOARD_MS;
    return since >= want ? 0 : (unsigned)(want - since);
}

void pace_step(struct pace *p, bool echo)
{
    if (echo)
        return;
    /* The same ramp as a reconnect's: the first, then doubling to the cap. */
    p->interval_ms = retry_delay_after(p->interval_ms, PACE_FIRST_MS, PACE_MAX_MS);
}
