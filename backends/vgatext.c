/* backends/vgatext.c: framebuffer -> cells: exact glyph recognition for VGA text mode and the Linux framebuffer console, half blocks for graphics. */
#include "backends/vgatext.h"
#include "backends/vgafont.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_H      16
#define MAX_COLS    512         /* a text grid beyond this is not a console */
#define MAX_ROWS    256
#define MAX_OUT_COLS 512        /* pixel mode: the pane, capped */
#define MAX_OUT_ROWS 256
#define MAX_DAMAGE  64          /* more rectangles than this: re-match all */
#define NEAR_MAX    6           /* pixels of 128 a near glyph may differ by */
#define HASH_SIZE   8192        /* power of two, > 2 x the glyphs */
#define HALF_BLOCK  0x2580u
/* The cursor blinks (QEMU redraws its cell each ~133 ms): it is gone when its
 * cell was read this many times in a row without it. */
#define CURSOR_MISSES 3
#define PAL_CACHE   64          /* power of two */
#define RGB(p)      ((p) & 0xFFFFFFu)

/* QEMU's VGA palette (and the Linux console's default one). */
static const uint32_t vga_palette[16] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

/* A 16-row bitmap as two words: rows 0-7 in hi (row 0 the top byte), 8-15 in lo. */
struct bits { uint64_t hi, lo; };

struct glyph {
    struct bits b;
    uint32_t cp;
    unsigned ink;               /* pixels set */
};

struct rect { unsigned x, y, w, h; };

/* One reading of a cell: glyph g drawn fg on bg (-1: a colour the pixels do
 * not show, as the foreground of a blank cell). */
struct reading { int g; int fg, bg; unsigned ink; };

#define CELL_UNKNOWN   1
#define CELL_AMBIGUOUS 2

/* Cells and the indices the last frame changed. */
struct grid {
    unsigned cols, rows;
    struct vgatext_cell *cells;
    uint32_t *changed;
    unsigned nchanged;
};

struct vgatext {
    const struct vgafont *font;
    struct glyph *glyphs;
    unsigned nglyph;
    uint16_t *order;            /* glyph indices, preferred readings first */
    uint16_t *by_ink;           /* glyph indices by ink count, then preference */
    unsigned ink_start[130];    /* by_ink[ink_start[k]..] have ink k */
    uint16_t hash[HASH_SIZE];   /* glyph index + 1; 0 empty */

    struct rect dmg[MAX_DAMAGE];
    unsigned ndmg;
    bool dmg_all;

    unsigned fw, fh;            /* the framebuffer size last seen */
    unsigned cw;                /* text cell width (8 or 9); 0: no text geometry */
    struct grid text;
    uint8_t *flags;             /* per text cell: CELL_UNKNOWN, CELL_AMBIGUOUS */
    unsigned nunknown;
    uint32_t *stamp;            /* per text cell: the frame that last read it */
    uint32_t frame_no;
    struct ambiguous { uint32_t i; struct reading r[2]; } *amb;
    size_t namb;                /* waiting for pass two of this frame */
    struct grid pix;
    bool pix_valid;

    uint32_t pal_rgb[PAL_CACHE];   /* colour | bit 31 (valid) */
    uint8_t pal_idx[PAL_CACHE];

    enum vgatext_mode mode;
    bool all_changed;           /* the last frame changed mode or geometry */
    bool cursor_seen;
    unsigned cur_x, cur_y;
    unsigned cursor_misses;     /* reads of the cursor's cell without it since */
    char desc[64];
};

static unsigned popcount(struct bits b)
{
    return (unsigned)(__builtin_popcountll(b.hi) + __builtin_popcountll(b.lo));
}

static struct bits bits_not(struct bits b)
{
    return (struct bits){ ~b.hi, ~b.lo };
}

