/* test_vgafont.c: the VGA font loader: SeaBIOS ROM bitmaps, PSF1/PSF2 files (plain and gzip), CP437 code points, bad files. */
#include "testutil.h"

#include <unistd.h>
#include <zlib.h>

#include "backends/vgafont.h"

static struct vgafont *load_default(void)
{
    char err[256] = "";
    struct vgafont *f = vgafont_load(NULL, err, sizeof err);
    cr_assert_not_null(f, "default font: %s", err);
    return f;
}

static bool blank(const uint8_t *b)
{
    for (int r = 0; r < 16; r++)
        if (b[r])
            return false;
    return true;
}

/* A temporary file with these bytes, gzip'd when gz. */
static char *write_font(const void *data, size_t len, bool gz)
{
    char *path = strdup("/tmp/virtmux-font-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    if (gz) {
        gzFile g = gzdopen(fd, "wb");
        cr_assert_not_null(g);
        cr_assert_eq(gzwrite(g, data, (unsigned)len), (int)len);
        cr_assert_eq(gzclose(g), Z_OK);
    } else {
        cr_assert_eq(write(fd, data, len), (ssize_t)len);
        close(fd);
    }
    return path;
}

/* PSF1 of the default font's 256 glyphs, with its code points as the table. */
static size_t make_psf1(const struct vgafont *f, uint8_t *out, bool table)
{
    size_t n = 0;
    out[n++] = 0x36;
    out[n++] = 0x04;
    out[n++] = table ? 0x02 : 0x00;
    out[n++] = 16;
    for (unsigned i = 0; i < 256; i++) {
        memcpy(out + n, vgafont_bitmap(f, i), 16);
        n += 16;
    }
    for (unsigned i = 0; table && i < 256; i++) {
        uint32_t c = vgafont_codepoint(f, i);
        out[n++] = (uint8_t)c;
        out[n++] = (uint8_t)(c >> 8);
        out[n++] = 0xFF;
        out[n++] = 0xFF;
    }
    return n;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* PSF2 (UTF-8 table) of the same glyphs; w/h in the header as given. */
static size_t make_psf2(const struct vgafont *f, uint8_t *out, unsigned w, unsigned h)
{
    size_t n = 32;
    put32(out, 0x864AB572u);
    put32(out + 4, 0);
    put32(out + 8, 32);
    put32(out + 12, 1);
    put32(out + 16, 256);
    put32(out + 20, 16);
    put32(out + 24, h);
    put32(out + 28, w);
    for (unsigned i = 0; i < 256; i++) {
        memcpy(out + n, vgafont_bitmap(f, i), 16);
        n += 16;
    }
    for (unsigned i = 0; i < 256; i++) {
        uint32_t c = vgafont_codepoint(f, i);
        if (c < 0x80) {
            out[n++] = (uint8_t)c;
        } else if (c < 0x800) {
            out[n++] = (uint8_t)(0xC0 | c >> 6);
            out[n++] = (uint8_t)(0x80 | (c & 0x3F));
        } else {
            out[n++] = (uint8_t)(0xE0 | c >> 12);
            out[n++] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
            out[n++] = (uint8_t)(0x80 | (c & 0x3F));
        }
        out[n++] = 0xFF;
    }
    return n;
}

/* The 256 CP437 glyphs of both fonts are the same. */
static void assert_same_font(const struct vgafont *a, const struct vgafont *b)
{
    cr_assert_geq(vgafont_count(a), 256);
    cr_assert_geq(vgafont_count(b), 256);
    for (unsigned i = 0; i < 256; i++) {
        cr_assert_arr_eq(vgafont_bitmap(a, i), vgafont_bitmap(b, i), 16, "glyph %u", i);
        cr_assert_eq(vgafont_codepoint(a, i), vgafont_codepoint(b, i), "code point of glyph %u", i);
    }
}

Test(vgafont, default_is_the_seabios_rom_in_cp437_order)
{
    struct vgafont *f = load_default();

    cr_assert_geq(vgafont_count(f), 256);
    cr_assert_not_null(strstr(vgafont_source(f), "vgabios-stdvga.bin"), "source: %s", vgafont_source(f));
    cr_assert(blank(vgafont_bitmap(f, 0)) && blank(vgafont_bitmap(f, 0x20)) && blank(vgafont_bitmap(f, 0xFF)));
    for (int r = 0; r < 16; r++)
        cr_assert_eq(vgafont_bitmap(f, 0xDB)[r], 0xFF);
    for (unsigned c = 0x21; c < 0x7F; c++) {
        cr_assert_eq(vgafont_codepoint(f, c), c);
        cr_assert_not(blank(vgafont_bitmap(f, c)), "glyph %u inked", c);
    }
    cr_assert_eq(vgafont_codepoint(f, 0x01), 0x263A);
    cr_assert_eq(vgafont_codepoint(f, 0x7F), 0x2302);
    cr_assert_eq(vgafont_codepoint(f, 0x80), 0x00C7);
    cr_assert_eq(vgafont_codepoint(f, 0xB0), 0x2591);
    cr_assert_eq(vgafont_codepoint(f, 0xC4), 0x2500);
    cr_assert_eq(vgafont_codepoint(f, 0xDF), 0x2580);
    cr_assert_eq(vgafont_codepoint(f, 0xE1), 0x00DF);
    cr_assert_eq(vgafont_codepoint(f, 0xFE), 0x25A0);
    /* 'A' has its crossbar and no ink in the top two rows */
    cr_assert_eq(vgafont_bitmap(f, 'A')[0], 0);
    cr_assert_eq(vgafont_bitmap(f, 'A')[1], 0);
    cr_assert_eq(vgafont_bitmap(f, 'A')[7], 0xFE);
    cr_assert_null(vgafont_bitmap(f, vgafont_count(f)));
    cr_assert_eq(vgafont_codepoint(f, vgafont_count(f)), 0);
    vgafont_free(f);
}

/* Console fonts a guest may load (console-setup's, installed here) are added
 * after the VGA font: new bitmaps only, each with its code point. */
Test(vgafont, installed_console_fonts_are_added_after_the_vga_font)
{
    static const char *const lat15 = "/usr/share/consolefonts/Lat15-Fixed16.psf.gz";
    struct vgafont *f = load_default();
    unsigned n = vgafont_count(f);
    char err[256];

    if (access(lat15, R_OK) == 0) {
        cr_assert_gt(n, 256, "Lat15-Fixed16 is installed but not added");
        cr_assert_not_null(strstr(vgafont_source(f), "Lat15-Fixed16"), "%s", vgafont_source(f));
    }
    for (unsigned i = 256; i < n; i++) {
        cr_assert_neq(vgafont_codepoint(f, i), 0, "added glyph %u has no code point", i);
        for (unsigned j = 0; j < i; j++)
            cr_assert(memcmp(vgafont_bitmap(f, i), vgafont_bitmap(f, j), 16) != 0, "added glyph %u repeats glyph %u", i,
                      j);
    }
    /* adding the same font again adds nothing */
    if (access(lat15, R_OK) == 0) {
        cr_assert_eq(vgafont_add(f, lat15, err, sizeof err), 0, "%s", err);
        cr_assert_eq(vgafont_count(f), n);
    }
    cr_assert_eq(vgafont_add(f, "/nonexistent.psf", err, sizeof err), -1);
    cr_assert_eq(vgafont_add(NULL, lat15, err, sizeof err), -1);
    vgafont_free(f);
}

/* The kernel's built-in fbcon font virtmux ships (captured from a real guest
 * by bench/vnc/capture-font.sh): 256 glyphs in CP437 order that differ from
 * the VGA ROM's in 42; the default load adds those, before the console-setup
 * fonts, and every kernel glyph reads as its CP437 code point (no installed
 * console font claims one of its bitmaps for another character first). */
Test(vgafont, the_kernels_builtin_font_is_shipped_and_added)
{
    static const char *const shipped = "backends/fonts/linux-vga8x16.psf";
    char err[256];
    struct vgafont *rom = vgafont_load("/usr/share/seabios/vgabios-stdvga.bin", err, sizeof err);
    struct vgafont *lin = vgafont_load(shipped, err, sizeof err);
    struct vgafont *f = load_default();
    unsigned differ = 0;

    cr_assert_not_null(rom, "%s", err);
    cr_assert_not_null(lin, "%s: %s", shipped, err);
    cr_assert_str_eq(vgafont_source(lin), shipped, "the PSF carries its own Unicode table");
    cr_assert_eq(vgafont_count(lin), 256);
    cr_assert_not_null(strstr(vgafont_source(f), "linux-vga8x16.psf"), "source: %s", vgafont_source(f));
    for (unsigned i = 1; i < 256; i++)
        cr_assert_eq(vgafont_codepoint(lin, i), vgafont_cp437(i), "glyph 0x%02X", i);
    cr_assert_eq(vgafont_codepoint(lin, 0), 0);
    cr_assert(blank(vgafont_bitmap(lin, 0x20)));
    for (unsigned i = 0; i < 256; i++) {
        const uint8_t *b = vgafont_bitmap(lin, i);
        unsigned j = 0;
        if (memcmp(b, vgafont_bitmap(rom, i), 16))
            differ++;
        if (i == 0 || blank(b))
            continue;
        while (j < vgafont_count(f) && memcmp(vgafont_bitmap(f, j), b, 16))
            j++;
        cr_assert_lt(j, vgafont_count(f), "kernel glyph 0x%02X not in the default font", i);
        cr_assert_eq(vgafont_codepoint(f, j), vgafont_cp437(i), "kernel glyph 0x%02X reads U+%04X, not U+%04X", i,
                     vgafont_codepoint(f, j), vgafont_cp437(i));
    }
    cr_assert_eq(differ, 42);
    /* its '0' has the dot in the middle the ROM's has not */
    cr_assert_eq(vgafont_bitmap(lin, '0')[6], 0xD6);
    vgafont_free(f);
    vgafont_free(lin);
    vgafont_free(rom);
}

/* vgafont_add with a PSF made here: glyphs with new bitmaps land after the
 * others; a PSF without a Unicode table is refused. */
Test(vgafont, add_takes_new_bitmaps_with_their_code_points)
{
    char err[256];
    struct vgafont *f = vgafont_load("/usr/share/seabios/vgabios-stdvga.bin", err, sizeof err);
    uint8_t *buf = calloc(1, 16384);
    size_t n = 0;

    cr_assert_not_null(f, "%s", err);
    cr_assert_not_null(buf);
    cr_assert_eq(vgafont_count(f), 256, "a ROM named explicitly: its 256 glyphs only");
    /* PSF1, 256 glyphs: glyph 0 = a new bitmap (U+2603), glyph 1 = 'A' again (U+0391), rest blank, no code point */
    buf[n++] = 0x36;
    buf[n++] = 0x04;
    buf[n++] = 0x02;
    buf[n++] = 16;
    for (int r = 0; r < 16; r++)
        buf[n + r] = (uint8_t)(0x81 ^ r);
    memcpy(buf + n + 16, vgafont_bitmap(f, 'A'), 16);
    n += 256 * 16;
    const uint16_t uni[] = {0x2603, 0xFFFF, 0x0391, 0xFFFF};
    for (size_t i = 0; i < 4; i++) {
        buf[n++] = (uint8_t)uni[i];
        buf[n++] = (uint8_t)(uni[i] >> 8);
    }
    for (int i = 2; i < 256; i++) {
        buf[n++] = 0xFF;
        buf[n++] = 0xFF;
    }
    char *path = write_font(buf, n, true);
    cr_assert_eq(vgafont_add(f, path, err, sizeof err), 0, "%s", err);
    cr_assert_eq(vgafont_count(f), 257);
    cr_assert_eq(vgafont_codepoint(f, 256), 0x2603);
    cr_assert_eq(vgafont_bitmap(f, 256)[3], 0x82);
    cr_assert_eq(vgafont_codepoint(f, 'A'), 'A', "the VGA font keeps its reading");
    unlink(path);
    free(path);
    buf[2] = 0; /* no table */
    path = write_font(buf, 4 + 256 * 16, false);
    cr_assert_eq(vgafont_add(f, path, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "Unicode"), "%s", err);
    unlink(path);
    free(path);
    free(buf);
    vgafont_free(f);
}

/* Only the three blank glyphs share a bitmap: the recogniser can tell every
 * other glyph apart. */
Test(vgafont, glyphs_are_distinct_except_the_blanks)
{
    struct vgafont *f = load_default();
    int dup = 0;

    for (unsigned i = 0; i < 256; i++)
        for (unsigned j = i + 1; j < 256; j++)
            if (!memcmp(vgafont_bitmap(f, i), vgafont_bitmap(f, j), 16)) {
                cr_assert(blank(vgafont_bitmap(f, i)), "glyphs %u and %u share a bitmap", i, j);
                dup++;
            }
    cr_assert_eq(dup, 3); /* 0x00, 0x20, 0xFF: three pairs */
    vgafont_free(f);
}

/* Every SeaBIOS VGA ROM QEMU ships carries the same 8x16 font. */
Test(vgafont, every_seabios_rom_has_the_same_font)
{
    static const char *const roms[] = {
        "/usr/share/seabios/vgabios-virtio.bin",
        "/usr/share/seabios/vgabios-qxl.bin",
        "/usr/share/seabios/vgabios-cirrus.bin",
        "/usr/share/seabios/vgabios-vmware.bin",
    };
    struct vgafont *f = load_default();
    int seen = 0;

    for (size_t i = 0; i < sizeof roms / sizeof roms[0]; i++) {
        char err[256];
        if (access(roms[i], R_OK))
            continue;
        struct vgafont *g = vgafont_load(roms[i], err, sizeof err);
        cr_assert_not_null(g, "%s: %s", roms[i], err);
        assert_same_font(f, g);
        vgafont_free(g);
        seen++;
    }
    cr_assert_gt(seen, 0, "no other SeaBIOS ROM found");
    vgafont_free(f);
}

/* The built-in CP437 table agrees with an installed PSF's Unicode table (when
 * console-data or kbd ships one); NUL is a space either way for the recogniser. */
Test(vgafont, builtin_cp437_table_matches_the_psf)
{
    struct vgafont *f = load_default();
    bool psf = strstr(vgafont_source(f), ".psf") != NULL;

    for (unsigned i = 1; i < 256; i++)
        if (psf)
            cr_assert_eq(vgafont_codepoint(f, i), vgafont_cp437(i), "glyph %u: PSF U+%04X, table U+%04X", i,
                         vgafont_codepoint(f, i), vgafont_cp437(i));
        else
            cr_assert_eq(vgafont_codepoint(f, i), vgafont_cp437(i));
    cr_assert_eq(vgafont_cp437(0x20), 0x20);
    cr_assert_eq(vgafont_cp437(256), 0);
    vgafont_free(f);
}

Test(vgafont, psf1_and_psf2_plain_and_gzip)
{
    struct vgafont *f = load_default();
    uint8_t *buf = malloc(16384);
    char err[256];
    size_t n;
    char *path;
    struct vgafont *g;

    cr_assert_not_null(buf);
    for (int gz = 0; gz < 2; gz++) {
        n = make_psf1(f, buf, true);
        path = write_font(buf, n, gz);
        g = vgafont_load(path, err, sizeof err);
        cr_assert_not_null(g, "psf1 gz=%d: %s", gz, err);
        assert_same_font(f, g);
        cr_assert_str_eq(vgafont_source(g), path);
        vgafont_free(g);
        unlink(path);
        free(path);

        n = make_psf2(f, buf, 8, 16);
        path = write_font(buf, n, gz);
        g = vgafont_load(path, err, sizeof err);
        cr_assert_not_null(g, "psf2 gz=%d: %s", gz, err);
        assert_same_font(f, g);
        vgafont_free(g);
        unlink(path);
        free(path);
    }
    /* no table: the glyphs are taken to be in CP437 order */
    n = make_psf1(f, buf, false);
    path = write_font(buf, n, false);
    g = vgafont_load(path, err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    for (unsigned i = 1; i < 256; i++)
        cr_assert_eq(vgafont_codepoint(g, i), vgafont_codepoint(f, i));
    vgafont_free(g);
    unlink(path);
    free(path);
    free(buf);
    vgafont_free(f);
}

Test(vgafont, bad_files_are_refused_with_a_message)
{
    struct vgafont *f = load_default();
    uint8_t *buf = calloc(1, 65536);
    char err[256];
    size_t n;
    char *path;

    cr_assert_not_null(buf);
    err[0] = 0;
    cr_assert_null(vgafont_load("/nonexistent/font.psf", err, sizeof err));
    cr_assert_neq(err[0], 0);

    /* 8x8 glyphs, a truncated file, garbage, a ROM without a font, empty */
    n = make_psf2(f, buf, 8, 8);
    path = write_font(buf, n, false);
    cr_assert_null(vgafont_load(path, err, sizeof err), "8x8 accepted");
    cr_assert_not_null(strstr(err, "8x16"), "%s", err);
    unlink(path);
    free(path);

    make_psf1(f, buf, true);
    path = write_font(buf, 100, false);
    cr_assert_null(vgafont_load(path, err, sizeof err));
    unlink(path);
    free(path);

    memset(buf, 0x5A, 65536);
    path = write_font(buf, 65536, true);
    cr_assert_null(vgafont_load(path, err, sizeof err), "garbage accepted");
    unlink(path);
    free(path);

    memset(buf, 0, 65536);
    buf[0] = 0x55;
    buf[1] = 0xAA;
    path = write_font(buf, 65536, false);
    cr_assert_null(vgafont_load(path, err, sizeof err), "ROM without a font accepted");
    cr_assert_not_null(strstr(err, "ROM"), "%s", err);
    unlink(path);
    free(path);

    path = write_font(buf, 0, false);
    cr_assert_null(vgafont_load(path, err, sizeof err), "empty file accepted");
    unlink(path);
    free(path);

    /* PSF2 whose glyph count runs past the file */
    n = make_psf2(f, buf, 8, 16);
    put32(buf + 16, 100000);
    path = write_font(buf, n, false);
    cr_assert_null(vgafont_load(path, err, sizeof err));
    unlink(path);
    free(path);
    free(buf);
    vgafont_free(f);
}

Test(vgafont, null_is_harmless)
{
    vgafont_free(NULL);
    cr_assert_eq(vgafont_count(NULL), 0);
    cr_assert_null(vgafont_bitmap(NULL, 0));
    cr_assert_eq(vgafont_codepoint(NULL, 0), 0);
    cr_assert_str_eq(vgafont_source(NULL), "");
}
