/* backends/conlog.h: console logs — timestamped raw bytes and a plain-text rendering. */
#ifndef VIRTMUX_CONLOG_H
#define VIRTMUX_CONLOG_H
#include <stddef.h>

struct conlog;

/* Appends to DIR/NAME.raw and DIR/NAME.log (created 0600). */
struct conlog *conlog_open(const char *dir, const char *name, char *err, size_t errlen);
void conlog_close(struct conlog *log);
/* Guest output: raw as "TIMESTAMP LEN\n<bytes>\n" records; text with escape
 * sequences and control characters removed. */
void conlog_write(struct conlog *log, const char *bytes, size_t n);
/* One of virtmux's own lines, in both files. */
void conlog_marker(struct conlog *log, const char *line);
/* The last nlines lines of DIR/NAME.log as one malloc'd string ("" if none). */
char *conlog_tail(const char *dir, const char *name, unsigned nlines);
/* Turn a name into a safe file name (letters, digits, - _ . kept). */
void conlog_file_name(const char *name, char *out, size_t outlen);

#endif
