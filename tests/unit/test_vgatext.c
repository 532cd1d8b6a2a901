/* test_vgatext.c: the VNC text recogniser on framebuffers drawn from the real VGA font and on real QEMU screendumps. */
#include "testutil.h"

#include <limits.h>
#include <stdarg.h>
#include <unistd.h>
#include <zlib.h>

#include "backends/linewatch.h"
#include "backends/vgafont.h"
#include "backends/vgatext.h"

static const uint32_t pal[16] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

static struct vgafont *font;

static void setup(void)
{
    char err[256] = "";
    font = vgafont_load(NULL, err, sizeof err);
    cr_assert_not_null(font, "font: %s", err);
}

static void teardown(void)
{
    vgafont_free(font);
    font = NULL;
}

/* An exactly sized framebuffer: (h-1)*stride + w pixels, so ASan sees any
 * read past what the contract allows. */
static uint32_t *fb_new(unsigned w, unsigned h, unsigned stride, uint32_t fill)
{
    size_t n = h ? (size_t)(h - 1) * stride + w : 0;
    uint32_t *fb = malloc(n ? n * sizeof *fb : 1);
    cr_assert_not_null(fb);
    for (size_t i = 0; i < n; i++)
        fb[i] = fill;
    return fb;
}

/* Glyph g at text cell (cx, cy) the way QEMU's VGA draws it: 8 columns from
 * the font, the 9th (cw 9) background, or a copy of the 8th for 0xC0-0xDF. */
static void draw(uint32_t *fb, unsigned stride, unsigned cw, unsigned cx, unsigned cy, unsigned g, uint32_t fg,
                 uint32_t bg)
{
    const uint8_t *bm = vgafont_bitmap(font, g);
    for (unsigned y = 0; y < 16; y++) {
        uint32_t *row = fb + (size_t)(cy * 16 + y) * stride + cx * cw;
        for (unsigned x = 0; x < 8; x++)
            row[x] = bm[y] & (0x80 >> x) ? fg : bg;
        if (cw == 9)
            row[8] = g >= 0xC0 && g <= 0xDF && (bm[y] & 1) ? fg : bg;
    }
}

static bool glyph_blank(unsigned g)
{
    const uint8_t *bm = vgafont_bitmap(font, g);
    for (int y = 0; y < 16; y++)
        if (bm[y])
            return false;
    return true;
}

static uint32_t expect_cp(unsigned g)
{
    return glyph_blank(g) ? 0x20 : vgafont_codepoint(font, g);
}

static const struct vgatext_cell *cell(struct vgatext *t, unsigned x, unsigned y)
{
    const struct vgatext_cell *c = vgatext_cell(t, x, y);
    cr_assert_not_null(c, "cell %u,%u", x, y);
    return c;
}

/* What a helper read back from a screen it drew: the geometry the recogniser
 * settled on, cells it matched to no glyph, and cells read wrong (the first
 * one described). The test bodies assert on it. */
struct readback {
    char desc[64];
    unsigned unknown, misread;
    char first[160];
};

static void misread(struct readback *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void misread(struct readback *r, const char *fmt, ...)
{
    if (r->misread++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->first, sizeof r->first, fmt, ap);
        va_end(ap);
    }
}

/* Every glyph of the font, cell i = glyph i % 256, fg on bg, in a w x 400
 * screen of w / cw x 25 cells. */
static struct readback all_glyphs(unsigned w, unsigned cw, uint32_t fg, uint32_t bg, int fgi, int bgi)
{
    unsigned cols = w / cw, rows = 25;
    uint32_t *fb = fb_new(w, 400, w, bg);
    struct vgatext *t = vgatext_new(font);
    struct readback r = {.first = ""};

    cr_assert_not_null(t);
    for (unsigned i = 0; i < cols * rows; i++)
        draw(fb, w, cw, i % cols, i / cols, i % 256, fg, bg);
    vgatext_frame(t, fb, w, 400, w, 80, 24);
    snprintf(r.desc, sizeof r.desc, "%s", vgatext_describe(t));
    r.unknown = vgatext_unknown(t);
    for (unsigned i = 0; i < cols * rows; i++) {
        unsigned g = i % 256;
        const struct vgatext_cell *c = vgatext_cell(t, i % cols, i / cols);
        if (!c)
            misread(&r, "glyph 0x%02x: no cell %u,%u", g, i % cols, i / cols);
        else if (c->ch != expect_cp(g))
            misread(&r, "glyph 0x%02x: read U+%04X, want U+%04X", g, c->ch, expect_cp(g));
        else if (c->attr.bg != bgi)
            misread(&r, "glyph 0x%02x: bg %d, want %d", g, c->attr.bg, bgi);
        else if (!glyph_blank(g) && c->attr.fg != fgi)
            misread(&r, "glyph 0x%02x: fg %d, want %d", g, c->attr.fg, fgi);
    }
    vgatext_free(t);
    free(fb);
    return r;
}

static const struct {
    int fg, bg;
} pairs[] = {
    {7, 0}, {15, 1}, {0, 7}, {14, 4}, {10, 0}, {12, 6}, {9, 3},
};

Test(vgatext, every_glyph_9_wide_vga_text, .init = setup, .fini = teardown)
{
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        struct readback r = all_glyphs(720, 9, pal[pairs[p].fg], pal[pairs[p].bg], pairs[p].fg, pairs[p].bg);
        cr_assert_str_eq(r.desc, "text 80x25 (9x16)", "fg %d bg %d", pairs[p].fg, pairs[p].bg);
        cr_assert_eq(r.unknown, 0, "fg %d bg %d: %u unknown cells", pairs[p].fg, pairs[p].bg, r.unknown);
        cr_assert_eq(r.misread, 0, "fg %d bg %d: %u cells misread, first %s", pairs[p].fg, pairs[p].bg, r.misread,
                     r.first);
    }
}

Test(vgatext, every_glyph_8_wide_vga_text, .init = setup, .fini = teardown)
{
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        struct readback r = all_glyphs(640, 8, pal[pairs[p].fg], pal[pairs[p].bg], pairs[p].fg, pairs[p].bg);
        cr_assert_str_eq(r.desc, "text 80x25 (8x16)", "fg %d bg %d", pairs[p].fg, pairs[p].bg);
        cr_assert_eq(r.unknown, 0, "fg %d bg %d: %u unknown cells", pairs[p].fg, pairs[p].bg, r.unknown);
        cr_assert_eq(r.misread, 0, "fg %d bg %d: %u cells misread, first %s", pairs[p].fg, pairs[p].bg, r.misread,
                     r.first);
    }
}

