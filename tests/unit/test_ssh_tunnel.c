/* test_ssh_tunnel.c: backends/ssh.c against a real sshd on the real event loop:
 * host key asked with its SHA256 fingerprint and saved, a changed key refused
 * with FILE:LINE, direct-tcpip tunnels to a loopback echo service moving bytes
 * both ways. Needs the private sshd of tests/lib/sshd.sh: run through
 * tests/e2e/t_ssh_tunnel.sh (skipped without VMX_SSH_PORT). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/ssh.h"

#define WAIT_MS 15000

static int port_env(void)
{
    const char *p = getenv("VMX_SSH_PORT");

    if (!p || !getenv("VMX_SSH_KEY") || !getenv("VMX_SSH_HOSTPUB"))
        return 0;
    return atoi(p);
}

#define NEED_SSHD()                                                                                                    \
    do {                                                                                                               \
        if (!port_env())                                                                                               \
            cr_skip_test("no private sshd (run tests/e2e/t_ssh_tunnel.sh)");                                           \
    } while (0)

/* ---- a loopback echo service on the loop ---- */

struct echo_conn {
    int fd, watch;
    unsigned char buf[4096];
    size_t len;
};
struct echo {
    int lfd, watch, port;
};

static void echo_conn_event(int watch, int fd, int events, void *opaque)
{
    struct echo_conn *c = opaque;

    if (c->len == 0) {
        ssize_t r = read(fd, c->buf, sizeof c->buf);
        if (r == 0 || (r < 0 && errno != EAGAIN)) {
            virEventRemoveHandle(c->watch);
            close(fd);
            free(c);
            return;
        }
        if (r > 0)
            c->len = (size_t)r;
    }
    if (c->len) {
        ssize_t w = write(fd, c->buf, c->len);
        if (w > 0) {
            memmove(c->buf, c->buf + w, c->len - (size_t)w);
            c->len -= (size_t)w;
        }
    }
    virEventUpdateHandle(c->watch, c->len ? VIR_EVENT_HANDLE_WRITABLE : VIR_EVENT_HANDLE_READABLE);
}

static void echo_accept(int watch, int fd, int events, void *opaque)
{
    int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (c < 0)
        return;
    struct echo_conn *ec = calloc(1, sizeof *ec);
    cr_assert_not_null(ec);
    ec->fd = c;
    ec->watch = virEventAddHandle(c, VIR_EVENT_HANDLE_READABLE, echo_conn_event, ec, NULL);
}

static void echo_start(struct echo *e)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;

    e->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    cr_assert(e->lfd >= 0);
    cr_assert_eq(bind(e->lfd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(e->lfd, 8), 0);
    cr_assert_eq(getsockname(e->lfd, (struct sockaddr *)&a, &len), 0);
    e->port = ntohs(a.sin_port);
    e->watch = virEventAddHandle(e->lfd, VIR_EVENT_HANDLE_READABLE, echo_accept, NULL, NULL);
}

/* ---- the session under test ---- */

struct ctx {
    struct sshsess *s;
    int asks;
    enum ssh_ask kind;
    char prompt[1500];
    const char *answer; /* what the "user" says to a host key question */
    int answer_timer;
    int lost;
    char lost_why[1000];
};

static void answer_later(int timer, void *opaque)
{
    struct ctx *c = opaque;

    virEventRemoveTimeout(timer);
    c->answer_timer = -1;
    sshsess_answer(c->s, c->answer);
}

static void on_ask(struct sshsess *s, enum ssh_ask kind, const char *prompt, void *opaque)
{
    struct ctx *c = opaque;

    c->asks++;
    c->kind = kind;
    snprintf(c->prompt, sizeof c->prompt, "%s", prompt);
    /* a dialog answers later, from the loop */
    c->answer_timer = virEventAddTimeout(10, answer_later, c, NULL);
}

static void on_lost(struct sshsess *s, const char *why, void *opaque)
{
    struct ctx *c = opaque;

    c->lost++;
    snprintf(c->lost_why, sizeof c->lost_why, "%s", why);
}

static const struct ssh_ops ops = {on_ask, on_lost};

struct tres {
    bool done;
    int fd;
    char err[1000];
};

static void on_tunnel(int fd, const char *err, void *opaque)
{
    struct tres *r = opaque;

    r->done = true;
    r->fd = fd;
    snprintf(r->err, sizeof r->err, "%s", err ? err : "");
}

