/* tests/fuzz/fuzz_vgatext.c: libFuzzer target for "VNC framebuffer -> text cells" (backends/vgatext.c).
 *
 * A VNC server (the guest's QEMU, or a hostile one) decides the framebuffer's
 * size and every pixel. This target feeds sizes, strides, damage rectangles
 * and pixels through vgatext_frame, then walks and describes the result, and
 * aborts on anything that breaks the promises in backends/vgatext.h:
 *
 *   - nothing is read outside the w x h pixels at `stride` (the buffer is sized
 *     exactly (h-1)*stride + w, so ASan sees a read past it);
 *   - text mode: cols x rows cells, palette colours 0..15, a code point of the
 *     font or the placeholder, the cursor inside the grid, unknown <= cells;
 *   - pixel mode: at most the pane's size, U+2580 with CONSOLE_COLOUR_RGB colours;
 *   - vgatext_walk_changed walks cells in range, each at most once, the same
 *     pointers vgatext_cell gives;
 *   - the description is a short string;
 *   - reading the same pixels again changes nothing: after one full re-read,
 *     a second one walks no changed cell.
 *
 * Input layout: a 12-byte header, then frames.
 *   h[0..1] w, h[2..3] h (little endian; rows beyond MAX_PIXELS dropped)
 *   h[4..5] stride - w (0 most of the time: h[5] & 0x80 picks a bigger one)
 *   h[6] pane columns, h[7] pane rows (% MAX_PANE_COLS + 1, % MAX_PANE_ROWS + 1)
 *   h[8] frames (1 + h[8] % 4); h[9] fill: 0-15 a VGA colour, else raw
 *   h[10] how the pixels are made: 0 text cells drawn from the font, 1 raw
 *         pixels from the input, 2 both (text, then raw bytes over it)
 *   h[11] damage rectangles per frame (h[11] % 8; 7 = everything)
 * Each frame then takes its damage rectangles (8 bytes each: x, y, w, h as
 * u16) and the rest of its share of the input as pixel data: in text mode 2
 * bytes a cell (glyph, VGA attribute), in raw mode 4 bytes a run (offset u16,
 * colour index or raw low byte), written into the framebuffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include "backends/vgafont.h"
#include "backends/vgatext.h"

#define HDR 12
/* 64K pixels: every frame is read whole up to six times, and a 1024x768 one
 * made a run crawl (28 inputs/s) while a few rows of it take the same paths.
 * A taller input keeps its width (the cell width follows it) and loses rows. */
#define MAX_PIXELS (1u << 16)
/* The pane in pixel mode: each of its cells averages 32 pixels. */
#define MAX_PANE_COLS 100
#define MAX_PANE_ROWS 40

static const uint32_t pal[16] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

static struct vgafont *font;
static uint8_t known_cp[0x110000 / 8];

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "fuzz_vgatext: %s:%d: %s\n", __FILE__, __LINE__, #cond); abort(); } } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];
    (void)argc;
    (void)argv;
    font = vgafont_load(NULL, err, sizeof err);
    if (!font) {
        fprintf(stderr, "fuzz_vgatext: %s\n", err);
        abort();
    }
    for (unsigned i = 0; i < vgafont_count(font); i++)
        if (vgafont_codepoint(font, i) < 0x110000)
            known_cp[vgafont_codepoint(font, i) / 8] |= (uint8_t)(1u << (vgafont_codepoint(font, i) % 8));
    known_cp[' ' / 8] |= 1u << (' ' % 8);
    return 0;
}

/* One framebuffer for every input: a malloc of it per input went to mmap,
 * page faults and munmap (ASan's large allocations). The frame sits at the
 * end of it with the rest poisoned, so a read before or past the
 * (h-1)*stride + w pixels is still an ASan report. */
static uint32_t fb_pool[MAX_PIXELS + 2] __attribute__((aligned(8)));

static uint32_t *fb_take(size_t npix)
{
    size_t even = (npix + 1) & ~(size_t)1;          /* the frame starts on an 8-byte granule */
    uint32_t *fb = fb_pool + (MAX_PIXELS + 2 - even);
    ASAN_POISON_MEMORY_REGION(fb_pool, (size_t)(fb - fb_pool) * sizeof *fb);
    ASAN_POISON_MEMORY_REGION(fb + npix, (even - npix) * sizeof *fb);
    return fb;
}

