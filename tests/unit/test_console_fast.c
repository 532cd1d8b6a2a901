/* test_console_fast.c: the echo fast path of backends/console.c. Whatever
 * console_draw_since hands out, through the fast path or a walk, must leave a
 * renderer's copy of the screen equal to a full walk, after every chunk of any
 * stream; and a typed character's echo must take the fast path. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "backends/console.h"

#define W 20
#define H 6
#define SYM 10

struct cell {
    uint32_t ch[SYM];
    size_t len;
    unsigned width;
    struct console_attr attr;
};

struct grid {
    struct cell c[H][W];
    unsigned drawn; /* cells handed out by the last draw */
};

static void put(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width, const struct console_attr *attr,
                void *opaque)
{
    struct grid *g = opaque;
    cr_assert(x < W && y < H, "cell (%u,%u) outside", x, y);
    struct cell *c = &g->c[y][x];
    memset(c, 0, sizeof *c);
    c->len = len > SYM ? SYM : len;
    if (len)
        memcpy(c->ch, ch, c->len * sizeof *ch);
    c->width = width;
    c->attr = *attr;
    g->drawn++;
}

static bool same_cell(const struct cell *a, const struct cell *b)
{
    return a->len == b->len && a->width == b->width && memcmp(a->ch, b->ch, a->len * sizeof a->ch[0]) == 0 &&
           a->attr.fg == b->attr.fg && a->attr.bg == b->attr.bg && a->attr.bold == b->attr.bold &&
           a->attr.underline == b->attr.underline && a->attr.inverse == b->attr.inverse &&
           a->attr.blink == b->attr.blink && a->attr.italic == b->attr.italic;
}

/* The renderer's copy (kept up to date by console_draw_since) against a full
 * walk: true when equal, else the first differing cell in why. */
static bool same_as_walk(struct console *m, const struct grid *inc, char *why, size_t len)
{
    static struct grid full;
    memset(&full, 0, sizeof full);
    console_draw(m, put, &full);
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++)
            if (!same_cell(&inc->c[y][x], &full.c[y][x])) {
                snprintf(why, len, "cell (%u,%u) differs from a full walk: U+%04X/%u vs U+%04X/%u", x, y,
                         inc->c[y][x].len ? inc->c[y][x].ch[0] : 0, (unsigned)inc->c[y][x].attr.fg,
                         full.c[y][x].len ? full.c[y][x].ch[0] : 0, (unsigned)full.c[y][x].attr.fg);
                return false;
            }
    return true;
}

static char why[256]; /* same_as_walk's reason */

static unsigned long draw(struct console *c, struct grid *g, unsigned long since)
{
    g->drawn = 0;
    return console_draw_since(c, since, put, g);
}

/* The model and the renderer's copy of the fixed-stream tests. */
static struct console *c;
static struct grid g;

static void setup(void)
{
    c = console_new(W, H, 10);
    cr_assert_not_null(c);
    memset(&g, 0, sizeof g);
}

static void teardown(void)
{
    console_free(c);
}

Test(console_fast, typed_echo_takes_the_fast_path, .init = setup, .fini = teardown)
{
    const char *prompt = "\033[1;32mvm\033[0m:~# ";
    console_feed(c, prompt, strlen(prompt));
    unsigned long since = draw(c, &g, 0);
    console_feed(c, "l", 1); /* the pen is learnt from this one's cell */
    since = draw(c, &g, since);
    cr_assert_eq(console_fast_draws(c), 0);
    console_feed(c, "s", 1);
    since = draw(c, &g, since);
    cr_assert_eq(console_fast_draws(c), 1, "the second echo took the walk");
    cr_assert_eq(g.drawn, 1, "the fast path handed out %u cells", g.drawn);
    cr_assert_eq(g.c[0][7].ch[0], 's');
    cr_assert(same_as_walk(c, &g, why, sizeof why), "after typing: %s", why);
    /* Enter and the command's output: a walk again, and still the same screen. */
    console_feed(c, "\r\n\033[34mfile\033[0m\r\nvm:~# ", 22);
    since = draw(c, &g, since);
    cr_assert(same_as_walk(c, &g, why, sizeof why), "after output: %s", why);
    console_feed(c, "x", 1);
    since = draw(c, &g, since);
    console_feed(c, "y", 1);
    draw(c, &g, since);
    cr_assert(same_as_walk(c, &g, why, sizeof why), "after typing after colour: %s", why);
    cr_assert_eq(console_fast_draws(c), 2);
}

/* Each chunk fed and drawn in turn, as a pane does; returns the last since. */
static unsigned long feed_each(struct console *m, struct grid *out, unsigned long since, const char *const *chunks)
{
    for (; *chunks; chunks++) {
        console_feed(m, *chunks, strlen(*chunks));
        since = draw(m, out, since);
    }
    return since;
}

Test(console_fast, a_split_escape_sequence_is_not_printed, .init = setup, .fini = teardown)
{
    /* "1m" are the parameters of the SGR begun in the chunk before, not text. */
    static const char *const chunks[] = {"a", "b", "\033[3", "1m", "cd", NULL};
    feed_each(c, &g, draw(c, &g, 0), chunks);
    cr_assert(same_as_walk(c, &g, why, sizeof why), "after a split SGR: %s", why);
}

