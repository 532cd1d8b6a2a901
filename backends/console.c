/* backends/console.c: the console model on libtsm. Guest bytes go into a libtsm
 * screen and never to the user's terminal; libtsm's replies (DA, DSR, cursor
 * position) and typed keys leave through one outbound queue to the guest. */
#include "backends/console.h"
#include "backends/history.h"
#include "backends/linewatch.h"
#include "util/monotime.h"
#include "backends/vtshadow.h"
#include "keymaps/keysym.h"

#include <libtsm.h>
#include <stdlib.h>
#include <string.h>

/* keymaps/keysym.h promises libtsm's modifier bits; check it here, where both meet. */
_Static_assert(KEYSYM_MOD_SHIFT == TSM_SHIFT_MASK && KEYSYM_MOD_CTRL == TSM_CONTROL_MASK &&
               KEYSYM_MOD_ALT == TSM_ALT_MASK && KEYSYM_MOD_LOCK == TSM_LOCK_MASK,
               "keysym modifier bits must match libtsm's");

/* A guest that floods DSR requests while nobody drains the queue must not
 * grow it without bound; typed keys beyond this are refused (the view says so). */
#define OUTBOUND_MAX (1024 * 1024)

/* libtsm 4.0.2 overflows its line buffer on a 1-column screen in insert mode
 * with a wide character (found by tests/fuzz); panes can be 1 column wide,
 * so the model never is. The view clips what does not fit. */
#define MIN_COLS 2

/* The echo fast path. A typed key's echo is a character or two at the
 * cursor, but tsm_screen_draw walks every cell of the screen to find them
 * (~30 us at 120x40; libtsm has no partial walk): most of virtmux's own share
 * of the echo latency. So when a chunk of guest output can only have printed
 * those characters at the cursor with the current pen, console_draw_since
 * hands out the cells from the bytes themselves. "Can only have" takes: the
 * parser surely in its ground state before (vtshadow), printable ASCII that
 * stays on the cursor's line (no wrap, no insert mode, no character set
 * shift ever), and the pen known: read back at a walk from a cell that such
 * a chunk wrote, and forgotten at the first byte that could change it.
 * tests/unit/test_console.c checks on random streams that what this path
 * hands out always equals a full walk. */
#define FAST_SPANS 8
#define FAST_SPAN_MAX 32

struct fast_span {
    unsigned x, y, n;
    char text[FAST_SPAN_MAX];
};

struct fast {
    struct vtshadow shadow;
    bool pen_known;
    struct console_attr pen;
    bool witness;              /* (wx, wy) was printed with the current pen */
    unsigned wx, wy;
    unsigned long walk_age;    /* what the last walk returned */
    bool dirty;                /* changed beyond the spans since that walk */
    size_t nspans;
    struct fast_span spans[FAST_SPANS];
    unsigned long draws;       /* taken, for tests */
};

/* The scrollback is kept as the bytes that printed it (backends/history.h),
 * at most this much per line; a screen that looks back ("the past") is
 * rebuilt from them when a pane scrolls, and let go when none has for a while. */
#define HISTORY_BYTES_PER_LINE 160
#define PAST_KEEP_MS 20000

struct console {
    struct tsm_screen *screen;   /* the live screen: no scrollback of its own */
    struct tsm_vte *vte;
    struct history hist;
    struct tsm_screen *past;     /* the history replayed, with its scrollback, or NULL */
    struct tsm_vte *past_vte;
    unsigned long long past_used_ms;
    struct linewatch *lines;     /* fed with the guest's bytes, or NULL */
    const struct watch_patterns *patterns;
    char *out;
    size_t out_len, out_cap;
    unsigned long age;
    unsigned scrolled;
    unsigned sb_max;
    bool full;        /* the next console_draw_since draws everything */
    int watch;        /* byte to look for in guest output, or -1 */
    bool watch_seen;
    bool replaying;   /* the live screen is rebuilt: its replies went out long ago */
    struct fast fast;
};

