/* tests/vnc/hostile_server.c: a small RFB 3.8 server on 127.0.0.1 that
 * misbehaves on purpose, to show that virtmux's VNC client fails with a clear
 * message and without a crash. Standalone; serves one connection at a time.
 *
 *   hostile_server MODE [PORT]     (PORT 0 or none: any free port)
 *
 * Prints "PORT n" once listening, and "key down|up 0xSYM" for every key event.
 * MODE:
 *   ok          a 720x400 black desktop; logs keys (for send-key tests)
 *   zero        ServerInit says 0x0
 *   huge        ServerInit says 65535x65535
 *   resize-huge a good desktop, then a DesktopSize update to 65535x65535
 *   truncated   ServerInit cut short, then close
 *   garbage     a good handshake, then random bytes
 *   close-mid   a good handshake, then half a framebuffer update and close
 *   stall       accepts and never says anything
 *   bigname     ServerInit with a 4 GiB desktop name
 *   badrect     an update whose rectangle lies outside the desktop
 *   bigcut      a ServerCutText of 4 GiB
 *   colourmap   a SetColourMapEntries past the 256-entry map
 *   auth        VNC authentication (any answer is accepted), then as ok
 *   authfail    VNC authentication that always fails
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *mode;

static int send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int recv_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }
static unsigned get16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* Version, security "None", ClientInit; -1 when the client went away. */
static int handshake(int fd)
{
    uint8_t buf[16];
    if (send_all(fd, "RFB 003.008\n", 12) < 0 || recv_all(fd, buf, 12) < 0)
        return -1;
    bool vncauth = !strncmp(mode, "auth", 4);
    uint8_t sec[2] = { 1, vncauth ? 2 : 1 };   /* one type: VNC auth or None */
    if (send_all(fd, sec, 2) < 0 || recv_all(fd, buf, 1) < 0)
        return -1;
    if (vncauth) {
        uint8_t challenge[16] = "0123456789abcdef";
        if (send_all(fd, challenge, 16) < 0 || recv_all(fd, buf, 16) < 0)
            return -1;
        printf("auth response\n");
        fflush(stdout);
        if (!strcmp(mode, "authfail")) {
            uint8_t no[4] = { 0, 0, 0, 1 }, len[4] = { 0, 0, 0, 21 };
            send_all(fd, no, 4);
            send_all(fd, len, 4);
            send_all(fd, "Authentication failed", 21);
            return -1;
        }
    }
    uint8_t ok[4] = { 0 };
    if (send_all(fd, ok, 4) < 0 || recv_all(fd, buf, 1) < 0)
        return -1;
    return 0;
}

static int server_init(int fd, unsigned w, unsigned h, uint32_t name_len, const char *name, size_t cut)
{
    uint8_t si[24] = { 0 };
    put16(si, w);
    put16(si + 2, h);
    si[4] = 32;  /* bits per pixel */
    si[5] = 24;  /* depth */
    si[6] = 0;   /* little endian */
    si[7] = 1;   /* true colour */
    put16(si + 8, 255);
    put16(si + 10, 255);
    put16(si + 12, 255);
    si[14] = 16;
    si[15] = 8;
    si[16] = 0;
    put32(si + 20, name_len);
    if (cut)
        return send_all(fd, si, cut);
    if (send_all(fd, si, sizeof si) < 0)
        return -1;
    return name ? send_all(fd, name, strlen(name)) : 0;
}

static int rect_header(int fd, unsigned nrects, unsigned x, unsigned y, unsigned w, unsigned h, int32_t enc)
{
    uint8_t m[16] = { 0 };
    m[0] = 0;  /* FramebufferUpdate */
    put16(m + 2, nrects);
    put16(m + 4, x);
    put16(m + 6, y);
    put16(m + 8, w);
    put16(m + 10, h);
    put32(m + 12, (uint32_t)enc);
    return send_all(fd, m, sizeof m);
}

static int full_frame(int fd, unsigned w, unsigned h)
{
    if (rect_header(fd, 1, 0, 0, w, h, 0) < 0)
        return -1;
    static uint8_t zeros[720 * 4];
    for (unsigned y = 0; y < h; y++)
        if (send_all(fd, zeros, (size_t)w * 4) < 0)
            return -1;
    return 0;
}