static bool bits_eq(struct bits a, struct bits b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

/* Rows 0..k-1 set (k in 0..16). */
static struct bits rows_mask(unsigned k)
{
    struct bits m;
    m.hi = k >= 8 ? ~0ull : k == 0 ? 0 : ~0ull << (8 * (8 - k));
    m.lo = k <= 8 ? 0 : k >= 16 ? ~0ull : ~0ull << (8 * (16 - k));
    return m;
}

static unsigned hash_of(struct bits b)
{
    uint64_t h = b.hi * 0x9E3779B97F4A7C15ull ^ (b.lo + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
    return (unsigned)(h >> 40) & (HASH_SIZE - 1);
}

static int lookup(const struct vgatext *t, struct bits b)
{
    for (unsigned i = hash_of(b), n = 0; n < HASH_SIZE; i = (i + 1) & (HASH_SIZE - 1), n++) {
        unsigned g = t->hash[i];
        if (!g)
            return -1;
        if (bits_eq(t->glyphs[g - 1].b, b))
            return (int)g - 1;
    }
    return -1;
}

/* Which reading of a shared bitmap wins: the VGA font's printable ASCII (so
 * NUL and NBSP read as space), its upper half, its controls' symbols, then
 * the glyphs of added fonts. */
static int glyph_rank(unsigned i, uint32_t cp)
{
    if (i >= 256)
        return 3;
    if (cp >= 0x20 && cp < 0x7F)
        return 0;
    if (i >= 0x80 && i < 0xFF)
        return 1;
    return 2;
}

static int build_glyphs(struct vgatext *t)
{
    unsigned n = vgafont_count(t->font), k = 0;

    if (n > HASH_SIZE / 2)
        n = HASH_SIZE / 2;
    if (!n)
        return 0;
    t->glyphs = calloc(n, sizeof *t->glyphs);
    t->order = calloc(n, sizeof *t->order);
    t->by_ink = calloc(n, sizeof *t->by_ink);
    if (!t->glyphs || !t->order || !t->by_ink)
        return -1;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *bm = vgafont_bitmap(t->font, i);
        struct glyph *g = &t->glyphs[i];
        for (unsigned r = 0; r < 8; r++) {
            g->b.hi = g->b.hi << 8 | bm[r];
            g->b.lo = g->b.lo << 8 | bm[8 + r];
        }
        g->cp = vgafont_codepoint(t->font, i);
        g->ink = popcount(g->b);
    }
    t->nglyph = n;
    for (int rank = 0; rank <= 3; rank++)
        for (unsigned i = 0; i < n; i++) {
            if (glyph_rank(i, t->glyphs[i].cp) != rank)
                continue;
            t->order[k++] = (uint16_t)i;
            if (lookup(t, t->glyphs[i].b) >= 0)
                continue;               /* a better reading owns this bitmap */
            unsigned h = hash_of(t->glyphs[i].b);
            while (t->hash[h])
                h = (h + 1) & (HASH_SIZE - 1);
            t->hash[h] = (uint16_t)(i + 1);
        }
    /* counting sort of the preference order by ink */
    for (unsigned i = 0; i < n; i++)
        t->ink_start[t->glyphs[i].ink + 1]++;
    for (unsigned k = 1; k < 130; k++)
        t->ink_start[k] += t->ink_start[k - 1];
    unsigned fill[129];
    memcpy(fill, t->ink_start, sizeof fill);
    for (unsigned j = 0; j < n; j++)
        t->by_ink[fill[t->glyphs[t->order[j]].ink]++] = t->order[j];
    return 0;
}

struct vgatext *vgatext_new(const struct vgafont *font)
{
    struct vgatext *t = calloc(1, sizeof *t);

    if (!t)
        return NULL;
    t->font = font;
    if (build_glyphs(t) < 0) {
        vgatext_free(t);
        return NULL;
    }
    snprintf(t->desc, sizeof t->desc, "no frame");
    return t;
}

static void grid_free(struct grid *g)
{
    free(g->cells);
    free(g->changed);
    memset(g, 0, sizeof *g);
}

static int grid_alloc(struct grid *g, unsigned cols, unsigned rows)
{
    size_t n = (size_t)cols * rows;

    grid_free(g);
    if (!n)
        return 0;
    g->cells = calloc(n, sizeof *g->cells);
    g->changed = calloc(n, sizeof *g->changed);
    if (!g->cells || !g->changed) {
        grid_free(g);
        return -1;
    }
    g->cols = cols;
    g->rows = rows;
    return 0;
}

void vgatext_free(struct vgatext *t)
{
    if (!t)
        return;
    grid_free(&t->text);
    grid_free(&t->pix);
    free(t->flags);
    free(t->amb);
    free(t->stamp);
    free(t->glyphs);
    free(t->order);
    free(t->by_ink);
    free(t);
}

void vgatext_damage(struct vgatext *t, unsigned x, unsigned y, unsigned w, unsigned h)
{
    if (!t || !w || !h)
        return;
    if (t->ndmg == MAX_DAMAGE) {
        t->dmg_all = true;
        return;
    }
    t->dmg[t->ndmg++] = (struct rect){ x, y, w, h };
}

static int palette_nearest(uint32_t rgb)
{
    int best = 0;
    long bestd = -1;

    for (int i = 0; i < 16; i++) {
        long dr = (long)(rgb >> 16) - (long)(vga_palette[i] >> 16);
        long dg = (long)(rgb >> 8 & 0xFF) - (long)(vga_palette[i] >> 8 & 0xFF);
        long db = (long)(rgb & 0xFF) - (long)(vga_palette[i] & 0xFF);
        long d = dr * dr + dg * dg + db * db;
        if (d == 0)
            return i;
        if (bestd < 0 || d < bestd) {
            bestd = d;
            best = i;
        }
    }
    return best;
}

/* Palette index of a pixel colour, through a small cache: a screen has few
 * colours, and QEMU's 6-bit DAC ones (0xA8A8A8) are never exact. */
static int palette_index(struct vgatext *t, uint32_t rgb)
{
    unsigned k = (rgb ^ rgb >> 8 ^ rgb >> 16) & (PAL_CACHE - 1);

    if (t->pal_rgb[k] != (rgb | 0x80000000u)) {
        t->pal_rgb[k] = rgb | 0x80000000u;
        t->pal_idx[k] = (uint8_t)palette_nearest(rgb);
    }
    return t->pal_idx[k];
}

/* Of two readings of the same pixels (a glyph or its inverse), the one a VGA
 * console most likely drew when nothing around says otherwise: a background
 * it can show with blink on (0..7), then the darker background, then less ink. */
static bool better(const struct reading *a, const struct reading *b)
{
    int abg = a->bg < 0 ? 0 : a->bg, bbg = b->bg < 0 ? 0 : b->bg;

    if (b->g < 0)
        return a->g >= 0;
    if (a->g < 0)
        return false;
    if ((abg <= 7) != (bbg <= 7))
        return abg <= 7;
    if (a->fg >= 0 && b->fg >= 0 && abg != bbg)
        return abg < bbg;
    return a->ink < b->ink;
}

/* Rows s..e (inclusive) set. */
static struct bits band_mask(unsigned s, unsigned e)
{
    struct bits hi = rows_mask(e + 1), lo = rows_mask(s);
    return (struct bits){ hi.hi & ~lo.hi, hi.lo & ~lo.lo };
}

/* The glyph under a cursor: QEMU draws the VGA cursor as full rows in the
 * foreground colour (Linux's underline: rows 13-14 of 16), fbcon inverts
 * them. Each band of full foreground rows is tried as the cursor: the glyph
 * blank there (hash), else any glyph that matches outside the band. */
static bool match_cursor(const struct vgatext *t, const uint8_t rows[CELL_H], struct bits m,
                         int a, int b, struct reading *out)
{
    if (b < 0)
        return false;
    for (int pol = 0; pol < 2; pol++) {
        /* pol 0: the foreground is b (set bits); pol 1: it is a (the corner colour) */
        struct bits want = pol ? bits_not(m) : m;
        uint8_t full = pol ? 0x00 : 0xFF;
        for (int e = CELL_H - 1; e >= 0; e--) {
            if (rows[e] != full)
                continue;
            int s = e;
            while (s > 0 && rows[s - 1] == full)
                s--;
            struct bits band = band_mask((unsigned)s, (unsigned)e);
            struct bits cleared = { want.hi & ~band.hi, want.lo & ~band.lo };
            int g = lookup(t, cleared);
            for (unsigned j = 0; g < 0 && j < t->nglyph; j++) {
                const struct glyph *gl = &t->glyphs[t->order[j]];
                if (!((gl->b.hi ^ want.hi) & ~band.hi) && !((gl->b.lo ^ want.lo) & ~band.lo))
                    g = t->order[j];
            }
            if (g >= 0) {
                out->g = g;
                out->fg = pol ? a : b;
                out->bg = pol ? b : a;
                out->ink = t->glyphs[g].ink;
                return true;
            }
            e = s;
        }
    }
    return false;
}

/* The glyph nearest to m or its inverse, within NEAR_MAX pixels. Only glyphs
 * whose ink count is within NEAR_MAX of the cell's (or of its inverse's) can
 * be that near: the by-ink index gives just those. */
static bool match_near(const struct vgatext *t, struct bits m, int a, int b, struct reading *out)
{
    unsigned bestd = NEAR_MAX + 1, ink = popcount(m);
    bool inv = false;
    int best = -1;

    if (b < 0)
        return false;
    for (int pol = 0; pol < 2; pol++) {
        unsigned want = pol ? 128 - ink : ink;
        unsigned lo = want > NEAR_MAX ? want - NEAR_MAX : 0, hi = want + NEAR_MAX > 128 ? 128 : want + NEAR_MAX;
        struct bits q = pol ? bits_not(m) : m;
        for (unsigned j = t->ink_start[lo]; j < t->ink_start[hi + 1]; j++) {
            unsigned gi = t->by_ink[j];
            const struct glyph *g = &t->glyphs[gi];
            unsigned d = (unsigned)(__builtin_popcountll(g->b.hi ^ q.hi) + __builtin_popcountll(g->b.lo ^ q.lo));
            if (d < bestd) {
                bestd = d;
                best = (int)gi;
                inv = pol;
            }
        }
    }
    if (best < 0)
        return false;
    out->g = best;
    out->fg = inv ? a : b;
    out->bg = inv ? b : a;
    out->ink = t->glyphs[best].ink;
    return true;
}

/* What the pixels of one text cell can be. */
struct cands {
    int n;                      /* 0 unknown, 1 one reading, 2 a glyph and its inverse */
    struct reading r[2];        /* r[0] the context-free favourite */
    bool cursor;
    int bg;                     /* the top-left colour, for the placeholder */
};

/* Read text cell (cx, cy): two colours at most, binarised, looked up. */
static void match_cell(struct vgatext *t, const uint32_t *fb, unsigned stride, unsigned cx, unsigned cy,
                       struct cands *c)
{
    const uint32_t *p = fb + (size_t)cy * CELL_H * stride + (size_t)cx * t->cw;
    uint32_t ca = RGB(p[0]), cb = ca;
    bool have_b = false;
    uint8_t rows[CELL_H];
    struct bits m = { 0, 0 };

    c->n = 0;
    c->cursor = false;
    c->bg = palette_index(t, ca);
    /* Binarise against the corner's colour; only the first 8 columns (the
     * 9th carries nothing). A third colour means this is no text. */
    unsigned third = 0;
    for (unsigned y = 0; y < CELL_H; y++, p += stride) {
        unsigned bits = 0;
        for (unsigned x = 0; x < 8; x++) {
            uint32_t px = RGB(p[x]);
            if (px == ca)
                continue;
            if (!have_b) {
                cb = px;
                have_b = true;
            }
            third |= px != cb;
            bits |= 0x80u >> x;
        }
        rows[y] = (uint8_t)bits;
        if (y < 8)
            m.hi = m.hi << 8 | bits;
        else
            m.lo = m.lo << 8 | bits;
    }
    if (third)
        return;                                 /* a third colour: not text */
    int a = c->bg, b = have_b ? palette_index(t, cb) : -1;
    struct reading r = { lookup(t, m), b, a, popcount(m) };
    struct reading r2 = { lookup(t, bits_not(m)), a, b, 128 - popcount(m) };

    if (better(&r2, &r)) {
        struct reading tmp = r;
        r = r2;
        r2 = tmp;
    }
    if (r.g >= 0) {
        c->r[0] = r;
        c->r[1] = r2;
        c->n = r2.g >= 0 ? 2 : 1;
        return;
    }
    if (match_cursor(t, rows, m, a, b, &c->r[0])) {
        c->cursor = true;
        c->n = 1;
    } else if (match_near(t, m, a, b, &c->r[0])) {
        c->n = 1;
    }
}

static bool cell_eq(const struct vgatext_cell *a, const struct vgatext_cell *b)
{
    return a->ch == b->ch && a->attr.fg == b->attr.fg && a->attr.bg == b->attr.bg &&
           a->attr.bold == b->attr.bold && a->attr.underline == b->attr.underline &&
           a->attr.inverse == b->attr.inverse && a->attr.blink == b->attr.blink &&
           a->attr.italic == b->attr.italic;
}

/* Store a cell; remember it as changed when it is. */
static void grid_set(struct grid *g, size_t i, const struct vgatext_cell *c)
{
    if (cell_eq(&g->cells[i], c))
        return;
    g->cells[i] = *c;
    if (g->nchanged < (size_t)g->cols * g->rows)
        g->changed[g->nchanged++] = (uint32_t)i;
}

static void set_text(struct vgatext *t, size_t i, const struct reading *r)
{
    struct vgatext_cell c;

    memset(&c, 0, sizeof c);
    c.ch = t->glyphs[r->g].cp;
    c.attr.fg = r->fg < 0 ? 7 : r->fg;
    c.attr.bg = r->bg < 0 ? 0 : r->bg;
    grid_set(&t->text, i, &c);
}

/* Pass one: every cell of the rectangle that has one reading (or none) is
 * stored; the ambiguous ones wait for their neighbours. */
static void rematch(struct vgatext *t, const uint32_t *fb, unsigned stride,
                    unsigned x0, unsigned y0, unsigned x1, unsigned y1)
{
    for (unsigned y = y0; y < y1; y++)
        for (unsigned x = x0; x < x1; x++) {
            size_t i = (size_t)y * t->text.cols + x;
            struct cands c;
            bool was_unknown = t->flags[i] & CELL_UNKNOWN;

            if (t->stamp[i] == t->frame_no)
                continue;                       /* overlapping damage: read once */
            t->stamp[i] = t->frame_no;

            match_cell(t, fb, stride, x, y, &c);
            if (was_unknown != (c.n == 0))
                t->nunknown += c.n == 0 ? 1u : (unsigned)-1;
            t->flags[i] = c.n == 0 ? CELL_UNKNOWN : c.n == 2 ? CELL_AMBIGUOUS : 0;
            if (c.cursor) {
                t->cursor_seen = true;
                t->cur_x = x;
                t->cur_y = y;
                t->cursor_misses = 0;
            } else if (t->cursor_seen && x == t->cur_x && y == t->cur_y &&
                       ++t->cursor_misses >= CURSOR_MISSES) {
                t->cursor_seen = false;         /* not blinking: hidden */
            }
            if (c.n == 0) {
                struct vgatext_cell u;
                memset(&u, 0, sizeof u);
                u.ch = VGATEXT_PLACEHOLDER;
                u.attr.fg = 7;
                u.attr.bg = c.bg;
                grid_set(&t->text, i, &u);
            } else if (c.n == 1) {
                set_text(t, i, &c.r[0]);
            } else if (t->namb < (size_t)t->text.cols * t->text.rows) {
                t->amb[t->namb].i = (uint32_t)i;
                t->amb[t->namb].r[0] = c.r[0];
                t->amb[t->namb].r[1] = c.r[1];
                t->namb++;
            }
        }
}

/* Pass two: a glyph that is also another glyph's inverse (space and full
 * block, upper and lower half) is read with the background of the
 * unambiguous cells beside it, above or below. */
static void resolve_ambiguous(struct vgatext *t)
{
    unsigned cols = t->text.cols, rows = t->text.rows;

    for (size_t k = 0; k < t->namb; k++) {
        size_t i = t->amb[k].i;
        unsigned x = (unsigned)(i % cols), y = (unsigned)(i / cols);
        struct reading *r = t->amb[k].r, pick = r[0];
        const size_t nb[4] = {
            x > 0 ? i - 1 : SIZE_MAX, x + 1 < cols ? i + 1 : SIZE_MAX,
            y > 0 ? i - cols : SIZE_MAX, y + 1 < rows ? i + cols : SIZE_MAX,
        };
        bool decided = false;
        int nfg = -1, nbg = -1;

        for (int j = 0; j < 4 && !decided; j++) {
            if (nb[j] == SIZE_MAX || t->flags[nb[j]])
                continue;
            const struct vgatext_cell *n = &t->text.cells[nb[j]];
            if (nbg < 0) {
                nbg = n->attr.bg;
                nfg = n->attr.fg;
            }
            for (int q = 0; q < 2 && !decided; q++)
                if (r[q].bg == n->attr.bg) {
                    pick = r[q];
                    decided = true;
                }
        }
        /* One colour only: a blank on it, or a full block on the neighbours' background. */
        if (!decided && nbg >= 0 && r[0].fg < 0 && r[1].bg < 0)
            pick = r[1];
        else if (!decided && nbg >= 0 && r[1].fg < 0 && r[0].bg < 0)
            pick = r[0];
        if (pick.fg < 0)
            pick.fg = nfg >= 0 && nfg != pick.bg ? nfg : 7;
        if (pick.bg < 0)
            pick.bg = nbg >= 0 && nbg != pick.fg ? nbg : 0;
        set_text(t, i, &pick);
    }
    t->namb = 0;
}

/* A new framebuffer size: the text grid it implies, if any. */
static void set_geometry(struct vgatext *t, unsigned w, unsigned h)
{
    unsigned cw = (w == 720 || w == 360) ? 9 : 8;   /* VGA's 9-dot modes */
    unsigned cols = w / cw, rows = h / CELL_H;

    t->fw = w;
    t->fh = h;
    t->cw = 0;
    t->cursor_seen = false;
    t->nunknown = 0;
    free(t->flags);
    free(t->amb);
    free(t->stamp);
    t->flags = NULL;
    t->amb = NULL;
    t->stamp = NULL;
    t->namb = 0;
    grid_free(&t->text);
    if (!cols || !rows || cols > MAX_COLS || rows > MAX_ROWS || !t->nglyph)
        return;
    if (grid_alloc(&t->text, cols, rows) < 0 || !(t->flags = calloc((size_t)cols * rows, 1)) ||
        !(t->amb = calloc((size_t)cols * rows, sizeof *t->amb)) ||
        !(t->stamp = calloc((size_t)cols * rows, sizeof *t->stamp))) {
        grid_free(&t->text);
        return;
    }
    t->cw = cw;
}

/* The average colour of source pixels [x0,x1) x [y0,y1): every pixel of a
 * small area, a 4x4 sample of a large one (bounded work per cell). */
static uint32_t average(const uint32_t *fb, unsigned stride, unsigned x0, unsigned x1, unsigned y0, unsigned y1)
{
    unsigned nx = x1 - x0, ny = y1 - y0, sx = nx > 4 ? 4 : nx, sy = ny > 4 ? 4 : ny;
    uint64_t r = 0, g = 0, b = 0, n = (uint64_t)sx * sy;

    for (unsigned j = 0; j < sy; j++) {
        unsigned y = y0 + (unsigned)(((uint64_t)(2 * j + 1) * ny) / (2 * sy));
        const uint32_t *row = fb + (size_t)y * stride;
        for (unsigned i = 0; i < sx; i++) {
            uint32_t p = row[x0 + (unsigned)(((uint64_t)(2 * i + 1) * nx) / (2 * sx))];
            r += p >> 16 & 0xFF;
            g += p >> 8 & 0xFF;
            b += p & 0xFF;
        }
    }
    return (uint32_t)((r + n / 2) / n) << 16 | (uint32_t)((g + n / 2) / n) << 8 | (uint32_t)((b + n / 2) / n);
}

/* Source span [lo, hi) that output pixel i of n covers in a size of len. */
static void span(unsigned i, unsigned n, unsigned len, unsigned *lo, unsigned *hi)
{
    *lo = (unsigned)((uint64_t)i * len / n);
    *hi = (unsigned)((uint64_t)(i + 1) * len / n);
    if (*hi <= *lo)
        *hi = *lo + 1;
    if (*hi > len)
        *hi = len;
    if (*lo >= *hi)
        *lo = *hi - 1;
}

/* The whole screen as half blocks: top pixel fg, bottom pixel bg. */
static void render_pixels(struct vgatext *t, const uint32_t *fb, unsigned w, unsigned h, unsigned stride)
{
    struct grid *g = &t->pix;

    for (unsigned oy = 0; oy < g->rows; oy++) {
        unsigned ty0, ty1, by0, by1;
        span(2 * oy, 2 * g->rows, h, &ty0, &ty1);
        span(2 * oy + 1, 2 * g->rows, h, &by0, &by1);
        for (unsigned ox = 0; ox < g->cols; ox++) {
            unsigned x0, x1;
            struct vgatext_cell c;
            span(ox, g->cols, w, &x0, &x1);
            memset(&c, 0, sizeof c);
            c.ch = HALF_BLOCK;
            c.attr.fg = (int32_t)(CONSOLE_COLOUR_RGB | average(fb, stride, x0, x1, ty0, ty1));
            c.attr.bg = (int32_t)(CONSOLE_COLOUR_RGB | average(fb, stride, x0, x1, by0, by1));
            grid_set(g, (size_t)oy * g->cols + ox, &c);
        }
    }
}

static void no_frame(struct vgatext *t)
{
    set_geometry(t, 0, 0);
    grid_free(&t->pix);
    t->pix_valid = false;
    t->all_changed = t->mode != VGATEXT_NONE;
    t->mode = VGATEXT_NONE;
    snprintf(t->desc, sizeof t->desc, "no frame");
}

enum vgatext_mode vgatext_frame(struct vgatext *t, const uint32_t *fb, unsigned w, unsigned h,
                                unsigned stride, unsigned out_cols, unsigned out_rows)
{
    enum vgatext_mode was;
    bool resized, damaged;

    if (!t)
        return VGATEXT_NONE;
    was = t->mode;
    t->text.nchanged = t->pix.nchanged = 0;
    t->all_changed = false;
    damaged = t->ndmg > 0 || t->dmg_all;
    if (!fb || !w || !h || stride < w) {
        t->ndmg = 0;
        t->dmg_all = false;
        no_frame(t);
        return t->mode;
    }
    resized = w != t->fw || h != t->fh;
    if (resized)
        set_geometry(t, w, h);

    if (t->cw) {
        if (++t->frame_no == 0) {               /* wrapped: no stale stamp may match */
            memset(t->stamp, 0, (size_t)t->text.cols * t->text.rows * sizeof *t->stamp);
            t->frame_no = 1;
        }
        if (resized || t->dmg_all) {
            rematch(t, fb, stride, 0, 0, t->text.cols, t->text.rows);
        } else {
            for (unsigned i = 0; i < t->ndmg; i++) {
                const struct rect *d = &t->dmg[i];
                uint64_t xe = (uint64_t)d->x + d->w, ye = (uint64_t)d->y + d->h;
                unsigned x0 = d->x / t->cw, y0 = d->y / CELL_H;
                unsigned x1 = (unsigned)((xe + t->cw - 1) / t->cw), y1 = (unsigned)((ye + CELL_H - 1) / CELL_H);
                if (x1 > t->text.cols)
                    x1 = t->text.cols;
                if (y1 > t->text.rows)
                    y1 = t->text.rows;
                if (x0 < x1 && y0 < y1)
                    rematch(t, fb, stride, x0, y0, x1, y1);
            }
        }
        resolve_ambiguous(t);
    }
    t->ndmg = 0;
    t->dmg_all = false;

    /* Text while nearly every cell is a glyph; a graphics screen otherwise. */
    if (t->cw && (size_t)t->nunknown * 4 <= (size_t)t->text.cols * t->text.rows) {
        t->mode = VGATEXT_TEXT;
        snprintf(t->desc, sizeof t->desc, "text %ux%u (%ux%u)", t->text.cols, t->text.rows, t->cw, CELL_H);
    } else {
        unsigned oc = out_cols > MAX_OUT_COLS ? MAX_OUT_COLS : out_cols;
        unsigned orows = out_rows > MAX_OUT_ROWS ? MAX_OUT_ROWS : out_rows;
        bool regrid = oc != t->pix.cols || orows != t->pix.rows || !t->pix_valid;
        if (regrid) {
            t->pix_valid = grid_alloc(&t->pix, oc, orows) == 0;
            if (!t->pix_valid)
                grid_free(&t->pix);
        }
        if (regrid || resized || damaged || was != VGATEXT_PIXELS)
            render_pixels(t, fb, w, h, stride);
        if (regrid)
            t->all_changed = true;
        t->mode = VGATEXT_PIXELS;
        snprintf(t->desc, sizeof t->desc, "pixels %ux%u", w, h);
    }
    if (t->mode != was || resized)
        t->all_changed = true;
    return t->mode;
}

enum vgatext_mode vgatext_mode(const struct vgatext *t)
{
    return t ? t->mode : VGATEXT_NONE;
}

static const struct grid *current(const struct vgatext *t)
{
    if (!t)
        return NULL;
    return t->mode == VGATEXT_TEXT ? &t->text : t->mode == VGATEXT_PIXELS ? &t->pix : NULL;
}

unsigned vgatext_cols(const struct vgatext *t)
{
    const struct grid *g = current(t);
    return g ? g->cols : 0;
}

unsigned vgatext_rows(const struct vgatext *t)
{
    const struct grid *g = current(t);
    return g ? g->rows : 0;
}

const struct vgatext_cell *vgatext_cell(const struct vgatext *t, unsigned x, unsigned y)
{
    const struct grid *g = current(t);

    if (!g || x >= g->cols || y >= g->rows)
        return NULL;
    return &g->cells[(size_t)y * g->cols + x];
}

void vgatext_walk_changed(const struct vgatext *t, vgatext_cell_fn fn, void *opaque)
{
    const struct grid *g = current(t);

    if (!g || !fn || !g->cells)
        return;
    if (t->all_changed) {
        for (unsigned y = 0; y < g->rows; y++)
            for (unsigned x = 0; x < g->cols; x++)
                fn(x, y, &g->cells[(size_t)y * g->cols + x], opaque);
        return;
    }
    for (unsigned i = 0; i < g->nchanged; i++)
        fn(g->changed[i] % g->cols, g->changed[i] / g->cols, &g->cells[g->changed[i]], opaque);
}

bool vgatext_cursor(const struct vgatext *t, unsigned *x, unsigned *y)
{
    if (!t || t->mode != VGATEXT_TEXT || !t->cursor_seen)
        return false;
    if (x)
        *x = t->cur_x;
    if (y)
        *y = t->cur_y;
    return true;
}

unsigned vgatext_unknown(const struct vgatext *t)
{
    return t ? t->nunknown : 0;
}

const char *vgatext_describe(const struct vgatext *t)
{
    return t ? t->desc : "";
}

/* ---- the text, for the line watcher ---- */

/* A cell's character as text: controls (a terminal would act on C1 ones),
 * surrogates and what is no character are blanks. */
static uint32_t text_cp(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff)
        return ' ';
    return cp;
}

int vgatext_bottom_line(const struct vgatext_cell *cells, unsigned cols, unsigned rows, char *out, size_t outlen,
                        uint64_t *hash)
{
    uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a over the characters */
    int bottom = -1;
    size_t n = cells ? (size_t)cols * rows : 0, len = 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t cp = text_cp(cells[i].ch);
        h = (h ^ cp) * 0x100000001b3ull;
        if (cp != ' ')
            bottom = (int)(i / cols);
    }
    if (hash)
        *hash = h | 1;
    if (!outlen)
        return bottom;
    for (unsigned x = 0; bottom >= 0 && x < cols; x++) {
        char u8[4];
        size_t k = utf8_encode(text_cp(cells[(size_t)bottom * cols + x].ch), u8);
        if (len + k >= outlen)
            break;
        memcpy(out + len, u8, k);
        len += k;
    }
    while (len && out[len - 1] == ' ')
        len--;
    out[len] = '\0';
    return bottom;
}