static void on_vte_write(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
    struct console *c = data;
    /* libtsm encodes some keys (noncharacters) as nothing; out may still be NULL. */
    if (len == 0 || c->replaying || c->out_len + len > OUTBOUND_MAX)
        return;
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 256;
        while (cap < c->out_len + len)
            cap *= 2;
        char *n = realloc(c->out, cap);
        if (!n)
            return;
        c->out = n;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, u8, len);
    c->out_len += len;
}

/* OSC strings (titles, OSC 52 clipboard, OSC 8 links) are swallowed: nothing a
 * guest says there reaches the user's terminal or clipboard. */
static void on_vte_osc(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
}

struct console *console_new(unsigned cols, unsigned rows, unsigned sb_lines)
{
    struct console *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (tsm_screen_new(&c->screen, NULL, NULL) < 0) {
        free(c);
        return NULL;
    }
    if (tsm_vte_new(&c->vte, c->screen, on_vte_write, c, NULL, NULL) < 0) {
        tsm_screen_unref(c->screen);
        free(c);
        return NULL;
    }
    tsm_vte_set_osc_cb(c->vte, on_vte_osc, c);
    c->watch = -1;
    c->sb_max = sb_lines;
    tsm_screen_set_max_sb(c->screen, 0);
    tsm_screen_resize(c->screen, cols < MIN_COLS ? MIN_COLS : cols, rows ? rows : 24);
    return c;
}

static void past_free(struct console *c)
{
    if (!c->past)
        return;
    tsm_vte_unref(c->past_vte);
    /* libtsm 4.0.2 does not free scrollback lines on unref. */
    tsm_screen_clear_sb(c->past);
    tsm_screen_unref(c->past);
    c->past = NULL;
    c->past_vte = NULL;
}

void console_free(struct console *c)
{
    if (!c)
        return;
    past_free(c);
    history_free(&c->hist);
    tsm_vte_unref(c->vte);
    tsm_screen_unref(c->screen);
    free(c->out);
    free(c);
}

int console_reset(struct console *c, unsigned cols, unsigned rows)
{
    past_free(c);
    history_free(&c->hist);
    c->out_len = 0;
    c->scrolled = 0;
    c->watch = -1;
    c->watch_seen = false;
    memset(&c->fast, 0, sizeof c->fast);
    c->full = true;
    c->age++;
    if (tsm_screen_resize(c->screen, cols < MIN_COLS ? MIN_COLS : cols, rows ? rows : 24) < 0)
        return -1;
    /* A hard reset leaves the alternate screen's cells as they were: blank
     * them as libtsm made them (a zeroed pen: black on black) before it. */
    struct tsm_screen_attr zero;
    memset(&zero, 0, sizeof zero);
    tsm_screen_set_flags(c->screen, TSM_SCREEN_ALTERNATE);
    tsm_screen_set_def_attr(c->screen, &zero);
    tsm_screen_erase_screen(c->screen, false);
    tsm_screen_reset_flags(c->screen, TSM_SCREEN_ALTERNATE);
    tsm_vte_hard_reset(c->vte);
    return 0;
}

/* The past answers nobody: its replies to a replayed query went out long ago. */
static void discard_write(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
}

/* A marker line: written straight into a screen with its own attributes,
 * bypassing the parser, so the guest's SGR state is left alone and no
 * escape is possible. */
static void marker_on(struct tsm_screen *screen, struct tsm_vte *vte, const char *text, size_t n)
{
    struct tsm_screen_attr attr;
    tsm_vte_get_def_attr(vte, &attr);
    attr.inverse = 1;
    attr.bold = 1;
    if (tsm_screen_get_cursor_x(screen) != 0)
        tsm_screen_newline(screen);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        tsm_screen_write(screen, ch >= 0x20 && ch < 0x7f ? ch : '?', &attr);
    }
    tsm_screen_newline(screen);
}

struct replay_target {
    struct tsm_screen *screen;
    struct tsm_vte *vte;
};

static void replay(enum history_kind kind, const char *bytes, size_t n, void *opaque)
{
    struct replay_target *t = opaque;
    if (kind == HISTORY_MARKER)
        marker_on(t->screen, t->vte, bytes, n);
    else
        tsm_vte_input(t->vte, bytes, n);
}

