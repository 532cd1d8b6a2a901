/* tests/fuzz/fuzz_console.c: libFuzzer target for "guest bytes -> screen -> draw".
 *
 * Whatever a guest writes to its console goes through libtsm (backends/console.c)
 * and is then drawn by views/console.c into a canvas (the cells a client paints). This target feeds hostile
 * bytes through that whole path and aborts on anything that breaks the promises
 * in backends/console.h and views/console.h:
 *
 *   - console_draw walks exactly cols x rows cells, each once, in range, with
 *     width <= 2, a short symbol and no C0/C1 control code point;
 *   - colours are CONSOLE_COLOUR_DEFAULT, 0..15 or CONSOLE_COLOUR_RGB|0xRRGGBB;
 *   - the outbound queue (bytes to the guest) holds only libtsm's standard
 *     replies: CSI [0-9;?>]* (c|n|R) — DA, DA2, DSR, CPR — and ACK for ENQ.
 *     Never a title report, an OSC, a DCS answer or a stray ESC;
 *   - the cursor and the scroll position stay in range;
 *   - a renderer that keeps its copy of the screen with console_draw_since
 *     (the echo fast path included) always holds what a full walk shows;
 *   - the pane draws nothing outside its rect and puts no control character
 *     into a canvas cell.
 *
 * Input layout (see tests/fuzz/README.md): inputs of at least HDR bytes start with
 * a header that picks the chunk split points and the operations; the rest is
 * the guest's bytes. Shorter inputs are all guest bytes with a zero header.
 *
 *   h[0], h[1]  chunk split points (fractions of the payload, /256)
 *   h[2]        operations: 1 resize, 2 scroll up, 4 scroll down, 8 search,
 *               16 marker, 32 key, 64 draw the pane after the first chunk too,
 *               128 scroll reset at the end
 *   h[3], h[4]  resize to 1 + h[3] % MAX_COLS columns x 1 + h[4] % MAX_ROWS rows
 *               (at least 2 columns unless FUZZ_CONSOLE_KNOWN=1)
 *   h[5]        scroll amount (up: h[5] % 64, down: h[5] / 4)
 *   h[6]..h[9]  the pane's rect in the COLS0 x ROWS0 canvas (y, x, h, w; at
 *               least 2 columns wide unless FUZZ_CONSOLE_KNOWN=1)
 *   h[10]       colour (% 3: 0 monochrome, else colour), key selector (/ 4)
 *   h[11]       search needle: length 1 + h[11] % 8, taken from the payload
 *
 * The model is reset per input (console_reset: as new, so every crash
 * reproduces from its input alone; FUZZ_CONSOLE_FRESH=1 makes a new one
 * instead, to rule the reset out); FUZZ_CONSOLE_KEEP=N in the environment keeps one model for N
 * inputs instead, to let scrollback and modes accumulate (crashes found that
 * way may need the whole corpus run to reproduce).
 */
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/console.h"
#include "keymaps/key.h"
#include "views/console.h"
#include "views/theme.h"
#include "views/canvas.h"
#include "views/view.h"

/* The client's screen and the model's first size: small, because every
 * check walks all of it (80x24 cost 2.5x more per input, and finds nothing
 * more: the edges, wide characters at them and wrapping are all here). */
#define COLS0 48
#define ROWS0 16
#define SB_LINES 40     /* a search walks the screen once per line back */
/* Resizes stay below this: every walk is cols x rows, and libtsm does the
 * same on 90 columns as on 200 (a 200x100 screen made walks 10x dearer). */
#define MAX_COLS 90
#define MAX_ROWS 30
#define HDR 12
/* libtsm keeps at most 10 code points per cell (base + combining marks). */
#define SYMBOL_MAX 10
/* console.c's cap on the outbound queue. */
#define OUTBOUND_MAX (1024 * 1024)

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz_console: invariant failed: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

/* FUZZ_CONSOLE_STRICT=1 adds checks for known, non-memory-safety findings
 * (tests/fuzz/README.md): surrogates and code points beyond U+10FFFF in a
 * cell; the scroll position out of step with libtsm's; a failed search that
 * does not return to where it started. Off by default so that the fuzzer keeps
 * looking for new things instead of finding these again. */