/* QEMU's DAC has 6 bits: grey is 0xA8A8A8, not 0xAAAAAA. Nearest colour wins. */
Test(vgatext, six_bit_dac_colours_map_to_the_palette, .init = setup, .fini = teardown)
{
    struct readback grey = all_glyphs(720, 9, 0xA8A8A8, 0x0000A8, 7, 1);
    struct readback yellow = all_glyphs(720, 9, 0xFCFC54, 0x000000, 14, 0);

    cr_assert_str_eq(grey.desc, "text 80x25 (9x16)");
    cr_assert_eq(grey.unknown + grey.misread, 0, "grey on blue: %u unknown, %u misread, first %s", grey.unknown,
                 grey.misread, grey.first);
    cr_assert_str_eq(yellow.desc, "text 80x25 (9x16)");
    cr_assert_eq(yellow.unknown + yellow.misread, 0, "yellow on black: %u unknown, %u misread, first %s",
                 yellow.unknown, yellow.misread, yellow.first);
}

/* The line-drawing glyphs join across the 9th column; it must not matter. */
Test(vgatext, line_graphics_ninth_column, .init = setup, .fini = teardown)
{
    uint32_t *fb = fb_new(720, 400, 720, pal[0]);
    struct vgatext *t = vgatext_new(font);

    for (unsigned x = 0; x < 80; x++)
        draw(fb, 720, 9, x, 3, 0xC4, pal[7], pal[0]); /* ─ */
    for (unsigned x = 0; x < 80; x++)
        draw(fb, 720, 9, x, 4, 0xC0 + x % 32, pal[15], pal[1]);
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
    for (unsigned x = 0; x < 80; x++) {
        cr_assert_eq(cell(t, x, 3)->ch, 0x2500);
        cr_assert_eq(cell(t, x, 4)->ch, vgafont_codepoint(font, 0xC0 + x % 32));
        cr_assert_eq(cell(t, x, 4)->attr.fg, 15);
        cr_assert_eq(cell(t, x, 4)->attr.bg, 1);
    }
    /* the 9th column is full of garbage: still read from the first 8 */
    for (unsigned y = 0; y < 400; y++)
        for (unsigned x = 8; x < 720; x += 9)
            fb[y * 720 + x] = 0x123456;
    vgatext_damage(t, 0, 0, 720, 400);
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
    cr_assert_eq(cell(t, 5, 3)->ch, 0x2500);
    cr_assert_eq(vgatext_unknown(t), 0);
    vgatext_free(t);
    free(fb);
}

/* Space vs full block, upper vs lower half: read with the background of the
 * cells around. */
Test(vgatext, inverse_pairs_follow_the_neighbours, .init = setup, .fini = teardown)
{
    uint32_t *fb = fb_new(720, 400, 720, pal[0]);
    struct vgatext *t = vgatext_new(font);

    /* grey on black: a█▀▄▌▐•◘○◙b, and a blue bar " x " */
    const unsigned glyphs[] = {'a', 0xDB, 0xDF, 0xDC, 0xDD, 0xDE, 0x07, 0x08, 0x09, 0x0A, 'b'};
    for (unsigned i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++)
        draw(fb, 720, 9, i, 0, glyphs[i], pal[7], pal[0]);
    draw(fb, 720, 9, 0, 2, ' ', pal[15], pal[1]);
    draw(fb, 720, 9, 1, 2, 'x', pal[15], pal[1]);
    draw(fb, 720, 9, 2, 2, ' ', pal[15], pal[1]);
    /* a solid white cell among grey-on-black text: a full block */
    draw(fb, 720, 9, 0, 4, 'a', pal[7], pal[0]);
    draw(fb, 720, 9, 1, 4, 0xDB, pal[15], pal[0]);
    draw(fb, 720, 9, 2, 4, 'b', pal[7], pal[0]);
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
    for (unsigned i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++) {
        cr_assert_eq(cell(t, i, 0)->ch, vgafont_codepoint(font, glyphs[i]), "glyph 0x%02x read U+%04X", glyphs[i],
                     cell(t, i, 0)->ch);
        cr_assert_eq(cell(t, i, 0)->attr.fg, 7);
        cr_assert_eq(cell(t, i, 0)->attr.bg, 0);
    }
    cr_assert_eq(cell(t, 0, 2)->ch, ' ');
    cr_assert_eq(cell(t, 0, 2)->attr.bg, 1);
    cr_assert_eq(cell(t, 2, 2)->ch, ' ');
    cr_assert_eq(cell(t, 2, 2)->attr.bg, 1);
    cr_assert_eq(cell(t, 1, 4)->ch, 0x2588);
    cr_assert_eq(cell(t, 1, 4)->attr.fg, 15);
    vgatext_free(t);
    free(fb);
}

Test(vgatext, blank_screens_are_spaces, .init = setup, .fini = teardown)
{
    for (int bg = 0; bg < 8; bg++) {
        uint32_t *fb = fb_new(720, 400, 720, pal[bg]);
        struct vgatext *t = vgatext_new(font);
        cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
        cr_assert_eq(cell(t, 40, 12)->ch, ' ');
        cr_assert_eq(cell(t, 40, 12)->attr.bg, bg);
        vgatext_free(t);
        free(fb);
    }
}

static void count_cell(unsigned x, unsigned y, const struct vgatext_cell *c, void *opaque)
{
    unsigned *n = opaque;
    (void)x;
    (void)y;
    (void)c;
    (*n)++;
}

struct seen {
    unsigned n;
    unsigned x[8], y[8];
};

static void note_cell(unsigned x, unsigned y, const struct vgatext_cell *c, void *opaque)
{
    struct seen *s = opaque;
    (void)c;
    if (s->n < 8) {
        s->x[s->n] = x;
        s->y[s->n] = y;
    }
    s->n++;
}

/* Only damaged cells are read again: a cell changed outside the damage keeps
 * its old reading until its own damage comes. */
