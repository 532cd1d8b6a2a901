/* test_console_grow.c: a screen that grows shows what had scrolled off it
 * and wraps long lines at the new width (it is rebuilt from the history), and
 * the guest is not answered twice for what it asked before. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/console.h"

#define MAXL 64

struct lines {
    char l[MAXL][200];
    size_t n;
};

static void take(const char *line, void *opaque)
{
    struct lines *ls = opaque;
    if (ls->n < MAXL)
        snprintf(ls->l[ls->n], sizeof ls->l[0], "%s", line);
    ls->n++;
}

/* The screen only (no scrollback), top to bottom. */
static void screen(struct console *c, struct lines *ls)
{
    memset(ls, 0, sizeof *ls);
    cr_assert_eq(console_text(c, 0, take, ls), 0);
    cr_assert_eq(ls->n, console_rows(c), "%zu lines for %u rows", ls->n, console_rows(c));
}

static void feed(struct console *c, const char *s)
{
    console_feed(c, s, strlen(s));
}

static void numbered(struct console *c, int n)
{
    char line[32];
    for (int i = 1; i <= n; i++) {
        snprintf(line, sizeof line, "line %d\r\n", i);
        feed(c, line);
    }
}

Test(console_grow, shows_what_scrolled_off)
{
    struct console *c = console_new(80, 24, 1000);
    numbered(c, 50);
    feed(c, "prompt# ");
    struct lines ls;
    screen(c, &ls);
    cr_assert_str_eq(ls.l[0], "line 28");
    cr_assert_eq(console_resize(c, 100, 40), 0);
    screen(c, &ls);
    cr_assert_str_eq(ls.l[0], "line 12");
    cr_assert_str_eq(ls.l[38], "line 50");
    cr_assert_str_eq(ls.l[39], "prompt#");
    unsigned x = 0, y = 0;
    cr_assert(console_cursor(c, &x, &y));
    cr_assert_eq(x, 8);
    cr_assert_eq(y, 39);
    /* And it goes on from there. */
    feed(c, "ls\r\nout");
    screen(c, &ls);
    cr_assert_str_eq(ls.l[38], "prompt# ls");
    cr_assert_str_eq(ls.l[39], "out");
    console_free(c);
}

Test(console_grow, long_lines_wrap_at_the_new_width)
{
    struct console *c = console_new(40, 10, 100);
    char longline[61];
    for (int i = 0; i < 60; i++)
        longline[i] = (char)('a' + i % 26);
    longline[60] = '\0';
    feed(c, longline);
    feed(c, "\r\nend");
    struct lines ls;
    screen(c, &ls);
    cr_assert_eq(strlen(ls.l[0]), 40);
    cr_assert_str_eq(ls.l[2], "end");
    cr_assert_eq(console_resize(c, 80, 12), 0);
    screen(c, &ls);
    cr_assert_str_eq(ls.l[0], longline);
    cr_assert_str_eq(ls.l[1], "end");
    console_free(c);
}

Test(console_grow, the_guest_is_not_answered_again)
{
    struct console *c = console_new(80, 24, 1000);
    feed(c, "x\033[6n\033[c");
    const char *q;
    size_t n = console_pending(c, &q);
    cr_assert_gt(n, 0, "the queries were answered");
    console_consume(c, n);
    cr_assert_eq(console_resize(c, 120, 40), 0);
    cr_assert_eq(console_pending(c, &q), 0, "answered again on the rebuild");
    /* New queries still are. */
    feed(c, "\033[6n");
    cr_assert_gt(console_pending(c, &q), 0);
    console_free(c);
}

Test(console_grow, without_history_the_lines_stay_on_top)
{
    struct console *c = console_new(80, 24, 0);
    numbered(c, 50);
    cr_assert_eq(console_resize(c, 80, 30), 0);
    struct lines ls;
    screen(c, &ls);
    cr_assert_str_eq(ls.l[0], "line 28");
    cr_assert_str_eq(ls.l[22], "line 50");
    cr_assert_str_eq(ls.l[29], "");
    console_free(c);
}