static bool strict;
/* The crashes kept in tests/fuzz/crashes/ are fixed (console.c keeps the model
 * at least 2 columns wide and ignores empty writes), so the fuzzer goes there
 * by default; FUZZ_CONSOLE_KNOWN=0 steers around them, as it once had to:
 *   - 1-column screens (libtsm: insert mode + wide character overflows);
 *   - keys that are Unicode noncharacters (console.c: NULL + 0 in on_vte_write). */
static bool known;

/* ---- the client's screen ---- */

static struct canvas *screen;

/* ASan's quarantine (256 MiB by default) keeps every freed block from reuse
 * so that a late use is caught; an input here frees well under a MiB, so
 * 32 MiB still covers many inputs back, while every allocation no longer
 * lands on fresh pages (their faults were about a fifth of the time).
 * ASAN_OPTIONS still overrides it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=32";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8")) {
        fprintf(stderr, "fuzz_console: no C.UTF-8 locale\n");
        exit(1);
    }
    const char *e = getenv("FUZZ_CONSOLE_STRICT");
    strict = e && *e == '1';
    e = getenv("FUZZ_CONSOLE_KNOWN");
    known = !(e && *e == '0');
    screen = canvas_new(ROWS0, COLS0, true);
    if (!screen)
        abort();
    return 0;
}

/* ---- invariants ---- */

static bool control_cp(uint32_t c)
{
    return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

static bool valid_colour(int32_t c)
{
    if (c == CONSOLE_COLOUR_DEFAULT)
        return true;
    if (c >= 0 && c < 16)
        return true;
    return (c & ~0xffffff) == CONSOLE_COLOUR_RGB;
}

struct copy;
static void compare_with_copy(const struct copy *k, unsigned x, unsigned y, const uint32_t *ch, size_t len,
                              unsigned width, const struct console_attr *attr);

struct check_ctx {
    unsigned cols, rows;
    size_t cells;
    unsigned char *seen;
    const struct copy *copy;   /* also compare each cell with this copy, or NULL */
};

static void check_cell(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width,
                       const struct console_attr *attr, void *opaque)
{
    struct check_ctx *k = opaque;
    CHECK(x < k->cols && y < k->rows, "cell (%u,%u) outside %ux%u", x, y, k->cols, k->rows);
    CHECK(!k->seen[(size_t)y * k->cols + x], "cell (%u,%u) drawn twice", x, y);
    k->seen[(size_t)y * k->cols + x] = 1;
    k->cells++;
    CHECK(width <= 2, "cell (%u,%u) width %u", x, y, width);
    CHECK(len <= SYMBOL_MAX, "cell (%u,%u) has %zu code points", x, y, len);
    CHECK(len == 0 || ch != NULL, "cell (%u,%u) len %zu but no ch", x, y, len);
    for (size_t i = 0; i < len; i++) {
        CHECK(!control_cp(ch[i]), "cell (%u,%u) holds control U+%04X at %zu", x, y,
              (unsigned)ch[i], i);
        /* libtsm 4.0.2's UTF-8 decoder lets surrogates and code points up to
         * U+1FFFFF through (tests/fuzz/README.md); views/console.c turns them
         * into '?'. FUZZ_CONSOLE_STRICT=1 makes them failures. */
        if (strict)
            CHECK(ch[i] <= 0x10ffff && !(ch[i] >= 0xd800 && ch[i] <= 0xdfff),
                  "cell (%u,%u) holds U+%X, not a Unicode scalar value", x, y, (unsigned)ch[i]);
    }
    CHECK(valid_colour(attr->fg) && valid_colour(attr->bg), "cell (%u,%u) colours %#x/%#x", x, y,
          (unsigned)attr->fg, (unsigned)attr->bg);
    if (k->copy)
        compare_with_copy(k->copy, x, y, ch, len, width, attr);
}

/* Grown as needed and kept: a calloc per walk of a large screen costs a
 * mmap, page faults and a munmap under ASan (most of an iteration once). */
static unsigned char *seen_buf;
static size_t seen_cap;

static unsigned char *seen_for(size_t cells)
{
    if (cells > seen_cap) {
        free(seen_buf);
        seen_buf = malloc(cells);
        if (!seen_buf)
            abort();
        seen_cap = cells;
    }
    memset(seen_buf, 0, cells);
    return seen_buf;
}

/* One walk checks every cell (and compares it with copy, if not NULL). */
static void check_model_copy(struct console *c, const struct copy *copy)
{
    struct check_ctx k = { console_cols(c), console_rows(c), 0, NULL, copy };
    CHECK(k.cols >= 1 && k.rows >= 1, "model is %ux%u", k.cols, k.rows);
    k.seen = seen_for((size_t)k.cols * k.rows);
    console_draw(c, check_cell, &k);
    CHECK(k.cells == (size_t)k.cols * k.rows, "draw walked %zu cells of %ux%u", k.cells, k.cols,
          k.rows);
    unsigned x, y;
    /* x == cols is libtsm's pending-wrap state (a full line, autowrap or not);
     * the pane hides the cursor then (consoleview_cursor is checked strictly). */
    if (console_cursor(c, &x, &y))
        CHECK(x <= k.cols + 1 && y < k.rows, "cursor (%u,%u) outside %ux%u", x, y, k.cols, k.rows);
    CHECK(console_scrolled(c) <= SB_LINES, "scrolled %u > %u", console_scrolled(c), SB_LINES);
}

static void check_model(struct console *c)
{
    check_model_copy(c, NULL);
}

static void hash_cell(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width,
                      const struct console_attr *attr, void *opaque)
{
    unsigned long *h = opaque;
    for (size_t i = 0; i < len; i++)
        *h = (*h ^ ch[i]) * 1099511628211UL;
    *h = (*h ^ (x * 131u + y * 7919u + width)) * 1099511628211UL;
}

static unsigned long screen_text_hash(struct console *c)
{
    unsigned long h = 14695981039346656037UL;
    console_draw(c, hash_cell, &h);
    return h;
}

/* Only libtsm's standard replies may go back to the guest: ESC [ then digits,
 * ';', '?' or '>' and a final c (DA), n (DSR) or R (CPR). And one more that
 * the fuzzer found libtsm sends: ACK (0x06) as the answerback to ENQ (0x05)
 * (tests/fuzz/crashes/README.md); a guest only talks to itself with it. */
static bool reply_ok(const char *p, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        *bad = i;
        if (p[i] == '\x06') {
            i++;
            continue;
        }
        if (n - i < 3 || p[i] != '\033' || p[i + 1] != '[')
            return false;
        size_t s = i += 2;
        while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == ';' || p[i] == '?' || p[i] == '>'))
            i++;
        if (i >= n || i - s > 32 || (p[i] != 'c' && p[i] != 'n' && p[i] != 'R'))
            return false;
        i++;
    }
    return true;
}

