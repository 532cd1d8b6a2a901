/* test_pace.c: frame pacing for streaming guest output: the ramp during a
 * flood, the echo and the end of a burst drawn at once, the reset after a
 * quiet spell.  Times are given, not measured: no clock is read. */
#include "testutil.h"

#include "server/pace.h"

/* A flood: output every millisecond from t=1000, frames drawn when allowed.
 * Returns how many frames were drawn up to `until`; *last gets the time of
 * the last one. */
static int flood(struct pace *p, unsigned long long until, unsigned long long *last)
{
    int frames = 0;
    for (unsigned long long t = 1000; t <= until; t++) {
        pace_output(p, t);
        if (pace_wait(p, t, false) == 0) {
            pace_step(p, false);
            p->last_frame_ms = t;
            frames++;
            *last = t;
        }
    }
    return frames;
}

Test(pace, first_output_is_drawn_at_once)
{
    struct pace p = {0};
    pace_output(&p, 5000);
    cr_assert_eq(pace_wait(&p, 5000, false), 0);
}

Test(pace, a_flood_ramps_to_one_frame_a_second)
{
    struct pace p = {0};
    unsigned long long last = 0;
    int frames = flood(&p, 11000, &last);
    /* 16, 32, ... 512 ms, then 1 s apart: about 17 frames in 10 s, not 10000. */
    cr_assert(frames >= 12 && frames <= 20, "frames in a 10 s flood: %d", frames);
    cr_assert_eq(p.interval_ms, PACE_MAX_MS);
    /* In the flood, the wait is never longer than the burst check. */
    unsigned w = pace_wait(&p, 11000, false);
    cr_assert(w > 0 && w <= PACE_BURST_END_MS, "wait in a flood: %u", w);
}

Test(pace, the_end_of_a_burst_is_drawn_after_the_burst_gap)
{
    struct pace p = {0};
    unsigned long long last = 0;
    flood(&p, 11000, &last);
    /* A frame went out with the last byte, at 11000: the pace alone would
     * hold the next one until 12000. */
    p.last_frame_ms = 11000;
    cr_assert_eq(p.interval_ms, PACE_MAX_MS);
    cr_assert_eq(pace_wait(&p, 11000 + PACE_BURST_END_MS - 1, false), 1);
    cr_assert_eq(pace_wait(&p, 11000 + PACE_BURST_END_MS, false), 0);
}

Test(pace, an_echo_is_drawn_at_once_even_in_a_flood)
{
    struct pace p = {0};
    unsigned long long last = 0;
    flood(&p, 5000, &last);
    cr_assert(pace_wait(&p, 5000, false) > 0);
    cr_assert_eq(pace_wait(&p, 5000, true), 0);
    /* An echo frame does not push the ramp further. */
    unsigned before = p.interval_ms;
    pace_step(&p, true);
    cr_assert_eq(p.interval_ms, before);
}

Test(pace, quiet_resets_the_ramp)
{
    struct pace p = {0};
    unsigned long long last = 0;
    flood(&p, 5000, &last);
    cr_assert_gt(p.interval_ms, 0);
    pace_output(&p, 5000 + PACE_IDLE_MS + 1);
    cr_assert_eq(p.interval_ms, 0);
    cr_assert_eq(pace_wait(&p, 5000 + PACE_IDLE_MS + 1, false), 0);
}

Test(pace, output_within_the_idle_gap_keeps_the_ramp)
{
    struct pace p = {0};
    unsigned long long last = 0;
    flood(&p, 5000, &last);
    unsigned before = p.interval_ms;
    pace_output(&p, 5000 + PACE_IDLE_MS);
    cr_assert_eq(p.interval_ms, before);
}

/* 24 consoles printing a line a second: output every ~42 ms. A console
 * pane would draw each line (each ends a burst); the board ramps to one
 * frame a second. Returns the frames drawn in [from, until). */
static int board_lines(struct pace *p, unsigned long long from, unsigned long long until)
{
    int frames = 0;
    for (unsigned long long t = from; t < until; t++) {
        if ((t - from) % 42 == 0)
            pace_output(p, t);
        if (pace_wait_board(p, t) == 0) {
            pace_step(p, false);
            p->last_frame_ms = t;
            frames++;
        }
    }
    return frames;
}

Test(pace, the_board_ramps_where_a_pane_ends_bursts)
{
    struct pace p = {0};
    p.last_frame_ms = 0;
    int first = board_lines(&p, 10000, 20000);
    int later = board_lines(&p, 20000, 30000);
    cr_assert_leq(first, 20, "%d board frames in the first 10 s", first);
    cr_assert_leq(later, 11, "%d board frames in the next 10 s", later);
    cr_assert_geq(later, 9, "%d board frames in the next 10 s: about one a second", later);
}

Test(pace, the_board_draws_a_lone_change_within_its_period)
{
    struct pace p = {0};
    p.last_frame_ms = 1000;
    pace_output(&p, 1100);
    unsigned w = pace_wait_board(&p, 1100);
    cr_assert_eq(w, 150, "a change 100 ms after a frame waits %u ms, not 150", w);
    pace_output(&p, 5000);
    cr_assert_eq(pace_wait_board(&p, 5000), 0, "after a quiet spell at once");
}