Test(vgatext, only_damaged_cells_are_rematched, .init = setup, .fini = teardown)
{
    uint32_t *fb = fb_new(720, 400, 720, pal[0]);
    struct vgatext *t = vgatext_new(font);
    unsigned n = 0;
    struct seen s = {0};

    for (unsigned x = 0; x < 80; x++)
        draw(fb, 720, 9, x, 10, 'a' + x % 26, pal[7], pal[0]);
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
    vgatext_walk_changed(t, count_cell, &n);
    cr_assert_eq(n, 80 * 25, "the first frame walks every cell");

    n = 0;
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
    vgatext_walk_changed(t, count_cell, &n);
    cr_assert_eq(n, 0, "no damage, no change");

    draw(fb, 720, 9, 3, 10, 'Q', pal[14], pal[1]);   /* damaged */
    draw(fb, 720, 9, 50, 10, 'Z', pal[7], pal[0]);   /* not reported */
    vgatext_damage(t, 3 * 9 + 2, 10 * 16 + 5, 3, 3); /* a few pixels inside cell 3 */
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
    cr_assert_eq(cell(t, 3, 10)->ch, 'Q');
    cr_assert_eq(cell(t, 3, 10)->attr.fg, 14);
    cr_assert_eq(cell(t, 3, 10)->attr.bg, 1);
    cr_assert_eq(cell(t, 50, 10)->ch, 'a' + 50 % 26, "a cell outside the damage was read again");
    vgatext_walk_changed(t, note_cell, &s);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.x[0], 3);
    cr_assert_eq(s.y[0], 10);

    /* a rectangle over two cells' border touches both */
    draw(fb, 720, 9, 51, 10, 'Y', pal[7], pal[0]);
    vgatext_damage(t, 50 * 9 + 8, 10 * 16 + 15, 2, 1);
    memset(&s, 0, sizeof s);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    cr_assert_eq(cell(t, 50, 10)->ch, 'Z');
    cr_assert_eq(cell(t, 51, 10)->ch, 'Y');
    vgatext_walk_changed(t, note_cell, &s);
    cr_assert_eq(s.n, 2);

    /* damage far outside the screen is harmless */
    vgatext_damage(t, UINT_MAX - 1, UINT_MAX - 1, UINT_MAX, UINT_MAX);
    vgatext_damage(t, 719, 399, UINT_MAX, UINT_MAX);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    cr_assert_eq(cell(t, 79, 24)->ch, ' ');
    vgatext_free(t);
    free(fb);
}

/* More rectangles than are kept: everything is read again. */
Test(vgatext, many_damage_rects_rematch_all, .init = setup, .fini = teardown)
{
    uint32_t *fb = fb_new(640, 400, 640, pal[0]);
    struct vgatext *t = vgatext_new(font);

    vgatext_frame(t, fb, 640, 400, 640, 80, 24);
    draw(fb, 640, 8, 70, 20, 'W', pal[7], pal[0]);
    for (int i = 0; i < 200; i++)
        vgatext_damage(t, 0, 0, 1, 1);
    vgatext_frame(t, fb, 640, 400, 640, 80, 24);
    cr_assert_eq(cell(t, 70, 20)->ch, 'W');

    /* 63 overlapping rectangles, then the whole screen, over blank
     * (ambiguous) cells: each cell read once, every one updated */
    for (size_t i = 0; i < 640 * 400; i++)
        fb[i] = pal[1];
    for (int i = 0; i < 63; i++)
        vgatext_damage(t, 0, 0, 320, 64);
    vgatext_damage(t, 0, 0, 640, 400);
    unsigned n = 0;
    vgatext_frame(t, fb, 640, 400, 640, 80, 24);
    vgatext_walk_changed(t, count_cell, &n);
    cr_assert_eq(n, 2000);
    for (unsigned y = 0; y < 25; y++)
        for (unsigned x = 0; x < 80; x++) {
            cr_assert_eq(cell(t, x, y)->ch, ' ');
            cr_assert_eq(cell(t, x, y)->attr.bg, 1);
        }
    vgatext_free(t);
    free(fb);
}

/* A size change reads everything again, whatever the damage says. */
Test(vgatext, size_change_rematches_all, .init = setup, .fini = teardown)
{
    uint32_t *a = fb_new(720, 400, 720, pal[0]), *b = fb_new(640, 400, 640, pal[0]);
    struct vgatext *t = vgatext_new(font);
    unsigned n = 0;

    draw(a, 720, 9, 0, 0, 'A', pal[7], pal[0]);
    draw(b, 640, 8, 0, 0, 'B', pal[7], pal[0]);
    vgatext_frame(t, a, 720, 400, 720, 80, 24);
    cr_assert_str_eq(vgatext_describe(t), "text 80x25 (9x16)");
    cr_assert_eq(cell(t, 0, 0)->ch, 'A');
    vgatext_frame(t, b, 640, 400, 640, 80, 24);
    cr_assert_str_eq(vgatext_describe(t), "text 80x25 (8x16)");
    cr_assert_eq(cell(t, 0, 0)->ch, 'B');
    vgatext_walk_changed(t, count_cell, &n);
    cr_assert_eq(n, 2000);
    vgatext_free(t);
    free(a);
    free(b);
}

/* A glyph whose pixels match nothing: the placeholder, counted. */
Test(vgatext, unknown_bitmap_is_a_placeholder, .init = setup, .fini = teardown)
{
    uint32_t *fb = fb_new(720, 400, 720, pal[0]);
    struct vgatext *t = vgatext_new(font);
    uint8_t pat[16];
    uint32_t seed = 12345;
    unsigned best = 0;

    /* a pattern at least 20 pixels away from every glyph and its inverse */
    for (int tries = 0; tries < 1000 && best < 20; tries++) {
        best = 128;
        for (int r = 0; r < 16; r++) {
            seed = seed * 1103515245u + 12345u;
            pat[r] = (uint8_t)(seed >> 16);
        }
        for (unsigned g = 0; g < 256; g++) {
            unsigned d = 0;
            for (int r = 0; r < 16; r++)
                d += (unsigned)__builtin_popcount(pat[r] ^ vgafont_bitmap(font, g)[r]);
            if (d < best)
                best = d;
            if (128 - d < best)
                best = 128 - d;
        }
    }
    cr_assert_geq(best, 20);
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 8; x++)
            fb[(5 * 16 + y) * 720 + 7 * 9 + x] = pat[y] & (0x80 >> x) ? pal[7] : pal[0];
    /* three colours in one cell */
    draw(fb, 720, 9, 8, 5, 'A', pal[7], pal[0]);
    fb[(5 * 16 + 8) * 720 + 8 * 9 + 4] = pal[4];
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
    cr_assert_eq(cell(t, 7, 5)->ch, VGATEXT_PLACEHOLDER);
    cr_assert_eq(cell(t, 8, 5)->ch, VGATEXT_PLACEHOLDER);
    cr_assert_eq(vgatext_unknown(t), 2);
    /* fixed: the count goes down */
    draw(fb, 720, 9, 7, 5, 'k', pal[7], pal[0]);
    vgatext_damage(t, 7 * 9, 5 * 16, 9, 16);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    cr_assert_eq(cell(t, 7, 5)->ch, 'k');
    cr_assert_eq(vgatext_unknown(t), 1);
    vgatext_free(t);
    free(fb);
}