/* The screen with the scrollback in it, rebuilt from the history if need be. */
static struct tsm_screen *past(struct console *c)
{
    c->past_used_ms = mono_ms();
    if (c->past)
        return c->past;
    if (tsm_screen_new(&c->past, NULL, NULL) < 0) {
        c->past = NULL;
        return NULL;
    }
    if (tsm_vte_new(&c->past_vte, c->past, discard_write, c, NULL, NULL) < 0) {
        tsm_screen_unref(c->past);
        c->past = NULL;
        return NULL;
    }
    tsm_vte_set_osc_cb(c->past_vte, on_vte_osc, c);
    tsm_screen_set_max_sb(c->past, c->sb_max);
    tsm_screen_resize(c->past, tsm_screen_get_width(c->screen), tsm_screen_get_height(c->screen));
    history_replay(&c->hist, replay, &(struct replay_target){ c->past, c->past_vte });
    return c->past;
}

/* Nobody has looked back for a while: the past goes (the history stays). */
static void past_expire(struct console *c)
{
    if (c->past && !c->scrolled && mono_ms() - c->past_used_ms > PAST_KEEP_MS)
        past_free(c);
}

bool console_expire_past(struct console *c)
{
    past_expire(c);
    return c->past != NULL;
}

static void remember(struct console *c, enum history_kind kind, const char *bytes, size_t n)
{
    if (!c->sb_max)
        return;
    size_t lines = (size_t)c->sb_max + tsm_screen_get_height(c->screen);
    history_add(&c->hist, kind, bytes, n, lines, lines * HISTORY_BYTES_PER_LINE);
}

/* Something changed that the spans do not describe: the next draw walks. */
static void fast_forget(struct console *c)
{
    c->fast.dirty = true;
    c->fast.witness = false;
}

static bool printable_ascii(const char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)bytes[i] < 0x20 || (unsigned char)bytes[i] >= 0x7f)
            return false;
    return true;
}

static void fast_add_span(struct fast *f, unsigned x, unsigned y, const char *bytes, size_t len)
{
    struct fast_span *last = f->nspans ? &f->spans[f->nspans - 1] : NULL;
    if (last && last->y == y && last->x + last->n == x && last->n + len <= FAST_SPAN_MAX) {
        memcpy(last->text + last->n, bytes, len);
        last->n += (unsigned)len;
        return;
    }
    if (f->nspans == FAST_SPANS || len > FAST_SPAN_MAX) {
        f->dirty = true;
        return;
    }
    struct fast_span *sp = &f->spans[f->nspans++];
    sp->x = x;
    sp->y = y;
    sp->n = (unsigned)len;
    memcpy(sp->text, bytes, len);
}

void console_feed(struct console *c, const char *bytes, size_t len)
{
    if (!len)
        return;
    if (c->watch >= 0 && !c->watch_seen && memchr(bytes, c->watch, len))
        c->watch_seen = true;
    struct fast *f = &c->fast;
    bool ground = vtshadow_ground(&f->shadow);
    unsigned x0 = tsm_screen_get_cursor_x(c->screen), y0 = tsm_screen_get_cursor_y(c->screen);
    bool simple = ground && !f->shadow.charset_shifted && !c->scrolled && len <= FAST_SPAN_MAX &&
                  !(tsm_screen_get_flags(c->screen) & TSM_SCREEN_INSERT_MODE) &&
                  x0 + len < tsm_screen_get_width(c->screen) && printable_ascii(bytes, len);
    bool pen_kept = vtshadow_feed(&f->shadow, bytes, len);
    tsm_vte_input(c->vte, bytes, len);
    remember(c, HISTORY_BYTES, bytes, len);
    if (c->lines)
        linewatch_feed(c->lines, c->patterns, bytes, len, mono_ms());
    if (c->past)
        tsm_vte_input(c->past_vte, bytes, len);
    past_expire(c);
    c->age++;
    if (!pen_kept)
        f->pen_known = false;
    if (!simple || tsm_screen_get_cursor_x(c->screen) != x0 + len || tsm_screen_get_cursor_y(c->screen) != y0) {
        fast_forget(c);
        return;
    }
    f->witness = true;
    f->wx = x0 + (unsigned)len - 1;
    f->wy = y0;
    if (f->pen_known)
        fast_add_span(f, x0, y0, bytes, len);
    else
        f->dirty = true;
}

