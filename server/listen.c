/* server/listen.c: bind, listen, accept; stale sockets and too many clients. */
#include "server/listen.h"
#include "server/app.h"
#include "server/client.h"
#include "proto/msg.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

static int listen_fd = -1, listen_watch = -1;
static char listen_path[sizeof ((struct sockaddr_un *)0)->sun_path];
static ino_t listen_ino;   /* to remove our own socket, not a newer server's */

/* Refused connections wait for their peer to hang up (closing first could
 * throw away the reason, unread), a bounded number of them at a time. */
#define REFUSED_MAX 1024
static int refused;

static void close_refused(void *opaque)
{
    close((int)(intptr_t)opaque);
    refused--;
}

static void on_refused(int watch, int fd, int events, void *opaque)
{
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || (events & VIR_EVENT_HANDLE_HANGUP))
        virEventRemoveHandle(watch);
}

void listen_refuse(int fd, const char *msg)
{
    struct wbuf b = { 0 };
    msg_put_exit(&b, 1, msg);
    if (!b.failed && send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        /* it will see the connection close */
    }
    wbuf_free(&b);
    shutdown(fd, SHUT_WR);
    if (refused < REFUSED_MAX &&
        virEventAddHandle(fd, VIR_EVENT_HANDLE_READABLE, on_refused, (void *)(intptr_t)fd, close_refused) >= 0) {
        refused++;
        return;
    }
    close(fd);
}

static void on_accept(int watch, int fd, int events, void *opaque)
{
    struct app *a = opaque;
    /* A bounded batch per wake-up: a flood of connections cannot starve the consoles. */
    for (int i = 0; i < 64; i++) {
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0)
            return;
        if (a->nclients >= LISTEN_MAX_CLIENTS) {
            char msg[120];
            snprintf(msg, sizeof msg, "virtmux server: too many clients (%d); try again later", LISTEN_MAX_CLIENTS);
            listen_refuse(c, msg);
        } else
            client_accept(a, c);
    }
}

/* Is a server answering at path? */
static bool alive(const struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool ok = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;
    close(fd);
    return ok;
}

int listen_open(struct app *a, const char *path, mode_t mode, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "%s: longer than a socket path may be", path);
        return -1;
    }
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a socket: refusing to replace it", path);
            return -1;
        }
        if (alive(&sa)) {
            snprintf(err, errlen, "a server already listens on %s", path);
            return -1;
        }
        unlink(path);   /* stale: its server is gone */
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    mode_t old = umask(0777 & ~mode);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc < 0 || chmod(path, mode) < 0 || listen(fd, 128) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    listen_watch = virEventAddHandle(fd, VIR_EVENT_HANDLE_READABLE, on_accept, a, NULL);
    if (listen_watch < 0) {
        snprintf(err, errlen, "cannot watch %s", path);
        close(fd);
        unlink(path);
        return -1;
    }
    listen_fd = fd;
    snprintf(listen_path, sizeof listen_path, "%s", path);
    if (lstat(path, &st) == 0)
        listen_ino = st.st_ino;
    return 0;
}

void listen_close(void)
{
    if (listen_watch >= 0)
        virEventRemoveHandle(listen_watch);
    if (listen_fd >= 0) {
        close(listen_fd);
        struct stat st;
        if (lstat(listen_path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == listen_ino)
            unlink(listen_path);
    }
    listen_watch = listen_fd = -1;
}
