/* tests/e2e/tools/ttyidle.c: wait until keys typed into a terminal have been
 * read and handled, instead of sleeping a fixed time after each key.
 *
 *   ttyidle CLIENT_PID [TIMEOUT_MS [SERVER_PID [PID...]]]
 *
 * Exit 0 once, on two polls a few ms apart:
 *   - CLIENT_PID (virtmux, or the shell before it runs) sleeps waiting for
 *     input with no timeout (poll/select/read: not a curses escape wait), and
 *     its terminal (fd 0) has 0 unread bytes;
 *   - each of its Unix sockets and the socket's peer have 0 unread bytes
 *     (NETLINK_SOCK_DIAG, in the client's network namespace);
 *   - SERVER_PID and every other PID (the tmux server, which writes the keys
 *     to the terminal) sleep in their event loop (poll/epoll/select).
 * A PID that is gone counts as idle. Exit 1 on timeout (default 5000 ms),
 * 2 on bad usage. Needs root (or ptrace rights) for /proc/PID/syscall. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_PIDS 8
#define MAX_SOCKS 16
#define POLL_GAP_US 3000

static int diag = -1;   /* the NETLINK_SOCK_DIAG socket */

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* The state letter of PID's main thread; 0 when it is gone. */
static char proc_state(int pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');   /* the command name may hold anything */
    return p && p[1] == ' ' ? p[2] : 0;
}

/* The syscall PID's main thread is blocked in and its arguments; -1 when
 * running or not in a syscall, -2 when gone. */
static long proc_syscall(int pid, unsigned long long args[6])
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/syscall", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -2;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    if (!strncmp(buf, "running", 7))
        return -1;
    char *p = buf, *end;
    long nr = strtol(p, &end, 10);
    for (int i = 0; i < 6; i++) {
        p = end;
        args[i] = strtoull(p, &end, 16);
    }
    return nr;
}

static bool in_event_wait(long nr)
{
    switch (nr) {
    case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
    case SYS_epoll_wait: case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
#endif
        return true;
    }
    return false;
}

/* The client waits for input and nothing else: a wait with a timeout is
 * curses telling a lone Esc from a key sequence (or a timer still due). */
static bool client_waits(int pid)
{
    unsigned long long a[6];
    long nr = proc_syscall(pid, a);
    if (nr == -2)
        return true;
    if (proc_state(pid) != 'S')
        return false;
    switch (nr) {
    case SYS_poll: return (int)a[2] < 0;
    case SYS_ppoll: return a[2] == 0;
    case SYS_select: case SYS_pselect6: return a[4] == 0;
    case SYS_read: return a[0] == 0;
    }
    return false;
}

static bool loop_waits(int pid)
{
    unsigned long long a[6];
    long nr = proc_syscall(pid, a);
    if (nr == -2)
        return true;
    return proc_state(pid) == 'S' && in_event_wait(nr);
}

/* The inodes of PID's sockets. */
static int proc_sockets(int pid, unsigned long inodes[MAX_SOCKS])
{
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_SOCKS) {
        char p[320];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        ssize_t len = readlink(p, link, sizeof link - 1);
        if (len <= 0)
            continue;
        link[len] = 0;
        unsigned long ino;
        if (sscanf(link, "socket:[%lu]", &ino) == 1)
            inodes[n++] = ino;
    }
    closedir(d);
    return n;
}

/* Bytes unread on the Unix socket INODE and its peer's inode (0: none);
 * 0 and no peer when the socket is not known (not Unix, or gone). */
static unsigned socket_unread(unsigned long ino, unsigned long *peer)
{
    struct {
        struct nlmsghdr nlh;
        struct unix_diag_req r;
    } req = {
        .nlh = { .nlmsg_len = sizeof req, .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST },
        .r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u, .udiag_ino = (unsigned)ino,
               .udiag_show = UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN,
               .udiag_cookie = { ~0u, ~0u } },
    };
    *peer = 0;
    if (send(diag, &req, sizeof req, 0) < 0)
        return 0;
    long buf[2048];
    ssize_t n = recv(diag, buf, sizeof buf, 0);
    unsigned unread = 0;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; n > 0 && NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
            break;
        struct unix_diag_msg *m = NLMSG_DATA(h);
        int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
        for (struct rtattr *at = (struct rtattr *)(m + 1); RTA_OK(at, len); at = RTA_NEXT(at, len)) {
            if (at->rta_type == UNIX_DIAG_PEER)
                *peer = *(unsigned *)RTA_DATA(at);
            else if (at->rta_type == UNIX_DIAG_RQLEN)
                unread = ((struct unix_diag_rqlen *)RTA_DATA(at))->udiag_rqueue;
        }
    }
    return unread;
}

static bool sockets_drained(int pid)
{
    unsigned long inodes[MAX_SOCKS], peer, other;
    int n = proc_sockets(pid, inodes);
    for (int i = 0; i < n; i++) {
        if (socket_unread(inodes[i], &peer))
            return false;
        if (peer && socket_unread(peer, &other))
            return false;
    }
    return true;
}

static bool tty_drained(int tty)
{
    int unread = 0;
    return tty < 0 || ioctl(tty, FIONREAD, &unread) < 0 || unread == 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 + MAX_PIDS) {
        fprintf(stderr, "usage: ttyidle CLIENT_PID [TIMEOUT_MS [SERVER_PID [PID...]]]\n");
        return 2;
    }
    int client = atoi(argv[1]);
    long timeout = argc > 2 ? atol(argv[2]) : 5000;
    int others[MAX_PIDS], nothers = 0;
    for (int i = 3; i < argc; i++)
        if (atoi(argv[i]) > 0)
            others[nothers++] = atoi(argv[i]);
    if (client <= 0 || timeout < 0) {
        fprintf(stderr, "ttyidle: bad pid or timeout\n");
        return 2;
    }
    char path[64];
    /* The sockets are looked up in the client's network namespace (a testbed
     * client runs in one of its own). */
    snprintf(path, sizeof path, "/proc/%d/ns/net", client);
    int ns = open(path, O_RDONLY);
    if (ns >= 0) {
        setns(ns, CLONE_NEWNET);
        close(ns);
    }
    diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    snprintf(path, sizeof path, "/proc/%d/fd/0", client);
    int tty = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (tty >= 0 && !isatty(tty)) {
        close(tty);
        tty = -1;
    }
    unsigned long long end = now_ms() + (unsigned long long)timeout;
    int quiet = 0;
    for (;;) {
        bool idle = client_waits(client) && tty_drained(tty) && sockets_drained(client);
        for (int i = 0; idle && i < nothers; i++)
            idle = loop_waits(others[i]);
        quiet = idle ? quiet + 1 : 0;
        if (quiet == 2)
            return 0;
        if (now_ms() >= end)
            return 1;
        usleep(POLL_GAP_US);
    }
}