void console_marker(struct console *c, const char *text)
{
    size_t n = strlen(text);
    marker_on(c->screen, c->vte, text, n);
    remember(c, HISTORY_MARKER, text, n);
    if (c->past)
        marker_on(c->past, c->past_vte, text, n);
    c->age++;
    fast_forget(c);
}

bool console_key(struct console *c, key_code k)
{
    /* libtsm sends BS (^H) for BackSpace; Linux ttys (stty erase) expect DEL. */
    if (k == KEYC_BSPACE) {
        console_send(c, "\x7f", 1);
        if (c->scrolled)
            console_scroll_reset(c);
        return true;
    }
    struct keysym_event ev;
    if (!keysym_from_key(k, &ev))
        return false;
    /* No fast_forget: a key changes no cell, except with local echo (SRM
     * reset), whose CSI turned the fast path off for good (vtshadow). */
    bool handled = tsm_vte_handle_keyboard(c->vte, ev.keysym, ev.ascii, ev.mods, ev.unicode);
    if (c->scrolled) {
        c->scrolled = 0; /* libtsm returns to live output on a key */
        c->full = true;
        c->age++;
    }
    return handled;
}

void console_send(struct console *c, const char *bytes, size_t len)
{
    on_vte_write(c->vte, bytes, len, c);
}

size_t console_pending(const struct console *c, const char **data)
{
    *data = c->out;
    return c->out_len;
}

void console_consume(struct console *c, size_t n)
{
    if (n >= c->out_len) {
        c->out_len = 0;
        return;
    }
    memmove(c->out, c->out + n, c->out_len - n);
    c->out_len -= n;
}

void console_watch(struct console *c, int byte)
{
    c->watch = byte;
    c->watch_seen = false;
}

bool console_watch_seen(const struct console *c)
{
    return c->watch_seen;
}

bool console_watching(const struct console *c)
{
    return c->watch >= 0;
}

/* A screen that grows shows what scrolled off it, as a terminal does (a
 * board's 80x24 console opened in a 160x48 pane is full, not 24 lines and
 * blanks), and long lines wrap at the new width: the live screen is made
 * again at its new size from the history. -1 when there is none. */
static int rebuild(struct console *c, unsigned cols, unsigned rows)
{
    if (!c->hist.len)
        return -1;
    struct tsm_screen *screen;
    struct tsm_vte *vte;
    if (tsm_screen_new(&screen, NULL, NULL) < 0)
        return -1;
    if (tsm_vte_new(&vte, screen, on_vte_write, c, NULL, NULL) < 0) {
        tsm_screen_unref(screen);
        return -1;
    }
    tsm_vte_set_osc_cb(vte, on_vte_osc, c);
    tsm_screen_set_max_sb(screen, 0);
    if (tsm_screen_resize(screen, cols, rows) < 0) {
        tsm_vte_unref(vte);
        tsm_screen_unref(screen);
        return -1;
    }
    c->replaying = true;
    history_replay(&c->hist, replay, &(struct replay_target){ screen, vte });
    c->replaying = false;
    tsm_vte_unref(c->vte);
    tsm_screen_unref(c->screen);
    c->screen = screen;
    c->vte = vte;
    c->fast.pen_known = false;
    return 0;
}