static void check_replies(struct console *c)
{
    const char *data;
    size_t n = console_pending(c, &data), bad = 0;
    CHECK(n <= OUTBOUND_MAX, "outbound queue %zu bytes", n);
    if (!reply_ok(data, n, &bad)) {
        fprintf(stderr, "fuzz_console: outbound queue (%zu bytes), bad at %zu:", n, bad);
        for (size_t i = bad; i < n && i < bad + 64; i++)
            fprintf(stderr, " %02x", (unsigned char)data[i]);
        fputc('\n', stderr);
        fail("the guest got bytes that are not a DA/DSR/CPR reply");
    }
    console_consume(c, n);
    CHECK(console_pending(c, &data) == 0, "queue not empty after consume");
}

/* ---- a renderer's copy, kept with console_draw_since ---- */

struct copy_cell {
    uint32_t ch[SYMBOL_MAX];
    size_t len;
    unsigned width;
    struct console_attr attr;
};

struct copy {
    unsigned cols, rows;
    unsigned long since;
    struct copy_cell *cells;
};

static void set_copy_cell(struct copy_cell *cell, const uint32_t *ch, size_t len, unsigned width,
                          const struct console_attr *attr)
{
    cell->len = len > SYMBOL_MAX ? SYMBOL_MAX : len;
    if (cell->len)
        memcpy(cell->ch, ch, cell->len * sizeof *ch);
    cell->width = width;
    cell->attr = *attr;
}

static void copy_put(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width,
                     const struct console_attr *attr, void *opaque)
{
    struct copy *k = opaque;
    if (x >= k->cols || y >= k->rows)
        return;   /* check_model reports it */
    set_copy_cell(&k->cells[(size_t)y * k->cols + x], ch, len, width, attr);
}

static bool same_copy_cell(const struct copy_cell *a, const struct copy_cell *b)
{
    return a->len == b->len && a->width == b->width && !memcmp(a->ch, b->ch, a->len * sizeof a->ch[0]) &&
           a->attr.fg == b->attr.fg && a->attr.bg == b->attr.bg && a->attr.bold == b->attr.bold &&
           a->attr.underline == b->attr.underline && a->attr.inverse == b->attr.inverse &&
           a->attr.blink == b->attr.blink && a->attr.italic == b->attr.italic;
}

