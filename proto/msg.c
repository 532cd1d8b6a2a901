/* proto/msg.c: encoding and strict decoding of each protocol message. */
#include "proto/msg.h"

#include <stdlib.h>
#include <string.h>

/* A payload must be used up exactly: trailing bytes mean a peer we do not understand. */
static int done(const struct rbuf *r)
{
    return r->bad || r->n ? -1 : 0;
}

int msg_put_hello(struct wbuf *b, const struct msg_hello *h)
{
    size_t s = wbuf_begin(b, MSG_HELLO);
    wbuf_u32(b, h->magic);
    wbuf_u32(b, h->version);
    wbuf_u8(b, h->flags);
    wbuf_u16(b, h->rows);
    wbuf_u16(b, h->cols);
    wbuf_u16(b, h->colours);
    wbuf_str(b, h->term);
    wbuf_str(b, h->cwd);
    wbuf_u16(b, (uint16_t)h->ncmds);
    for (int i = 0; i < h->ncmds; i++) {
        wbuf_u16(b, (uint16_t)h->argc[i]);
        for (int k = 0; k < h->argc[i]; k++)
            wbuf_str(b, h->argv[i][k]);
    }
    return wbuf_end(b, s);
}

int msg_get_hello_head(struct rbuf r, uint32_t *magic, uint32_t *version)
{
    *magic = rbuf_u32(&r);
    *version = rbuf_u32(&r);
    return r.bad ? -1 : 0;
}

void msg_hello_free(struct msg_hello *h)
{
    for (int i = 0; i < h->ncmds; i++) {
        for (int k = 0; h->argv[i] && k < h->argc[i]; k++)
            free(h->argv[i][k]);
        free(h->argv[i]);
    }
    h->ncmds = 0;
}

int msg_get_hello(struct rbuf *r, struct msg_hello *h)
{
    memset(h, 0, sizeof *h);
    h->magic = rbuf_u32(r);
    h->version = rbuf_u32(r);
    h->flags = rbuf_u8(r);
    h->rows = rbuf_u16(r);
    h->cols = rbuf_u16(r);
    h->colours = rbuf_u16(r);
    rbuf_str(r, h->term, sizeof h->term);
    rbuf_str(r, h->cwd, sizeof h->cwd);
    int n = rbuf_u16(r);
    if (r->bad || n > HELLO_MAX_CMDS || h->rows > 4096 || h->cols > 4096)
        return -1;
    for (int i = 0; i < n; i++) {
        int argc = rbuf_u16(r);
        if (r->bad || argc < 1 || argc > HELLO_MAX_ARGS) {
            msg_hello_free(h);
            return -1;
        }
        h->argv[i] = calloc((size_t)argc + 1, sizeof *h->argv[i]);
        h->ncmds = i + 1;
        if (!h->argv[i]) {
            msg_hello_free(h);
            return -1;
        }
        h->argc[i] = argc;
        for (int k = 0; k < argc; k++) {
            h->argv[i][k] = rbuf_strdup(r);
            if (!h->argv[i][k]) {
                msg_hello_free(h);
                return -1;
            }
        }
    }
    if (done(r) < 0) {
        msg_hello_free(h);
        return -1;
    }
    return 0;
}

int msg_put_keys(struct wbuf *b, const struct key_event_wire *k, size_t n)
{
    if (n > KEYS_MAX)
        return -1;
    size_t s = wbuf_begin(b, MSG_KEYS);
    wbuf_u16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        wbuf_u32(b, k[i].key);
        wbuf_u16(b, k[i].y);
        wbuf_u16(b, k[i].x);
    }
    return wbuf_end(b, s);
}

int msg_get_keys(struct rbuf *r, struct key_event_wire *out, size_t max, size_t *n)
{
    size_t count = rbuf_u16(r);
    if (r->bad || count > max || count > KEYS_MAX)
        return -1;
    for (size_t i = 0; i < count; i++) {
        out[i].key = rbuf_u32(r);
        out[i].y = rbuf_u16(r);
        out[i].x = rbuf_u16(r);
    }
    *n = count;
    return done(r);
}