int console_resize(struct console *c, unsigned cols, unsigned rows)
{
    if (!cols || !rows)
        return -1;
    if (cols < MIN_COLS)
        cols = MIN_COLS;
    if (cols == tsm_screen_get_width(c->screen) && rows == tsm_screen_get_height(c->screen))
        return 0;
    c->age++;
    fast_forget(c);
    c->full = true;
    /* The past is rebuilt at the new size when a pane looks back again. */
    past_free(c);
    c->scrolled = 0;
    unsigned old_rows = tsm_screen_get_height(c->screen);
    unsigned cx = tsm_screen_get_cursor_x(c->screen), cy = tsm_screen_get_cursor_y(c->screen);
    if (rows > old_rows && rebuild(c, cols, rows) == 0)
        return 0;
    if (rows >= old_rows)
        return tsm_screen_resize(c->screen, cols, rows);
    /* libtsm takes the lines a shorter screen loses from the top, even the
     * ones above the cursor (a prompt on row 2 of a fresh screen would go).
     * As xterm does, only what keeps the cursor on screen goes from the top;
     * the rest (the blank lines below the cursor) from the bottom: shift
     * those down and out first, and put the cursor back after. */
    unsigned diff = old_rows - rows, need = cy + 1 > rows ? cy + 1 - rows : 0;
    tsm_screen_set_margins(c->screen, 0, 0);
    if (diff > need)
        tsm_screen_scroll_down(c->screen, diff - need);
    int rc = tsm_screen_resize(c->screen, cols, rows);
    tsm_screen_move_to(c->screen, cx < cols ? cx : cols - 1, cy - need);
    return rc;
}

unsigned console_cols(const struct console *c)
{
    return tsm_screen_get_width(c->screen);
}

unsigned console_rows(const struct console *c)
{
    return tsm_screen_get_height(c->screen);
}

struct draw_ctx {
    console_cell_fn fn;
    void *opaque;
    bool cursor_shown;
    unsigned cx, cy;
    tsm_age_t since;
    struct fast *learn;   /* read the pen off the witness cell, or NULL */
};

static int32_t colour_of(int8_t code, uint8_t r, uint8_t g, uint8_t b, int default_code)
{
    if (code == default_code || code == TSM_COLOR_FOREGROUND || code == TSM_COLOR_BACKGROUND)
        return CONSOLE_COLOUR_DEFAULT;
    if (code >= 0 && code < 16)
        return code;
    return CONSOLE_COLOUR_RGB | (r << 16) | (g << 8) | b;
}

static int draw_cell(struct tsm_screen *con, uint64_t id, const uint32_t *ch, size_t len,
                     unsigned int width, unsigned int posx, unsigned int posy,
                     const struct tsm_screen_attr *a, tsm_age_t age, void *data)
{
    struct draw_ctx *ctx = data;
    bool witness = ctx->learn && posx == ctx->learn->wx && posy == ctx->learn->wy;
    /* libtsm ages cells as they change (kmscon's renderer skips the same way);
     * age 0 means "unknown, draw it". */
    if (ctx->since && age && age <= ctx->since && !witness)
        return 0;
    struct console_attr attr = {
        .fg = colour_of(a->fccode, a->fr, a->fg, a->fb, TSM_COLOR_FOREGROUND),
        .bg = colour_of(a->bccode, a->br, a->bg, a->bb, TSM_COLOR_BACKGROUND),
        .bold = a->bold, .underline = a->underline, .inverse = a->inverse,
        .blink = a->blink, .italic = a->italic,
    };
    /* libtsm paints the cursor by inverting its cell; the real terminal cursor
     * goes there instead, so undo it (a block cursor would look like no cursor). */
    if (ctx->cursor_shown && posx == ctx->cx && posy == ctx->cy)
        attr.inverse = !attr.inverse;
    if (witness) {
        ctx->learn->pen = attr;
        ctx->learn->pen_known = true;
        if (ctx->since && age && age <= ctx->since)
            return 0;
    }
    ctx->fn(posx, posy, ch, len, width, &attr, ctx->opaque);
    return 0;
}

static unsigned long draw_from(struct console *c, unsigned long since, console_cell_fn fn, void *opaque,
                               struct fast *learn)
{
    struct draw_ctx ctx = { fn, opaque, false, 0, 0, (tsm_age_t)since, learn };
    /* Scrolled back, the past is what shows. */
    struct tsm_screen *scr = c->scrolled && c->past ? c->past : c->screen;
    if (!(tsm_screen_get_flags(scr) & TSM_SCREEN_HIDE_CURSOR)) {
        ctx.cursor_shown = true;
        ctx.cx = tsm_screen_get_cursor_x(scr);
        ctx.cy = tsm_screen_get_cursor_y(scr) + c->scrolled;
    }
    return (unsigned long)tsm_screen_draw(scr, draw_cell, &ctx);
}

