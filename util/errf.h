/* util/errf.h: leave a reason in a caller's error buffer (the lowest layer
 * every module already depends on, so keymaps, backends and tui share it). */
#ifndef VIRTMUX_ERRF_H
#define VIRTMUX_ERRF_H
#include <stddef.h>

/* Formats into err (if err and errlen are non-zero) and returns -1. */
int errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
