/* util/retry.c: a capped, doubling retry timer on libvirt's loop. */
#include "util/retry.h"
#include "util/monotime.h"

#include <libvirt/libvirt.h>

unsigned retry_delay_after(unsigned last_ms, unsigned first_ms, unsigned max_ms)
{
    unsigned next = last_ms ? (last_ms > max_ms / 2 ? max_ms : last_ms * 2) : first_ms;
    return next < max_ms ? next : max_ms;
}

void retry_init(struct retry *r, unsigned first_ms, unsigned max_ms, void (*fire)(void *opaque), void *opaque)
{
    *r = (struct retry){.timer = -1, .first_ms = first_ms, .max_ms = max_ms, .fire = fire, .opaque = opaque};
}

static void on_timer(int timer, void *opaque)
{
    struct retry *r = opaque;
    virEventRemoveTimeout(timer);
    r->timer = -1;
    r->fire(r->opaque);
}

int retry_schedule(struct retry *r)
{
    if (r->timer >= 0)
        return 0;
    unsigned delay = retry_delay_after(r->last_ms, r->first_ms, r->max_ms);
    int t = virEventAddTimeout((int)delay, on_timer, r, NULL);
    if (t < 0)
        return -1;
    r->timer = t;
    r->last_ms = delay;
    r->due_ms = mono_ms() + delay;
    return 0;
}

void retry_cancel(struct retry *r)
{
    if (r->timer >= 0)
        virEventRemoveTimeout(r->timer);
    r->timer = -1;
}

void retry_reset(struct retry *r)
{
    r->last_ms = 0;
}

void retry_set_max(struct retry *r, unsigned max_ms)
{
    r->max_ms = max_ms;
}

bool retry_pending(const struct retry *r)
{
    return r->timer >= 0;
}

unsigned long long retry_left_ms(const struct retry *r)
{
    if (r->timer < 0)
        return 0;
    unsigned long long now = mono_ms();
    return r->due_ms > now ? r->due_ms - now : 0;
}