void console_draw(struct console *c, console_cell_fn fn, void *opaque)
{
    draw_from(c, 0, fn, opaque, NULL);
}

unsigned long console_draw_since(struct console *c, unsigned long since, console_cell_fn fn, void *opaque)
{
    struct fast *f = &c->fast;
    if (c->full) {
        since = 0;
        c->full = false;
    }
    if (since && since == f->walk_age && !f->dirty && f->nspans && !c->scrolled) {
        /* Only the spans changed since the walk that returned `since`. The
         * next walk starts from the same age, so it hands them out again. */
        for (size_t i = 0; i < f->nspans; i++) {
            const struct fast_span *sp = &f->spans[i];
            for (unsigned k = 0; k < sp->n; k++) {
                uint32_t ch = (unsigned char)sp->text[k];
                /* As tsm_screen_draw does: a space is a blank unless underlined. */
                fn(sp->x + k, sp->y, &ch, ch == ' ' && !f->pen.underline ? 0 : 1, 1, &f->pen, opaque);
            }
        }
        f->nspans = 0;
        f->draws++;
        return since;
    }
    bool learn = f->witness && !f->pen_known && !c->scrolled;
    unsigned long age = draw_from(c, since, fn, opaque, learn ? f : NULL);
    f->walk_age = age;
    f->dirty = false;
    f->nspans = 0;
    return age;
}

unsigned long console_fast_draws(const struct console *c)
{
    return c->fast.draws;
}

unsigned long console_age(const struct console *c)
{
    return c->age;
}

bool console_cursor(const struct console *c, unsigned *x, unsigned *y)
{
    if (c->scrolled || (tsm_screen_get_flags(c->screen) & TSM_SCREEN_HIDE_CURSOR))
        return false;
    *x = tsm_screen_get_cursor_x(c->screen);
    *y = tsm_screen_get_cursor_y(c->screen);
    /* After a full line libtsm parks the cursor one past the last column. */
    unsigned cols = tsm_screen_get_width(c->screen);
    if (*x >= cols)
        *x = cols ? cols - 1 : 0;
    return true;
}

/* ---- cells set directly (VNC text) ---- */

static void tsm_colour(int32_t col, bool fg, int8_t *code, uint8_t *r, uint8_t *g, uint8_t *b)
{
    if (col == CONSOLE_COLOUR_DEFAULT) {
        *code = fg ? TSM_COLOR_FOREGROUND : TSM_COLOR_BACKGROUND;
    } else if (col >= 0 && col < 16) {
        *code = (int8_t)col;
    } else {
        *code = -1;   /* libtsm: < 0 means the rgb fields */
        *r = (uint8_t)(col >> 16);
        *g = (uint8_t)(col >> 8);
        *b = (uint8_t)col;
    }
}

void console_put(struct console *c, unsigned x, unsigned y, uint32_t ch, const struct console_attr *attr)
{
    /* libtsm clamps positions: an out-of-range cell would land on the edge. */
    if (x >= tsm_screen_get_width(c->screen) || y >= tsm_screen_get_height(c->screen))
        return;
    struct tsm_screen_attr a = { 0 };
    tsm_colour(attr->fg, true, &a.fccode, &a.fr, &a.fg, &a.fb);
    tsm_colour(attr->bg, false, &a.bccode, &a.br, &a.bg, &a.bb);
    a.bold = attr->bold;
    a.underline = attr->underline;
    a.inverse = attr->inverse;
    a.blink = attr->blink;
    a.italic = attr->italic;
    /* One narrow cell each: no wrap at the last column, no insert. */
    if (ch < 0x20 || (ch >= 0x7f && ch < 0xa0) || ch > 0x10ffff || tsm_ucs4_get_width(ch) != 1)
        ch = ' ';
    tsm_screen_reset_flags(c->screen, TSM_SCREEN_AUTO_WRAP | TSM_SCREEN_INSERT_MODE | TSM_SCREEN_REL_ORIGIN);
    tsm_screen_move_to(c->screen, x, y);
    tsm_screen_write(c->screen, ch, &a);
    fast_forget(c);
    c->fast.pen_known = false;
    /* A changed cell showing the watched character is the echo of a typed key. */
    if (c->watch >= 0 && ch == (uint32_t)c->watch)
        c->watch_seen = true;
    c->age++;
}