/* One or two pixels off: the nearest glyph. */
Test(vgatext, near_glyph_is_read, .init = setup, .fini = teardown)
{
    uint32_t *fb = fb_new(720, 400, 720, pal[0]);
    struct vgatext *t = vgatext_new(font);
    const char *word = "Hamming";

    for (unsigned i = 0; word[i]; i++)
        draw(fb, 720, 9, i, 1, (unsigned char)word[i], pal[7], pal[0]);
    fb[(16 + 3) * 720 + 0 * 9 + 1] ^= pal[7]; /* H: one pixel */
    fb[(16 + 9) * 720 + 1 * 9 + 6] ^= pal[7]; /* a: two pixels */
    fb[(16 + 2) * 720 + 1 * 9 + 0] ^= pal[7];
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_TEXT);
    for (unsigned i = 0; word[i]; i++)
        cr_assert_eq(cell(t, i, 1)->ch, (uint32_t)word[i], "cell %u read U+%04X", i, cell(t, i, 1)->ch);
    cr_assert_eq(vgatext_unknown(t), 0);
    vgatext_free(t);
    free(fb);
}

/* QEMU's cursor: full rows in the foreground colour, blinking. */
static void cursor_rows(uint32_t *fb, unsigned cw, unsigned cx, unsigned cy, unsigned from, unsigned to, uint32_t fg)
{
    for (unsigned y = from; y <= to; y++)
        for (unsigned x = 0; x < cw; x++)
            fb[(cy * 16 + y) * 720 + cx * cw + x] = fg;
}

Test(vgatext, cursor_is_found_and_remembered_across_blinks, .init = setup, .fini = teardown)
{
    uint32_t *fb = fb_new(720, 400, 720, pal[0]);
    struct vgatext *t = vgatext_new(font);
    unsigned x, y;

    for (unsigned i = 0; i < 20; i++)
        draw(fb, 720, 9, i, 7, "glyph under cursor_y"[i], pal[7], pal[0]);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    cr_assert_not(vgatext_cursor(t, &x, &y), "no cursor seen yet");

    /* Linux's underline cursor in QEMU: rows 13-14, over 'g' (which has ink there) */
    cursor_rows(fb, 9, 0, 7, 13, 14, pal[7]);
    vgatext_damage(t, 0, 7 * 16, 9, 16);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    cr_assert(vgatext_cursor(t, &x, &y));
    cr_assert_eq(x, 0);
    cr_assert_eq(y, 7);
    cr_assert_eq(cell(t, 0, 7)->ch, 'g');
    cr_assert_eq(cell(t, 0, 7)->attr.fg, 7);

    /* blink off: the glyph alone, the cursor stays where it was */
    draw(fb, 720, 9, 0, 7, 'g', pal[7], pal[0]);
    vgatext_damage(t, 0, 7 * 16, 9, 16);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    cr_assert(vgatext_cursor(t, &x, &y));
    cr_assert_eq(x, 0);
    cr_assert_eq(y, 7);
    /* blinking on and off for a while: still there */
    for (int i = 0; i < 10; i++) {
        if (i % 2 == 0)
            cursor_rows(fb, 9, 0, 7, 13, 14, pal[7]);
        else
            draw(fb, 720, 9, 0, 7, 'g', pal[7], pal[0]);
        vgatext_damage(t, 0, 7 * 16, 9, 16);
        vgatext_frame(t, fb, 720, 400, 720, 80, 24);
        cr_assert(vgatext_cursor(t, &x, &y), "blink %d", i);
        cr_assert_eq(cell(t, 0, 7)->ch, 'g');
    }
    /* no longer blinking (hidden): its cell read three times without it */
    for (int i = 0; i < 3; i++) {
        vgatext_damage(t, 0, 7 * 16, 9, 16);
        vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    }
    cr_assert_not(vgatext_cursor(t, &x, &y), "a hidden cursor is forgotten");

    /* moved over a blank, bright cursor on blue, rows 14-15 */
    draw(fb, 720, 9, 30, 9, ' ', pal[15], pal[1]);
    cursor_rows(fb, 9, 30, 9, 14, 15, pal[15]);
    vgatext_damage(t, 30 * 9, 9 * 16, 9, 16);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    cr_assert(vgatext_cursor(t, &x, &y));
    cr_assert_eq(x, 30);
    cr_assert_eq(y, 9);
    cr_assert_eq(cell(t, 30, 9)->ch, ' ');
    cr_assert_eq(cell(t, 30, 9)->attr.fg, 15);
    cr_assert_eq(cell(t, 30, 9)->attr.bg, 1);

    /* a block cursor over the lower half of a 'T' (no other glyph has its top half) */
    draw(fb, 720, 9, 40, 7, 'T', pal[7], pal[0]);
    cursor_rows(fb, 9, 40, 7, 8, 15, pal[7]);
    vgatext_damage(t, 40 * 9, 7 * 16, 9, 16);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    cr_assert(vgatext_cursor(t, &x, &y));
    cr_assert_eq(x, 40);
    cr_assert_eq(cell(t, 40, 7)->ch, 'T');
    cr_assert_eq(vgatext_unknown(t), 0);

    /* a new size forgets it */
    for (size_t i = 0; i < 720 * 400; i++)
        fb[i] = pal[0];
    vgatext_frame(t, fb, 640, 400, 720, 80, 24);
    cr_assert_eq(vgatext_mode(t), VGATEXT_TEXT);
    cr_assert_not(vgatext_cursor(t, &x, &y));
    vgatext_free(t);
    free(fb);
}

/* A line of ASCII text on row cy of a 720x400 VGA text screen, grey on black. */
static void draw_text(uint32_t *fb, unsigned cy, const char *s)
{
    for (unsigned i = 0; s[i]; i++)
        draw(fb, 720, 9, i, cy, (unsigned char)s[i], pal[7], pal[0]);
}

/* What the board's watcher gets from a screen (as vnc_bottom_line reads
 * its copy of the cells), fed to a line watcher at now_ms. */
