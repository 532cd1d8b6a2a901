/* backends/history.h: a console's scrollback kept as what printed it — the
 * guest's bytes and virtmux's marker lines, in order — instead of libtsm's
 * cells (24 bytes each, ~2 KiB for a line of 80 columns, ~20 MiB for 10,000
 * lines). A screen that looks back is rebuilt from it by replaying. Bounded
 * by lines (newlines seen) and bytes; the oldest records go first. */
#ifndef VIRTMUX_HISTORY_H
#define VIRTMUX_HISTORY_H
#include <stdbool.h>
#include <stddef.h>

enum history_kind { HISTORY_BYTES = 0, HISTORY_MARKER = 1 };

struct history {
    unsigned char *buf;   /* records: [u8 kind][u32 length][bytes] */
    size_t len, cap;
    size_t lines;         /* newlines in it */
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
