/* bench/vnc/fontcap.c: the glyph page a Linux guest prints (all 256 glyphs of its console font) and the PSF2 file cut back out of its screendump. */
/*
 *   fontcap page             the bytes the guest writes to /dev/tty1 (UTF-8 console)
 *   fontcap cut FRAME.ppm OUT.psf
 *                            cut the 256 glyphs out of the screendump of that
 *                            page (8x16 cells), check them, write a PSF2 font with
 *                            a Unicode table (one CP437 code point per glyph)
 *
 * The page: glyph g (0..255) is printed as U+F000+g, the Linux console's
 * "direct to font" range (conv_uni_to_pc(): 0xF000..0xF1FF are glyph indices,
 * bypassing the Unicode map and the control characters), at text row
 * GRID_ROW + g / 16, column GRID_COL + 2 * (g % 16). Below the grid, as
 * checks that the direct range lands on the glyph the console really shows
 * for a character: printable ASCII as plain bytes, and CP437 graphics as
 * UTF-8 through the console's Unicode map; `cut` fails unless those cells
 * equal the grid's glyphs for them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/vgafont.h"

#define CW 8
#define CH 16
#define GRID_ROW 2
#define GRID_COL 4
#define ASCII_ROW 20            /* 0x20..0x7E, one per cell from column 0 */
#define UNI_ROW 22              /* the CP437 graphics of uni_check[], one per cell */

/* CP437 glyphs written as their Unicode code points (through the console's map). */
static const uint8_t uni_check[] = {
    0x01, 0x03, 0x10, 0x18, 0x80, 0x82, 0x9C, 0xA0, 0xAB, 0xB0, 0xB1, 0xB2, 0xB3, 0xBA, 0xC4, 0xC9,
    0xCD, 0xDA, 0xDB, 0xDC, 0xDF, 0xE0, 0xE1, 0xE3, 0xE4, 0xE6, 0xF1, 0xF7, 0xF8, 0xFB, 0xFD, 0xFE,
};

static void put_utf8(uint32_t c)
{
    if (c < 0x80) {
        putchar((int)c);
    } else if (c < 0x800) {
        putchar((int)(0xC0 | c >> 6));
        putchar((int)(0x80 | (c & 0x3F)));
    } else {
        putchar((int)(0xE0 | c >> 12));
        putchar((int)(0x80 | (c >> 6 & 0x3F)));
        putchar((int)(0x80 | (c & 0x3F)));
    }
}

static int page(void)
{
    printf("\033[?25l\033[0m\033[H\033[J");
    printf("virtmux glyph page: the console font's 256 glyphs, U+F000+g at row %d+g/16, column %d+2*(g%%16)",
           GRID_ROW, GRID_COL);
    for (unsigned g = 0; g < 256; g++) {
        if (g % 16 == 0)
            printf("\033[%u;%uH", GRID_ROW + g / 16 + 1, GRID_COL + 1);
        put_utf8(0xF000 + g);
        putchar(' ');
    }
    printf("\033[%u;1H", ASCII_ROW + 1);
    for (unsigned c = 0x20; c < 0x7F; c++)
        putchar((int)c);
    printf("\033[%u;1H", UNI_ROW + 1);
    for (size_t i = 0; i < sizeof uni_check; i++)
        put_utf8(vgafont_cp437(uni_check[i]));
    return fflush(stdout) ? 1 : 0;
}

struct frame { unsigned w, h; uint8_t *rgb; };