static void watch_screen(struct vgatext *t, struct linewatch *w, const struct watch_patterns *p,
                         unsigned long long now_ms, char *bottom, uint64_t *hash)
{
    static struct vgatext_cell cells[80 * 25];
    cr_assert_eq(vgatext_cols(t), 80);
    cr_assert_eq(vgatext_rows(t), 25);
    for (unsigned y = 0; y < 25; y++)
        for (unsigned x = 0; x < 80; x++)
            cells[y * 80 + x] = *cell(t, x, y);
    int row = vgatext_bottom_line(cells, 80, 25, bottom, 256, hash);
    unsigned cx, cy;
    int col = row >= 0 && vgatext_cursor(t, &cx, &cy) && (int)cy == row ? (int)cx : -1;
    linewatch_screen(w, p, bottom, col, *hash, now_ms);
}

/* The board's row of a VNC-only guest: the prompt on the last of 25 rows,
 * the cursor blinking after it (QEMU redraws its cell each blink). The
 * bottom line and the screen's text stay the same; the row is settled at
 * the prompt and the blinks are no output. */
Test(vgatext, a_cursor_blinking_after_a_prompt_is_no_output, .init = setup, .fini = teardown)
{
    struct watch_patterns p = {0};
    char err[300], bottom[256];
    cr_assert_eq(watch_patterns_set_settled(&p, "login:|\\$ $|# $", err, sizeof err), 0, "%s", err);
    struct linewatch w = {0};
    uint32_t *fb = fb_new(720, 400, 720, pal[0]);
    struct vgatext *t = vgatext_new(font);
    uint64_t hash, first;

    /* Booted: kernel lines, the init's last words, the cursor under them. */
    for (unsigned y = 0; y < 17; y++)
        draw_text(fb, y, "[    1.7] Freeing unused kernel image memory");
    draw_text(fb, 17, "virtmux demo guest ready");
    cursor_rows(fb, 9, 0, 18, 13, 14, pal[7]);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    watch_screen(t, &w, &p, 1000, bottom, &hash);
    cr_assert_str_eq(linewatch_line(&w), "virtmux demo guest ready");

    /* The shell's banner and prompt, in a frame with the cursor off. */
    draw(fb, 720, 9, 0, 18, ' ', pal[7], pal[0]);
    draw_text(fb, 21, "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) built-in shell (ash)");
    draw_text(fb, 22, "Enter 'help' for a list of built-in commands.");
    draw_text(fb, 24, "vm:~# ");
    vgatext_damage(t, 0, 0, 720, 400);
    vgatext_frame(t, fb, 720, 400, 720, 80, 24);
    watch_screen(t, &w, &p, 2000, bottom, &first);
    cr_assert_str_eq(bottom, "vm:~#");
    cr_assert_eq(w.last_ms, 2000);

    /* Blinking after it: on, off, on... */
    for (int i = 0; i < 16; i++) {
        if (i % 2 == 0)
            cursor_rows(fb, 9, 6, 24, 13, 14, pal[7]);
        else
            draw(fb, 720, 9, 6, 24, ' ', pal[7], pal[0]);
        vgatext_damage(t, 6 * 9, 24 * 16, 9, 16);
        vgatext_frame(t, fb, 720, 400, 720, 80, 24);
        watch_screen(t, &w, &p, 2133 + 133 * (unsigned long long)i, bottom, &hash);
        cr_assert_str_eq(bottom, "vm:~#", "blink %d", i);
        cr_assert_eq(hash, first, "blink %d changed the text", i);
        cr_assert_str_eq(linewatch_line(&w), "vm:~# ", "blink %d", i);
        cr_assert(linewatch_settled(&w, &p), "blink %d: not settled", i);
        cr_assert_eq(w.last_ms, 2000, "blink %d was output", i);
    }
    cr_assert_eq(vgatext_unknown(t), 0);
    vgatext_free(t);
    free(fb);
    watch_patterns_clear(&p);
}

/* The Linux framebuffer console: 8x16 cells on any resolution, so a w x h
 * screen is w / 8 x h / 16 cells; a kernel log line on every 7th row. */
static struct readback fbcon(unsigned w, unsigned h)
{
    unsigned cols = w / 8, rows = h / 16;
    uint32_t *fb = fb_new(w, h, w, pal[0]);
    struct vgatext *t = vgatext_new(font);
    const char *line = "[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)";
    size_t len = strlen(line);
    struct readback r = {.first = ""};

    for (unsigned y = 0; y < rows; y += 7)
        for (unsigned i = 0; i < cols; i++)
            draw(fb, w, 8, i, y, (unsigned char)line[(i + y) % len], y % 2 ? pal[15] : pal[7], pal[0]);
    vgatext_frame(t, fb, w, h, w, 80, 24);
    snprintf(r.desc, sizeof r.desc, "%s", vgatext_describe(t));
    r.unknown = vgatext_unknown(t);
    for (unsigned y = 0; y < rows; y += 7)
        for (unsigned i = 0; i < cols; i++) {
            const struct vgatext_cell *c = vgatext_cell(t, i, y);
            char want = line[(i + y) % len];
            if (!c)
                misread(&r, "no cell %u,%u", i, y);
            else if (c->ch != (uint32_t)want)
                misread(&r, "cell %u,%u: read U+%04X, want '%c'", i, y, c->ch, want);
            else if (want != ' ' && c->attr.fg != (y % 2 ? 15 : 7))
                misread(&r, "cell %u,%u: fg %d, want %d", i, y, c->attr.fg, y % 2 ? 15 : 7);
        }
    vgatext_free(t);
    free(fb);
    return r;
}

Test(vgatext, framebuffer_console_geometries, .init = setup, .fini = teardown)
{
    static const struct {
        unsigned w, h;
        const char *desc;
    } modes[] = {
        {1024, 768, "text 128x48 (8x16)"},
        {640, 480, "text 80x30 (8x16)"},
        {800, 600, "text 100x37 (8x16)"},
        {1280, 1024, "text 160x64 (8x16)"},
    };
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        struct readback r = fbcon(modes[m].w, modes[m].h);
        cr_assert_str_eq(r.desc, modes[m].desc, "%ux%u", modes[m].w, modes[m].h);
        cr_assert_eq(r.unknown, 0, "%ux%u: %u unknown cells", modes[m].w, modes[m].h, r.unknown);
        cr_assert_eq(r.misread, 0, "%ux%u: %u cells misread, first %s", modes[m].w, modes[m].h, r.misread, r.first);
    }
}

/* A graphics screen: many colours per cell, so half blocks scaled to the pane,
 * top pixel the foreground, bottom the background. */
