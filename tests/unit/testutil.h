/* testutil.h: small helpers shared by the unit tests. */
#ifndef VIRTMUX_TESTS_TESTUTIL_H
#define VIRTMUX_TESTS_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collects report() messages so a test can assert on them exactly. */
#define TEST_REPORTS_MAX 32
struct test_reports {
    int n;
    char msg[TEST_REPORTS_MAX][1024];
};

static inline void test_reports_collect(const char *msg, void *opaque)
{
    struct test_reports *r = opaque;

    if (r->n < TEST_REPORTS_MAX)
        snprintf(r->msg[r->n], sizeof r->msg[r->n], "%s", msg);
    r->n++;
}

/* Write text to a fresh temporary file; returns its path (caller frees and unlinks). */
static inline char *test_write_tmp(const char *text, size_t len)
{
    char *path = strdup("/tmp/virtmux-test-XXXXXX");
    int fd;
    FILE *f;

    cr_assert_not_null(path);
    fd = mkstemp(path);
    cr_assert(fd >= 0);
    f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return path;
}

/* ---- libvirt: quiet errors, the default event loop, bounded pumping ---- */

#include <stdbool.h>
#include <time.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static inline void test_virt_quiet(void *userdata, virErrorPtr error)
{
    (void)userdata;
    (void)error;
}

/* Once per test process: no libvirt error on stderr, the default event loop. */
static inline void test_virt_init(void)
{
    static bool done;

    if (done)
        return;
    virSetErrorFunc(NULL, test_virt_quiet);
    cr_assert_eq(virEventRegisterDefaultImpl(), 0);
    done = true;
}

static inline long long test_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void test_pump_tick(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

/* Run libvirt's event loop until cond(arg) holds or timeout_ms passes; a 20 ms
   repeating timer makes sure every iteration returns. Returns cond's last value. */
static inline bool test_pump_until(bool (*cond)(void *), void *arg, int timeout_ms)
{
    long long deadline = test_now_ms() + timeout_ms;
    int tick = virEventAddTimeout(20, test_pump_tick, NULL, NULL);
    bool ok;

    cr_assert(tick >= 0);
    while (!(ok = cond(arg)) && test_now_ms() < deadline)
        virEventRunDefaultImpl();
    virEventRemoveTimeout(tick);
    return ok;
}

static inline bool test_never(void *arg)
{
    (void)arg;
    return false;
}

/* Run the event loop for ms milliseconds, whatever happens. */
static inline void test_pump_for(int ms)
{
    test_pump_until(test_never, NULL, ms);
}

#endif
