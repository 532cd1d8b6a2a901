/* test_vnc_follow.c: a VNC console across a migration, without a display:
 * keys typed while one is under way are held (bounded, counted in the badge),
 * a read-only console holds none, and held keys are dropped with a message
 * when the domain stops instead of arriving anywhere. */
#include "testutil.h"

#include "backends/console.h"
#include "backends/domain.h"
#include "backends/host.h"
#include "backends/vnc.h"
#include "keymaps/keysym.h"

struct seen {
    int changed, nmsg;
    char msg[8][800];
};

static void on_changed(struct vnc *v, void *opaque)
{
    (void)v;
    ((struct seen *)opaque)->changed++;
}

static void on_message(struct vnc *v, bool error, const char *msg, void *opaque)
{
    struct seen *s = opaque;

    (void)v;
    (void)error;
    if (s->nmsg < 8)
        snprintf(s->msg[s->nmsg], sizeof s->msg[0], "%s", msg);
    s->nmsg++;
}

static const struct vnc_ops ops = {.changed = on_changed, .message = on_message};

static const struct host_ops no_host_ops = {0};
static struct domreg *reg;
static struct host *hA, *hB;
static struct console *model;
static const unsigned char uuid[VIR_UUID_BUFLEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void setup(void)
{
    char err[300];

    test_virt_init();
    reg = domreg_new();
    /* Never connected: what is tested here does not reach the host. */
    hA = host_new("A", "test:///default", reg, &no_host_ops, NULL, err, sizeof err);
    hB = host_new("B", "test:///default", reg, &no_host_ops, NULL, err, sizeof err);
    model = console_new(80, 25, 0);
    cr_assert(reg && hA && hB && model, "%s", err);
}

static void teardown(void)
{
    host_free(hA);
    host_free(hB);
    domreg_free(reg);
    console_free(model);
}

static bool contains(const struct seen *s, const char *text)
{
    for (int i = 0; i < s->nmsg && i < 8; i++)
        if (strstr(s->msg[i], text))
            return true;
    return false;
}

Test(vnc_follow, keys_held_counted_bounded_and_dropped_when_stopped, .init = setup, .fini = teardown)
{
    struct seen s = {0};
    char err[400];
    struct vnc *v = vnc_new(hA, uuid, "A/x", model, false, NULL, &ops, &s);

    cr_assert_not_null(v);
    vnc_update(v, hA, false, true);
    cr_assert_not(vnc_key(v, 'a', err, sizeof err), "not connected, not migrating: refused");
    cr_assert(strstr(err, "not connected"), "%s", err);

    /* The destination exists on B: keys are held from now on. */
    vnc_follow(v, false, hB);
    cr_assert_str_eq(vnc_badge(v), "[migrating: 0 keys held]");
    cr_assert(vnc_key(v, 'a', err, sizeof err), "%s", err);
    cr_assert(vnc_type(v, "ls\n", 3, err, sizeof err), "%s", err);
    cr_assert_str_eq(vnc_badge(v), "[migrating: 4 keys held]");

    /* Bounded: 8192 events (64 KiB); a key is a press and a release. */
    int typed = 4;
    while (vnc_key(v, 'b', err, sizeof err))
        typed++;
    cr_assert_eq(typed, 8192 / 2, "%d keys held", typed);
    cr_assert(strstr(err, "64 KiB of keys already held"), "%s", err);

    /* Still under way (the source paused): nothing happens. */
    vnc_follow(v, true, hB);
    cr_assert_eq(s.nmsg, 0);
    /* It ends with the domain stopped, not moved: the keys go nowhere. */
    vnc_follow(v, false, NULL);
    cr_assert(contains(&s, "4096 held keys dropped"), "%s", s.nmsg ? s.msg[0] : "(none)");
    cr_assert_str_eq(vnc_badge(v), "[stopped]");
    cr_assert_not(vnc_key(v, 'a', err, sizeof err));
    vnc_free(v);
}

Test(vnc_follow, moved_host_holds_and_renames, .init = setup, .fini = teardown)
{
    struct seen s = {0};
    char err[400];
    struct vnc *v = vnc_new(hA, uuid, "A/x", model, false, NULL, &ops, &s);

    vnc_update(v, hA, false, true);
    /* The row moved to B (its resume event came first): held until a frame. */
    vnc_update(v, hB, false, true);
    vnc_set_label(v, "B/x");
    cr_assert_eq(vnc_host(v), hB);
    cr_assert_str_eq(vnc_label(v), "B/x");
    cr_assert(vnc_key(v, 'q', err, sizeof err), "%s", err);
    cr_assert_str_eq(vnc_badge(v), "[migrating: 1 keys held]");
    vnc_free(v); /* held keys and all: no leak (ASan) */
}

Test(vnc_follow, readonly_holds_nothing, .init = setup, .fini = teardown)
{
    struct seen s = {0};
    char err[400];
    struct vnc *v = vnc_new(hA, uuid, "A/x", model, true, NULL, &ops, &s);

    vnc_update(v, hA, false, true);
    vnc_follow(v, true, hB);
    cr_assert_str_eq(vnc_badge(v), "[migrating]");
    cr_assert_not(vnc_key(v, 'a', err, sizeof err));
    cr_assert(strstr(err, "read-only"), "%s", err);
    vnc_free(v);
}