Test(vgatext, graphics_screen_is_half_block_pixels, .init = setup, .fini = teardown)
{
    unsigned w = 640, h = 480;
    uint32_t *fb = fb_new(w, h, w, 0);
    struct vgatext *t = vgatext_new(font);
    unsigned n = 0;

    /* red above y = 250, blue below; a 3-level dither in the low bits everywhere */
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            fb[y * w + x] = (y < 250 ? 0xC00000u : 0x0000C0u) + (x + y) % 3;
    cr_assert_eq(vgatext_frame(t, fb, w, h, w, 80, 24), VGATEXT_PIXELS);
    cr_assert_eq(vgatext_mode(t), VGATEXT_PIXELS);
    cr_assert_str_eq(vgatext_describe(t), "pixels 640x480");
    cr_assert_eq(vgatext_cols(t), 80);
    cr_assert_eq(vgatext_rows(t), 24);
    cr_assert_not(vgatext_cursor(t, NULL, NULL));
    /* 48 half rows of 10 pixels: row 12 is red on top (240-249), blue below (250-259) */
    const struct vgatext_cell *c = cell(t, 40, 12);
    cr_assert_eq(c->ch, 0x2580);
    cr_assert_eq(c->attr.fg & CONSOLE_COLOUR_RGB, CONSOLE_COLOUR_RGB);
    cr_assert_eq((c->attr.fg & 0xFFFFFF) >> 8, 0xC000, "top %06x", c->attr.fg & 0xFFFFFF);
    cr_assert_eq((c->attr.bg & 0xFFFFFF) >> 8, 0x0000, "bottom %06x", c->attr.bg & 0xFFFFFF);
    cr_assert_geq(c->attr.bg & 0xFF, 0xC0);
    cr_assert_leq(c->attr.bg & 0xFF, 0xC2);
    cr_assert_eq((cell(t, 0, 0)->attr.bg & 0xFFFFFF) >> 8, 0xC000);
    cr_assert_eq((cell(t, 79, 23)->attr.fg & 0xFFFF00), 0);
    vgatext_walk_changed(t, count_cell, &n);
    cr_assert_eq(n, 80 * 24);

    /* the pane shrinks: a new scale */
    vgatext_frame(t, fb, w, h, w, 10, 5);
    cr_assert_eq(vgatext_cols(t), 10);
    cr_assert_eq(vgatext_rows(t), 5);
    cr_assert_null(vgatext_cell(t, 10, 0));

    /* back to text: every cell walked again */
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            fb[y * w + x] = 0;
    draw(fb, w, 8, 0, 0, 'T', pal[7], pal[0]);
    vgatext_damage(t, 0, 0, w, h);
    cr_assert_eq(vgatext_frame(t, fb, w, h, w, 10, 5), VGATEXT_TEXT);
    cr_assert_eq(cell(t, 0, 0)->ch, 'T');
    n = 0;
    vgatext_walk_changed(t, count_cell, &n);
    cr_assert_eq(n, 80 * 30);
    vgatext_free(t);
    free(fb);
}

/* Sizes that are no text geometry at all are pixels too. */
Test(vgatext, odd_sizes_are_pixels, .init = setup, .fini = teardown)
{
    uint32_t *fb = fb_new(7, 15, 7, 0xFF8000);
    struct vgatext *t = vgatext_new(font);

    cr_assert_eq(vgatext_frame(t, fb, 7, 15, 7, 4, 3), VGATEXT_PIXELS);
    cr_assert_eq(cell(t, 3, 2)->attr.fg, (int32_t)(CONSOLE_COLOUR_RGB | 0xFF8000));
    cr_assert_eq(cell(t, 3, 2)->attr.bg, (int32_t)(CONSOLE_COLOUR_RGB | 0xFF8000));
    /* a pane larger than the screen: each pixel several cells */
    cr_assert_eq(vgatext_frame(t, fb, 7, 15, 7, 100, 50), VGATEXT_PIXELS);
    cr_assert_eq(vgatext_cols(t), 100);
    cr_assert_eq(cell(t, 99, 49)->attr.bg, (int32_t)(CONSOLE_COLOUR_RGB | 0xFF8000));
    /* no pane at all */
    cr_assert_eq(vgatext_frame(t, fb, 7, 15, 7, 0, 0), VGATEXT_PIXELS);
    cr_assert_eq(vgatext_cols(t), 0);
    cr_assert_null(vgatext_cell(t, 0, 0));
    vgatext_free(t);
    free(fb);
}

