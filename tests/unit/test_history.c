/* test_history.c: the scrollback kept as the bytes that printed it: bounded,
 * compact, and the same lines when a pane looks back. */
#include "testutil.h"

#include "backends/console.h"
#include "backends/history.h"

struct collect {
    char text[64][32];
    size_t n;
};

static void collect_rec(enum history_kind kind, const char *bytes, size_t n, void *opaque)
{
    struct collect *c = opaque;
    if (c->n < 64)
        snprintf(c->text[c->n++], sizeof c->text[0], "%d:%.*s", (int)kind, (int)n, bytes);
}

Test(history, records_in_order_and_trimmed_from_the_front)
{
    struct history h = {0};
    char line[32];
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof line, "l%d\n", i);
        history_add(&h, HISTORY_BYTES, line, strlen(line), 40, 100000);
    }
    history_add(&h, HISTORY_MARKER, "[m]", 3, 40, 100000);
    cr_assert_leq(h.lines, 50, "%zu lines kept: at most a quarter more than asked", h.lines);
    cr_assert_geq(h.lines, 40, "at least what was asked: %zu", h.lines);
    struct collect c = {.n = 0};
    history_replay(&h, collect_rec, &c);
    cr_assert_eq(c.n, h.lines);
    cr_assert_str_eq(c.text[c.n - 1], "1:[m]");
    cr_assert_str_eq(c.text[c.n - 2], "0:l99\n");
    /* Oldest first, consecutive. */
    int first;
    cr_assert_eq(sscanf(c.text[0], "0:l%d", &first), 1);
    for (size_t i = 0; i + 1 < c.n; i++) {
        char want[32];
        snprintf(want, sizeof want, "0:l%d\n", first + (int)i);
        cr_assert_str_eq(c.text[i], want);
    }
    history_free(&h);
    cr_assert_eq(h.len, 0);
}

Test(history, bytes_bound_it_too)
{
    struct history h = {0};
    char blob[1000];
    memset(blob, 'x', sizeof blob); /* no newlines: only the byte bound holds it */
    for (int i = 0; i < 100; i++)
        history_add(&h, HISTORY_BYTES, blob, sizeof blob, 1000, 20000);
    cr_assert_leq(h.len, 20000);
    history_add(&h, HISTORY_BYTES, blob, sizeof blob, 1000, 500);
    cr_assert_leq(h.len, 20000 + 5, "a record larger than the bound is not kept");
    history_free(&h);
}

static void text_line(const char *line, void *opaque)
{
    struct {
        char last[64];
        size_t n;
        int first;
    } *t = opaque;
    int v;
    if (sscanf(line, "line %d", &v) == 1) {
        if (!t->n)
            t->first = v;
        t->n++;
    }
    snprintf(t->last, sizeof t->last, "%s", line);
}

Test(history, ten_thousand_lines_cost_their_bytes_not_their_cells)
{
    struct console *c = console_new(80, 24, 10000);
    char line[100];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(line, sizeof line, "line %d of a boot log with some words in it\r\n", i);
        console_feed(c, line, (size_t)n);
    }
    size_t bytes = console_history_bytes(c);
    /* ~45 bytes a line: well under a quarter of libtsm's ~1.9 KiB a line. */
    cr_assert_lt(bytes, (size_t)(10024 * 200), "%zu bytes of history", bytes);
    cr_assert_not(console_has_past(c), "nobody looked back yet");
    struct {
        char last[64];
        size_t n;
        int first;
    } t = {"", 0, 0};
    cr_assert_eq(console_text(c, 100000, text_line, &t), 0);
    cr_assert_not(console_has_past(c), "a capture keeps no past (libtsm's cells for every line)");
    cr_assert_geq(t.n, 10000, "%zu lines: the scrollback holds at least what was asked", t.n);
    cr_assert_eq(t.first + (int)t.n, 20000, "the lines are the last ones, consecutive (first %d, %zu)", t.first, t.n);
    cr_assert_eq(console_scrolled(c), 0, "the text leaves the console live");
    /* A pane that looked back keeps it a while (a second look costs nothing). */
    console_scroll(c, 5);
    cr_assert_eq(console_scrolled(c), 5);
    console_scroll_reset(c);
    cr_assert(console_has_past(c));
    cr_assert(console_expire_past(c), "let go right after a look back");
    console_free(c);
}

/* Each record is one "... line N of ..." line: they must come consecutively. */
static void replay_count(enum history_kind kind, const char *bytes, size_t n, void *opaque)
{
    struct {
        int first, next, n;
        bool ok;
    } *t = opaque;
    const char *p = memmem(bytes, n, "] line ", 7);
    int v = p ? atoi(p + 7) : -1;
    if (t->first < 0)
        t->first = v;
    else if (v != t->next)
        t->ok = false;
    t->next = v + 1;
    t->n++;
}

Test(history, sealed_chunks_are_compressed_and_replay_in_order)
{
    struct history h = {0};
    char line[100];
    for (int i = 0; i < 30000; i++) {
        int n = snprintf(line, sizeof line, "[%6d.000000] line %d of a boot log: systemd[1]: Started a unit.\r\n",
                         i / 10, i);
        history_add(&h, HISTORY_BYTES, line, (size_t)n, 10000, 10000 * 160);
    }
    cr_assert_gt(h.nchunks, 0, "full tails are sealed");
    cr_assert_geq(h.lines, 10000, "%zu lines: at least what was asked", h.lines);
    cr_assert_lt(h.cap, h.len / 2, "%zu bytes held for %zu plain: compressed", h.cap, h.len);
    struct {
        int first, next, n;
        bool ok;
    } t = {-1, 0, 0, true};
    history_replay(&h, replay_count, &t);
    cr_assert(t.ok, "the lines come back in order, none missing");
    cr_assert_eq(t.n, (int)h.lines);
    cr_assert_eq(t.next, 30000, "up to the newest");
    history_free(&h);
    cr_assert_eq(h.cap, 0);
}