static struct copy follower;

static void compare_with_copy(const struct copy *k, unsigned x, unsigned y, const uint32_t *ch, size_t len,
                              unsigned width, const struct console_attr *attr)
{
    struct copy_cell want;
    set_copy_cell(&want, ch, len, width, attr);
    CHECK(same_copy_cell(&k->cells[(size_t)y * k->cols + x], &want),
          "cell (%u,%u) of the incremental copy differs from a walk", x, y);
}

/* Bring the copy up to date the way the pane does, then check the model with
 * one walk that also compares each cell with the copy. A draw from nothing
 * (since 0) is that walk already: nothing to compare. */
static void follow(struct console *c)
{
    struct copy *k = &follower;
    if (k->cols != console_cols(c) || k->rows != console_rows(c) || !k->cells) {
        free(k->cells);
        k->cols = console_cols(c);
        k->rows = console_rows(c);
        k->cells = calloc((size_t)k->cols * k->rows, sizeof *k->cells);
        if (!k->cells)
            abort();
        k->since = 0;
    }
    bool from_nothing = k->since == 0;
    k->since = console_draw_since(c, k->since, copy_put, k);
    if (!from_nothing)
        check_model_copy(c, k);
}

/* ---- the pane ---- */

struct desc { char title[80], badge[40]; };

static void describe(void *opaque, char *title, size_t tlen, char *badge, size_t blen)
{
    struct desc *d = opaque;
    snprintf(title, tlen, "%s", d->title);
    snprintf(badge, blen, "%s", d->badge);
}

#define SENTINEL '#'

/* Every cell of the screen SENTINEL, before each pane draw. */
static void fill_sentinel(void)
{
    struct cell c = canvas_blank(screen, UI_NORMAL);
    c.ch = SENTINEL;
    for (int y = 0; y < ROWS0; y++)
        for (int x = 0; x < COLS0; x++)
            canvas_set(screen, y, x, &c);
}

static void check_pane(struct rect r)
{
    for (int y = 0; y < ROWS0; y++) {
        for (int x = 0; x < COLS0; x++) {
            const struct cell *c = canvas_at(screen, y, x);
            bool inside = y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w;
            if (!inside) {
                CHECK(c->ch == SENTINEL, "pane %dx%d+%d+%d drew U+%04X at (%d,%d) outside it",
                      r.w, r.h, r.x, r.y, (unsigned)c->ch, x, y);
                continue;
            }
            CHECK(!control_cp(c->ch) || c->ch == 0, "control U+%04X in cell (%d,%d)", (unsigned)c->ch, x, y);
            CHECK(!c->comb || !control_cp(c->comb), "control U+%04X combined in cell (%d,%d)",
                  (unsigned)c->comb, x, y);
            CHECK(c->width <= 2, "cell (%d,%d) width %u", x, y, c->width);
            CHECK(c->width != 2 || x + 1 < r.x + r.w, "wide cell (%d,%d) spills out of the pane", x, y);
        }
    }
    canvas_clean(screen);
}

static bool same_width(unsigned model, unsigned want)
{
    return model == want || (want == 1 && model == 2);
}

static void draw_pane(struct view *view, struct console *c, struct rect r)
{
    fill_sentinel();
    consoleview_invalidate(view);
    view_draw(view, screen, r);
    check_pane(r);
    int cy, cx;
    if (consoleview_cursor(view, &cy, &cx))
        CHECK(cy > r.y && cy < r.y + r.h && cx >= r.x && cx < r.x + r.w,
              "pane cursor (%d,%d) outside body of %dx%d+%d+%d", cx, cy, r.w, r.h, r.x, r.y);
    /* The model follows the pane (when the pane has a body); a 1-column pane
     * may keep a 2-column model (the guard suggested in crashes/README.md). */
    if (r.h > 1)
        CHECK(same_width(console_cols(c), (unsigned)r.w) && console_rows(c) == (unsigned)(r.h - 1),
              "model %ux%u after drawing a %dx%d pane", console_cols(c), console_rows(c), r.w,
              r.h);
    /* Unchanged: the second draw is skipped and must not disturb anything. */
    unsigned long age = console_age(c);
    view_draw(view, screen, r);
    CHECK(console_age(c) == age, "an unchanged redraw changed the model");
    CHECK(!canvas_changed(screen), "an unchanged redraw changed cells");
    check_model(c);
}