/* Hostile sizes: nothing read outside the exactly sized buffer (ASan), no crash. */
Test(vgatext, hostile_sizes, .init = setup, .fini = teardown)
{
    struct vgatext *t = vgatext_new(font);
    uint32_t one = 0x123456;
    uint32_t *fb;

    cr_assert_eq(vgatext_frame(t, NULL, 720, 400, 720, 80, 24), VGATEXT_NONE);
    cr_assert_eq(vgatext_frame(t, &one, 0, 0, 0, 80, 24), VGATEXT_NONE);
    cr_assert_eq(vgatext_frame(t, &one, 1, 0, 1, 80, 24), VGATEXT_NONE);
    cr_assert_eq(vgatext_frame(t, &one, 0, 1, 1, 80, 24), VGATEXT_NONE);
    cr_assert_str_eq(vgatext_describe(t), "no frame");
    cr_assert_eq(vgatext_cols(t), 0);
    cr_assert_null(vgatext_cell(t, 0, 0));
    cr_assert_eq(vgatext_frame(t, &one, 1, 1, 1, 80, 24), VGATEXT_PIXELS);
    cr_assert_eq(cell(t, 79, 23)->attr.fg, (int32_t)(CONSOLE_COLOUR_RGB | 0x123456));
    /* 65535 x 65535 with a stride smaller than the width: refused, nothing read */
    cr_assert_eq(vgatext_frame(t, &one, 65535, 65535, 1, 80, 24), VGATEXT_NONE);
    cr_assert_eq(vgatext_frame(t, &one, UINT_MAX, UINT_MAX, 1, UINT_MAX, UINT_MAX), VGATEXT_NONE);

    fb = fb_new(65535, 2, 65535, 0x00FF00);
    cr_assert_eq(vgatext_frame(t, fb, 65535, 2, 65535, 80, 24), VGATEXT_PIXELS);
    cr_assert_eq(cell(t, 0, 0)->attr.fg, (int32_t)(CONSOLE_COLOUR_RGB | 0x00FF00));
    free(fb);
    fb = fb_new(1, 65535, 1, 0x0000FF);
    cr_assert_eq(vgatext_frame(t, fb, 1, 65535, 1, UINT_MAX, UINT_MAX), VGATEXT_PIXELS);
    cr_assert_gt(vgatext_cols(t), 0);
    free(fb);
    /* a text-sized screen with a huge stride: only the last row's w pixels exist */
    fb = fb_new(640, 400, 10000, 0);
    cr_assert_eq(vgatext_frame(t, fb, 640, 400, 10000, 80, 24), VGATEXT_TEXT);
    cr_assert_eq(cell(t, 79, 24)->ch, ' ');
    free(fb);
    /* a grid too large for text: pixels, bounded work */
    fb = fb_new(16000, 16, 16000, 0);
    cr_assert_eq(vgatext_frame(t, fb, 16000, 16, 16000, 80, 24), VGATEXT_PIXELS);
    free(fb);
    /* exactly one cell */
    fb = fb_new(8, 16, 8, pal[0]);
    draw(fb, 8, 8, 0, 0, '@', pal[7], pal[0]);
    cr_assert_eq(vgatext_frame(t, fb, 8, 16, 8, 80, 24), VGATEXT_TEXT);
    cr_assert_eq(cell(t, 0, 0)->ch, '@');
    free(fb);

    vgatext_damage(NULL, 0, 0, 1, 1);
    cr_assert_eq(vgatext_frame(NULL, &one, 1, 1, 1, 1, 1), VGATEXT_NONE);
    cr_assert_eq(vgatext_mode(NULL), VGATEXT_NONE);
    cr_assert_eq(vgatext_cols(NULL), 0);
    cr_assert_null(vgatext_cell(NULL, 0, 0));
    cr_assert_not(vgatext_cursor(NULL, NULL, NULL));
    cr_assert_eq(vgatext_unknown(NULL), 0);
    cr_assert_str_eq(vgatext_describe(NULL), "");
    vgatext_walk_changed(NULL, count_cell, NULL);
    vgatext_free(NULL);
    vgatext_free(t);
}

/* Without a font nothing is text, but nothing breaks either. */
Test(vgatext, no_font)
{
    struct vgatext *t = vgatext_new(NULL);
    uint32_t *fb = fb_new(720, 400, 720, 0);

    cr_assert_not_null(t);
    cr_assert_eq(vgatext_frame(t, fb, 720, 400, 720, 80, 24), VGATEXT_PIXELS);
    vgatext_free(t);
    free(fb);
}

/* ---- a real QEMU screendump (bench/vnc/capture.sh) ---- */

static char *data_path(const char *name)
{
    char *p = NULL;
    const char *dir = "tests/unit/data/vgatext";
    cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
    return p;
}

static uint32_t *read_ppm_gz(const char *name, unsigned *w, unsigned *h)
{
    char *path = data_path(name), hdr[64];
    gzFile g = gzopen(path, "rb");
    unsigned maxv;
    int n = 0;

    cr_assert_not_null(g, "%s", path);
    cr_assert_not_null(gzgets(g, hdr, sizeof hdr));
    cr_assert_str_eq(hdr, "P6\n");
    cr_assert_not_null(gzgets(g, hdr, sizeof hdr));
    cr_assert_eq(sscanf(hdr, "%u %u", w, h), 2);
    cr_assert_not_null(gzgets(g, hdr, sizeof hdr));
    cr_assert_eq(sscanf(hdr, "%u%n", &maxv, &n), 1);
    cr_assert_eq(maxv, 255);
    size_t np = (size_t)*w * *h;
    uint8_t *rgb = malloc(np * 3);
    uint32_t *fb = malloc(np * 4);
    cr_assert(rgb && fb);
    cr_assert_eq(gzread(g, rgb, (unsigned)(np * 3)), (int)(np * 3));
    for (size_t i = 0; i < np; i++)
        fb[i] = (uint32_t)rgb[3 * i] << 16 | (uint32_t)rgb[3 * i + 1] << 8 | rgb[3 * i + 2];
    gzclose(g);
    free(rgb);
    free(path);
    return fb;
}

static void put_utf8(char *out, size_t *o, uint32_t c)
{
    if (c < 0x80) {
        out[(*o)++] = (char)c;
    } else if (c < 0x800) {
        out[(*o)++] = (char)(0xC0 | c >> 6);
        out[(*o)++] = (char)(0x80 | (c & 0x3F));
    } else {
        out[(*o)++] = (char)(0xE0 | c >> 12);
        out[(*o)++] = (char)(0x80 | (c >> 6 & 0x3F));
        out[(*o)++] = (char)(0x80 | (c & 0x3F));
    }
}

/* Row y of the screen as UTF-8, trailing blanks cut. */
static void screen_line(struct vgatext *t, unsigned y, char *out)
{
    size_t o = 0, keep = 0;
    for (unsigned x = 0; x < vgatext_cols(t); x++) {
        put_utf8(out, &o, cell(t, x, y)->ch);
        if (cell(t, x, y)->ch != ' ')
            keep = o;
    }
    out[keep] = 0;
}

/* The page, line by line; lines skip_from..skip_to (1-based) not compared:
 * a guest font without CP437's graphics draws its own stand-ins there. */
static void assert_page_but(struct vgatext *t, unsigned skip_from, unsigned skip_to)
{
    char *path = data_path("qemu-vga-text.txt");
    FILE *f = fopen(path, "r");
    char want[1024], got[1024];
    unsigned y = 0;

    cr_assert_not_null(f, "%s", path);
    while (y < 25 && fgets(want, sizeof want, f)) {
        size_t l = strcspn(want, "\n");
        while (l && want[l - 1] == ' ')
            l--;
        want[l] = 0;
        screen_line(t, y, got);
        if (y + 1 < skip_from || y + 1 > skip_to)
            cr_assert_str_eq(got, want, "line %u", y + 1);
        y++;
    }
    cr_assert_eq(y, 24);
    for (; y < vgatext_rows(t); y++) {
        screen_line(t, y, got);
        cr_assert_str_eq(got, "", "line %u", y + 1);
    }
    fclose(f);
    free(path);
}

static void assert_page(struct vgatext *t)
{
    assert_page_but(t, 0, 0);
}

