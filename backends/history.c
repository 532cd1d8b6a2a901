/* backends/history.c: the record log behind a console's scrollback. */
#include "backends/history.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REC_HEAD 5

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

/* Trimming (a memmove) happens once in a while, not per record: past a
 * quarter more lines than asked, down to what was asked (the scrollback
 * always has its lines); past the bytes asked, down to three quarters. */
static void trim(struct history *h, size_t max_lines, size_t max_bytes)
{
    if (h->lines <= max_lines + max_lines / 4 && h->len <= max_bytes)
        return;
    size_t want_lines = max_lines, want_bytes = max_bytes - max_bytes / 4;
    size_t off = 0, lines = h->lines;
    while (off < h->len && (lines > want_lines || h->len - off > want_bytes)) {
        lines -= rec_lines(h->buf + off);
        off += REC_HEAD + rec_len(h->buf + off);
    }
    memmove(h->buf, h->buf + off, h->len - off);
    h->len -= off;
    h->lines = lines;
}

void history_add(struct history *h, enum history_kind kind, const char *bytes, size_t n, size_t max_lines,
                 size_t max_bytes)
{
    if (n > max_bytes)
        return;   /* more than it may ever keep */
    if (h->len + REC_HEAD + n > h->cap) {
        size_t cap = h->cap ? h->cap : 4096;
        while (cap < h->len + REC_HEAD + n)
            cap *= 2;
        unsigned char *b = realloc(h->buf, cap);
        if (!b)
            return;   /* the scrollback loses this, the screen does not */
        h->buf = b;
        h->cap = cap;
    }
    unsigned char *r = h->buf + h->len;
    r[0] = (unsigned char)kind;
    r[1] = (unsigned char)n;
    r[2] = (unsigned char)(n >> 8);
    r[3] = (unsigned char)(n >> 16);
    r[4] = (unsigned char)(n >> 24);
    memcpy(r + REC_HEAD, bytes, n);
    h->len += REC_HEAD + n;
    h->lines += rec_lines(r);
    trim(h, max_lines, max_bytes);
    /* A buffer much larger than what it holds gives memory back. */
    if (h->cap > 65536 && h->len < h->cap / 4) {
        unsigned char *b = realloc(h->buf, h->cap / 2);
        if (b) {
            h->buf = b;
            h->cap /= 2;
        }
    }
}

void history_replay(const struct history *h, void (*fn)(enum history_kind kind, const char *bytes, size_t n,
                                                         void *opaque),
                    void *opaque)
{
    for (size_t off = 0; off < h->len;) {
        const unsigned char *r = h->buf + off;
        fn((enum history_kind)r[0], (const char *)r + REC_HEAD, rec_len(r), opaque);
        off += REC_HEAD + rec_len(r);
    }
}

void history_free(struct history *h)
{
    free(h->buf);
    memset(h, 0, sizeof *h);
}
