/* tests/fuzz/fuzz_proto.c: libFuzzer target for the client/server frames.
 *
 * The input is a byte stream as either side would read it from the socket.
 * It is cut into frames (proto/wire.c) and each frame is decoded by the
 * decoder of its type (proto/msg.c): the server's for HELLO, KEYS, RESIZE and
 * ACK, the client's for the rest (RUNS of cells included). Aborts when:
 *   - a frame is taken that is longer than the bytes given or the limit;
 *   - a decoder accepts something it then cannot write back the same way
 *     (decode -> encode -> decode must give the same message);
 *   - an accepted cell is not one a client can paint (width <= 2, a colour
 *     of the encoding, no character beyond U+10FFFF).
 * ASan and UBSan catch reads past a payload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg.h"
#include "proto/wire.h"

#define CHECK(cond, what) do { if (!(cond)) { fprintf(stderr, "fuzz_proto: %s\n", what); abort(); } } while (0)

static bool colour_ok(int32_t c)
{
    return c == CELL_COLOUR_DEFAULT || (c >= 0 && c <= 255) || (c & ~0xffffff) == CELL_COLOUR_RGB;
}

static void runs(struct rbuf r)
{
    static struct cell cells[4096], again[4096];
    while (r.n && !r.bad) {
        int y, x, n = wire_get_run(&r, &y, &x, cells, 4096);
        if (n < 0)
            return;
        for (int i = 0; i < n; i++)
            CHECK(cells[i].width <= 2 && cells[i].ch <= 0x10ffff && colour_ok(cells[i].fg) &&
                      colour_ok(cells[i].bg) && !(cells[i].attrs & ~CELL_ATTRS),
                  "a cell no client could paint");
        struct wbuf b = { 0 };
        wire_put_run(&b, y, x, cells, n);
        struct rbuf back = { b.data, b.len, false };
        int y2, x2;
        CHECK(wire_get_run(&back, &y2, &x2, again, 4096) == n && y2 == y && x2 == x && back.n == 0,
              "a run does not survive being written again");
        for (int i = 0; i < n; i++)
            CHECK(again[i].ch == cells[i].ch && again[i].comb == cells[i].comb && again[i].fg == cells[i].fg &&
                      again[i].bg == cells[i].bg && again[i].attrs == cells[i].attrs &&
                      again[i].width == cells[i].width,
                  "a cell changes when written again");
        wbuf_free(&b);
    }
}

static void hello(struct rbuf r)
{
    struct msg_hello h, h2;
    uint32_t magic, version;
    msg_get_hello_head(r, &magic, &version);
    if (msg_get_hello(&r, &h) < 0)
        return;
    struct wbuf b = { 0 };
    CHECK(msg_put_hello(&b, &h) == 0, "an accepted HELLO cannot be written");
    uint16_t type;
    struct rbuf p;
    size_t taken;
    CHECK(wire_frame(b.data, b.len, &type, &p, &taken) == 1 && type == MSG_HELLO, "no HELLO frame");
    CHECK(msg_get_hello(&p, &h2) == 0, "a HELLO written back is refused");
    CHECK(h2.ncmds == h.ncmds && h2.rows == h.rows && h2.cols == h.cols && h2.flags == h.flags &&
              !strcmp(h2.term, h.term) && !strcmp(h2.cwd, h.cwd),
          "a HELLO changes when written again");
    for (int i = 0; i < h.ncmds; i++) {
        CHECK(h.argv[i][h.argc[i]] == NULL, "argv without its NULL");
        for (int k = 0; k < h.argc[i]; k++)
            CHECK(!strcmp(h.argv[i][k], h2.argv[i][k]), "an argument changes");
    }
    msg_hello_free(&h);
    msg_hello_free(&h2);
    wbuf_free(&b);
}

static void one(uint16_t type, struct rbuf r)
{
    struct key_event_wire k[KEYS_MAX];
    size_t n;
    int a, b2, c;
    bool cursor;
    uint32_t u;
    char s[64], *text;
    switch (type) {
    case MSG_HELLO: hello(r); break;
    case MSG_KEYS: msg_get_keys(&r, k, KEYS_MAX, &n); break;
    case MSG_RESIZE:
        if (msg_get_resize(&r, &a, &b2) == 0)
            CHECK(a <= 4096 && b2 <= 4096, "a size beyond any terminal");
        break;
    case MSG_ACK: msg_get_ack(&r, &u); break;
    case MSG_WELCOME: msg_get_welcome(&r, &u, s, sizeof s); break;
    case MSG_RUNS: runs(r); break;
    case MSG_FRAME_END: msg_get_frame_end(&r, &u, &a, &c, &cursor); break;
    case MSG_TERM: msg_get_term(&r, &a, &b2); break;
    case MSG_OUTPUT:
        if (msg_get_output(&r, &a, &text) == 0)
            free(text);
        break;
    case MSG_EXIT:
        if (msg_get_exit(&r, &a, &text) == 0)
            free(text);
        break;
    default: break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    for (int frames = 0; off < size && frames < 1000; frames++) {
        uint16_t type;
        struct rbuf payload;
        size_t taken;
        int rc = wire_frame(data + off, size - off, &type, &payload, &taken);
        if (rc <= 0)
            break;
        CHECK(taken >= WIRE_HEADER && taken <= size - off && taken <= WIRE_MAX_FRAME + 4, "a frame beyond its bytes");
        CHECK(payload.p == data + off + WIRE_HEADER && payload.n == taken - WIRE_HEADER, "a payload beyond its frame");
        one(type, payload);
        off += taken;
    }
    return 0;
}
