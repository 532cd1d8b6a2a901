/* test_linewatch.c: lines out of guest output for the board: the last line,
 * alarms that stick, prompts that count as settled. */
#include "testutil.h"

#include "backends/linewatch.h"

static struct watch_patterns P;

static void setup(void)
{
    char err[300];
    memset(&P, 0, sizeof P);
    cr_assert_eq(
        watch_patterns_add_alarm(&P, "Kernel panic|Oops|BUG:|emergency mode|Give root password", err, sizeof err), 0,
        "%s", err);
    cr_assert_eq(watch_patterns_set_settled(&P, "login:|\\$ $|# $", err, sizeof err), 0, "%s", err);
}

static void teardown(void)
{
    watch_patterns_clear(&P);
}

static void feed(struct linewatch *w, const char *s, unsigned long long now)
{
    linewatch_feed(w, &P, s, strlen(s), now);
}

Test(linewatch, last_line_and_time, .init = setup, .fini = teardown)
{
    struct linewatch w = {0};
    cr_assert_str_eq(linewatch_line(&w), "");
    feed(&w, "[    0.1] Linux version\r\n[    0.2] Command line: console=ttyS0\r\n", 100);
    cr_assert_str_eq(linewatch_line(&w), "[    0.2] Command line: console=ttyS0");
    cr_assert_eq(w.last_ms, 100);
    /* Blank lines do not hide the last one; escapes and colours are not text. */
    feed(&w, "\r\n\r\n\033[1;32mOK\033[0m  Started\ttasks\r\n", 200);
    cr_assert_str_eq(linewatch_line(&w), "OK  Started tasks");
    /* A line being printed shows as it grows; \r starts it over. */
    feed(&w, "progress 10%\rprogress 90%", 300);
    cr_assert_str_eq(linewatch_line(&w), "progress 90%");
    cr_assert_eq(w.last_ms, 300);
    cr_assert_not(w.alarm);
}

Test(linewatch, an_alarm_sticks_until_seen, .init = setup, .fini = teardown)
{
    struct linewatch w = {0};
    feed(&w, "[   12.3] Kernel panic - not syncing: sysrq triggered crash\r\n", 5000);
    cr_assert(w.alarm);
    cr_assert_eq(w.alarm_ms, 5000);
    cr_assert_str_eq(w.alarm_line, "[   12.3] Kernel panic - not syncing: sysrq triggered crash");
    feed(&w, "[   12.4] ---[ end trace ]---\r\nreboot in 10 s\r\n", 6000);
    cr_assert(w.alarm, "more output does not clear it");
    cr_assert_eq(w.alarm_ms, 5000);
    feed(&w, "[   12.5] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---\r\n", 6500);
    cr_assert_eq(w.alarm_ms, 6500, "the newest match is the one kept");
    cr_assert_eq(w.alarms, 2);
    /* A line that matches while it arrives in pieces is one alarm. */
    feed(&w, "[   13.0] Kernel pan", 7000);
    feed(&w, "ic - not syncing: Attempted to kill init!", 7001);
    feed(&w, "\r\n", 7002);
    cr_assert_eq(w.alarms, 3);
    cr_assert_eq(w.alarm_ms, 7001);
    cr_assert_str_eq(w.alarm_line, "[   13.0] Kernel panic - not syncing: Attempted to kill init!");
    linewatch_seen(&w);
    cr_assert_not(w.alarm);
    /* A prompt without a newline counts too (an emergency shell). */
    feed(&w, "Give root password for maintenance\r\n(or press Control-D to continue): ", 8000);
    cr_assert(w.alarm);
    cr_assert_str_eq(w.alarm_line, "Give root password for maintenance");
}

Test(linewatch, a_prompt_is_settled, .init = setup, .fini = teardown)
{
    struct linewatch w = {0};
    feed(&w, "Welcome\r\ndemo1 login: ", 1);
    cr_assert(linewatch_settled(&w, &P));
    feed(&w, "root\r\n", 2);
    cr_assert_not(linewatch_settled(&w, &P), "typing at it: no longer at the prompt");
    feed(&w, "demo1:~# ", 3);
    cr_assert(linewatch_settled(&w, &P));
    feed(&w, "ls\r\nbin  etc\r\n", 4);
    cr_assert_not(linewatch_settled(&w, &P));
    cr_assert_not(linewatch_settled(&w, NULL), "no patterns: never settled");
}

Test(linewatch, patterns_that_do_not_compile_say_why, .init = setup, .fini = teardown)
{
    char err[300];
    struct watch_patterns q = {0};
    cr_assert_eq(watch_patterns_add_alarm(&q, "panic(", err, sizeof err), -1);
    cr_assert(strstr(err, "'panic('"), "%s", err);
    cr_assert_eq(q.nalarm, 0);
    for (int i = 0; i < WATCH_PATTERNS_MAX; i++)
        cr_assert_eq(watch_patterns_add_alarm(&q, "x", err, sizeof err), 0);
    cr_assert_eq(watch_patterns_add_alarm(&q, "x", err, sizeof err), -1);
    watch_patterns_clear(&q);
    cr_assert_eq(q.nalarm, 0);
}
