/* util/utf8.h: strict UTF-8 checking, decoding and encoding for keys and binding files. */
#ifndef VIRTMUX_KEYMAPS_UTF8_H
#define VIRTMUX_KEYMAPS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when the n bytes at s are valid UTF-8 (no overlongs, surrogates or
   code points above U+10FFFF), else 0. */
int utf8_valid(const char *s, size_t n);

/* Decode one character from the n bytes at s into *cp. Returns the number
   of bytes used (1..4), or -1 when s does not start with a valid character. */
int utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Encode cp into out (no terminating NUL). Returns the number of bytes
   written (1..4), or 0 when cp is a surrogate or above U+10FFFF. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
