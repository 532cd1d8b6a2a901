/* test_limits.c: per-user token buckets and connection counts (policy/limits.c). */
#include "testutil.h"

#include "policy/limits.h"

static struct limits *make(unsigned conns, unsigned input, unsigned lifecycle, unsigned defines)
{
    struct limits_conf c = {{conns, input, lifecycle, defines}};
    struct limits *l = limits_new(&c);
    cr_assert_not_null(l);
    return l;
}

Test(limits, input_refused_not_queued)
{
    struct limits *l = make(0, 4096, 0, 0);
    char why[100] = "";
    cr_assert(limits_take(l, 1000, LIMIT_INPUT, 4096, 0, why, sizeof why), "a full bucket at first");
    cr_assert_not(limits_take(l, 1000, LIMIT_INPUT, 1, 0, why, sizeof why));
    cr_assert_str_eq(why, "input limit: 4096 bytes/s");
    /* Half a second refills half. */
    cr_assert(limits_take(l, 1000, LIMIT_INPUT, 2048, 500, why, sizeof why));
    cr_assert_not(limits_take(l, 1000, LIMIT_INPUT, 1, 500, why, sizeof why));
    /* A refused take took nothing: 1 ms later 4 bytes are there, not fewer. */
    cr_assert(limits_take(l, 1000, LIMIT_INPUT, 4, 501, why, sizeof why));
    /* A long pause fills the bucket to its size and no further. */
    cr_assert(limits_take(l, 1000, LIMIT_INPUT, 4096, 100000, why, sizeof why));
    cr_assert_not(limits_take(l, 1000, LIMIT_INPUT, 1, 100000, why, sizeof why));
    cr_assert_not(limits_take(l, 1000, LIMIT_INPUT, 4097, 900000, why, sizeof why), "more than a bucket, ever");
    limits_free(l);
}

Test(limits, per_uid_and_per_kind)
{
    struct limits *l = make(0, 100, 30, 2);
    char why[100] = "";
    for (int i = 0; i < 30; i++)
        cr_assert(limits_take(l, 1000, LIMIT_LIFECYCLE, 1, 10, why, sizeof why), "command %d", i);
    cr_assert_not(limits_take(l, 1000, LIMIT_LIFECYCLE, 1, 10, why, sizeof why));
    cr_assert_str_eq(why, "life-cycle limit: 30 per minute");
    /* Another user and another kind are untouched. */
    cr_assert(limits_take(l, 1001, LIMIT_LIFECYCLE, 1, 10, why, sizeof why));
    cr_assert(limits_take(l, 1000, LIMIT_DEFINES, 2, 10, why, sizeof why));
    cr_assert_not(limits_take(l, 1000, LIMIT_DEFINES, 1, 10, why, sizeof why));
    cr_assert_str_eq(why, "define limit: 2 per hour");
    /* 30 per minute: one more every 2 s. */
    cr_assert_not(limits_take(l, 1000, LIMIT_LIFECYCLE, 1, 1900, why, sizeof why));
    cr_assert(limits_take(l, 1000, LIMIT_LIFECYCLE, 1, 2010, why, sizeof why));
    /* Half an hour: one define back. */
    cr_assert(limits_take(l, 1000, LIMIT_DEFINES, 1, 10 + 1800000, why, sizeof why));
    cr_assert_not(limits_take(l, 1000, LIMIT_DEFINES, 1, 10 + 1800000, why, sizeof why));
    limits_free(l);
}

Test(limits, clock_going_back_refills_nothing)
{
    struct limits *l = make(0, 0, 3, 0);
    char why[100];
    for (int i = 0; i < 3; i++)
        cr_assert(limits_take(l, 7, LIMIT_LIFECYCLE, 1, 50000, why, sizeof why));
    cr_assert_not(limits_take(l, 7, LIMIT_LIFECYCLE, 1, 1000, why, sizeof why));
    cr_assert_not(limits_take(l, 7, LIMIT_LIFECYCLE, 1, 50000, why, sizeof why));
    limits_free(l);
}

Test(limits, off_means_unlimited)
{
    struct limits *l = make(0, 0, 0, 0);
    char why[100];
    for (int i = 0; i < 1000; i++) {
        cr_assert(limits_take(l, 5, LIMIT_INPUT, 1 << 20, 0, why, sizeof why));
        cr_assert(limits_connect(l, 5, why, sizeof why));
    }
    cr_assert_eq(limits_connections(l, 5), 1000);
    limits_free(l);
}

Test(limits, connections)
{
    struct limits *l = make(2, 0, 0, 0);
    char why[100] = "";
    cr_assert(limits_connect(l, 1000, why, sizeof why));
    cr_assert(limits_connect(l, 1000, why, sizeof why));
    cr_assert_not(limits_connect(l, 1000, why, sizeof why));
    cr_assert_str_eq(why, "connection limit: 2 per user");
    cr_assert_eq(limits_connections(l, 1000), 2, "a refused connection is not counted");
    cr_assert(limits_connect(l, 1001, why, sizeof why), "another user");
    limits_disconnect(l, 1000);
    cr_assert_eq(limits_connections(l, 1000), 1);
    cr_assert(limits_connect(l, 1000, why, sizeof why));
    limits_disconnect(l, 1002); /* never connected: no underflow, no entry */
    cr_assert_eq(limits_connections(l, 1002), 0);
    cr_assert_not(limits_take(l, 1000, LIMIT_CONNECTIONS, 1, 0, why, sizeof why), "not a bucket");
    limits_free(l);
}

Test(limits, reload_shrinks_buckets_keeps_counts)
{
    struct limits *l = make(4, 1000, 0, 0);
    char why[100];
    cr_assert(limits_connect(l, 9, why, sizeof why));
    cr_assert(limits_take(l, 9, LIMIT_INPUT, 10, 0, why, sizeof why));
    struct limits_conf c = {{4, 100, 0, 0}};
    limits_set_conf(l, &c);
    cr_assert_eq(limits_connections(l, 9), 1);
    cr_assert_not(limits_take(l, 9, LIMIT_INPUT, 101, 0, why, sizeof why));
    cr_assert_str_eq(why, "input limit: 100 bytes/s");
    cr_assert(limits_take(l, 9, LIMIT_INPUT, 100, 0, why, sizeof why), "cut down to the new size");
    cr_assert_not(limits_take(l, 9, LIMIT_INPUT, 1, 0, why, sizeof why));
    limits_free(l);
}
