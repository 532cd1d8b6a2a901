/*
 * ptyrun — run a command on a fresh pseudo-terminal and measure it.
 *
 *   ptyrun [-s COLSxROWS] [-t SECONDS] [-o FILE] [-p PIDFILE] -- command [args...]
 *
 * The command runs as the session leader of a new pty of the given size
 * (default 80x24) with TERM=xterm-256color.  Everything it writes to the
 * terminal is drained and counted (and copied to FILE with -o, for
 * diagnosing failures); nothing is ever written to its input.  When the
 * command exits, one line goes to stdout:
 *
 *   wall_ms=<float> maxrss_kb=<int> out_bytes=<int> status=<code>
 *
 * -p writes the child's pid to PIDFILE.  SIGUSR1 prints a line
 *
 *   mark out_bytes=<int> ms=<float>
 *
 * (the bytes counted so far, the time since the fork) without stopping: a
 * script takes the difference of two marks for the output of one phase.
 *
 * wall_ms runs from just before the fork to the moment the child is reaped;
 * maxrss_kb is ru_maxrss from wait4().  status is the exit code, 128+N when
 * killed by signal N, or "timeout" when the child outlived -t (default 60 s)
 * and was SIGKILLed by PID.
 *
 * ptyrun's own exit code: the child's (as in status), 124 on timeout,
 * 2 on usage or setup errors.
 *
 * Build: cc -O2 -o ptyrun ptyrun.c -lutil
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int sigpipe_w = -1;
static volatile sig_atomic_t mark_wanted;

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGUSR1)
        mark_wanted = 1;
    char c = 0;
    if (write(sigpipe_w, &c, 1) < 0) {
        /* pipe full: a wake-up is already pending */
    }
    errno = saved;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [-s COLSxROWS] [-t SECONDS] [-o FILE] [-p PIDFILE] -- command [args...]\n",
            argv0);
    exit(2);
}

/* Read whatever the master has.  Returns 0 while the pty is open, -1 once
 * the slave side is gone (EIO / EOF) or on a hard error. */
static int drain(int master, unsigned long long *count, FILE *copy)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(master, buf, sizeof buf);
        if (n > 0) {
            *count += (unsigned long long)n;
            if (copy)
                fwrite(buf, 1, (size_t)n, copy);
            continue;
        }
        if (n == 0)
            return -1;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        /* EIO: every slave fd is closed (normally: the child exited). */
        if (errno != EIO)
            perror("ptyrun: read pty");
        return -1;
    }
}