int msg_put_resize(struct wbuf *b, int rows, int cols)
{
    size_t s = wbuf_begin(b, MSG_RESIZE);
    wbuf_u16(b, (uint16_t)rows);
    wbuf_u16(b, (uint16_t)cols);
    return wbuf_end(b, s);
}

int msg_get_resize(struct rbuf *r, int *rows, int *cols)
{
    *rows = rbuf_u16(r);
    *cols = rbuf_u16(r);
    if (*rows > 4096 || *cols > 4096)
        return -1;
    return done(r);
}

int msg_put_ack(struct wbuf *b, uint32_t seq)
{
    size_t s = wbuf_begin(b, MSG_ACK);
    wbuf_u32(b, seq);
    return wbuf_end(b, s);
}

int msg_get_ack(struct rbuf *r, uint32_t *seq)
{
    *seq = rbuf_u32(r);
    return done(r);
}

int msg_put_welcome(struct wbuf *b, uint32_t pid, const char *session)
{
    size_t s = wbuf_begin(b, MSG_WELCOME);
    wbuf_u32(b, PROTO_VERSION);
    wbuf_u32(b, pid);
    wbuf_str(b, session);
    return wbuf_end(b, s);
}

int msg_get_welcome(struct rbuf *r, uint32_t *pid, char *session, size_t slen)
{
    uint32_t version = rbuf_u32(r);
    *pid = rbuf_u32(r);
    rbuf_str(r, session, slen);
    if (version != PROTO_VERSION)
        return -1;
    return done(r);
}

int msg_put_frame_end(struct wbuf *b, uint32_t seq, int cy, int cx, bool cursor)
{
    size_t s = wbuf_begin(b, MSG_FRAME_END);
    wbuf_u32(b, seq);
    wbuf_u16(b, (uint16_t)(cy < 0 ? 0 : cy));
    wbuf_u16(b, (uint16_t)(cx < 0 ? 0 : cx));
    wbuf_u8(b, cursor);
    return wbuf_end(b, s);
}

int msg_get_frame_end(struct rbuf *r, uint32_t *seq, int *cy, int *cx, bool *cursor)
{
    *seq = rbuf_u32(r);
    *cy = rbuf_u16(r);
    *cx = rbuf_u16(r);
    uint8_t c = rbuf_u8(r);
    *cursor = c != 0;
    if (c > 1)
        return -1;
    return done(r);
}

int msg_put_term(struct wbuf *b, enum term_op op, int value)
{
    size_t s = wbuf_begin(b, MSG_TERM);
    wbuf_u8(b, (uint8_t)op);
    wbuf_u32(b, (uint32_t)value);
    return wbuf_end(b, s);
}

int msg_get_term(struct rbuf *r, int *op, int *value)
{
    *op = rbuf_u8(r);
    *value = (int)rbuf_u32(r);
    if (*op < TERM_MOUSE || *op > TERM_BELL)
        return -1;
    return done(r);
}

int msg_put_output(struct wbuf *b, int fd, const char *text)
{
    size_t s = wbuf_begin(b, MSG_OUTPUT);
    wbuf_u8(b, (uint8_t)fd);
    wbuf_str(b, text);
    return wbuf_end(b, s);
}

int msg_get_output(struct rbuf *r, int *fd, char **text)
{
    *fd = rbuf_u8(r);
    *text = rbuf_strdup(r);
    if ((*fd != 1 && *fd != 2) || done(r) < 0) {
        free(*text);
        *text = NULL;
        return -1;
    }
    return 0;
}

int msg_put_exit(struct wbuf *b, int status, const char *message)
{
    size_t s = wbuf_begin(b, MSG_EXIT);
    wbuf_u32(b, (uint32_t)status);
    wbuf_str(b, message);
    return wbuf_end(b, s);
}

int msg_get_exit(struct rbuf *r, int *status, char **message)
{
    *status = (int)rbuf_u32(r);
    *message = rbuf_strdup(r);
    if (*status < 0 || *status > 255 || done(r) < 0) {
        free(*message);
        *message = NULL;
        return -1;
    }
    return 0;
}
