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

/* A VNC text screen: each new screen is output once; the cursor is not. */
Test(linewatch, a_screen_is_output_and_its_cursor_is_not, .init = setup, .fini = teardown)
{
    struct linewatch w = {0};
    linewatch_screen(&w, &P, "", -1, 5, 50);
    cr_assert_eq(w.last_ms, 0, "a blank screen shows nothing");
    linewatch_screen(&w, &P, "virtmux demo guest ready", 0, 11, 100);
    cr_assert_str_eq(linewatch_line(&w), "virtmux demo guest ready");
    cr_assert_eq(w.last_ms, 100);
    /* The prompt came in a frame with the cursor off: not known yet to wait. */
    linewatch_screen(&w, &P, "vm:~#", -1, 22, 200);
    cr_assert_str_eq(linewatch_line(&w), "vm:~#");
    cr_assert_not(linewatch_settled(&w, &P));
    cr_assert_eq(w.last_ms, 200);
    /* It blinks on after the prompt, off, on...: settled, and quiet. */
    for (int i = 0; i < 20; i++) {
        linewatch_screen(&w, &P, "vm:~#", i % 2 ? -1 : 6, 22, 300 + 133 * (unsigned long long)i);
        cr_assert(linewatch_settled(&w, &P), "blink %d", i);
        cr_assert_str_eq(linewatch_line(&w), "vm:~# ");
        cr_assert_eq(w.last_ms, 200, "blink %d is output", i);
    }
    /* Typing at it is output, and no longer the prompt alone. */
    linewatch_screen(&w, &P, "vm:~# ls", 8, 33, 5000);
    cr_assert_not(linewatch_settled(&w, &P));
    cr_assert_str_eq(linewatch_line(&w), "vm:~# ls");
    cr_assert_eq(w.last_ms, 5000);
    /* The same prompt on a screen that scrolled is a new one. */
    linewatch_screen(&w, &P, "vm:~#", 6, 44, 6000);
    cr_assert(linewatch_settled(&w, &P));
    cr_assert_eq(w.last_ms, 6000);
    /* Columns, not bytes: the cursor after a line with wide UTF-8. */
    linewatch_screen(&w, &P, "\u2502 r\u00e9seau #", 11, 55, 7000);
    cr_assert(linewatch_settled(&w, &P));
    cr_assert_eq(w.alarms, 0);
}

Test(linewatch, a_screen_alarm_is_raised_once, .init = setup, .fini = teardown)
{
    struct linewatch w = {0};
    linewatch_screen(&w, &P, "Give root password for maintenance", -1, 7, 100);
    cr_assert(w.alarm);
    cr_assert_eq(w.alarms, 1);
    linewatch_seen(&w);
    /* The cursor found after it a blink later is no new alarm. */
    linewatch_screen(&w, &P, "Give root password for maintenance", 35, 7, 250);
    linewatch_screen(&w, &P, "Give root password for maintenance", -1, 7, 400);
    cr_assert_not(w.alarm);
    cr_assert_eq(w.alarms, 1);
    cr_assert_eq(w.alarm_ms, 100);
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
