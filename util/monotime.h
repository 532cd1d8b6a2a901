/* util/monotime.h: milliseconds on the monotonic clock, for timeouts, gaps
 * and frame pacing (one definition for backends and tui). */
#ifndef VIRTMUX_MONOTIME_H
#define VIRTMUX_MONOTIME_H
#include <time.h>

static inline unsigned long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

#endif
