/* test_vncconn.c: the VNC connection thread against a tiny RFB server on a
 * socketpair, driven by libvirt's event loop as virtmux drives it: news and
 * cells arrive through the pipe, keys leave as press/release events, errors
 * end it with a reason, and stopping is bounded even when the server stalls. */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "backends/vncconn.h"
#include "keymaps/keysym.h"

/* ---- a tiny server ---- */

struct server {
    int fd;
    const char *mode; /* "ok", "zero", "stall", "modeswitch" */
    pthread_t thread;
    pthread_mutex_t mu;
    uint32_t keys[64];
    bool down[64];
    int nkeys;
};

static int rd(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int wr(int fd, const void *buf, size_t n)
{
    return send(fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* A whole-screen raw update of a black w x h desktop. */
static int send_frame(int fd, unsigned w, unsigned h)
{
    uint8_t m[16] = {0};
    be16(m + 2, 1);
    be16(m + 8, w);
    be16(m + 10, h);
    if (wr(fd, m, sizeof m) < 0)
        return -1;
    static uint8_t row[720 * 4];
    for (unsigned y = 0; y < h; y++)
        if (wr(fd, row, (size_t)w * 4) < 0)
            return -1;
    return 0;
}

#define ENC_DESKTOP_SIZE (-223)
#define ENC_EXT_DESKTOP_SIZE (-308)

/* The desktop becomes w x h, announced as QEMU 7.2 does (ui/vnc.c,
 * vnc_desktop_resize): ExtendedDesktopSize when the client asked for it,
 * with one screen of id 0; else DesktopSize. */
static int send_resize(int fd, unsigned w, unsigned h, bool ext)
{
    uint8_t m[16 + 4 + 16] = {0};
    be16(m + 2, 1);
    be16(m + 8, w);
    be16(m + 10, h);
    int32_t enc = ext ? ENC_EXT_DESKTOP_SIZE : ENC_DESKTOP_SIZE;
    for (int i = 0; i < 4; i++)
        m[12 + i] = (uint8_t)((uint32_t)enc >> (24 - 8 * i));
    if (!ext)
        return wr(fd, m, 16);
    m[16] = 1; /* one screen: id 0 at 0,0, w x h, flags 0 */
    be16(m + 16 + 4 + 8, w);
    be16(m + 16 + 4 + 10, h);
    return wr(fd, m, sizeof m);
}

static void *server_main(void *arg)
{
    struct server *s = arg;
    uint8_t b[64];
    if (!strcmp(s->mode, "stall")) {
        while (read(s->fd, b, sizeof b) > 0)
            ;
        return NULL;
    }
    if (wr(s->fd, "RFB 003.008\n", 12) < 0 || rd(s->fd, b, 12) < 0)
        return NULL;
    uint8_t sec[2] = {1, 1}, ok[4] = {0};
    if (wr(s->fd, sec, 2) < 0 || rd(s->fd, b, 1) < 0 || wr(s->fd, ok, 4) < 0 || rd(s->fd, b, 1) < 0)
        return NULL;
    bool modeswitch = !strcmp(s->mode, "modeswitch");
    /* modeswitch: QEMU's 640x480 screen, then the VGA BIOS's 720x400 text. */
    unsigned w = strcmp(s->mode, "zero") ? 720 : 0, h = strcmp(s->mode, "zero") ? 400 : 0;
    if (modeswitch)
        w = 640, h = 480;
    uint8_t si[24 + 4] = {0};
    be16(si, w);
    be16(si + 2, h);
    si[4] = 32;
    si[5] = 24;
    si[7] = 1;
    be16(si + 8, 255);
    be16(si + 10, 255);
    be16(si + 12, 255);
    si[14] = 16;
    si[15] = 8;
    si[23] = 4;
    memcpy(si + 24, "test", 4);
    if (wr(s->fd, si, sizeof si) < 0)
        return NULL;
    int frames = 0;
    bool ext = false;
    uint8_t t;
    while (rd(s->fd, &t, 1) == 0) {
        if (t == 0 && rd(s->fd, b, 19) < 0)
            break;
        if (t == 2) {
            if (rd(s->fd, b, 3) < 0)
                break;
            unsigned n = (unsigned)b[1] << 8 | b[2];
            ext = false;
            for (unsigned i = 0; i < n; i++) {
                if (rd(s->fd, b, 4) < 0)
                    return NULL;
                int32_t enc = (int32_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
                ext |= enc == ENC_EXT_DESKTOP_SIZE;
            }
        }
        if (t == 3) {
            if (rd(s->fd, b, 9) < 0)
                break;
            if (frames == 0 && w) {
                frames++;
                if (send_frame(s->fd, w, h) < 0)
                    return NULL;
            } else if (frames == 1 && modeswitch) {
                /* The switch comes while an update is asked for: the
                 * announcement, then the new screen right after it. */
                frames++;
                w = 720, h = 400;
                if (send_resize(s->fd, w, h, ext) < 0 || send_frame(s->fd, w, h) < 0)
                    return NULL;
            }
        }
        if (t == 4) {
            if (rd(s->fd, b, 7) < 0)
                break;
            pthread_mutex_lock(&s->mu);
            if (s->nkeys < 64) {
                s->down[s->nkeys] = b[0];
                s->keys[s->nkeys++] = (uint32_t)b[3] << 24 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 8 | b[6];
            }
            pthread_mutex_unlock(&s->mu);
        }
        if (t > 4)
            break;
    }
    return NULL;
}

static int server_start(struct server *s, const char *mode)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    memset(s, 0, sizeof *s);
    s->fd = sv[0];
    s->mode = mode;
    pthread_mutex_init(&s->mu, NULL);
    cr_assert_eq(pthread_create(&s->thread, NULL, server_main, s), 0);
    return sv[1];
}

static void server_stop(struct server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->fd);
    pthread_mutex_destroy(&s->mu);
}

/* ---- the loop side ---- */

struct seen {
    struct vncconn *c;
    struct vncconn_news last;
    bool connected, ended;
    unsigned long frames;
    unsigned cells;
};

static void count_cell(unsigned x, unsigned y, const struct vgatext_cell *cell, void *opaque)
{
    ((struct seen *)opaque)->cells++;
}

static void on_news(void *opaque)
{
    struct seen *s = opaque;
    struct vncconn_news n;
    vncconn_take(s->c, &n);
    vncconn_cells(s->c, n.cols, n.rows, count_cell, s);
    s->last = n;
    s->connected |= n.connected;
    s->ended |= n.ended;
    s->frames = n.frames;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void tick(int timer, void *opaque)
{
}

/* Run the loop until done() or secs pass; a timer keeps it from sleeping long. */
static bool run_until(bool (*done)(struct seen *, struct server *), struct seen *s, struct server *srv, double secs)
{
    int t = virEventAddTimeout(50, tick, NULL, NULL);
    double end = now_s() + secs;
    while (!done(s, srv) && now_s() < end)
        virEventRunDefaultImpl();
    virEventRemoveTimeout(t);
    return done(s, srv);
}

static bool got_frame(struct seen *s, struct server *srv)
{
    return s->connected && s->frames > 0;
}
static bool got_end(struct seen *s, struct server *srv)
{
    return s->ended;
}
static bool got_keys(struct seen *s, struct server *srv)
{
    pthread_mutex_lock(&srv->mu);
    bool done = srv->nkeys >= 6;
    pthread_mutex_unlock(&srv->mu);
    return done;
}

static void init_loop(void)
{
    cr_assert_eq(virEventRegisterDefaultImpl(), 0);
}

/* A test server in MODE and a connection to it at 80x25; false with err set. */
static bool open_conn(struct server *srv, const char *mode, struct seen *s, char *err, size_t len)
{
    int fd = server_start(srv, mode);
    memset(s, 0, sizeof *s);
    s->c = vncconn_start(fd, NULL, NULL, 80, 25, on_news, s, err, len);
    return s->c != NULL;
}

Test(vncconn, frame_then_keys_then_stop, .init = init_loop)
{
    struct server srv;
    struct seen s;
    char err[300];
    cr_assert(open_conn(&srv, "ok", &s, err, sizeof err), "%s", err);
    cr_assert(run_until(got_frame, &s, &srv, 10), "no frame: connected %d, ended %d '%s', '%s'", s.connected, s.ended,
              s.last.err, s.last.describe);
    cr_assert_not(s.ended, "%s", s.last.err);
    /* A blank 720x400 screen is VGA text: every cell came over once. */
    cr_assert_eq(s.last.cols * s.last.rows, s.cells, "%ux%u, %u cells", s.last.cols, s.last.rows, s.cells);
    cr_assert_gt(s.cells, 0);

    struct keysym_combo combo;
    cr_assert(keysym_combo_parse("C-A-Delete", &combo, err, sizeof err));
    uint32_t syms[6] = {combo.keys[0], combo.keys[1], combo.keys[2], combo.keys[2], combo.keys[1], combo.keys[0]};
    bool down[6] = {true, true, true, false, false, false};
    cr_assert(vncconn_keys(s.c, syms, down, 6));
    cr_assert(run_until(got_keys, &s, &srv, 10));
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(srv.keys[i], syms[i], "key %d: 0x%x", i, srv.keys[i]);
        cr_assert_eq(srv.down[i], down[i]);
    }
    vncconn_out_size(s.c, 100, 30);
    double t0 = now_s();
    vncconn_stop(s.c);
    cr_assert_lt(now_s() - t0, 2.5);
    server_stop(&srv);
}

static bool got_text_80x25(struct seen *s, struct server *srv)
{
    return s->ended || (s->last.cols == 80 && s->last.rows == 25);
}

/* A guest's video mode switch (QEMU announces it with ExtendedDesktopSize
 * when asked, screen id 0) keeps the connection: the grid follows. */
Test(vncconn, mode_switch_keeps_the_connection, .init = init_loop)
{
    struct server srv;
    struct seen s;
    char err[300];
    cr_assert(open_conn(&srv, "modeswitch", &s, err, sizeof err), "%s", err);
    cr_assert(run_until(got_frame, &s, &srv, 10), "no frame: ended %d '%s'", s.ended, s.last.err);
    cr_assert_eq(s.last.cols, 80, "%s", s.last.describe);
    cr_assert_eq(s.last.rows, 30, "%s", s.last.describe);
    cr_assert(run_until(got_text_80x25, &s, &srv, 10), "no 80x25 screen: %s", s.last.describe);
    cr_assert_not(s.ended, "the connection ended: %s", s.last.err);
    cr_assert(strstr(s.last.describe, "text 80x25"), "%s", s.last.describe);
    vncconn_stop(s.c);
    server_stop(&srv);
}

Test(vncconn, zero_desktop_ends_with_a_reason, .init = init_loop)
{
    struct server srv;
    struct seen s;
    char err[300];
    cr_assert(open_conn(&srv, "zero", &s, err, sizeof err), "%s", err);
    cr_assert(run_until(got_end, &s, &srv, 10));
    cr_assert(strstr(s.last.err, "0x0"), "%s", s.last.err);
    cr_assert_eq(s.frames, 0);
    vncconn_stop(s.c);
    server_stop(&srv);
}

Test(vncconn, stop_is_bounded_while_the_server_stalls, .init = init_loop)
{
    struct server srv;
    struct seen s;
    char err[300];
    cr_assert(open_conn(&srv, "stall", &s, err, sizeof err), "%s", err);
    run_until(got_end, &s, &srv, 0.3);
    cr_assert_not(s.ended);
    double t0 = now_s();
    vncconn_stop(s.c);
    cr_assert_lt(now_s() - t0, 2.5);
    server_stop(&srv);
}

Test(vncconn, abort_says_why, .init = init_loop)
{
    struct server srv;
    struct seen s;
    char err[300];
    cr_assert(open_conn(&srv, "stall", &s, err, sizeof err), "%s", err);
    vncconn_abort(s.c, "too slow");
    cr_assert(run_until(got_end, &s, &srv, 5));
    cr_assert_str_eq(s.last.err, "too slow");
    vncconn_stop(s.c);
    server_stop(&srv);
}

Test(vncconn, refused_address, .init = init_loop)
{
    struct seen s = {0};
    char err[300];
    s.c = vncconn_start(-1, "127.0.0.1:1", NULL, 80, 25, on_news, &s, err, sizeof err);
    cr_assert_not_null(s.c, "%s", err);
    cr_assert(run_until(got_end, &s, NULL, 5));
    cr_assert(strstr(s.last.err, "refused"), "%s", s.last.err);
    vncconn_stop(s.c);
}