static bool tres_done(void *arg)
{
    return ((struct tres *)arg)->done;
}

static char dir[64];

static void make_session_key(struct ctx *c, const char *known_hosts_text, bool with_key);

static void make_session(struct ctx *c, const char *known_hosts_text)
{
    make_session_key(c, known_hosts_text, true);
}

static void make_session_key(struct ctx *c, const char *known_hosts_text, bool with_key)
{
    char uri[2048], kh[200], cfg[200], err[300] = "";
    struct ssh_target t;
    struct ssh_resolved r;

    test_virt_init();
    snprintf(dir, sizeof dir, "/tmp/vmx-sshtun-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(kh, sizeof kh, "%s/.ssh/known_hosts", dir);
    snprintf(cfg, sizeof cfg, "%s/config", dir);
    FILE *f = fopen(cfg, "w");
    cr_assert_not_null(f);
    fclose(f);
    if (known_hosts_text) {
        char d[200];
        snprintf(d, sizeof d, "%s/.ssh", dir);
        cr_assert_eq(mkdir(d, 0700), 0);
        f = fopen(kh, "w");
        cr_assert_not_null(f);
        fputs(known_hosts_text, f);
        fclose(f);
    }
    if (with_key)
        snprintf(uri, sizeof uri, "qemu+libssh://root@127.0.0.1:%d/system?keyfile=%s", port_env(),
                 getenv("VMX_SSH_KEY"));
    else
        snprintf(uri, sizeof uri, "qemu+libssh://root@127.0.0.1:%d/system", port_env());
    cr_assert_eq(sshuri_parse(uri, &t, err, sizeof err), 0, "%s", err);
    cr_assert_eq(ssh_resolve(&t, dir, cfg, &r, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(r.known_hosts, kh);
    memset(c, 0, sizeof *c);
    c->answer = "y";
    c->answer_timer = -1;
    c->s = sshsess_new(&r, &ops, c, err, sizeof err);
    cr_assert_not_null(c->s, "%s", err);
}

static void cleanup_dir(void)
{
    char cmd[200];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static int open_tunnel(struct ctx *c, int port, struct tres *res)
{
    char err[300] = "";

    memset(res, 0, sizeof *res);
    res->fd = -1;
    int id = ssh_tunnel_open(c->s, "127.0.0.1", port, on_tunnel, res, err, sizeof err);
    cr_assert(id > 0, "%s", err);
    cr_assert(test_pump_until(tres_done, res, WAIT_MS), "the tunnel did not open or fail in time");
    return res->fd;
}

/* Push n bytes of a pattern through fd and read them back, on the loop. */
struct xfer {
    int fd;
    size_t n, sent, got;
    bool bad;
};

static unsigned char pat(size_t i)
{
    return (unsigned char)(i * 131 + (i >> 9));
}

static bool xfer_step(void *arg)
{
    struct xfer *x = arg;
    unsigned char buf[8192];

    while (x->sent < x->n) {
        size_t k = x->n - x->sent < sizeof buf ? x->n - x->sent : sizeof buf;
        for (size_t i = 0; i < k; i++)
            buf[i] = pat(x->sent + i);
        ssize_t w = send(x->fd, buf, k, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w <= 0)
            break;
        x->sent += (size_t)w;
    }
    for (;;) {
        ssize_t r = recv(x->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pat(x->got + (size_t)i))
                x->bad = true;
        x->got += (size_t)r;
    }
    return x->got >= x->n || x->bad;
}

Test(ssh_tunnel, unknown_key_asked_saved_and_bytes_flow_both_ways)
{
    NEED_SSHD();
    struct ctx c;
    struct echo e;
    struct tres r1, r2;
    char fp[128], kh[200], line[4096];

    make_session(&c, NULL);
    echo_start(&e);
    cr_assert_eq(ssh_fingerprint_of(getenv("VMX_SSH_HOSTPUB"), fp, sizeof fp), 0);

    int fd1 = open_tunnel(&c, e.port, &r1);
    cr_assert(fd1 >= 0, "tunnel: %s", r1.err);
    cr_assert_eq(c.asks, 1);
    cr_assert_eq(c.kind, SSH_ASK_HOSTKEY);
    cr_assert(strstr(c.prompt, fp), "the question does not show %s: %s", fp, c.prompt);
    cr_assert(strstr(c.prompt, "known_hosts"), "%s", c.prompt);
    /* saved where the session was told, as OpenSSH names a port */
    snprintf(kh, sizeof kh, "%s/.ssh/known_hosts", dir);
    FILE *f = fopen(kh, "r");
    cr_assert_not_null(f, "known_hosts was not written");
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    char want[64];
    snprintf(want, sizeof want, "[127.0.0.1]:%d ssh-ed25519 ", port_env());
    cr_assert(strncmp(line, want, strlen(want)) == 0, "known_hosts line: %s", line);

    /* a second tunnel at the same time, on the same session */
    int fd2 = open_tunnel(&c, e.port, &r2);
    cr_assert(fd2 >= 0, "tunnel 2: %s", r2.err);
    cr_assert_eq(c.asks, 1, "asked again for a known key");
    cr_assert_eq(ssh_tunnel_count(c.s), 2);

    struct xfer x1 = {.fd = fd1, .n = 1 << 20}, x2 = {.fd = fd2, .n = 300000};
    fcntl(fd1, F_SETFL, O_NONBLOCK);
    fcntl(fd2, F_SETFL, O_NONBLOCK);
    long long t0 = test_now_ms();
    while ((!xfer_step(&x1) || !xfer_step(&x2)) && test_now_ms() - t0 < 30000) {
        int tick = virEventAddTimeout(5, test_pump_tick, NULL, NULL);
        virEventRunDefaultImpl();
        virEventRemoveTimeout(tick);
    }
    cr_assert(!x1.bad && !x2.bad, "bytes came back changed");
    cr_assert_eq(x1.got, x1.n, "tunnel 1 echoed %zu of %zu bytes", x1.got, x1.n);
    cr_assert_eq(x2.got, x2.n, "tunnel 2 echoed %zu of %zu bytes", x2.got, x2.n);

    /* closing our end closes the tunnel */
    close(fd1);
    long long t1 = test_now_ms();
    while (ssh_tunnel_count(c.s) != 1 && test_now_ms() - t1 < WAIT_MS)
        test_pump_for(20);
    cr_assert_eq(ssh_tunnel_count(c.s), 1);
    close(fd2);

    /* a port nothing listens on: an error, the session stays */
    struct tres r3;
    int fd3 = open_tunnel(&c, 1, &r3);
    cr_assert_eq(fd3, -1);
    cr_assert(strstr(r3.err, "127.0.0.1:1"), "%s", r3.err);
    cr_assert(sshsess_connected(c.s));
    cr_assert_eq(c.lost, 0);

    sshsess_free(c.s);
    virEventRemoveHandle(e.watch);
    close(e.lfd);
    test_pump_for(50);
    cleanup_dir();
}

Test(ssh_tunnel, refused_key_is_not_saved)
{
    NEED_SSHD();
    struct ctx c;
    struct tres r;
    char kh[200];

    make_session(&c, NULL);
    c.answer = NULL; /* Esc in the dialog */
    int fd = open_tunnel(&c, 22, &r);
    cr_assert_eq(fd, -1);
    cr_assert(strstr(r.err, "not accepted"), "%s", r.err);
    snprintf(kh, sizeof kh, "%s/.ssh/known_hosts", dir);
    cr_assert_neq(access(kh, F_OK), 0, "known_hosts written for a refused key");
    sshsess_free(c.s);
    cleanup_dir();
}

static bool check_done;
static bool check_ok, check_fatal;
static char check_why[1000];

static void on_check(bool ok, bool fatal, const char *why, void *opaque)
{
    check_done = true;
    check_ok = ok;
    check_fatal = fatal;
    snprintf(check_why, sizeof check_why, "%s", why ? why : "");
}

static bool checked(void *arg)
{
    return check_done;
}

Test(ssh_tunnel, changed_key_refused_with_file_and_line)
{
    NEED_SSHD();
    struct ctx c;
    char text[1000], want[300];

    /* line 3 holds another ed25519 key for this host:port */
    snprintf(text, sizeof text,
             "# virtmux test\nother.example ssh-ed25519 "
             "AAAAC3NzaC1lZDI1NTE5AAAAIGXzPZDLrLBIhzrK9eYd8mGZIrROBrtKiRx14/4T+zPa\n"
             "[127.0.0.1]:%d ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGXzPZDLrLBIhzrK9eYd8mGZIrROBrtKiRx14/4T+zPa\n",
             port_env());
    make_session(&c, text);
    check_done = false;
    cr_assert_eq(sshsess_check_hostkey(c.s, on_check, NULL), 0);
    cr_assert(test_pump_until(checked, NULL, WAIT_MS));
    cr_assert(!check_ok);
    cr_assert(check_fatal);
    snprintf(want, sizeof want, "%s/.ssh/known_hosts:3", dir);
    cr_assert(strstr(check_why, want), "no %s in: %s", want, check_why);
    cr_assert(strstr(check_why, "CHANGED"), "%s", check_why);
    cr_assert_eq(c.asks, 0, "a changed key must not be offered for acceptance");
    sshsess_free(c.s);
    cleanup_dir();
}

Test(ssh_tunnel, check_of_a_known_key_is_quiet)
{
    NEED_SSHD();
    struct ctx c;
    char text[1000];

    snprintf(text, sizeof text, "[127.0.0.1]:%d %s\n", port_env(), getenv("VMX_SSH_HOSTPUB"));
    make_session(&c, text);
    check_done = false;
    cr_assert_eq(sshsess_check_hostkey(c.s, on_check, NULL), 0);
    cr_assert(test_pump_until(checked, NULL, WAIT_MS));
    cr_assert(check_ok, "%s", check_why);
    cr_assert_eq(c.asks, 0);
    cr_assert(!sshsess_connected(c.s), "a check alone leaves no session open");
    sshsess_free(c.s);
    cleanup_dir();
}

/* The owner drops the session (its host disconnected): open tunnels see EOF,
 * no "lost" report; the next request connects again. */
Test(ssh_tunnel, disconnect_closes_tunnels_and_reopens_on_demand)
{
    NEED_SSHD();
    struct ctx c;
    struct echo e;
    struct tres r1, r2;
    char text[1000], buf[16];

    snprintf(text, sizeof text, "[127.0.0.1]:%d %s\n", port_env(), getenv("VMX_SSH_HOSTPUB"));
    make_session(&c, text);
    echo_start(&e);
    int fd1 = open_tunnel(&c, e.port, &r1);
    cr_assert(fd1 >= 0, "%s", r1.err);
    sshsess_disconnect(c.s, "host lab: disconnected");
    cr_assert(!sshsess_connected(c.s));
    cr_assert_eq(ssh_tunnel_count(c.s), 0);
    cr_assert_eq(read(fd1, buf, sizeof buf), 0, "the tunnel's local end did not see EOF");
    cr_assert_eq(c.lost, 0);
    close(fd1);

    int fd2 = open_tunnel(&c, e.port, &r2);
    cr_assert(fd2 >= 0, "reopen: %s", r2.err);
    cr_assert_eq(write(fd2, "ping", 4), 4);
    long long t0 = test_now_ms();
    ssize_t got = 0;
    fcntl(fd2, F_SETFL, O_NONBLOCK);
    while (got < 4 && test_now_ms() - t0 < WAIT_MS) {
        test_pump_for(10);
        ssize_t r = read(fd2, buf + got, sizeof buf - (size_t)got);
        if (r > 0)
            got += r;
    }
    cr_assert_eq(got, 4);
    cr_assert(memcmp(buf, "ping", 4) == 0);
    close(fd2);
    sshsess_free(c.s);
    virEventRemoveHandle(e.watch);
    close(e.lfd);
    test_pump_for(50);
    cleanup_dir();
}

/* No key, no agent: the password is asked (echo off); a wrong one is a
 * clear error for the request. */
Test(ssh_tunnel, password_asked_and_wrong_one_refused)
{
    NEED_SSHD();
    struct ctx c;
    struct tres r;
    char text[1000];

    snprintf(text, sizeof text, "[127.0.0.1]:%d %s\n", port_env(), getenv("VMX_SSH_HOSTPUB"));
    make_session_key(&c, text, false);
    c.answer = "Wrong-Pw-4tz";
    int fd = open_tunnel(&c, 22, &r);
    cr_assert_eq(fd, -1);
    cr_assert_eq(c.asks, 1);
    cr_assert_eq(c.kind, SSH_ASK_SECRET);
    cr_assert(strstr(c.prompt, "password"), "%s", c.prompt);
    cr_assert(strstr(r.err, "permission denied"), "%s", r.err);
    cr_assert(!strstr(r.err, "Wrong-Pw"), "the password is in the message");
    sshsess_free(c.s);
    cleanup_dir();
}