static void fb_give_back(void)
{
    ASAN_UNPOISON_MEMORY_REGION(fb_pool, sizeof fb_pool);
}

static unsigned u16(const uint8_t *p)
{
    return p[0] | (unsigned)p[1] << 8;
}

struct walk {
    const struct vgatext *t;
    uint8_t *seen;
    unsigned cols, rows, n;
};

static void walk_cell(unsigned x, unsigned y, const struct vgatext_cell *c, void *opaque)
{
    struct walk *w = opaque;
    CHECK(x < w->cols && y < w->rows);
    CHECK(c == vgatext_cell(w->t, x, y));
    size_t i = (size_t)y * w->cols + x;
    CHECK(!(w->seen[i / 8] & (1u << (i % 8))));
    w->seen[i / 8] |= (uint8_t)(1u << (i % 8));
    w->n++;
}

static void check(struct vgatext *t, enum vgatext_mode mode, unsigned pane_cols, unsigned pane_rows)
{
    unsigned cols = vgatext_cols(t), rows = vgatext_rows(t), cx, cy;
    const char *d = vgatext_describe(t);

    CHECK(mode == vgatext_mode(t));
    CHECK(d && strlen(d) < 64);
    CHECK(!vgatext_cell(t, cols, 0) && !vgatext_cell(t, 0, rows));
    if (mode == VGATEXT_NONE) {
        CHECK(cols == 0 && rows == 0);
        CHECK(!vgatext_cursor(t, &cx, &cy));
        return;
    }
    if (mode == VGATEXT_TEXT) {
        CHECK(cols > 0 && rows > 0);
        CHECK(vgatext_unknown(t) <= cols * rows);
        if (vgatext_cursor(t, &cx, &cy))
            CHECK(cx < cols && cy < rows);
    } else {
        CHECK(mode == VGATEXT_PIXELS);
        CHECK(cols <= pane_cols && rows <= pane_rows);
        CHECK(!vgatext_cursor(t, &cx, &cy));
    }
    for (unsigned y = 0; y < rows; y++)
        for (unsigned x = 0; x < cols; x++) {
            const struct vgatext_cell *c = vgatext_cell(t, x, y);
            CHECK(c);
            if (mode == VGATEXT_TEXT) {
                CHECK(c->attr.fg >= 0 && c->attr.fg < 16 && c->attr.bg >= 0 && c->attr.bg < 16);
                CHECK(c->ch == VGATEXT_PLACEHOLDER || (c->ch < 0x110000 && (known_cp[c->ch / 8] & (1u << (c->ch % 8)))));
            } else {
                CHECK(c->ch == 0x2580);
                CHECK((c->attr.fg & ~0xFFFFFF) == CONSOLE_COLOUR_RGB);
                CHECK((c->attr.bg & ~0xFFFFFF) == CONSOLE_COLOUR_RGB);
            }
        }
    struct walk w = { t, calloc((size_t)cols * rows / 8 + 1, 1), cols, rows, 0 };
    CHECK(w.seen);
    vgatext_walk_changed(t, walk_cell, &w);
    CHECK(w.n <= cols * rows);
    free(w.seen);
}

static void count_changed(unsigned x, unsigned y, const struct vgatext_cell *c, void *opaque)
{
    (void)x;
    (void)y;
    (void)c;
    ++*(unsigned *)opaque;
}

/* Text cells drawn as QEMU would: glyph, VGA attribute (fg low nibble, bg high). */
static void draw_cells(uint32_t *fb, unsigned w, unsigned h, unsigned stride, const uint8_t *p, size_t n)
{
    unsigned cw = (w == 720 || w == 360) ? 9 : 8, cols = w / cw, rows = h / 16;
    size_t cells = (size_t)cols * rows;

    for (size_t k = 0; k + 1 < n && cells; k += 2) {
        size_t i = (k / 2 * 7919) % cells;          /* spread over the screen */
        unsigned cx = (unsigned)(i % cols), cy = (unsigned)(i / cols);
        const uint8_t *bm = vgafont_bitmap(font, p[k]);
        uint32_t fg = pal[p[k + 1] & 15], bg = pal[p[k + 1] >> 4 & 7];
        unsigned cursor = p[k + 1] & 0x80 ? 13 : 99;  /* Linux's cursor rows in QEMU */
        for (unsigned y = 0; y < 16; y++) {
            uint32_t *row = fb + (size_t)(cy * 16 + y) * stride + (size_t)cx * cw;
            for (unsigned x = 0; x < cw; x++) {
                bool on = x < 8 ? bm[y] & (0x80 >> x) : (p[k] >= 0xC0 && p[k] <= 0xDF && (bm[y] & 1));
                row[x] = on || y == cursor || y == cursor + 1 ? fg : bg;
            }
        }
    }
}

