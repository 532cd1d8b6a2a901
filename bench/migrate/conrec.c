/*
 * conrec — run a command on a fresh pty, record what it prints with the time
 * of each read, and feed it keys from a FIFO (bench/migrate's peer).
 *
 *   conrec [-s COLSxROWS] [-t SECONDS] -o FILE [-i FIFO] -- command [args...]
 *
 * FILE gets one record per read from the pty, in the format of virtmux's raw
 * console log (backends/conlog.c), so one parser reads both:
 *
 *   2026-11-23T01:43:21.123Z LEN\n<LEN bytes>\n
 *
 * (UTC wall clock, milliseconds; it is compared with `virsh event
 * --timestamp` and virtmux's log, which use the same clock.)  Bytes read from
 * FIFO (opened read-write, so writers may come and go) are written to the
 * pty as they come.  conrec ends when the command does: exit code the
 * command's, 128+N when killed by signal N, 124 when it outlived -t (default
 * 3600 s) and was SIGKILLed by PID, 2 on usage or setup errors.  SIGTERM,
 * SIGINT and SIGHUP to conrec are passed on to the command (by PID).
 *
 * Build: cc -O2 -o conrec conrec.c -lutil
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int sigpipe_w = -1;
static volatile sig_atomic_t pending_sig;

static void on_signal(int sig)
{
    int saved = errno;
    if (sig != SIGCHLD)
        pending_sig = sig;
    char c = 0;
    if (write(sigpipe_w, &c, 1) < 0) {
        /* pipe full: a wake-up is already pending */
    }
    errno = saved;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void record(int fd, const char *bytes, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char head[96];
    size_t h = strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    h += (size_t)snprintf(head + h, sizeof head - h, ".%03ldZ %zu\n", ts.tv_nsec / 1000000, n);
    write_all(fd, head, h);
    write_all(fd, bytes, n);
    write_all(fd, "\n", 1);
}

static void usage(void)
{
    fprintf(stderr, "usage: conrec [-s COLSxROWS] [-t SECONDS] -o FILE [-i FIFO] -- command [args...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int cols = 120, rows = 40, opt;
    double limit = 3600;
    const char *out = NULL, *in = NULL;
    while ((opt = getopt(argc, argv, "+s:t:o:i:")) != -1) {
        switch (opt) {
        case 's':
            if (sscanf(optarg, "%dx%d", &cols, &rows) != 2 || cols < 1 || rows < 1)
                usage();
            break;
        case 't': limit = atof(optarg); break;
        case 'o': out = optarg; break;
        case 'i': in = optarg; break;
        default: usage();
        }
    }
    if (!out || optind >= argc)
        usage();
    int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (ofd < 0) {
        perror(out);
        return 2;
    }
    int ifd = -1;
    if (in && (ifd = open(in, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
        perror(in);
        return 2;
    }
    int sp[2];
    if (pipe2(sp, O_CLOEXEC | O_NONBLOCK) < 0) {
        perror("pipe2");
        return 2;
    }
    sigpipe_w = sp[1];
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
    int master;
    double t0 = mono_s();
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid < 0) {
        perror("forkpty");
        return 2;
    }
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        execvp(argv[optind], argv + optind);
        perror(argv[optind]);
        _exit(127);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

    int status = 0;
    bool exited = false, master_open = true, timed_out = false;
    char buf[65536];
    while (!exited || master_open) {
        if (pending_sig) {
            kill(pid, pending_sig);
            pending_sig = 0;
        }
        double left = limit - (mono_s() - t0);
        if (left <= 0 && !timed_out) {
            timed_out = true;
            kill(pid, SIGKILL);
        }
        struct pollfd p[3] = {
            { .fd = sp[0], .events = POLLIN },
            { .fd = master_open ? master : -1, .events = POLLIN },
            { .fd = ifd, .events = POLLIN },
        };
        int ms = left > 0 ? (left > 1 ? 1000 : (int)(left * 1000) + 1) : 100;
        if (exited)
            ms = 50;   /* the last output after the command ended */
        int r = poll(p, 3, ms);
        if (r < 0 && errno != EINTR) {
            perror("poll");
            break;
        }
        if (r == 0 && exited)
            break;
        if (p[0].revents & POLLIN) {
            char c[64];
            while (read(sp[0], c, sizeof c) > 0) {
            }
        }
        if (!exited) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                exited = true;
        }
        if (master_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0)
                record(ofd, buf, (size_t)n);
            else if (n == 0 || (errno != EAGAIN && errno != EINTR))
                master_open = false;   /* EIO: no process has the pty open */
        }
        if (ifd >= 0 && (p[2].revents & POLLIN)) {
            ssize_t n = read(ifd, buf, sizeof buf);
            if (n > 0 && master_open) {
                /* The pty takes a few KiB; keys are few. Block briefly if full. */
                fcntl(master, F_SETFL, fcntl(master, F_GETFL) & ~O_NONBLOCK);
                write_all(master, buf, (size_t)n);
                fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
            }
        }
    }
    if (!exited && waitpid(pid, &status, 0) < 0)
        status = 0;
    close(ofd);
    if (timed_out)
        return 124;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}
