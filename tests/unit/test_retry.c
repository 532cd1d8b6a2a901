/* test_retry.c: the reconnect timer shared by hosts and consoles: delays that
 * double up to the cap, a reset after success, a cap lowered mid-way, and the
 * timer itself on libvirt's real event loop. */
#include "testutil.h"

#include "util/retry.h"

Test(retry, delays_double_from_the_first_up_to_the_cap)
{
    unsigned want[] = {500, 1000, 2000, 4000, 8000, 10000, 10000};
    unsigned last = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        last = retry_delay_after(last, 500, 10000);
        cr_assert_eq(last, want[i], "delay %zu: %u", i, last);
    }
}

Test(retry, a_first_delay_over_the_cap_is_the_cap)
{
    cr_assert_eq(retry_delay_after(0, 5000, 1000), 1000);
}

Test(retry, doubling_never_wraps)
{
    cr_assert_eq(retry_delay_after(3000000000u, 1, 4000000000u), 4000000000u);
    cr_assert_eq(retry_delay_after(86400000u, 1000, 86400000u), 86400000u);
}

struct fired {
    int n;
};

static void on_fire(void *opaque)
{
    ((struct fired *)opaque)->n++;
}

static bool fired_once(void *arg)
{
    return ((struct fired *)arg)->n >= 1;
}

static struct fired F;
static struct retry R;

/* A retry on the real event loop whose firings count in F. */
static struct retry *fresh(unsigned first_ms, unsigned max_ms)
{
    test_virt_init();
    F.n = 0;
    retry_init(&R, first_ms, max_ms, on_fire, &F);
    return &R;
}

/* A positive sign for "it did not fire": a second retry, scheduled now with
 * `ms`, has fired on the same loop, so a timer of r due before it would have. */
static void witness_fires(unsigned ms)
{
    static struct fired wf;
    static struct retry w;
    wf.n = 0;
    retry_init(&w, ms, ms, on_fire, &wf);
    cr_assert_eq(retry_schedule(&w), 0);
    cr_assert(test_pump_until(fired_once, &wf, 2000), "the witness timer never fired");
}

Test(retry, the_timer_fires_once_and_doubles, .timeout = 10)
{
    struct retry *r = fresh(20, 1000);
    cr_assert_not(retry_pending(r));
    cr_assert_eq(retry_left_ms(r), 0);

    long long t0 = test_now_ms();
    cr_assert_eq(retry_schedule(r), 0);
    cr_assert(retry_pending(r));
    cr_assert_leq(retry_left_ms(r), 20);
    /* A second schedule while one is pending changes nothing. */
    cr_assert_eq(retry_schedule(r), 0);
    cr_assert_eq(r->last_ms, 20);
    cr_assert(test_pump_until(fired_once, &F, 2000));
    cr_assert_geq(test_now_ms() - t0, 19);
    cr_assert_not(retry_pending(r));
    witness_fires(60); /* three times its delay */
    cr_assert_eq(F.n, 1, "a one-shot timer fired %d times", F.n);

    cr_assert_eq(retry_schedule(r), 0);
    cr_assert_eq(r->last_ms, 40);
    retry_cancel(r);
}

Test(retry, cancel_keeps_the_delay_and_reset_starts_over, .timeout = 10)
{
    struct retry *r = fresh(10, 1000);
    retry_schedule(r);
    retry_cancel(r);
    cr_assert_not(retry_pending(r));
    witness_fires(50); /* five times its delay */
    cr_assert_eq(F.n, 0, "a cancelled retry fired");

    /* Reconnect-now after a failure: the next wait still doubles. */
    retry_schedule(r);
    cr_assert_eq(r->last_ms, 20);
    retry_cancel(r);

    /* It worked: the next failure waits the first delay again. */
    retry_reset(r);
    retry_schedule(r);
    cr_assert_eq(r->last_ms, 10);
    retry_cancel(r);
}

Test(retry, a_lowered_cap_applies_to_the_next_delay, .timeout = 10)
{
    struct retry *r = fresh(1000, 60000);
    for (int i = 0; i < 3; i++) {
        retry_schedule(r);
        retry_cancel(r);
    }
    cr_assert_eq(r->last_ms, 4000);
    retry_set_max(r, 1000);
    retry_schedule(r);
    cr_assert_eq(r->last_ms, 1000);
    cr_assert_leq(retry_left_ms(r), 1000);
    retry_cancel(r);
    cr_assert_eq(F.n, 0);
}