static void draw_raw(uint32_t *fb, size_t npix, const uint8_t *p, size_t n, bool palette)
{
    for (size_t k = 0; k + 3 < n && npix; k += 4) {
        size_t at = ((size_t)u16(p + k) * 65521u + p[k + 2]) % npix;
        fb[at] = palette ? pal[p[k + 3] & 15] : (uint32_t)p[k + 3] * 0x010305u ^ (uint32_t)p[k + 2] << 16;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HDR)
        return 0;
    unsigned w = u16(data), h = u16(data + 2), extra = u16(data + 4);
    unsigned pane_cols = data[6] % (MAX_PANE_COLS + 1), pane_rows = data[7] % (MAX_PANE_ROWS + 1);
    unsigned frames = 1 + data[8] % 4, how = data[10] % 3, ndmg = data[11] % 8;
    unsigned stride;

    /* the common sizes are reached often: low bits pick one */
    static const unsigned sizes[][2] = { { 720, 80 }, { 640, 64 }, { 640, 48 }, { 1024, 48 },
                                         { 256, 128 }, { 360, 160 }, { 8, 16 }, { 9, 16 } };
    if (data[9] & 0x80) {
        w = sizes[data[1] & 7][0];
        h = sizes[data[1] & 7][1];
    }
    stride = w + (data[5] & 0x80 ? extra : extra % 3);
    if (data[5] & 0x40) {
        /* a hostile header: a stride smaller than the width, nothing may be read */
        struct vgatext *t = vgatext_new(font);
        uint32_t one = 0;
        enum vgatext_mode m = vgatext_frame(t, &one, w | 0x10000u, h | 1, w, pane_cols, pane_rows);
        CHECK(m == VGATEXT_NONE);
        check(t, m, pane_cols, pane_rows);
        vgatext_free(t);
        return 0;
    }
    if (stride > MAX_PIXELS)
        return 0;
    if (w && h && (size_t)(h - 1) * stride + w > MAX_PIXELS)
        h = MAX_PIXELS / stride;
    size_t npix = w && h ? (size_t)(h - 1) * stride + w : 0;
    uint32_t *fb = fb_take(npix);
    uint32_t fill = data[9] < 16 ? pal[data[9]] : (uint32_t)data[9] * 0x010101u;
    for (size_t i = 0; i < npix; i++)
        fb[i] = fill;

    struct vgatext *t = vgatext_new(font);
    const uint8_t *p = data + HDR;
    size_t left = size - HDR, share = left / frames;
    for (unsigned f = 0; f < frames; f++) {
        size_t n = f + 1 == frames ? left : share;
        const uint8_t *q = p;
        size_t m = n;
        for (unsigned d = 0; d < ndmg && m >= 8; d++, q += 8, m -= 8)
            vgatext_damage(t, u16(q), u16(q + 2), u16(q + 4), u16(q + 6));
        if (ndmg == 7)
            vgatext_damage(t, 0, 0, w, h);
        if (how != 1)
            draw_cells(fb, w, h, stride, q, how == 2 ? m / 2 : m);
        if (how != 0)
            draw_raw(fb, npix, how == 2 ? q + m / 2 : q, how == 2 ? m - m / 2 : m, data[10] & 8);
        enum vgatext_mode mode = vgatext_frame(t, npix ? fb : NULL, w, h, stride, pane_cols, pane_rows);
        check(t, mode, pane_cols, pane_rows);
        p += n;
        left -= n;
    }
    if (npix) {
        unsigned changed = 0;
        vgatext_damage(t, 0, 0, w, h);
        enum vgatext_mode m1 = vgatext_frame(t, fb, w, h, stride, pane_cols, pane_rows);
        vgatext_damage(t, 0, 0, w, h);
        enum vgatext_mode m2 = vgatext_frame(t, fb, w, h, stride, pane_cols, pane_rows);
        CHECK(m1 == m2);
        check(t, m2, pane_cols, pane_rows);
        vgatext_walk_changed(t, count_changed, &changed);
        CHECK(changed == 0);
    }
    vgatext_free(t);
    fb_give_back();
    return 0;
}
