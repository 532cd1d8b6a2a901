/* proto/wire.h: the client/server protocol's framing and its values: frames
 * of [u32 length][u16 type][payload], little-endian, with a hard size limit;
 * writers append to a growing buffer, readers walk one frame's payload and
 * never read past it (a short or malformed payload sets `bad`). */
#ifndef VIRTMUX_PROTO_WIRE_H
#define VIRTMUX_PROTO_WIRE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/cell.h"

/* The length counts the type and the payload. */
#define WIRE_HEADER 6
#define WIRE_MAX_FRAME (1024 * 1024)
#define WIRE_MAX_STRING 65536

struct wbuf {
    unsigned char *data;
    size_t len, cap;
    bool failed;        /* out of memory: the buffer is unusable */
};

void wbuf_free(struct wbuf *b);
void wbuf_u8(struct wbuf *b, uint8_t v);
void wbuf_u16(struct wbuf *b, uint16_t v);
void wbuf_u32(struct wbuf *b, uint32_t v);
void wbuf_varint(struct wbuf *b, uint32_t v);
void wbuf_svarint(struct wbuf *b, int32_t v);
void wbuf_bytes(struct wbuf *b, const void *p, size_t n);
/* A string: u32 length, bytes (no NUL); longer than WIRE_MAX_STRING is cut. */
void wbuf_str(struct wbuf *b, const char *s);
/* Start a frame of type; returns where it starts, for wbuf_end_frame. */
size_t wbuf_begin(struct wbuf *b, uint16_t type);
/* Close the frame: its length is filled in. -1 if it grew past WIRE_MAX_FRAME. */
int wbuf_end(struct wbuf *b, size_t start);
/* Drop the first n bytes (they were written to the socket). */
void wbuf_consume(struct wbuf *b, size_t n);

struct rbuf {
    const unsigned char *p;
    size_t n;
    bool bad;           /* read past the end or a value out of range */
};

uint8_t rbuf_u8(struct rbuf *r);
uint16_t rbuf_u16(struct rbuf *r);
uint32_t rbuf_u32(struct rbuf *r);
uint32_t rbuf_varint(struct rbuf *r);
int32_t rbuf_svarint(struct rbuf *r);
/* A string into out (NUL-terminated, cut to outlen - 1); bad if it holds a NUL. */
void rbuf_str(struct rbuf *r, char *out, size_t outlen);
/* A string, allocated (NULL and bad when malformed). */
char *rbuf_strdup(struct rbuf *r);

/* The next whole frame in buf[0..len): 1 with *type, the payload and the
 * bytes it took; 0 when more bytes are needed; -1 when the header is not a
 * frame (length under 2 or over WIRE_MAX_FRAME): the stream is broken. */
int wire_frame(const unsigned char *buf, size_t len, uint16_t *type, struct rbuf *payload, size_t *taken);

/* A run of n cells starting at (y, x): y, x, n, then each cell (a cell that
 * looks like the one before it costs its character only). */
void wire_put_run(struct wbuf *b, int y, int x, const struct cell *cells, int n);
/* Reads one run into out (at most max cells); returns the count, or -1 (bad). */
int wire_get_run(struct rbuf *r, int *y, int *x, struct cell *out, int max);

#endif