/* ---- keys ---- */

static const key_code keys[] = {
    KEYC_UP, KEYC_DOWN, KEYC_LEFT, KEYC_RIGHT, KEYC_HOME, KEYC_END, KEYC_PPAGE, KEYC_NPAGE,
    KEYC_IC, KEYC_DC, KEYC_BSPACE, KEYC_BTAB, KEYC_F1, KEYC_F5, KEYC_F12, '\r', '\t', '\033',
    'a', 'a' | KEYC_CTRL, 'x' | KEYC_META, '@' | KEYC_CTRL, '?' | KEYC_CTRL, 0xe9, 0x4e2d,
    KEYC_UP | KEYC_SHIFT, KEYC_UP | KEYC_CTRL, KEYC_LEFT | KEYC_META, KEYC_F3 | KEYC_SHIFT,
    KEYC_WHEELUP, KEYC_MOUSE1, KEYC_NONE,
};
#define NKEYS (sizeof keys / sizeof keys[0])

static bool noncharacter(uint32_t cp)
{
    return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

static key_code pick_key(uint8_t sel, const uint8_t *p, size_t n)
{
    if (sel < NKEYS)
        return keys[sel];
    /* Otherwise a code point from the payload with some modifiers. */
    uint32_t cp = n ? p[0] : 'k';
    if (n >= 3)
        cp = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    cp &= 0x1fffff;
    if (!known && noncharacter(cp))
        cp = 0xfffd;   /* crashes/ubsan-key-noncharacter */
    return cp | ((uint32_t)(sel & 7) << 29);
}

/* ---- the target ---- */

static struct console *model;
static unsigned long model_uses, keep_for;
/* FUZZ_CONSOLE_FRESH=1: a new model per input instead of a reset one. */
static bool fresh;

static void take_str(char *out, size_t outlen, const uint8_t *p, size_t n)
{
    size_t k = n < outlen - 1 ? n : outlen - 1;
    memcpy(out, p, k);
    out[k] = '\0';   /* may be shorter: an embedded NUL ends it */
}

static struct rect pane_rect(const uint8_t *h)
{
    struct rect r;
    r.y = h[6] % ROWS0;
    r.h = 1 + h[8] % (ROWS0 - r.y);
    if (known) {
        r.x = h[7] % COLS0;
        r.w = 1 + h[9] % (COLS0 - r.x);
    } else {
        /* At least 2 columns: crashes/libtsm-irm-wide-1col. */
        r.x = h[7] % (COLS0 - 1);
        r.w = 2 + h[9] % (COLS0 - 1 - r.x);
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t h[HDR] = { 0 };
    const uint8_t *p = data;
    size_t n = size;
    if (size >= HDR) {
        memcpy(h, data, HDR);
        p += HDR;
        n -= HDR;
    }

    if (!keep_for) {
        const char *e = getenv("FUZZ_CONSOLE_KEEP");
        keep_for = e && atol(e) > 0 ? (unsigned long)atol(e) : 1;
        e = getenv("FUZZ_CONSOLE_FRESH");
        fresh = e && *e == '1';
    }
    if (!model) {
        model = console_new(COLS0, ROWS0, SB_LINES);
        if (!model)
            abort();
        model_uses = 0;
    }
    struct console *c = model;
    canvas_set_colour(screen, h[10] % 3 != 0);

    struct desc d;
    take_str(d.title, sizeof d.title, p, n);
    take_str(d.badge, sizeof d.badge, n > 40 ? p + n - 40 : p, n > 40 ? 40 : n);
    /* A fresh pane per input, as when the app opens a console. */
    struct view *pane = consoleview_new(c, describe, &d);
    if (!pane)
        abort();

    size_t s1 = (size_t)h[0] * n / 256, s2 = (size_t)h[1] * n / 256;
    if (s1 > s2) {
        size_t t = s1;
        s1 = s2;
        s2 = t;
    }
    uint8_t ops = h[2];
    struct rect r = pane_rect(h);

    /* Chunk 1. */
    check_replies(c);
    follower.since = 0;   /* a renderer new to this input */
    follow(c);
    console_feed(c, (const char *)p, s1);
    check_replies(c);
    follow(c);
    if (ops & 64)
        draw_pane(pane, c, r);

    if (ops & 1) {
        unsigned cols = 1 + h[3] % MAX_COLS, rows = 1 + h[4] % MAX_ROWS;
        if (cols < 2 && !known)
            cols = 2;   /* crashes/libtsm-irm-wide-1col */
        CHECK(console_resize(c, cols, rows) == 0, "resize to %ux%u failed", cols, rows);
        CHECK(same_width(console_cols(c), cols) && console_rows(c) == rows, "resize to %ux%u gave %ux%u",
              cols, rows, console_cols(c), console_rows(c));
        check_model(c);
    }

    /* Chunk 2. */
    console_feed(c, (const char *)p + s1, s2 - s1);
    check_replies(c);
    follow(c);

    if (ops & 2) {
        console_scroll(c, h[5] % 64);
        check_model(c);
    }
    if ((ops & 8) && n > 0) {
        char needle[9];
        size_t len = 1 + h[11] % 8, off = (size_t)h[11] * n / 256;
        if (off + len > n)
            len = n - off;
        take_str(needle, sizeof needle, p + off, len);
        unsigned before = console_scrolled(c);
        int rc = console_search(c, needle);
        CHECK(rc == 0 || rc == -1, "search returned %d", rc);
        if (rc == 0)
            CHECK(console_scrolled(c) > before, "search found '%s' without scrolling", needle);
        else if (strict)
            CHECK(console_scrolled(c) == before, "failed search moved from %u to %u", before,
                  console_scrolled(c));
        check_model(c);
    }
    if (ops & 16) {
        char text[48];
        take_str(text, sizeof text, p + s1, n - s1);
        console_marker(c, text);
        check_replies(c);
    }

    /* Chunk 3. */
    console_feed(c, (const char *)p + s2, n - s2);
    check_replies(c);
    follow(c);
    if (follower.since == 0)
        check_model(c);

    if (ops & 4) {
        console_scroll(c, -(int)(h[5] / 4));
        /* And the pane's own scroll commands (the keys bound in "console"). */
        static const char *const cmds[] = { "scroll-up", "scroll-down", "page-up",
                                            "page-down", "scroll-reset", "no-such" };
        char err[128];
        const char *cmd = cmds[h[11] % (sizeof cmds / sizeof cmds[0])];
        int rc = view_command(pane, cmd, 0, NULL, err, sizeof err);
        CHECK(rc == (strcmp(cmd, "no-such") ? 0 : 1), "view_command(%s) = %d", cmd, rc);
    }
    if (ops & 32) {
        /* A typed key: its encoding goes out too (and, in local echo mode,
         * back into the screen); drain it like the app does. */
        const char *q;
        console_key(c, pick_key(h[10] / 4, p, n));
        if (n > 0 || known)   /* 0 bytes: the same NULL + 0 as a noncharacter key */
            console_send(c, (const char *)p, n < 4 ? n : 4);
        console_consume(c, console_pending(c, &q));
    }
    if (ops & 128) {
        console_scroll_reset(c);
        CHECK(console_scrolled(c) == 0, "scroll reset left %u", console_scrolled(c));
    }
    if (strict && console_scrolled(c) == 0) {
        /* Not scrolled back, so returning to live output changes nothing. */
        unsigned long live = screen_text_hash(c);
        console_scroll_reset(c);
        CHECK(screen_text_hash(c) == live, "scrolled() is 0 but the screen was scrolled back");
    }

    draw_pane(pane, c, r);

    consoleview_set_model(pane, NULL);
    view_free(pane);
    if (++model_uses >= keep_for) {
        if (fresh) {
            console_free(model);
            model = NULL;
        } else {
            /* As new (tests/unit/test_console_reset.c checks that it is),
             * without libtsm's allocations: a sixth of an iteration once.
             * Here, not at the next input's start: what this input made is
             * freed in it, and libFuzzer's leak check (a rerun under LSan of
             * every input with more mallocs than frees) stays idle. */
            CHECK(console_reset(model, COLS0, ROWS0) == 0, "console_reset failed");
            model_uses = 0;
        }
        free(follower.cells);
        follower.cells = NULL;
    } else {
        /* Kept for the next input: leave the queue empty for its validator. */
        const char *q;
        console_consume(c, console_pending(c, &q));
    }
    return 0;
}
