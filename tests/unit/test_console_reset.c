/* test_console_reset.c: console_reset gives what console_new gives. After any
 * stream, a reset model fed a probe stream must show, queue and scroll back
 * exactly as a fresh model fed the same probe (tests/fuzz/fuzz_console.c
 * resets one model per input instead of making a new one, and relies on it). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "backends/console.h"

#define W 30
#define H 8

static void hash_cell(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width,
                      const struct console_attr *a, void *opaque)
{
    unsigned long *h = opaque;
    for (size_t i = 0; i < len; i++)
        *h = (*h ^ ch[i]) * 1099511628211UL;
    unsigned long attr = (unsigned long)(uint32_t)a->fg << 32 | (uint32_t)a->bg;
    attr ^= (unsigned long)(a->bold | a->underline << 1 | a->inverse << 2 | a->blink << 3 | a->italic << 4) << 24;
    *h = (*h ^ attr ^ (x * 131u + y * 7919u + width * 31u)) * 1099511628211UL;
}

/* The screen, the cursor and what is queued for the guest, as one number. */
static unsigned long state(struct console *c)
{
    unsigned long h = 14695981039346656037UL;
    console_draw(c, hash_cell, &h);
    unsigned x = 0, y = 0;
    bool shown = console_cursor(c, &x, &y);
    h = (h ^ (x * 3u + y * 5u + shown)) * 1099511628211UL;
    const char *q;
    size_t n = console_pending(c, &q);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)q[i]) * 1099511628211UL;
    return (h ^ console_cols(c) ^ (unsigned long)console_rows(c) << 16 ^ (unsigned long)console_scrolled(c) << 32) *
           1099511628211UL;
}

/* Streams that leave a model in a state unlike a new one. */
static const char *const dirt[] = {
    "\033[?1049h\033[41malt screen text\033[5;20Hmore", /* alternate screen, written */
    "\033[4h\033[3g\033[2;5r\033[?7l\033[?6h",          /* insert, no tab stops, margins, no wrap, origin */
    "\033(0qqqq\016lqk\033[1;4;5;7m\033[38;2;1;2;3m",   /* line drawing, shifted, pen */
    "\xe4\xb8\033[3",                                   /* half a UTF-8 character, half a CSI */
    "\033[?25l\033[?1h\033=\033[20h",                   /* hidden cursor, cursor keys, keypad, LNM */
    "line\r\nline\r\nline\r\nline\r\nline\r\nline\r\nline\r\nline\r\nline\r\nline\r\nline\r\n", /* history */
    "\033[3;7H\0337\033[H", /* a saved cursor (the probe restores it) */
    "\033[6n\033[c",        /* replies queued */
};

/* Tabs, wrapping, an alternate screen switch without clearing, modes, a query. */
static const char probe[] =
    "a\tb\tc\r\n\xe4\xb8\xad wide \033[?47h\033[?47l0123456789012345678901234567890123\r\n"
    "x\033[2;3Hy\033[Kq\016q\017\033[6n\r\nend\0338Z\033[?47hX"; /* ends on the alternate screen */

static unsigned long probe_state(struct console *c)
{
    console_feed(c, probe, strlen(probe));
    return state(c);
}

/* used against fresh: the same now, after the probe, and scrolled back. */
static bool same_as_fresh(struct console *used, struct console *fresh, const char **where)
{
    *where = "right away";
    if (state(used) != state(fresh))
        return false;
    *where = "after the probe";
    if (probe_state(used) != probe_state(fresh))
        return false;
    *where = "scrolled back";
    console_scroll(used, 5);
    console_scroll(fresh, 5);
    return console_scrolled(used) == console_scrolled(fresh) && state(used) == state(fresh);
}

Test(console_reset, a_reset_model_is_a_new_one)
{
    for (size_t i = 0; i < sizeof dirt / sizeof dirt[0]; i++) {
        struct console *fresh = console_new(W, H, 20), *used = console_new(W + 7, H - 3, 20);
        const char *where;
        cr_assert(fresh && used);
        console_feed(used, dirt[i], strlen(dirt[i]));
        console_scroll(used, 3);
        cr_assert_eq(console_reset(used, W, H), 0);
        cr_assert(same_as_fresh(used, fresh, &where), "dirt %zu: a reset model differs from a new one %s", i, where);
        console_free(fresh);
        console_free(used);
    }
}

/* The check above can fail: without a reset, each dirt shows. */
Test(console_reset, dirt_without_a_reset_shows)
{
    for (size_t i = 0; i < sizeof dirt / sizeof dirt[0]; i++) {
        struct console *fresh = console_new(W, H, 20), *used = console_new(W, H, 20);
        const char *where;
        cr_assert(fresh && used);
        console_feed(used, dirt[i], strlen(dirt[i]));
        cr_assert(!same_as_fresh(used, fresh, &where), "dirt %zu leaves no trace", i);
        console_free(fresh);
        console_free(used);
    }
}