Test(vgatext, real_qemu_vga_text_frame_reads_exactly, .init = setup, .fini = teardown)
{
    unsigned w, h, x, y;
    uint32_t *fb = read_ppm_gz("qemu-vga-text.ppm.gz", &w, &h);
    struct vgatext *t = vgatext_new(font);

    cr_assert_eq(w, 720);
    cr_assert_eq(h, 400);
    cr_assert_eq(vgatext_frame(t, fb, w, h, w, 80, 24), VGATEXT_TEXT);
    cr_assert_str_eq(vgatext_describe(t), "text 80x25 (9x16)");
    cr_assert_eq(vgatext_unknown(t), 0);
    assert_page(t);
    /* QEMU's grey is 0xA8A8A8: palette 7; the colour line's cells */
    cr_assert_eq(cell(t, 0, 0)->attr.fg, 7);
    cr_assert_eq(cell(t, 0, 0)->attr.bg, 0);
    cr_assert_eq(cell(t, 1, 14)->ch, 'B');
    cr_assert_eq(cell(t, 1, 14)->attr.fg, 14);
    cr_assert_eq(cell(t, 1, 14)->attr.bg, 1);
    cr_assert_eq(cell(t, 0, 14)->ch, ' ');
    cr_assert_eq(cell(t, 0, 14)->attr.bg, 1);
    cr_assert_eq(cell(t, 25, 14)->ch, 'b');
    cr_assert_eq(cell(t, 25, 14)->attr.fg, 0);
    cr_assert_eq(cell(t, 25, 14)->attr.bg, 7);
    cr_assert_not(vgatext_cursor(t, &x, &y), "the cursor is hidden in this frame");

    /* the cursor frame: same text, the cursor on row 5 column 10 */
    uint32_t *fc = read_ppm_gz("qemu-vga-text-cursor.ppm.gz", &w, &h);
    vgatext_damage(t, 0, 0, w, h);
    cr_assert_eq(vgatext_frame(t, fc, w, h, w, 80, 24), VGATEXT_TEXT);
    assert_page(t);
    cr_assert(vgatext_cursor(t, &x, &y));
    cr_assert_eq(x, 9);
    cr_assert_eq(y, 4);
    /* and the blink-off frame keeps it there */
    vgatext_damage(t, 0, 0, w, h);
    vgatext_frame(t, fb, w, h, w, 80, 24);
    cr_assert(vgatext_cursor(t, &x, &y));
    cr_assert_eq(x, 9);
    cr_assert_eq(y, 4);
    vgatext_free(t);
    free(fb);
    free(fc);
}

/* A guest that loaded Debian's default console font (Lat15-Fixed16, as
 * setupcon does) over the VGA one: every ASCII line exact. */
Test(vgatext, real_qemu_vga_text_with_a_console_setup_font, .init = setup, .fini = teardown)
{
    unsigned w, h;

    if (access("/usr/share/consolefonts/Lat15-Fixed16.psf.gz", R_OK))
        cr_skip_test("console-setup-linux's Lat15-Fixed16 is not installed");
    uint32_t *fb = read_ppm_gz("qemu-vga-text-lat15-fixed16.ppm.gz", &w, &h);
    struct vgatext *t = vgatext_new(font);
    cr_assert_eq(vgatext_frame(t, fb, w, h, w, 80, 24), VGATEXT_TEXT);
    cr_assert_str_eq(vgatext_describe(t), "text 80x25 (9x16)");
    cr_assert_eq(vgatext_unknown(t), 0);
    assert_page_but(t, 21, 22);
    vgatext_free(t);
    free(fb);
}

/* The Linux framebuffer console on QEMU's bochs-drm (1280x800: 160x50 cells
 * of 8x16) with Uni2-Fixed16 loaded: every ASCII line exact. */
Test(vgatext, real_qemu_fbcon_frame, .init = setup, .fini = teardown)
{
    unsigned w, h;

    if (access("/usr/share/consolefonts/Uni2-Fixed16.psf.gz", R_OK))
        cr_skip_test("console-setup-linux's Uni2-Fixed16 is not installed");
    uint32_t *fb = read_ppm_gz("qemu-fbcon-1280x800-uni2-fixed16.ppm.gz", &w, &h);
    struct vgatext *t = vgatext_new(font);
    cr_assert_eq(w, 1280);
    cr_assert_eq(h, 800);
    cr_assert_eq(vgatext_frame(t, fb, w, h, w, 80, 24), VGATEXT_TEXT);
    cr_assert_str_eq(vgatext_describe(t), "text 160x50 (8x16)");
    cr_assert_eq(vgatext_unknown(t), 0);
    assert_page_but(t, 21, 22);
    cr_assert_eq(cell(t, 1, 14)->attr.fg, 14);
    cr_assert_eq(cell(t, 1, 14)->attr.bg, 1);
    vgatext_free(t);
    free(fb);
}

/* The Linux framebuffer console with the kernel's built-in font (VGA8x16: no
 * setfont, as in early boot or an initramfs), 1280x800: the whole page exact,
 * CP437 graphics included. Its 42 glyphs that differ from the VGA ROM's come
 * from backends/fonts/linux-vga8x16.psf (captured by bench/vnc/capture-font.sh).
 * The page is page.sh's, so its truth is qemu-vga-text.txt. */
Test(vgatext, real_qemu_fbcon_frame_with_the_kernels_builtin_font, .init = setup, .fini = teardown)
{
    unsigned w, h;
    uint32_t *fb = read_ppm_gz("qemu-fbcon-1280x800-builtin-font.ppm.gz", &w, &h);
    struct vgatext *t = vgatext_new(font);

    cr_assert_not_null(strstr(vgafont_source(font), "linux-vga8x16.psf"), "source: %s", vgafont_source(font));
    cr_assert_eq(w, 1280);
    cr_assert_eq(h, 800);
    cr_assert_eq(vgatext_frame(t, fb, w, h, w, 80, 24), VGATEXT_TEXT);
    cr_assert_str_eq(vgatext_describe(t), "text 160x50 (8x16)");
    cr_assert_eq(vgatext_unknown(t), 0);
    assert_page(t);
    cr_assert_eq(cell(t, 0, 0)->attr.fg, 7);
    cr_assert_eq(cell(t, 0, 0)->attr.bg, 0);
    cr_assert_eq(cell(t, 1, 14)->ch, 'B');
    cr_assert_eq(cell(t, 1, 14)->attr.fg, 14);
    cr_assert_eq(cell(t, 1, 14)->attr.bg, 1);
    cr_assert_eq(cell(t, 25, 14)->attr.fg, 0);
    cr_assert_eq(cell(t, 25, 14)->attr.bg, 7);
    vgatext_free(t);
    free(fb);
}
