/* tui/client.c: connect (starting the server if need be), HELLO, then one
 * poll loop over the terminal, the server's socket and signals. */
#include "tui/client.h"
#include "tui/input.h"
#include "tui/paint.h"
#include "tui/term.h"
#include "proto/sockpath.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a server may take to start (the demo builds its guest first). */
#define START_TIMEOUT_MS 120000

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (write(sig_pipe[1], &b, 1) < 0) {
        /* full: the loop is awake anyway */
    }
    errno = saved;
}

static void on_fatal(int signo)
{
    /* Leave the user a usable terminal, then die of the same signal. */
    term_restore();
    signal(signo, SIG_DFL);
    raise(signo);
}

static int setup_signals(void)
{
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    int sigs[] = { SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGTSTP, SIGCONT, SIGQUIT };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    struct sigaction fatal = { .sa_handler = on_fatal };
    sigemptyset(&fatal.sa_mask);
    int fatals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    for (size_t i = 0; i < sizeof fatals / sizeof fatals[0]; i++)
        sigaction(fatals[i], &fatal, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* ---- finding the server ---- */

static int connect_to(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

int client_server_path(char *path, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *base = strrchr(self, '/');
        if (base) {
            *base++ = '\0';
            /* virtmux -> virtmux-server, virtmux-asan -> virtmux-server-asan */
            const char *rest = strncmp(base, "virtmux", 7) ? "" : base + 7;
            snprintf(path, len, "%s/virtmux-server%s", self, rest);
            if (access(path, X_OK) == 0)
                return 0;
        }
    }
    snprintf(path, len, "%s/virtmux-server", VIRTMUX_BINDIR);
    return access(path, X_OK) == 0 ? 0 : -1;
}

int client_exec_server(int argc, char **argv)
{
    char path[PATH_MAX];
    if (client_server_path(path, sizeof path) < 0) {
        fprintf(stderr, "virtmux: no virtmux-server beside this binary nor in %s\n", VIRTMUX_BINDIR);
        return 1;
    }
    argv[0] = "virtmux-server";
    execv(path, argv);
    fprintf(stderr, "virtmux: %s: %s\n", path, strerror(errno));
    return 1;
}

/* The server, detached (its own session, its parent gone): it says "ok" on
 * the pipe once it listens. */
static int start_server(const char *path, const char *config, char *err, size_t errlen)
{
    char self[PATH_MAX];
    if (client_server_path(self, sizeof self) < 0) {
        snprintf(err, errlen, "no virtmux-server to start (beside this binary, nor in %s)", VIRTMUX_BINDIR);
        return -1;
    }
    int p[2];
    if (pipe(p) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        setsid();
        if (fork() != 0)
            _exit(0);
        char fdarg[16];
        snprintf(fdarg, sizeof fdarg, "%d", p[1]);
        if (config)
            execl(self, "virtmux-server", "-S", path, "-f", config, "--ready-fd", fdarg, (char *)NULL);
        else
            execl(self, "virtmux-server", "-S", path, "--ready-fd", fdarg, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    waitpid(pid, NULL, 0);
    char buf[1200] = "";
    size_t got = 0;
    unsigned long long end = now_ms() + START_TIMEOUT_MS;
    while (got < sizeof buf - 1) {
        unsigned long long t = now_ms();
        struct pollfd pfd = { p[0], POLLIN, 0 };
        if (t >= end || poll(&pfd, 1, (int)(end - t)) <= 0)
            break;
        ssize_t r = read(p[0], buf + got, sizeof buf - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        if (memchr(buf, '\n', got))
            break;
    }
    close(p[0]);
    buf[got] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    if (strcmp(buf, "ok") == 0)
        return 0;
    snprintf(err, errlen, "the server did not start: %s", *buf ? buf : "no word from it (see virtmux.log)");
    return -1;
}

/* ---- the connection ---- */

struct conn {
    int fd;
    unsigned char *in;
    size_t inlen, incap;
    struct wbuf out;
    bool screen;               /* curses is up */
    bool done;
    int status;
    char *message;
    struct cell *cells;        /* a run being painted */
    int ncells;
};

static int send_all(struct conn *c)
{
    while (c->out.len) {
        ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        wbuf_consume(&c->out, (size_t)n);
    }
    return 0;
}

static void on_runs(struct conn *c, struct rbuf r)
{
    while (r.n && !r.bad) {
        if (!c->cells) {
            c->ncells = 4096;
            c->cells = malloc((size_t)c->ncells * sizeof *c->cells);
            if (!c->cells)
                return;
        }
        int y, x, n = wire_get_run(&r, &y, &x, c->cells, c->ncells);
        if (n < 0)
            return;
        paint_cells(y, x, c->cells, n);
    }
}

static void on_frame(struct conn *c, uint16_t type, struct rbuf r)
{
    switch (type) {
    case MSG_WELCOME: {
        uint32_t pid;
        char session[64];
        if (msg_get_welcome(&r, &pid, session, sizeof session) < 0) {
            c->done = true;
            c->status = 1;
            c->message = strdup("virtmux: the server's WELCOME is not one this client understands");
        }
        break;
    }
    case MSG_RUNS:
        if (c->screen)
            on_runs(c, r);
        break;
    case MSG_FRAME_END: {
        uint32_t seq;
        int cy, cx;
        bool cursor;
        if (msg_get_frame_end(&r, &seq, &cy, &cx, &cursor) == 0) {
            if (c->screen)
                paint_flush(cy, cx, cursor);
            msg_put_ack(&c->out, seq);
        }
        break;
    }
    case MSG_TERM: {
        int op, value;
        if (msg_get_term(&r, &op, &value) < 0 || !c->screen)
            break;
        if (op == TERM_MOUSE)
            term_set_mouse(value != 0);
        else if (op == TERM_REDRAW)
            term_redraw_all();
        else if (op == TERM_SUSPEND)
            term_suspend();
        else if (op == TERM_BELL)
            beep();
        break;
    }
    case MSG_OUTPUT: {
        int fd;
        char *text;
        if (msg_get_output(&r, &fd, &text) == 0) {
            fputs(text, fd == 2 ? stderr : stdout);
            free(text);
        }
        break;
    }
    case MSG_EXIT: {
        int status;
        char *message;
        if (msg_get_exit(&r, &status, &message) == 0) {
            c->status = status;
            free(c->message);
            c->message = message;
        } else {
            c->status = 1;
        }
        c->done = true;
        break;
    }
    default:
        break;   /* a newer server's news this client does not need */
    }
}

/* Everything the server sent so far; -1 when the connection ended. */
static int read_server(struct conn *c)
{
    if (c->incap - c->inlen < 65536) {
        size_t cap = c->incap ? c->incap * 2 : 262144;
        unsigned char *n = realloc(c->in, cap);
        if (!n)
            return -1;
        c->in = n;
        c->incap = cap;
    }
    ssize_t got = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (got <= 0)
        return -1;
    c->inlen += (size_t)got;
    size_t off = 0;
    while (!c->done) {
        uint16_t type;
        struct rbuf payload;
        size_t taken;
        int rc = wire_frame(c->in + off, c->inlen - off, &type, &payload, &taken);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        on_frame(c, type, payload);
        off += taken;
    }
    memmove(c->in, c->in + off, c->inlen - off);
    c->inlen -= off;
    return 0;
}

static void send_keys(struct conn *c)
{
    struct key_event ev[KEYS_MAX];
    struct key_event_wire w[KEYS_MAX];
    size_t n = input_read(ev, KEYS_MAX);
    for (size_t i = 0; i < n; i++)
        w[i] = (struct key_event_wire){ ev[i].key, (uint16_t)(ev[i].y < 0 ? 0 : ev[i].y),
                                        (uint16_t)(ev[i].x < 0 ? 0 : ev[i].x) };
    if (n)
        msg_put_keys(&c->out, w, n);
}

/* A signal: true when the client should leave (the server keeps the session). */
static bool on_signals(struct conn *c)
{
    unsigned char b[32];
    ssize_t n;
    bool leave = false;
    while ((n = read(sig_pipe[0], b, sizeof b)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            int rows, cols;
            switch (b[i]) {
            case SIGWINCH:
            case SIGCONT:
                if (!c->screen)
                    break;
                term_resize();
                term_size(&rows, &cols);
                msg_put_resize(&c->out, rows, cols);
                break;
            case SIGTSTP:
                if (c->screen)
                    term_suspend();
                break;
            default:   /* SIGHUP (the ssh session dropped), SIGTERM, SIGINT, SIGQUIT: detach */
                leave = true;
                break;
            }
        }
    }
    return leave;
}

static void hello(struct conn *c, const struct client_opts *o)
{
    struct msg_hello h = { .magic = PROTO_MAGIC, .version = PROTO_VERSION };
    h.flags = (o->command_mode ? HELLO_COMMAND : 0) | (o->readonly ? HELLO_READONLY : 0) |
              (o->no_mouse ? HELLO_NO_MOUSE : 0) | (o->exit_after_paint ? HELLO_EXIT_AFTER_PAINT : 0);
    if (c->screen) {
        int rows, cols;
        term_size(&rows, &cols);
        h.rows = (uint16_t)rows;
        h.cols = (uint16_t)cols;
        h.colours = paint_colour() ? (uint16_t)(COLORS > 65535 ? 65535 : COLORS) : 0;
    }
    const char *term = getenv("TERM");
    snprintf(h.term, sizeof h.term, "%s", term ? term : "");
    if (!getcwd(h.cwd, sizeof h.cwd))
        snprintf(h.cwd, sizeof h.cwd, "/");
    h.ncmds = o->ncmds;
    for (int i = 0; i < o->ncmds; i++) {
        h.argc[i] = o->argc[i];
        h.argv[i] = o->argv[i];
    }
    msg_put_hello(&c->out, &h);
}

static int loop(struct conn *c)
{
    bool lost = false;
    while (!c->done) {
        if (send_all(c) < 0) {
            lost = true;
            break;
        }
        struct pollfd pfd[3] = {
            { c->fd, POLLIN, 0 },
            { sig_pipe[0], POLLIN, 0 },
            { c->screen ? STDIN_FILENO : -1, POLLIN, 0 },
        };
        if (poll(pfd, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            lost = true;
            break;
        }
        if (pfd[1].revents && on_signals(c))
            break;
        if (pfd[2].revents & (POLLHUP | POLLERR))
            break;   /* the terminal is gone: detach */
        if (pfd[2].revents & POLLIN)
            send_keys(c);
        if (pfd[0].revents && read_server(c) < 0) {
            lost = true;
            break;
        }
    }
    if (c->done)
        send_all(c);   /* the last ACK, if any */
    return lost ? -1 : 0;
}

int client_run(const struct client_opts *o)
{
    char path[SOCKPATH_MAX + 1], err[1300];
    /* On a lab server the class's system server is the one to use; -L and
     * -S choose a server of one's own. */
    bool system = !o->socket_path && !o->socket_name && sockpath_system_found(path, sizeof path);
    if (!system && sockpath_resolve(o->socket_path, o->socket_name, path, sizeof path, err, sizeof err) < 0) {
        fprintf(stderr, "virtmux: %s\n", err);
        return 1;
    }
    if (!o->command_mode && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "virtmux: needs a terminal on stdin and stdout (commands like list-sessions do not)\n");
        return 1;
    }
    int fd = connect_to(path);
    if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED) && o->start_server && !system) {
        if (start_server(path, o->config, err, sizeof err) < 0) {
            fprintf(stderr, "virtmux: %s\n", err);
            return 1;
        }
        fd = connect_to(path);
    }
    if (fd < 0) {
        if (system && (errno == ENOENT || errno == ECONNREFUSED))
            fprintf(stderr, "virtmux: the system server on %s is not running (ask the lab's operators; "
                    "-L NAME uses a server of your own)\n", path);
        else if (errno == ENOENT || errno == ECONNREFUSED)
            fprintf(stderr, "virtmux: no server running on %s\n", path);
        else
            fprintf(stderr, "virtmux: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (setup_signals() < 0) {
        fprintf(stderr, "virtmux: signal pipe: %s\n", strerror(errno));
        close(fd);
        return 1;
    }
    struct conn c = { .fd = fd };
    if (!o->command_mode) {
        if (term_init(!o->mono, !o->no_mouse, err, sizeof err) < 0) {
            fprintf(stderr, "virtmux: %s\n", err);
            close(fd);
            return 1;
        }
        c.screen = true;
    }
    hello(&c, o);
    int rc = loop(&c);
    if (c.screen)
        term_restore();
    int status = c.status;
    if (rc < 0 && !c.done) {
        fprintf(stderr, "virtmux: lost the server on %s (it exited or was killed); running virtmux again "
                "starts a new one and brings the sessions back\n", path);
        status = 1;
    } else if (!c.done) {
        status = 0;   /* detached by a signal or a closed terminal */
    } else if (c.message && *c.message) {
        fprintf(status ? stderr : stdout, "%s%s\n", strncmp(c.message, "virtmux", 7) && c.message[0] != '[' ? "virtmux: " : "",
                c.message);
    }
    free(c.message);
    free(c.in);
    free(c.cells);
    wbuf_free(&c.out);
    close(fd);
    return status;
}
