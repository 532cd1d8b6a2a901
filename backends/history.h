/* backends/history.h: a console's scrollback kept as what printed it — the
 * guest's bytes and virtmux's marker lines, in order — instead of libtsm's
 * cells (24 bytes each, ~2 KiB for a line of 80 columns, ~20 MiB for 10,000
 * lines). A screen that looks back is rebuilt from it by replaying. Bounded
 * by lines (newlines seen) and bytes; the oldest records go first. Full
 * tails of 32 KiB are kept compressed. */
#ifndef VIRTMUX_HISTORY_H
#define VIRTMUX_HISTORY_H
#include <stdbool.h>
#include <stddef.h>

enum history_kind { HISTORY_BYTES = 0, HISTORY_MARKER = 1 };

/* Older records, sealed and compressed (zlib), oldest first. */
struct history_chunk {
    unsigned char *z;
    size_t zlen, raw, lines;   /* compressed bytes; the records' plain bytes; their newlines */
};

struct history {
    unsigned char *buf;   /* the newest records, plain: [u8 kind][u32 length][bytes] */
    size_t tail, tcap;    /* bytes in buf, its size */
    size_t tlines;        /* newlines in buf */
    struct history_chunk *chunks;
    size_t nchunks, chunks_cap;
    size_t len;           /* plain bytes of every record kept (chunks and tail) */
    size_t cap;           /* memory held: buf's size and the compressed chunks */
    size_t lines;         /* newlines in all of it */
};

/* Appends a record; then, past a quarter more than max_lines newlines,
 * drops the oldest records down to max_lines, and past max_bytes, down to
 * three quarters of it. */
void history_add(struct history *h, enum history_kind kind, const char *bytes, size_t n, size_t max_lines,
                 size_t max_bytes);
/* Every record, oldest first. */
void history_replay(const struct history *h, void (*fn)(enum history_kind kind, const char *bytes, size_t n,
                                                         void *opaque),
                    void *opaque);
void history_free(struct history *h);

#endif
