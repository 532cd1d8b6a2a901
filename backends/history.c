/* backends/history.c: the record log behind a console's scrollback. The
 * newest records sit in a plain tail; a full tail (32 KiB) is sealed into a chunk
 * compressed with zlib (a kernel log shrinks ~3x), so 240 consoles with
 * 10,000 lines each stay well under what their plain bytes would take. */
#include "backends/history.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define REC_HEAD 5
#define SEAL_MAX 32768    /* a chunk's plain bytes, at most (one record may pass it) */
#define SEAL_MIN 8192     /* smaller scrollbacks are not worth compressing */

static size_t newlines(const unsigned char *p, size_t n)
{
    size_t k = 0;
    for (const unsigned char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        k++;
    return k;
}

static uint32_t rec_len(const unsigned char *r)
{
    return (uint32_t)r[1] | (uint32_t)r[2] << 8 | (uint32_t)r[3] << 16 | (uint32_t)r[4] << 24;
}

static size_t rec_lines(const unsigned char *r)
{
    return r[0] == HISTORY_MARKER ? 1 : newlines(r + REC_HEAD, rec_len(r));
}

static void drop_chunk(struct history *h)
{
    struct history_chunk *c = &h->chunks[0];
    h->len -= c->raw;
    h->lines -= c->lines;
    h->cap -= c->zlen;
    free(c->z);
    memmove(h->chunks, h->chunks + 1, (h->nchunks - 1) * sizeof *h->chunks);
    h->nchunks--;
}

/* Trimming happens once in a while, not per record. Whole chunks go first,
 * the oldest, while the rest still has the lines asked (or the bytes are
 * over). Without chunks, the tail: past a quarter more lines than asked,
 * down to what was asked (the scrollback always has its lines); past the
 * bytes asked, down to three quarters. */
static void trim(struct history *h, size_t max_lines, size_t max_bytes)
{
    while (h->nchunks && (h->lines - h->chunks[0].lines >= max_lines || h->len > max_bytes))
        drop_chunk(h);
    if (h->nchunks || (h->lines <= max_lines + max_lines / 4 && h->len <= max_bytes))
        return;
    size_t want_lines = max_lines, want_bytes = max_bytes - max_bytes / 4;
    size_t off = 0, lines = h->lines;
    while (off < h->tail && (lines > want_lines || h->tail - off > want_bytes)) {
        lines -= rec_lines(h->buf + off);
        off += REC_HEAD + rec_len(h->buf + off);
    }
    memmove(h->buf, h->buf + off, h->tail - off);
    h->tail -= off;
    h->len -= off;
    h->lines = h->tlines = lines;
}

/* The tail becomes a compressed chunk; on any failure it stays plain. */
static void seal(struct history *h)
{
    if (h->nchunks == h->chunks_cap) {
        size_t cap = h->chunks_cap ? h->chunks_cap * 2 : 16;
        struct history_chunk *c = realloc(h->chunks, cap * sizeof *c);
        if (!c)
            return;
        h->chunks = c;
        h->chunks_cap = cap;
    }
    uLongf zlen = compressBound((uLong)h->tail);
    unsigned char *z = malloc(zlen);
    if (!z || compress2(z, &zlen, h->buf, (uLong)h->tail, 1) != Z_OK) {
        free(z);
        return;
    }
    unsigned char *fit = realloc(z, zlen);
    z = fit ? fit : z;
    h->chunks[h->nchunks++] = (struct history_chunk){ z, zlen, h->tail, h->tlines };
    h->cap += zlen;
    h->tail = 0;
    h->tlines = 0;
}

void history_add(struct history *h, enum history_kind kind, const char *bytes, size_t n, size_t max_lines,
                 size_t max_bytes)
{
    if (n > max_bytes)
        return;   /* more than it may ever keep */
    /* Sealed before the record would pass the chunk's size: the tail's
     * buffer stays at that size. */
    size_t seal_at = max_bytes / 4 < SEAL_MAX ? max_bytes / 4 : SEAL_MAX;
    if (seal_at >= SEAL_MIN && h->tail && h->tail + REC_HEAD + n > seal_at)
        seal(h);
    if (h->tail + REC_HEAD + n > h->tcap) {
        size_t cap = h->tcap ? h->tcap : 4096;
        while (cap < h->tail + REC_HEAD + n)
            cap *= 2;
        unsigned char *b = realloc(h->buf, cap);
        if (!b)
            return;   /* the scrollback loses this, the screen does not */
        h->buf = b;
        h->cap += cap - h->tcap;
        h->tcap = cap;
    }
    unsigned char *r = h->buf + h->tail;
    r[0] = (unsigned char)kind;
    r[1] = (unsigned char)n;
    r[2] = (unsigned char)(n >> 8);
    r[3] = (unsigned char)(n >> 16);
    r[4] = (unsigned char)(n >> 24);
    memcpy(r + REC_HEAD, bytes, n);
    size_t k = rec_lines(r);
    h->tail += REC_HEAD + n;
    h->len += REC_HEAD + n;
    h->lines += k;
    h->tlines += k;
    trim(h, max_lines, max_bytes);
    /* A buffer much larger than what it holds gives memory back. */
    if (h->tcap > 2 * SEAL_MAX && h->tail < h->tcap / 4) {
        unsigned char *b = realloc(h->buf, h->tcap / 2);
        if (b) {
            h->buf = b;
            h->cap -= h->tcap / 2;
            h->tcap /= 2;
        }
    }
}

static void replay_plain(const unsigned char *p, size_t len,
                         void (*fn)(enum history_kind kind, const char *bytes, size_t n, void *opaque), void *opaque)
{
    for (size_t off = 0; off < len;) {
        const unsigned char *r = p + off;
        fn((enum history_kind)r[0], (const char *)r + REC_HEAD, rec_len(r), opaque);
        off += REC_HEAD + rec_len(r);
    }
}

void history_replay(const struct history *h, void (*fn)(enum history_kind kind, const char *bytes, size_t n,
                                                         void *opaque),
                    void *opaque)
{
    unsigned char *plain = NULL;
    size_t plain_cap = 0;
    for (size_t i = 0; i < h->nchunks; i++) {
        const struct history_chunk *c = &h->chunks[i];
        if (c->raw > plain_cap) {
            unsigned char *p = realloc(plain, c->raw);
            if (!p)
                continue;   /* a chunk the screen cannot show now; the rest still comes */
            plain = p;
            plain_cap = c->raw;
        }
        uLongf n = (uLongf)c->raw;
        if (uncompress(plain, &n, c->z, (uLong)c->zlen) == Z_OK && n == c->raw)
            replay_plain(plain, n, fn, opaque);
    }
    free(plain);
    replay_plain(h->buf, h->tail, fn, opaque);
}

void history_free(struct history *h)
{
    for (size_t i = 0; i < h->nchunks; i++)
        free(h->chunks[i].z);
    free(h->chunks);
    free(h->buf);
    memset(h, 0, sizeof *h);
}
