/* bench/vnc/vgatext_bench.c: times the VNC text recogniser on a real QEMU frame and scores it (and an OCR's text) against the truth. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/vgafont.h"
#include "backends/vgatext.h"

/* A P6 PPM (maxval 255) as 0x00RRGGBB pixels. */
static uint32_t *read_ppm(const char *path, unsigned *w, unsigned *h)
{
    FILE *f = fopen(path, "rb");
    unsigned maxv;
    uint32_t *px = NULL;

    if (!f)
        return NULL;
    if (fscanf(f, "P6 %u %u %u", w, h, &maxv) == 3 && maxv == 255 && fgetc(f) != EOF &&
        *w && *h && *w <= 16384 && *h <= 16384 && (px = malloc((size_t)*w * *h * 4))) {
        for (size_t i = 0; i < (size_t)*w * *h; i++) {
            int r = fgetc(f), g = fgetc(f), b = fgetc(f);
            if (b == EOF) {
                free(px);
                px = NULL;
                break;
            }
            px[i] = (uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b;
        }
    }
    fclose(f);
    return px;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    size_t n = 0;

    if (!f)
        return NULL;
    FILE *m = open_memstream(&s, &n);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(m);
    fclose(f);
    return s;
}

/* UTF-8 -> code points (malformed bytes kept as themselves). */
static size_t decode(const char *s, uint32_t *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;

    while (*p && n < cap) {
        uint32_t c = *p++;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (more)
            c &= 0x3F >> more;
        while (more-- > 0 && (*p & 0xC0) == 0x80)
            c = c << 6 | (*p++ & 0x3F);
        out[n++] = c;
    }
    return n;
}

static void put_utf8(FILE *f, uint32_t c)
{
    if (c < 0x80)
        fputc((int)c, f);
    else if (c < 0x800)
        fprintf(f, "%c%c", 0xC0 | c >> 6, 0x80 | (c & 0x3F));
    else
        fprintf(f, "%c%c%c", 0xE0 | c >> 12, 0x80 | (c >> 6 & 0x3F), 0x80 | (c & 0x3F));
}

/* Lines trimmed, runs of blanks made one, empty lines dropped: the form both
 * readers are scored in (an OCR does not keep columns). */
static size_t normalise(const uint32_t *in, size_t n, uint32_t *out)
{
    size_t o = 0, line_start = 0;
    bool blank = false;

    for (size_t i = 0; i <= n; i++) {
        uint32_t c = i < n ? in[i] : '\n';
        if (c == '\r')
            continue;
        if (c == '\n') {
            while (o > line_start && out[o - 1] == ' ')
                o--;
            if (o > line_start)
                out[o++] = '\n';
            line_start = o;
            blank = false;
        } else if (c == ' ' || c == '\t' || c == 0xA0) {
            if (o > line_start && !blank)
                out[o++] = ' ';
            blank = true;
        } else {
            out[o++] = c;
            blank = false;
        }
    }
    return o;
}

static size_t levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t *prev = malloc((nb + 1) * sizeof *prev), *cur = malloc((nb + 1) * sizeof *cur), d;

    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    d = prev[nb];
    free(prev);
    free(cur);
    return d;
}

/* Character accuracy of text against truth: 1 - edit distance / truth length. */
static double score(const char *text, const char *truth, size_t *dist, size_t *len)
{
    size_t cap = strlen(text) + strlen(truth) + 2;
    uint32_t *a = malloc(cap * 4), *b = malloc(cap * 4), *na = malloc(cap * 4), *nb = malloc(cap * 4);
    size_t la = normalise(a, decode(truth, a, cap), na);
    size_t lb = normalise(b, decode(text, b, cap), nb);

    *dist = levenshtein(na, la, nb, lb);
    *len = la;
    free(a);
    free(b);
    free(na);
    free(nb);
    return la ? 1.0 - (double)*dist / (double)la : 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *frame = NULL, *truth_path = NULL, *ocr = NULL, *dump = NULL, *font_path = NULL;
    const char *add[8];
    int iters = 2000, nadd = 0;
    char err[256];

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ocr") && i + 1 < argc)
            ocr = argv[++i];
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dump = argv[++i];
        else if (!strcmp(argv[i], "--font") && i + 1 < argc)
            font_path = argv[++i];
        else if (!strcmp(argv[i], "--add-font") && i + 1 < argc && nadd < 8)
            add[nadd++] = argv[++i];
        else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
            iters = atoi(argv[++i]);
        else if (!frame)
            frame = argv[i];
        else
            truth_path = argv[i];
    }
    if (!frame || !truth_path || iters < 1) {
        fprintf(stderr, "usage: vgatext_bench FRAME.ppm TRUTH.txt [--iterations N] [--ocr OCR.txt] [--dump OUT.txt] [--font FILE] [--add-font PSF]...\n");
        return 2;
    }
    unsigned w, h;
    uint32_t *fb = read_ppm(frame, &w, &h);
    char *truth = read_all(truth_path);
    if (!fb || !truth) {
        fprintf(stderr, "vgatext_bench: cannot read %s\n", fb ? truth_path : frame);
        return 1;
    }
    struct vgafont *font = vgafont_load(font_path, err, sizeof err);
    if (!font) {
        fprintf(stderr, "vgatext_bench: %s\n", err);
        return 1;
    }
    for (int i = 0; i < nadd; i++)
        if (vgafont_add(font, add[i], err, sizeof err) < 0) {
            fprintf(stderr, "vgatext_bench: %s\n", err);
            return 1;
        }
    struct vgatext *t = vgatext_new(font);
    double *us = malloc((size_t)iters * sizeof *us);
    enum vgatext_mode mode = VGATEXT_NONE;

    /* Every iteration re-matches the whole screen (one full-screen damage). */
    for (int i = 0; i < iters; i++) {
        double t0 = now_us();
        vgatext_damage(t, 0, 0, w, h);
        mode = vgatext_frame(t, fb, w, h, w, 80, 25);
        us[i] = now_us() - t0;
    }
    qsort(us, (size_t)iters, sizeof *us, cmp_double);

    char *text = NULL;
    size_t tl = 0;
    FILE *m = open_memstream(&text, &tl);
    for (unsigned y = 0; y < vgatext_rows(t); y++) {
        for (unsigned x = 0; x < vgatext_cols(t); x++)
            put_utf8(m, vgatext_cell(t, x, y)->ch);
        fputc('\n', m);
    }
    fclose(m);
    if (dump) {
        FILE *f = fopen(dump, "w");
        if (f) {
            fputs(text, f);
            fclose(f);
        }
    }
    size_t dist, len;
    double acc = score(text, truth, &dist, &len);
    printf("font=%s\n", vgafont_source(font));
    printf("mode=%s\n", vgatext_describe(t));
    printf("frame_us_median=%.2f\n", us[iters / 2]);
    printf("frame_us_p90=%.2f\n", us[iters * 9 / 10]);
    printf("iterations=%d\n", iters);
    printf("unknown_cells=%u\n", vgatext_unknown(t));
    printf("virtmux_errors=%zu\n", dist);
    printf("truth_chars=%zu\n", len);
    printf("virtmux_accuracy=%.4f\n", acc);
    if (ocr) {
        char *o = read_all(ocr);
        if (o) {
            size_t od, ol;
            double oa = score(o, truth, &od, &ol);
            printf("ocr_errors=%zu\n", od);
            printf("ocr_accuracy=%.4f\n", oa);
            free(o);
        }
    }
    free(text);
    free(us);
    vgatext_free(t);
    vgafont_free(font);
    free(truth);
    free(fb);
    return mode == VGATEXT_NONE;
}