void console_set_cursor(struct console *c, unsigned x, unsigned y, bool visible)
{
    fast_forget(c);
    unsigned w = tsm_screen_get_width(c->screen), h = tsm_screen_get_height(c->screen);
    bool was_hidden = tsm_screen_get_flags(c->screen) & TSM_SCREEN_HIDE_CURSOR;
    if (visible && x < w && y < h) {
        if (was_hidden || tsm_screen_get_cursor_x(c->screen) != x || tsm_screen_get_cursor_y(c->screen) != y)
            c->age++;
        tsm_screen_reset_flags(c->screen, TSM_SCREEN_HIDE_CURSOR);
        tsm_screen_move_to(c->screen, x, y);
    } else {
        if (!was_hidden)
            c->age++;
        tsm_screen_set_flags(c->screen, TSM_SCREEN_HIDE_CURSOR);
    }
}

void console_clear(struct console *c)
{
    fast_forget(c);
    tsm_screen_erase_screen(c->screen, false);
    tsm_screen_move_to(c->screen, 0, 0);
    c->full = true;
    c->age++;
}

/* ---- scrollback ---- */

/* One walk over the visible cells: a hash of the screen and the text of row 0. */
struct look_ctx { unsigned long h; char *text; size_t len, cap; };

static void look_cell(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width,
                      const struct console_attr *a, void *opaque)
{
    struct look_ctx *l = opaque;
    uint32_t cp = len ? ch[0] : ' ';
    l->h = (l->h ^ (cp + x * 131u + y * 7919u)) * 1099511628211UL;
    if (y != 0 || !width || !l->text)
        return;
    char u8[8];
    size_t n = tsm_ucs4_to_utf8(cp, u8);
    if (l->len + n + 1 > l->cap)
        return;
    memcpy(l->text + l->len, u8, n);
    l->len += n;
    l->text[l->len] = '\0';
}

static unsigned long look(struct console *c, char *row0, size_t cap)
{
    struct look_ctx l = { 14695981039346656037UL, row0, 0, cap };
    if (row0 && cap)
        row0[0] = '\0';
    console_draw(c, look_cell, &l);
    return l.h;
}

/* One line further back. libtsm does not say how much scrollback exists: a
 * step that changes nothing on screen means the top (a screenful of identical
 * lines looks the same, a limit of libtsm 4.0.2). */
static bool step_back(struct console *c, unsigned long *hash, char *row0, size_t cap)
{
    struct tsm_screen *p = c->scrolled < c->sb_max ? past(c) : NULL;
    if (!p)
        return false;
    tsm_screen_sb_up(p, 1);
    c->scrolled++;   /* the past shows from the first line back */
    c->full = true;
    unsigned long h = look(c, row0, cap);
    if (h != *hash) {
        *hash = h;
        return true;
    }
    /* The top, or a line like the one below it: stay where it was. */
    c->scrolled--;
    tsm_screen_sb_reset(p);
    if (c->scrolled)
        tsm_screen_sb_up(p, c->scrolled);
    return false;
}

void console_scroll(struct console *c, int lines)
{
    if (lines < 0) {
        unsigned n = (unsigned)-lines > c->scrolled ? c->scrolled : (unsigned)-lines;
        if (c->past)
            tsm_screen_sb_down(past(c), n);
        c->scrolled -= n;
        c->full = true;
    } else {
        unsigned long h = look(c, NULL, 0);
        for (int i = 0; i < lines && step_back(c, &h, NULL, 0); i++)
            ;
    }
    c->age++;
}

void console_scroll_reset(struct console *c)
{
    if (c->past)
        tsm_screen_sb_reset(c->past);
    c->scrolled = 0;
    c->full = true;
    c->age++;
}

