/* test_proto.c: the client/server protocol: frames, each message both ways,
 * runs of cells, and what a decoder must refuse. */
#include "testutil.h"

#include "keymaps/key.h"
#include "proto/msg.h"
#include "proto/wire.h"

/* The one frame in b: its type and payload. */
static struct rbuf only_frame(struct wbuf *b, uint16_t want_type)
{
    uint16_t type;
    struct rbuf r;
    size_t taken;
    cr_assert_eq(wire_frame(b->data, b->len, &type, &r, &taken), 1);
    cr_assert_eq(type, want_type);
    cr_assert_eq(taken, b->len, "one frame, all of it");
    return r;
}

Test(proto, frame_needs_all_its_bytes)
{
    struct wbuf b = {0};
    cr_assert_eq(msg_put_ack(&b, 7), 0);
    uint16_t type;
    struct rbuf r;
    size_t taken;
    for (size_t n = 0; n < b.len; n++)
        cr_assert_eq(wire_frame(b.data, n, &type, &r, &taken), 0, "%zu of %zu bytes", n, b.len);
    cr_assert_eq(wire_frame(b.data, b.len, &type, &r, &taken), 1);
    wbuf_free(&b);
}

Test(proto, frame_lengths_out_of_range_break_the_stream)
{
    unsigned char big[6] = {0xff, 0xff, 0xff, 0x7f, 1, 0};
    unsigned char tiny[6] = {1, 0, 0, 0, 1, 0};
    unsigned char limit[6] = {0x01, 0x00, 0x10, 0x00, 1, 0}; /* WIRE_MAX_FRAME + 1 */
    uint16_t type;
    struct rbuf r;
    size_t taken;
    cr_assert_eq(wire_frame(big, sizeof big, &type, &r, &taken), -1);
    cr_assert_eq(wire_frame(tiny, sizeof tiny, &type, &r, &taken), -1);
    cr_assert_eq(wire_frame(limit, sizeof limit, &type, &r, &taken), -1);
}

Test(proto, hello_round_trip)
{
    char *a0[] = {"connect", "test:///default", NULL}, *a1[] = {"attach", "-r", "vm1", NULL};
    struct msg_hello h = {.magic = PROTO_MAGIC,
                          .version = PROTO_VERSION,
                          .flags = HELLO_READONLY,
                          .rows = 50,
                          .cols = 200,
                          .colours = 256,
                          .ncmds = 2};
    snprintf(h.term, sizeof h.term, "xterm-256color");
    snprintf(h.cwd, sizeof h.cwd, "/home/student");
    h.argc[0] = 2;
    h.argv[0] = a0;
    h.argc[1] = 3;
    h.argv[1] = a1;
    struct wbuf b = {0};
    cr_assert_eq(msg_put_hello(&b, &h), 0);
    struct rbuf r = only_frame(&b, MSG_HELLO);
    uint32_t magic, version;
    cr_assert_eq(msg_get_hello_head(r, &magic, &version), 0);
    cr_assert_eq(magic, PROTO_MAGIC);
    cr_assert_eq(version, PROTO_VERSION);
    struct msg_hello got;
    cr_assert_eq(msg_get_hello(&r, &got), 0);
    cr_assert_eq(got.flags, HELLO_READONLY);
    cr_assert_eq(got.rows, 50);
    cr_assert_eq(got.cols, 200);
    cr_assert_eq(got.colours, 256);
    cr_assert_str_eq(got.term, "xterm-256color");
    cr_assert_str_eq(got.cwd, "/home/student");
    cr_assert_eq(got.ncmds, 2);
    cr_assert_eq(got.argc[1], 3);
    cr_assert_str_eq(got.argv[0][1], "test:///default");
    cr_assert_str_eq(got.argv[1][2], "vm1");
    cr_assert_null(got.argv[1][3], "argv ends with NULL");
    msg_hello_free(&got);
    wbuf_free(&b);
}

Test(proto, a_hello_of_another_version_still_says_which)
{
    /* Only magic and version: whatever follows may be another layout. */
    unsigned char p[8] = {0x56, 0x4d, 0x4d, 0x58, 9, 0, 0, 0};
    struct rbuf r = {p, sizeof p, false};
    uint32_t magic, version;
    cr_assert_eq(msg_get_hello_head(r, &magic, &version), 0);
    cr_assert_eq(magic, PROTO_MAGIC);
    cr_assert_eq(version, 9);
    struct msg_hello h;
    cr_assert_eq(msg_get_hello(&r, &h), -1, "too short for a whole HELLO");
}

