/* proto/wire.c: frame and value encoding for the client/server protocol. */
#include "proto/wire.h"

#include <stdlib.h>
#include <string.h>

static bool grow(struct wbuf *b, size_t more)
{
    if (b->failed)
        return false;
    if (b->len + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *n = realloc(b->data, cap);
    if (!n) {
        b->failed = true;
        return false;
    }
    b->data = n;
    b->cap = cap;
    return true;
}

void wbuf_free(struct wbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void wbuf_bytes(struct wbuf *b, const void *p, size_t n)
{
    if (n && grow(b, n)) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
}

void wbuf_u8(struct wbuf *b, uint8_t v)
{
    wbuf_bytes(b, &v, 1);
}

void wbuf_u16(struct wbuf *b, uint16_t v)
{
    unsigned char x[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
    wbuf_bytes(b, x, 2);
}

void wbuf_u32(struct wbuf *b, uint32_t v)
{
    unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24) };
    wbuf_bytes(b, x, 4);
}

void wbuf_varint(struct wbuf *b, uint32_t v)
{
    unsigned char x[5];
    size_t n = 0;
    do {
        x[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            x[n] |= 0x80;
        n++;
    } while (v);
    wbuf_bytes(b, x, n);
}

void wbuf_svarint(struct wbuf *b, int32_t v)
{
    /* zigzag: small negative numbers (-1 = default colour) stay short */
    wbuf_varint(b, ((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

void wbuf_str(struct wbuf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > WIRE_MAX_STRING)
        n = WIRE_MAX_STRING;
    wbuf_u32(b, (uint32_t)n);
    wbuf_bytes(b, s, n);
}

size_t wbuf_begin(struct wbuf *b, uint16_t type)
{
    size_t start = b->len;
    wbuf_u32(b, 0);
    wbuf_u16(b, type);
    return start;
}

int wbuf_end(struct wbuf *b, size_t start)
{
    if (b->failed)
        return -1;
    size_t n = b->len - start - 4;
    if (n > WIRE_MAX_FRAME) {
        b->len = start;
        return -1;
    }
    unsigned char *p = b->data + start;
    p[0] = (unsigned char)n;
    p[1] = (unsigned char)(n >> 8);
    p[2] = (unsigned char)(n >> 16);
    p[3] = (unsigned char)(n >> 24);
    return 0;
}

void wbuf_consume(struct wbuf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

/* ---- reading ---- */

static const unsigned char *take(struct rbuf *r, size_t n)
{
    if (r->bad || r->n < n) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *p = r->p;
    r->p += n;
    r->n -= n;
    return p;
}

uint8_t rbuf_u8(struct rbuf *r)
{
    const unsigned char *p = take(r, 1);
    return p ? p[0] : 0;
}

uint16_t rbuf_u16(struct rbuf *r)
{
    const unsigned char *p = take(r, 2);
    return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t rbuf_u32(struct rbuf *r)
{
    const unsigned char *p = take(r, 4);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

uint32_t rbuf_varint(struct rbuf *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 5; i++) {
        const unsigned char *p = take(r, 1);
        if (!p)
            return 0;
        if (i == 4 && (*p & 0xf0)) {
            r->bad = true;   /* more than 32 bits */
            return 0;
        }
        v |= (uint32_t)(*p & 0x7f) << (7 * i);
        if (!(*p & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

int32_t rbuf_svarint(struct rbuf *r)
{
    uint32_t u = rbuf_varint(r);
    return (int32_t)((u >> 1) ^ (~(u & 1) + 1));
}

void rbuf_str(struct rbuf *r, char *out, size_t outlen)
{
    if (outlen)
        out[0] = '\0';
    uint32_t n = rbuf_u32(r);
    if (r->bad || n > WIRE_MAX_STRING) {
        r->bad = true;
        return;
    }
    const unsigned char *p = take(r, n);
    if (!p)
        return;
    if (memchr(p, 0, n)) {
        r->bad = true;
        return;
    }
    if (!outlen)
        return;
    size_t k = n < outlen - 1 ? n : outlen - 1;
    memcpy(out, p, k);
    out[k] = '\0';
}

char *rbuf_strdup(struct rbuf *r)
{
    uint32_t n = rbuf_u32(r);
    if (r->bad || n > WIRE_MAX_STRING) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *p = take(r, n);
    if (!p || memchr(p, 0, n)) {
        r->bad = true;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) {
        r->bad = true;
        return NULL;
    }
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

int wire_frame(const unsigned char *buf, size_t len, uint16_t *type, struct rbuf *payload, size_t *taken)
{
    if (len < 4)
        return 0;
    uint32_t n = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
    if (n < 2 || n > WIRE_MAX_FRAME)
        return -1;
    if (len - 4 < n)
        return 0;
    *type = (uint16_t)(buf[4] | buf[5] << 8);
    payload->p = buf + WIRE_HEADER;
    payload->n = n - 2;
    payload->bad = false;
    *taken = 4 + (size_t)n;
    return 1;
}

/* ---- cells ---- */

/* Cell flags: the width (0..2) in the low bits, then what follows. */
#define CF_WIDTH 0x03
#define CF_COMB  0x04
#define CF_STYLE 0x08   /* fg, bg and attrs follow; else those of the cell before */

void wire_put_run(struct wbuf *b, int y, int x, const struct cell *cells, int n)
{
    wbuf_varint(b, (uint32_t)y);
    wbuf_varint(b, (uint32_t)x);
    wbuf_varint(b, (uint32_t)n);
    const struct cell *prev = NULL;
    for (int i = 0; i < n; i++) {
        const struct cell *c = &cells[i];
        bool style = !prev || prev->fg != c->fg || prev->bg != c->bg || prev->attrs != c->attrs;
        wbuf_u8(b, (uint8_t)((c->width & CF_WIDTH) | (c->comb ? CF_COMB : 0) | (style ? CF_STYLE : 0)));
        wbuf_varint(b, c->ch);
        if (c->comb)
            wbuf_varint(b, c->comb);
        if (style) {
            wbuf_svarint(b, c->fg);
            wbuf_svarint(b, c->bg);
            wbuf_u8(b, c->attrs);
        }
        prev = c;
    }
}

static bool valid_colour(int32_t c)
{
    return c == CELL_COLOUR_DEFAULT || (c >= 0 && c <= 255) || (c & ~0xffffff) == CELL_COLOUR_RGB;
}

int wire_get_run(struct rbuf *r, int *y, int *x, struct cell *out, int max)
{
    uint32_t yy = rbuf_varint(r), xx = rbuf_varint(r), n = rbuf_varint(r);
    if (r->bad || yy > 4096 || xx > 4096 || n > (uint32_t)max) {
        r->bad = true;
        return -1;
    }
    struct cell prev = { 0, 0, CELL_COLOUR_DEFAULT, CELL_COLOUR_DEFAULT, 0, 1 };
    for (uint32_t i = 0; i < n; i++) {
        uint8_t f = rbuf_u8(r);
        struct cell c = prev;
        c.width = f & CF_WIDTH;
        c.ch = rbuf_varint(r);
        c.comb = f & CF_COMB ? rbuf_varint(r) : 0;
        if (f & CF_STYLE) {
            c.fg = rbuf_svarint(r);
            c.bg = rbuf_svarint(r);
            c.attrs = rbuf_u8(r) & CELL_ATTRS;
        } else if (i == 0) {
            r->bad = true;   /* the first cell of a run carries its style */
        }
        if (r->bad || c.width > 2 || (f & ~(CF_WIDTH | CF_COMB | CF_STYLE)) || c.ch > 0x10ffff ||
            c.comb > 0x10ffff || !valid_colour(c.fg) || !valid_colour(c.bg)) {
            r->bad = true;
            return -1;
        }
        out[i] = c;
        prev = c;
    }
    *y = (int)yy;
    *x = (int)xx;
    return (int)n;
}