void console_view_at(struct console *c, unsigned lines)
{
    if (lines == c->scrolled) {
        if (lines)
            c->past_used_ms = mono_ms();
        return;
    }
    struct tsm_screen *p = lines ? past(c) : c->past;
    if (lines && !p)
        return;   /* out of memory: stay live */
    if (p) {
        tsm_screen_sb_reset(p);
        if (lines)
            tsm_screen_sb_up(p, lines);
    }
    c->scrolled = lines;
    c->full = true;
    c->age++;
    past_expire(c);
}

void console_set_lines(struct console *c, struct linewatch *w, const struct watch_patterns *p)
{
    c->lines = w;
    c->patterns = p;
}

size_t console_history_bytes(const struct console *c)
{
    return c->hist.cap;
}

bool console_has_past(const struct console *c)
{
    return c->past != NULL;
}

unsigned console_scrolled(const struct console *c)
{
    return c->scrolled;
}

int console_search(struct console *c, const char *text)
{
    if (!*text)
        return -1;
    unsigned start = c->scrolled;
    char line[4096];
    unsigned long h = look(c, NULL, 0);
    /* Scroll back one line at a time and look at the line that appears on top. */
    while (step_back(c, &h, line, sizeof line)) {
        if (strstr(line, text)) {
            c->age++;
            return 0;
        }
    }
    console_scroll_reset(c);
    if (start)
        console_scroll(c, (int)start);
    return -1;
}

/* ---- the text of it all ---- */

struct rows_ctx { char **rows; size_t *len; unsigned nrows; size_t cap; };

static void rows_cell(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width,
                      const struct console_attr *a, void *opaque)
{
    struct rows_ctx *r = opaque;
    if (y >= r->nrows || !width)
        return;
    char u8[8];
    size_t n = tsm_ucs4_to_utf8(len ? ch[0] : ' ', u8);
    if (r->len[y] + n + 1 > r->cap)
        return;
    memcpy(r->rows[y] + r->len[y], u8, n);
    r->len[y] += n;
    r->rows[y][r->len[y]] = '\0';
}

static void emit(char *line, console_line_fn fn, void *opaque)
{
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = '\0';
    fn(line, opaque);
}

int console_text(struct console *c, unsigned max_back, console_line_fn fn, void *opaque)
{
    unsigned start = c->scrolled;
    bool had_past = c->past != NULL;
    console_view_at(c, 0);
    /* Lines above the screen, newest first: what row 0 shows one step back each. */
    size_t n = 0, cap = 0;
    char **above = NULL;
    char line[4096];
    unsigned long h = look(c, NULL, 0);
    while (n < max_back && step_back(c, &h, line, sizeof line)) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            char **na = realloc(above, nc * sizeof *na);
            if (!na)
                break;
            above = na;
            cap = nc;
        }
        if (!(above[n] = strdup(line)))
            break;
        n++;
    }
    console_view_at(c, 0);
    for (size_t i = n; i-- > 0;) {
        emit(above[i], fn, opaque);
        free(above[i]);
    }
    free(above);
    unsigned rows = console_rows(c);
    struct rows_ctx r = { calloc(rows, sizeof *r.rows), calloc(rows, sizeof *r.len), rows, 4 * console_cols(c) + 8 };
    int rc = r.rows && r.len ? 0 : -1;
    for (unsigned y = 0; rc == 0 && y < rows; y++)
        if (!(r.rows[y] = calloc(1, r.cap)))
            rc = -1;
    if (rc == 0) {
        console_draw(c, rows_cell, &r);
        for (unsigned y = 0; y < rows; y++)
            emit(r.rows[y], fn, opaque);
    }
    for (unsigned y = 0; r.rows && y < rows; y++)
        free(r.rows[y]);
    free(r.rows);
    free(r.len);
    console_view_at(c, start);
    /* A capture looked back once: its past (up to ~30 MiB of cells for
     * 10,000 lines) is not kept, nor fed with every byte that follows. */
    if (!had_past && !c->scrolled)
        past_free(c);
    return rc;
}