/* What a misbehaving mode sends instead of the first frame; 1: then hang up. */
static int misbehave(int fd)
{
    if (!strcmp(mode, "garbage")) {
        uint8_t junk[4096];
        srand(42);
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (uint8_t)(rand() | 0x80);   /* no valid message type */
        send_all(fd, junk, sizeof junk);
        return 0;
    }
    if (!strcmp(mode, "close-mid")) {
        static uint8_t half[720 * 4 * 10];
        rect_header(fd, 1, 0, 0, 720, 400, 0);
        send_all(fd, half, sizeof half);
        return 1;
    }
    if (!strcmp(mode, "resize-huge")) {
        full_frame(fd, 720, 400);
        rect_header(fd, 1, 0, 0, 65535, 65535, -223);   /* DesktopSize */
        return 0;
    }
    if (!strcmp(mode, "bigcut")) {
        uint8_t m[8] = { 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
        send_all(fd, m, sizeof m);
        static uint8_t text[65536];
        memset(text, 'x', sizeof text);
        send_all(fd, text, sizeof text);
        return 0;
    }
    if (!strcmp(mode, "colourmap")) {
        uint8_t m[6] = { 1, 0, 0xff, 0xf0, 0x00, 0x40 };   /* first 65520, 64 colours */
        send_all(fd, m, sizeof m);
        static uint8_t rgb[64 * 6];
        send_all(fd, rgb, sizeof rgb);
        return full_frame(fd, 720, 400) < 0;
    }
    if (!strcmp(mode, "badrect")) {
        rect_header(fd, 1, 700, 390, 100, 100, 0);
        static uint8_t px[100 * 4];
        for (int i = 0; i < 100; i++)
            send_all(fd, px, sizeof px);
        return 0;
    }
    return full_frame(fd, 720, 400) < 0;
}

/* Read the client's messages; log keys; answer the first full request. */
static void serve_messages(int fd, unsigned w, unsigned h, int frames_left)
{
    uint8_t t, b[32];
    bool asked = false;
    while (recv_all(fd, &t, 1) == 0) {
        switch (t) {
        case 0: if (recv_all(fd, b, 19) < 0) return; break;
        case 2: {
            if (recv_all(fd, b, 3) < 0) return;
            unsigned n = get16(b + 1);
            for (unsigned i = 0; i < n; i++)
                if (recv_all(fd, b, 4) < 0) return;
            break;
        }
        case 3:
            if (recv_all(fd, b, 9) < 0) return;
            if (!asked) {   /* the client is past the handshake: a test's sign */
                asked = true;
                printf("update request\n");
                fflush(stdout);
            }
            if (frames_left > 0) {
                frames_left--;
                if (misbehave(fd))
                    return;
            }
            break;
        case 4:
            if (recv_all(fd, b, 7) < 0) return;
            printf("key %s 0x%x\n", b[0] ? "down" : "up", get32(b + 3));
            fflush(stdout);
            break;
        case 5: if (recv_all(fd, b, 5) < 0) return; break;
        case 6: {
            if (recv_all(fd, b, 7) < 0) return;
            uint32_t n = get32(b + 3);
            while (n--)
                if (recv_all(fd, b, 1) < 0) return;
            break;
        }
        default:
            return;
        }
    }
}

static void serve(int fd)
{
    if (!strcmp(mode, "stall")) {
        uint8_t b;
        while (recv(fd, &b, 1, 0) > 0)
            ;
        return;
    }
    if (handshake(fd) < 0)
        return;
    if (!strcmp(mode, "zero")) {
        server_init(fd, 0, 0, 4, "zero", 0);
        serve_messages(fd, 0, 0, 0);
    } else if (!strcmp(mode, "huge")) {
        server_init(fd, 65535, 65535, 4, "huge", 0);
        serve_messages(fd, 0, 0, 0);
    } else if (!strcmp(mode, "truncated")) {
        server_init(fd, 720, 400, 4, "trunc", 10);
    } else if (!strcmp(mode, "bigname")) {
        server_init(fd, 720, 400, 0xffffffffu, "a", 0);
        serve_messages(fd, 0, 0, 0);
    } else {
        if (server_init(fd, 720, 400, 7, "hostile", 0) < 0)
            return;
        serve_messages(fd, 720, 400, 1);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODE [PORT]\n", argv[0]);
        return 2;
    }
    mode = argv[1];
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(argc > 2 ? (uint16_t)atoi(argv[2]) : 0) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 4) < 0) {
        perror("hostile_server");
        return 1;
    }
    socklen_t len = sizeof sa;
    getsockname(ls, (struct sockaddr *)&sa, &len);
    printf("PORT %u\n", ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        printf("connection\n");
        fflush(stdout);
        serve(fd);
        close(fd);
    }
}