static int read_ppm(const char *path, struct frame *f)
{
    FILE *fp = fopen(path, "rb");
    unsigned maxv;

    if (!fp || fscanf(fp, "P6 %u %u %u", &f->w, &f->h, &maxv) != 3 || maxv != 255 || fgetc(fp) == EOF ||
        f->w < CW * (GRID_COL + 32) || f->h < CH * (UNI_ROW + 1) || f->w > 8192 || f->h > 8192) {
        fprintf(stderr, "fontcap: %s: not a P6 screendump of the glyph page\n", path);
        if (fp)
            fclose(fp);
        return -1;
    }
    size_t n = (size_t)f->w * f->h * 3;
    f->rgb = malloc(n);
    if (!f->rgb || fread(f->rgb, 1, n, fp) != n) {
        fprintf(stderr, "fontcap: %s: truncated\n", path);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    return 0;
}

static uint32_t pixel(const struct frame *f, unsigned x, unsigned y)
{
    const uint8_t *p = f->rgb + ((size_t)y * f->w + x) * 3;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Cell (col, row) as 16 rows of 8 bits (bit 7 leftmost); -1 unless every
 * pixel is the background or one ink colour. */
static int cut_cell(const struct frame *f, unsigned col, unsigned row, uint32_t bg, uint32_t *ink, uint8_t *out)
{
    for (unsigned y = 0; y < CH; y++) {
        out[y] = 0;
        for (unsigned x = 0; x < CW; x++) {
            uint32_t p = pixel(f, col * CW + x, row * CH + y);
            if (p == bg)
                continue;
            if (*ink == bg)
                *ink = p;
            if (p != *ink)
                return -1;
            out[y] |= (uint8_t)(0x80 >> x);
        }
    }
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int cut(const char *ppm, const char *out)
{
    struct frame f;
    uint8_t glyph[256][CH], cell[CH];
    uint32_t bg, ink;
    int bad = 0;

    if (read_ppm(ppm, &f) < 0)
        return 1;
    bg = pixel(&f, f.w - 1, f.h - 1);
    ink = bg;
    for (unsigned g = 0; g < 256; g++)
        if (cut_cell(&f, GRID_COL + 2 * (g % 16), GRID_ROW + g / 16, bg, &ink, glyph[g]) < 0) {
            fprintf(stderr, "fontcap: glyph 0x%02X: more than one ink colour\n", g);
            bad = 1;
        }
    /* the grid's gaps are blank: the layout is where we think it is */
    for (unsigned g = 0; g < 256; g++) {
        if (cut_cell(&f, GRID_COL + 2 * (g % 16) + 1, GRID_ROW + g / 16, bg, &ink, cell) < 0 ||
            memcmp(cell, (uint8_t[CH]){ 0 }, CH)) {
            fprintf(stderr, "fontcap: the gap after glyph 0x%02X is not blank\n", g);
            bad = 1;
        }
    }
    for (unsigned c = 0x20; c < 0x7F; c++)
        if (cut_cell(&f, c - 0x20, ASCII_ROW, bg, &ink, cell) < 0 || memcmp(cell, glyph[c], CH)) {
            fprintf(stderr, "fontcap: '%c' as a byte is not glyph 0x%02X of the grid\n", c, c);
            bad = 1;
        }
    for (unsigned i = 0; i < sizeof uni_check; i++)
        if (cut_cell(&f, i, UNI_ROW, bg, &ink, cell) < 0 || memcmp(cell, glyph[uni_check[i]], CH)) {
            fprintf(stderr, "fontcap: U+%04X is not glyph 0x%02X of the grid\n", vgafont_cp437(uni_check[i]),
                    uni_check[i]);
            bad = 1;
        }
    for (unsigned y = 0; y < CH; y++)
        if (glyph[0xDB][y] != 0xFF || glyph[0x20][y]) {
            fprintf(stderr, "fontcap: glyph 0xDB is not full or 0x20 not blank\n");
            bad = 1;
            break;
        }
    free(f.rgb);
    if (bad)
        return 1;

    /* PSF2: header, 256 glyphs of 8x16, Unicode table (UTF-8, 0xFF ends a glyph's list) */
    FILE *o = fopen(out, "wb");
    uint8_t hdr[32];
    put32(hdr, 0x864AB572u);
    put32(hdr + 4, 0);              /* version */
    put32(hdr + 8, 32);             /* header size */
    put32(hdr + 12, 1);             /* PSF2_HAS_UNICODE_TABLE */
    put32(hdr + 16, 256);
    put32(hdr + 20, CH);
    put32(hdr + 24, CH);
    put32(hdr + 28, CW);
    if (!o || fwrite(hdr, 1, sizeof hdr, o) != sizeof hdr || fwrite(glyph, 1, sizeof glyph, o) != sizeof glyph) {
        fprintf(stderr, "fontcap: cannot write %s\n", out);
        return 1;
    }
    for (unsigned g = 0; g < 256; g++) {
        uint8_t u[5];
        size_t n = 0;
        uint32_t c = g ? vgafont_cp437(g) : 0;     /* glyph 0 (NUL) has no code point */
        if (!c)
            ;
        else if (c < 0x80)
            u[n++] = (uint8_t)c;
        else if (c < 0x800) {
            u[n++] = (uint8_t)(0xC0 | c >> 6);
            u[n++] = (uint8_t)(0x80 | (c & 0x3F));
        } else {
            u[n++] = (uint8_t)(0xE0 | c >> 12);
            u[n++] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
            u[n++] = (uint8_t)(0x80 | (c & 0x3F));
        }
        u[n++] = 0xFF;
        fwrite(u, 1, n, o);
    }
    if (fclose(o)) {
        fprintf(stderr, "fontcap: cannot write %s\n", out);
        return 1;
    }
    fprintf(stderr, "fontcap: %ux%u frame, ink %06X on %06X: 256 glyphs -> %s\n", f.w, f.h, ink, bg, out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "page"))
        return page();
    if (argc == 4 && !strcmp(argv[1], "cut"))
        return cut(argv[2], argv[3]);
    fprintf(stderr, "usage: fontcap page | fontcap cut FRAME.ppm OUT.psf\n");
    return 2;
}