int main(int argc, char **argv)
{
    unsigned short cols = 80, rows = 24;
    double timeout_s = 60.0;
    const char *outfile = NULL, *pidfile = NULL;
    int opt;

    while ((opt = getopt(argc, argv, "+s:t:o:p:h")) != -1) {
        switch (opt) {
        case 's': {
            unsigned c, r;
            char extra;
            if (sscanf(optarg, "%ux%u%c", &c, &r, &extra) != 2 || c < 1 || r < 1 ||
                c > 65535 || r > 65535) {
                fprintf(stderr, "ptyrun: bad size '%s' (want COLSxROWS)\n", optarg);
                return 2;
            }
            cols = (unsigned short)c;
            rows = (unsigned short)r;
            break;
        }
        case 't': {
            char *end;
            timeout_s = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' || !(timeout_s > 0)) {
                fprintf(stderr, "ptyrun: bad timeout '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'o':
            outfile = optarg;
            break;
        case 'p':
            pidfile = optarg;
            break;
        default:
            usage(argv[0]);
        }
    }
    if (optind >= argc)
        usage(argv[0]);
    char **cmd = argv + optind;

    FILE *copy = NULL;
    if (outfile && !(copy = fopen(outfile, "w"))) {
        fprintf(stderr, "ptyrun: %s: %s\n", outfile, strerror(errno));
        return 2;
    }

    int sp[2];
    if (pipe2(sp, O_CLOEXEC | O_NONBLOCK) < 0) {
        perror("ptyrun: pipe2");
        return 2;
    }
    sigpipe_w = sp[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGCHLD, &sa, NULL) < 0 || sigaction(SIGUSR1, &sa, NULL) < 0) {
        perror("ptyrun: sigaction");
        return 2;
    }

    fflush(NULL);
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    int master = -1;
    double t0 = now_ms();
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid < 0) {
        perror("ptyrun: forkpty");
        return 2;
    }
    if (pid == 0) {
        signal(SIGUSR1, SIG_DFL);
        setenv("TERM", "xterm-256color", 1);
        unsetenv("COLUMNS");
        unsetenv("LINES");
        execvp(cmd[0], cmd);
        fprintf(stderr, "ptyrun: exec %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }

    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    if (pidfile) {
        FILE *pf = fopen(pidfile, "w");
        if (!pf || fprintf(pf, "%d\n", (int)pid) < 0 || fclose(pf) != 0)
            fprintf(stderr, "ptyrun: %s: %s\n", pidfile, strerror(errno));
    }

    unsigned long long out_bytes = 0;
    double deadline = t0 + timeout_s * 1e3;
    double t_end = 0;
    int wstatus = 0, reaped = 0, timed_out = 0, pty_open = 1;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);

    while (!reaped) {
        /* Reap first: SIGCHLD may have arrived before we got to poll. */
        pid_t r = wait4(pid, &wstatus, WNOHANG, &ru);
        if (r == pid) {
            t_end = now_ms();
            reaped = 1;
            break;
        }
        if (r < 0 && errno != EINTR) {
            perror("ptyrun: wait4");
            return 2;
        }

        double left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            kill(pid, SIGKILL);
            while (wait4(pid, &wstatus, 0, &ru) < 0 && errno == EINTR) {
            }
            t_end = now_ms();
            reaped = 1;
            break;
        }

        struct pollfd pf[2] = {
            {.fd = sp[0], .events = POLLIN},
            {.fd = pty_open ? master : -1, .events = POLLIN},
        };
        int pr = poll(pf, 2, left > 1000 ? 1000 : (int)left + 1);
        if (pr < 0 && errno != EINTR) {
            perror("ptyrun: poll");
            return 2;
        }
        if (pr <= 0)
            continue;
        if (pf[0].revents & POLLIN) {
            char junk[64];
            while (read(sp[0], junk, sizeof junk) > 0) {
            }
        }
        if (pty_open && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)))
            if (drain(master, &out_bytes, copy) < 0)
                pty_open = 0; /* slave closed; keep waiting for the exit */
        if (mark_wanted) {
            mark_wanted = 0;
            /* what the child wrote before the signal counts */
            if (pty_open && drain(master, &out_bytes, copy) < 0)
                pty_open = 0;
            printf("mark out_bytes=%llu ms=%.3f\n", out_bytes, now_ms() - t0);
            fflush(stdout);
        }
    }

    /* Pick up what the child wrote just before exiting (EIO ends it). */
    if (pty_open)
        drain(master, &out_bytes, copy);
    close(master);
    if (copy)
        fclose(copy);

    char status[32];
    int rc;
    if (timed_out) {
        snprintf(status, sizeof status, "timeout");
        rc = 124;
    } else if (WIFEXITED(wstatus)) {
        rc = WEXITSTATUS(wstatus);
        snprintf(status, sizeof status, "%d", rc);
    } else if (WIFSIGNALED(wstatus)) {
        rc = 128 + WTERMSIG(wstatus);
        snprintf(status, sizeof status, "%d", rc);
    } else {
        rc = 2;
        snprintf(status, sizeof status, "unknown");
    }

    printf("wall_ms=%.3f maxrss_kb=%ld out_bytes=%llu status=%s\n", t_end - t0,
           ru.ru_maxrss, out_bytes, status);
    fflush(stdout);
    return rc;
}