Test(proto, small_messages_round_trip)
{
    struct wbuf b = {0};
    struct key_event_wire k[3] = {{'a', 0, 0}, {KEYC_UP | KEYC_CTRL, 1, 2}, {KEYC_MOUSE1, 40, 120}};
    cr_assert_eq(msg_put_keys(&b, k, 3), 0);
    struct rbuf r = only_frame(&b, MSG_KEYS);
    struct key_event_wire got[KEYS_MAX];
    size_t n;
    cr_assert_eq(msg_get_keys(&r, got, KEYS_MAX, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(got[1].key, KEYC_UP | KEYC_CTRL);
    cr_assert_eq(got[2].y, 40);
    cr_assert_eq(got[2].x, 120);
    b.len = 0;

    int rows, cols;
    cr_assert_eq(msg_put_resize(&b, 60, 250), 0);
    r = only_frame(&b, MSG_RESIZE);
    cr_assert_eq(msg_get_resize(&r, &rows, &cols), 0);
    cr_assert_eq(rows, 60);
    cr_assert_eq(cols, 250);
    b.len = 0;

    uint32_t seq, pid;
    int cy, cx;
    bool cursor;
    cr_assert_eq(msg_put_frame_end(&b, 41, 3, 9, true), 0);
    r = only_frame(&b, MSG_FRAME_END);
    cr_assert_eq(msg_get_frame_end(&r, &seq, &cy, &cx, &cursor), 0);
    cr_assert_eq(seq, 41);
    cr_assert_eq(cy, 3);
    cr_assert_eq(cx, 9);
    cr_assert(cursor);
    b.len = 0;

    char session[64];
    cr_assert_eq(msg_put_welcome(&b, 1234, "ta"), 0);
    r = only_frame(&b, MSG_WELCOME);
    cr_assert_eq(msg_get_welcome(&r, &pid, session, sizeof session), 0);
    cr_assert_eq(pid, 1234);
    cr_assert_str_eq(session, "ta");
    b.len = 0;

    int status, fd, op, value;
    char *text;
    cr_assert_eq(msg_put_exit(&b, 1, "too many clients"), 0);
    r = only_frame(&b, MSG_EXIT);
    cr_assert_eq(msg_get_exit(&r, &status, &text), 0);
    cr_assert_eq(status, 1);
    cr_assert_str_eq(text, "too many clients");
    free(text);
    b.len = 0;

    cr_assert_eq(msg_put_output(&b, 2, "line\n"), 0);
    r = only_frame(&b, MSG_OUTPUT);
    cr_assert_eq(msg_get_output(&r, &fd, &text), 0);
    cr_assert_eq(fd, 2);
    cr_assert_str_eq(text, "line\n");
    free(text);
    b.len = 0;

    cr_assert_eq(msg_put_term(&b, TERM_MOUSE, 0), 0);
    r = only_frame(&b, MSG_TERM);
    cr_assert_eq(msg_get_term(&r, &op, &value), 0);
    cr_assert_eq(op, TERM_MOUSE);
    cr_assert_eq(value, 0);
    wbuf_free(&b);
}

Test(proto, decoders_refuse_what_they_do_not_understand)
{
    struct wbuf b = {0};
    /* Trailing bytes after an ACK. */
    size_t s = wbuf_begin(&b, MSG_ACK);
    wbuf_u32(&b, 1);
    wbuf_u8(&b, 0);
    wbuf_end(&b, s);
    struct rbuf r = only_frame(&b, MSG_ACK);
    uint32_t seq;
    cr_assert_eq(msg_get_ack(&r, &seq), -1);
    b.len = 0;

    /* A string with a NUL in it. */
    s = wbuf_begin(&b, MSG_EXIT);
    wbuf_u32(&b, 0);
    wbuf_u32(&b, 3);
    wbuf_bytes(&b, "a\0b", 3);
    wbuf_end(&b, s);
    r = only_frame(&b, MSG_EXIT);
    int status;
    char *text;
    cr_assert_eq(msg_get_exit(&r, &status, &text), -1);
    cr_assert_null(text);
    b.len = 0;

    /* More keys than it says fit, and a size beyond any terminal. */
    s = wbuf_begin(&b, MSG_KEYS);
    wbuf_u16(&b, KEYS_MAX + 1);
    wbuf_end(&b, s);
    r = only_frame(&b, MSG_KEYS);
    struct key_event_wire k[KEYS_MAX];
    size_t n;
    cr_assert_eq(msg_get_keys(&r, k, KEYS_MAX, &n), -1);
    b.len = 0;
    cr_assert_eq(msg_put_resize(&b, 5000, 80), 0);
    r = only_frame(&b, MSG_RESIZE);
    int rows, cols;
    cr_assert_eq(msg_get_resize(&r, &rows, &cols), -1);
    wbuf_free(&b);
}

Test(proto, runs_of_cells_round_trip_and_share_styles)
{
    struct cell c[5] = {
        {'a', 0, 1, CELL_COLOUR_DEFAULT, CELL_BOLD, 1},
        {'b', 0, 1, CELL_COLOUR_DEFAULT, CELL_BOLD, 1},         /* same style: its character only */
        {0x6f22, 0, CELL_COLOUR_RGB | 0x102030, 4, 0, 2},       /* a wide character */
        {0, 0, CELL_COLOUR_RGB | 0x102030, 4, 0, 0},            /* its right half */
        {'e', 0x301, CELL_COLOUR_DEFAULT, 255, CELL_ITALIC, 1}, /* with a combining mark */
    };
    struct wbuf b = {0};
    wire_put_run(&b, 7, 11, c, 5);
    size_t with_shared = b.len;
    struct rbuf r = {b.data, b.len, false};
    struct cell got[8];
    int y, x;
    cr_assert_eq(wire_get_run(&r, &y, &x, got, 8), 5);
    cr_assert_eq(y, 7);
    cr_assert_eq(x, 11);
    cr_assert_eq(r.n, 0);
    for (int i = 0; i < 5; i++)
        cr_assert(got[i].ch == c[i].ch && got[i].comb == c[i].comb && got[i].fg == c[i].fg && got[i].bg == c[i].bg &&
                      got[i].attrs == c[i].attrs && got[i].width == c[i].width,
                  "cell %d does not come back as it went", i);
    /* Two cells of one style cost less than two of different styles. */
    b.len = 0;
    struct cell d[2] = {c[0], c[4]};
    wire_put_run(&b, 7, 11, d, 2);
    cr_assert_lt(with_shared - b.len, 5 * 8, "sanity: %zu vs %zu", with_shared, b.len);
    r = (struct rbuf){b.data, b.len, false};
    cr_assert_eq(wire_get_run(&r, &y, &x, got, 1), -1, "more cells than room");
    wbuf_free(&b);
}

Test(proto, runs_refuse_bad_cells)
{
    struct wbuf b = {0};
    struct cell c = {'a', 0, 300, CELL_COLOUR_DEFAULT, 0, 1}; /* no such colour */
    wire_put_run(&b, 0, 0, &c, 1);
    struct rbuf r = {b.data, b.len, false};
    struct cell got[2];
    int y, x;
    cr_assert_eq(wire_get_run(&r, &y, &x, got, 2), -1);
    b.len = 0;
    c.fg = 1;
    c.width = 3;
    wire_put_run(&b, 0, 0, &c, 1);
    r = (struct rbuf){b.data, b.len, false};
    cr_assert_eq(wire_get_run(&r, &y, &x, got, 2), -1, "width 3");
    b.len = 0;
    wbuf_varint(&b, 5000); /* a row no screen has */
    wbuf_varint(&b, 0);
    wbuf_varint(&b, 0);
    r = (struct rbuf){b.data, b.len, false};
    cr_assert_eq(wire_get_run(&r, &y, &x, got, 2), -1);
    wbuf_free(&b);
}

Test(proto, varints_and_their_limits)
{
    struct wbuf b = {0};
    uint32_t v[] = {0, 1, 127, 128, 16383, 16384, 0xffffffffu};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        wbuf_varint(&b, v[i]);
    wbuf_svarint(&b, -1);
    wbuf_svarint(&b, INT32_MIN);
    struct rbuf r = {b.data, b.len, false};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        cr_assert_eq(rbuf_varint(&r), v[i]);
    cr_assert_eq(rbuf_svarint(&r), -1);
    cr_assert_eq(rbuf_svarint(&r), INT32_MIN);
    cr_assert_not(r.bad);
    unsigned char six[6] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    r = (struct rbuf){six, sizeof six, false};
    rbuf_varint(&r);
    cr_assert(r.bad, "more than 32 bits");
    wbuf_free(&b);
}