Test(console_fast, dec_graphics_turn_it_off, .init = setup, .fini = teardown)
{
    /* G0 = DEC special graphics: 'q' is a line. */
    static const char *const chunks[] = {"\033(0", "q", "q", "x", "q", NULL};
    feed_each(c, &g, draw(c, &g, 0), chunks);
    cr_assert(same_as_walk(c, &g, why, sizeof why), "after DEC graphics: %s", why);
    cr_assert_eq(console_fast_draws(c), 0);
}

/* Pieces of guest output that move the pen, the cursor, the character sets,
 * the modes and the parser's state, with plenty of plain text between. */
static const char *const pieces[] = {
    "a",
    "bc",
    "def",
    "ghij",
    "klmnopqrstu",
    " ",
    "~",
    "\r\n",
    "\r",
    "\n",
    "\b",
    "\b \b",
    "\t",
    "\a",
    "\033[31m",
    "\033[0m",
    "\033[m",
    "\033[1;44m",
    "\033[7m",
    "\033[27m",
    "\033[38;5;200m",
    "\033[48;2;1;2;3m",
    "\033[4m",
    "\033[5G",
    "\033[2;3H",
    "\033[A",
    "\033[B",
    "\033[C",
    "\033[3D",
    "\033[K",
    "\033[1K",
    "\033[2J",
    "\033[J",
    "\033[?5h",
    "\033[?5l",
    "\033[?7l",
    "\033[?7h",
    "\033[?25l",
    "\033[?25h",
    "\033[?1049h",
    "\033[?1049l",
    "\0337",
    "\0338",
    "\033[2;4r",
    "\033[r",
    "\033M",
    "\033D",
    "\033E",
    "\033[2@",
    "\033[P",
    "\033[X",
    "\033[S",
    "\033[T",
    "\033[L",
    "\033[M",
    "\033]0;title\a",
    "\033]2;x\033\\",
    "\033P1$r\033\\",
    "\033Xsos\033\\",
    "\033_apc\033\\",
    "\030",
    "\032",
    "\303\251",
    "\344\275\240",
    "\360\237\230\200",
    "\344\275",
    "\300\257",
    "\340\200\233",
    "\314\201",
    "\033[?2004h",
    "\033[6n",
    "\033[c",
    "\005",
    "\033[999;999H",
    "\033[0;0r",
    "\177",
    "\033",
    "[",
    "]",
    "\033[",
    "31",
    "m",
    "\033]",
    "\007",
    /* From here on: what turns the fast path off for good (SHIFTING). */
    "\033[4h",
    "\033[4l",
    "\033(0",
    "\033(B",
    "\016",
    "\017",
    "\033N",
    "\033O",
    "\033n",
    "\033c",
    "\033[!p",
    "\033[61\"p",
    "\033[12l",
    "\033[20h",
    "\302\233"
    "1m",
    "\302\216",
    "\302\217",
};
#define SHIFTING 18

static unsigned long long rng = 88172645463325252ull;
static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

Test(console_fast, random_streams_equal_a_full_walk, .timeout = 60)
{
    static struct grid rg;
    unsigned long fast = 0;
    size_t npieces = sizeof pieces / sizeof pieces[0];
    for (int run = 0; run < 300; run++) {
        struct console *m = console_new(W, H, 5);
        /* One run in three may meet what turns the fast path off. */
        size_t limit = run % 3 ? npieces - SHIFTING : npieces;
        memset(&rg, 0, sizeof rg);
        unsigned long since = draw(m, &rg, 0);
        char chunk[256];
        for (int step = 0; step < 200; step++) {
            /* Mostly typing; now and then output of any kind, split anywhere. */
            size_t n = 0;
            int k = 1 + (int)(next_rand() % 4);
            for (int i = 0; i < k; i++) {
                const char *p = next_rand() % 3 ? pieces[next_rand() % 14] : pieces[next_rand() % limit];
                size_t len = strlen(p);
                if (n + len > sizeof chunk)
                    break;
                memcpy(chunk + n, p, len);
                n += len;
            }
            size_t cut = n > 1 && next_rand() % 4 == 0 ? next_rand() % n : n;
            console_feed(m, chunk, cut);
            if (next_rand() % 2)
                since = draw(m, &rg, since);
            console_feed(m, chunk + cut, n - cut);
            since = draw(m, &rg, since);
            if (next_rand() % 50 == 0) {
                console_key(m, 'a'); /* keys may echo locally (SRM) */
                const char *d;
                console_consume(m, console_pending(m, &d));
                since = draw(m, &rg, since);
            }
            cr_assert(same_as_walk(m, &rg, why, sizeof why), "after a random chunk: %s", why);
        }
        fast += console_fast_draws(m);
        console_free(m);
    }
    cr_assert_gt(fast, 500, "the fast path was taken only %lu times", fast);
}
