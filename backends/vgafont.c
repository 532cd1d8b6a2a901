/* backends/vgafont.c: the CP437 8x16 VGA font, read from the VGA BIOS ROM QEMU's guests run (SeaBIOS) or a PSF console font. */
#include "backends/vgafont.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define GLYPH_BYTES 16
#define MAX_GLYPHS  2048        /* the VGA font plus the console fonts a guest may load */
#define PSF_MAX     512
#define MAX_FILE    (1u << 20)      /* fonts and VGA ROMs are tens of KB */

#ifndef VIRTMUX_DATADIR
#define VIRTMUX_DATADIR "/usr/local/share/virtmux"
#endif

struct vgafont {
    unsigned n;
    uint8_t bits[MAX_GLYPHS][GLYPH_BYTES];
    uint32_t cp[MAX_GLYPHS];
    char source[512];
};

/* QEMU's guests get their text-mode font from this ROM: its bitmaps are the
 * truth (kbd/console-data's default8x16 differs in 4 glyphs: - 0 @ U+2320). */
static const char *const rom_paths[] = {
    "/usr/share/seabios/vgabios-stdvga.bin",
    "/usr/share/qemu/vgabios-stdvga.bin",
};
/* CP437-ordered PSF fonts with a Unicode table: where the code points come from. */
static const char *const psf_paths[] = {
    "/usr/share/consolefonts/default8x16.psfu.gz",
    "/usr/share/consolefonts/default8x16.psf.gz",
    "/usr/share/kbd/consolefonts/default8x16.psfu.gz",
    "/usr/lib/kbd/consolefonts/default8x16.psfu.gz",
};

/* Last resort when no PSF Unicode table is installed: the standard CP437
 * graphic set (code points only; the unit test checks it against the PSF). */
static const uint16_t cp437_fallback[256] = {
    0x0020, 0x263A, 0x263B, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,
    0x25D8, 0x25CB, 0x25D9, 0x2642, 0x2640, 0x266A, 0x266B, 0x263C,
    0x25BA, 0x25C4, 0x2195, 0x203C, 0x00B6, 0x00A7, 0x25AC, 0x21A8,
    0x2191, 0x2193, 0x2192, 0x2190, 0x221F, 0x2194, 0x25B2, 0x25BC,
    [0x20] = 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A,
    0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
    0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41, 0x42,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E,
    0x4F, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A,
    0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66,
    0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70, 0x71, 0x72,
    0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E,
    0x2302,
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
    0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
    0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

struct buf { uint8_t *p; size_t n; };

/* The whole file, gunzipped when it is gzip (gzread passes plain files through). */
static int read_file(const char *path, struct buf *b, char *err, size_t errlen)
{
    gzFile gz = gzopen(path, "rb");
    size_t cap = 64 * 1024;
    int r;

    b->p = NULL;
    b->n = 0;
    if (!gz) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    b->p = malloc(cap);
    while (b->p) {
        if (b->n == cap) {
            uint8_t *q;
            if (cap >= MAX_FILE) {
                snprintf(err, errlen, "%s: too large for a font", path);
                goto fail;
            }
            q = realloc(b->p, cap * 2);
            if (!q)
                break;
            b->p = q;
            cap *= 2;
        }
        r = gzread(gz, b->p + b->n, (unsigned)(cap - b->n));
        if (r < 0) {
            snprintf(err, errlen, "%s: read error", path);
            goto fail;
        }
        if (r == 0) {
            gzclose(gz);
            return 0;
        }
        b->n += (size_t)r;
    }
    snprintf(err, errlen, "out of memory");
fail:
    gzclose(gz);
    free(b->p);
    b->p = NULL;
    return -1;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One UTF-8 sequence at p (< end); 0 on a malformed one. */
static uint32_t utf8_one(const uint8_t **pp, const uint8_t *end)
{
    const uint8_t *p = *pp;
    uint32_t c = *p++;
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;

    if (c >= 0x80 && more == 0) {
        *pp = p;
        return 0;
    }
    c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
    while (more-- > 0) {
        if (p >= end || (*p & 0xC0) != 0x80) {
            *pp = p;
            return 0;
        }
        c = c << 6 | (*p++ & 0x3F);
    }
    *pp = p;
    return c;
}

static void keep_codepoint(struct vgafont *f, size_t i, uint32_t c, const uint16_t *prefer)
{
    if (!c)
        return;
    if (!f->cp[i] || (prefer && i < 256 && c == prefer[i]))
        f->cp[i] = c;
}

/* PSF1 or PSF2 with 8x16 glyphs into f; has_uni says whether it carried a
 * Unicode table. Of each glyph's list of code points the one prefer[] names
 * is kept (when given and listed), else the first. */
static int parse_psf(const struct buf *b, struct vgafont *f, bool *has_uni, const uint16_t *prefer,
                     char *err, size_t errlen)
{
    const uint8_t *p = b->p, *end = b->p + b->n, *u;
    size_t hdr, n, cs;

    *has_uni = false;
    if (b->n >= 4 && p[0] == 0x36 && p[1] == 0x04) {
        hdr = 4;
        n = (p[2] & 1) ? 512 : 256;
        cs = p[3];
        *has_uni = (p[2] & 6) != 0;
    } else if (b->n >= 32 && le32(p) == 0x864AB572u) {
        hdr = le32(p + 8);
        n = le32(p + 16);
        cs = le32(p + 20);
        *has_uni = le32(p + 12) & 1;
        if (le32(p + 24) != 16 || le32(p + 28) != 8) {
            snprintf(err, errlen, "PSF font is %ux%u, not 8x16", le32(p + 28), le32(p + 24));
            return -1;
        }
    } else {
        snprintf(err, errlen, "not a PSF font");
        return -1;
    }
    if (cs != GLYPH_BYTES) {
        snprintf(err, errlen, "PSF glyphs are %zu bytes, not 8x16", cs);
        return -1;
    }
    if (n == 0 || n > PSF_MAX || hdr > b->n || (b->n - hdr) / cs < n) {
        snprintf(err, errlen, "PSF font truncated or too large");
        return -1;
    }
    f->n = (unsigned)n;
    memcpy(f->bits, p + hdr, n * cs);
    memset(f->cp, 0, sizeof f->cp);
    if (!*has_uni)
        return 0;
    u = p + hdr + n * cs;
    for (size_t i = 0; i < n && u < end; i++) {
        bool seq = false;
        if (p[0] == 0x36) {             /* PSF1: u16 LE, 0xFFFE sequences, 0xFFFF ends */
            while (u + 1 < end) {
                uint32_t c = u[0] | (uint32_t)u[1] << 8;
                u += 2;
                if (c == 0xFFFF)
                    break;
                if (c == 0xFFFE)
                    seq = true;
                else if (!seq)
                    keep_codepoint(f, i, c, prefer);
            }
        } else {                        /* PSF2: UTF-8, 0xFE sequences, 0xFF ends */
            while (u < end) {
                if (*u == 0xFF) {
                    u++;
                    break;
                }
                if (*u == 0xFE) {
                    seq = true;
                    u++;
                    continue;
                }
                uint32_t c = utf8_one(&u, end);
                if (!seq)
                    keep_codepoint(f, i, c, prefer);
            }
        }
    }
    return 0;
}

/* The 8x16 table inside a VGA BIOS ROM, found by its shape rather than by an
 * offset (which differs between SeaBIOS builds): 256 glyphs at a 16-byte
 * stride with NUL and space blank, U+2588 full, and every ASCII letter and
 * box-drawing glyph inked. */
static const uint8_t *rom_font(const struct buf *b)
{
    static const uint8_t zero[GLYPH_BYTES];
    static const uint8_t full[GLYPH_BYTES] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    };

    if (b->n < 256 * GLYPH_BYTES || b->p[0] != 0x55 || b->p[1] != 0xAA)
        return NULL;
    for (size_t o = 0; o + 256 * GLYPH_BYTES <= b->n; o++) {
        const uint8_t *t = b->p + o;
        bool ok = !memcmp(t, zero, GLYPH_BYTES) && !memcmp(t + 0x20 * GLYPH_BYTES, zero, GLYPH_BYTES) &&
                  !memcmp(t + 0xDB * GLYPH_BYTES, full, GLYPH_BYTES);
        for (unsigned g = 0x21; ok && g < 0xDB; g++) {
            if (g == 0x7F)
                g = 0xB0;
            ok = memcmp(t + g * GLYPH_BYTES, zero, GLYPH_BYTES) != 0;
        }
        if (ok)
            return t;
    }
    return NULL;
}

/* A CP437-ordered PSF's Unicode table looks like one: ASCII maps to itself. */
static bool cp437_order(const struct vgafont *f)
{
    if (f->n < 256 || f->cp[0xDB] != 0x2588)
        return false;
    for (unsigned c = 0x21; c < 0x7F; c++)
        if (f->cp[c] != c)
            return false;
    return true;
}

/* Console fonts a Linux guest may have loaded over the VGA font (Debian's
 * setupcon defaults, kbd's default): their glyphs are added when installed. */
static const char *const extra_paths[] = {
    "/usr/share/consolefonts/Lat15-Fixed16.psf.gz",
    "/usr/share/consolefonts/Uni2-Fixed16.psf.gz",
    "/usr/share/consolefonts/Uni2-VGA16.psf.gz",
    "/usr/share/consolefonts/default8x16.psf.gz",
    "/usr/share/consolefonts/default8x16.psfu.gz",
};

/* Code points for CP437-ordered glyphs: from the first installed PSF table. */
static void cp437_codepoints(struct vgafont *f, char *src, size_t srclen)
{
    struct vgafont *t = malloc(sizeof *t);
    char e[128];

    for (size_t i = 0; t && i < sizeof psf_paths / sizeof psf_paths[0]; i++) {
        struct buf b;
        bool uni;
        if (read_file(psf_paths[i], &b, e, sizeof e) < 0)
            continue;
        int r = parse_psf(&b, t, &uni, cp437_fallback, e, sizeof e);
        free(b.p);
        if (r == 0 && uni && cp437_order(t)) {
            for (unsigned g = 0; g < 256 && g < f->n; g++)
                f->cp[g] = t->cp[g] ? t->cp[g] : cp437_fallback[g];
            snprintf(src, srclen, "%s", psf_paths[i]);
            free(t);
            return;
        }
    }
    free(t);
    for (unsigned g = 0; g < 256 && g < f->n; g++)
        f->cp[g] = cp437_fallback[g];
    snprintf(src, srclen, "built-in CP437 table");
}

/* One file: a VGA ROM (bitmaps; code points from a PSF) or a PSF font. */
static struct vgafont *load_file(const char *path, char *err, size_t errlen)
{
    struct vgafont *f = calloc(1, sizeof *f);
    struct buf b;
    const uint8_t *rom;
    char cps[160];
    bool uni;

    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (read_file(path, &b, err, errlen) < 0) {
        free(f);
        return NULL;
    }
    if ((rom = rom_font(&b))) {
        f->n = 256;
        memcpy(f->bits, rom, 256 * GLYPH_BYTES);
        cp437_codepoints(f, cps, sizeof cps);
        snprintf(f->source, sizeof f->source, "%s + %s", path, cps);
    } else if (b.n >= 2 && b.p[0] == 0x55 && b.p[1] == 0xAA) {
        snprintf(err, errlen, "%s: no 8x16 font found in this ROM", path);
        goto fail;
    } else if (parse_psf(&b, f, &uni, NULL, err, errlen) == 0) {
        if (!uni) {                     /* no table: assume the VGA order */
            cp437_codepoints(f, cps, sizeof cps);
            snprintf(f->source, sizeof f->source, "%s + %s", path, cps);
        } else {
            snprintf(f->source, sizeof f->source, "%s", path);
        }
    } else {
        size_t l = strlen(err);
        snprintf(err + l, errlen > l ? errlen - l : 0, " (%s)", path);
        goto fail;
    }
    free(b.p);
    return f;
fail:
    free(b.p);
    free(f);
    return NULL;
}

int vgafont_add(struct vgafont *f, const char *path, char *err, size_t errlen)
{
    struct vgafont *t;
    struct buf b;
    bool uni;
    unsigned added = 0;

    if (!f || !path) {
        snprintf(err, errlen, "no font to add to");
        return -1;
    }
    if (!(t = malloc(sizeof *t))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (read_file(path, &b, err, errlen) < 0) {
        free(t);
        return -1;
    }
    int r = parse_psf(&b, t, &uni, NULL, err, errlen);
    free(b.p);
    if (r == 0 && !uni) {
        snprintf(err, errlen, "%s: no Unicode table", path);
        r = -1;
    }
    /* Only bitmaps not there yet: the first font's reading of a shared
     * bitmap (a homoglyph such as Y and Greek Upsilon) stays. */
    for (unsigned i = 0; r == 0 && i < t->n && f->n < MAX_GLYPHS; i++) {
        bool have = !t->cp[i];
        for (unsigned j = 0; j < f->n && !have; j++)
            have = !memcmp(f->bits[j], t->bits[i], GLYPH_BYTES);
        if (have)
            continue;
        memcpy(f->bits[f->n], t->bits[i], GLYPH_BYTES);
        f->cp[f->n++] = t->cp[i];
        added++;
    }
    free(t);
    if (r == 0 && added) {
        const char *base = strrchr(path, '/');
        size_t l = strlen(f->source);
        snprintf(f->source + l, sizeof f->source - l, "%s%s", l ? " + " : "", base ? base + 1 : path);
    }
    return r;
}

/* The fonts virtmux ships (backends/fonts/): the Linux kernel's built-in
 * fbcon font, captured from a real guest by bench/vnc/capture-font.sh. */
static const char *const shipped_fonts[] = {
    "linux-vga8x16.psf",
};

/* Where shipped font name is: backends/fonts/ of the source tree the binary
 * runs from (its directory or up to three above: ./virtmux,
 * build/asan/tests/test_*), else the installed data directory. */
static bool find_shipped(const char *name, char *out, size_t outlen)
{
    char dir[4096];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);

    if (n > 0) {
        dir[n] = 0;
        for (int up = 0; up < 4; up++) {
            char *slash = strrchr(dir, '/');
            if (!slash)
                break;
            *slash = 0;
            if ((size_t)snprintf(out, outlen, "%s/backends/fonts/%s", dir, name) < outlen && !access(out, R_OK))
                return true;
        }
    }
    return (size_t)snprintf(out, outlen, "%s/fonts/%s", VIRTMUX_DATADIR, name) < outlen && !access(out, R_OK);
}

/* The shipped fonts, then the fonts of extra_paths that are installed, added to f. */
static void add_extras(struct vgafont *f)
{
    char e[256], path[4200];

    for (size_t i = 0; i < sizeof shipped_fonts / sizeof shipped_fonts[0]; i++)
        if (find_shipped(shipped_fonts[i], path, sizeof path))
            vgafont_add(f, path, e, sizeof e);
    for (size_t i = 0; i < sizeof extra_paths / sizeof extra_paths[0]; i++)
        if (!access(extra_paths[i], R_OK))
            vgafont_add(f, extra_paths[i], e, sizeof e);
}

struct vgafont *vgafont_load(const char *path, char *err, size_t errlen)
{
    char e[256];

    if (path)
        return load_file(path, err, errlen);
    for (size_t i = 0; i < sizeof rom_paths / sizeof rom_paths[0]; i++) {
        struct vgafont *f = load_file(rom_paths[i], e, sizeof e);
        if (f) {
            add_extras(f);
            return f;
        }
    }
    for (size_t i = 0; i < sizeof psf_paths / sizeof psf_paths[0]; i++) {
        struct vgafont *f = load_file(psf_paths[i], e, sizeof e);
        if (f)
            return f;
    }
    snprintf(err, errlen, "no VGA font: install seabios (%s) or console-data", rom_paths[0]);
    return NULL;
}

void vgafont_free(struct vgafont *f)
{
    free(f);
}

unsigned vgafont_count(const struct vgafont *f)
{
    return f ? f->n : 0;
}

const uint8_t *vgafont_bitmap(const struct vgafont *f, unsigned i)
{
    return f && i < f->n ? f->bits[i] : NULL;
}

uint32_t vgafont_codepoint(const struct vgafont *f, unsigned i)
{
    return f && i < f->n ? f->cp[i] : 0;
}

const char *vgafont_source(const struct vgafont *f)
{
    return f ? f->source : "";
}

uint32_t vgafont_cp437(unsigned i)
{
    return i < 256 ? cp437_fallback[i] : 0;
}
