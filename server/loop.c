/* server/loop.c: signals become readable bytes on a pipe watched by libvirt's loop,
 * so every handler runs on the one loop thread. */
#include "server/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static int sig_pipe[2] = { -1, -1 };
static loop_signal_fn signal_fn;
static void *signal_opaque;

static void on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (write(sig_pipe[1], &b, 1) < 0) {
        /* pipe full: the loop is already awake */
    }
    errno = saved;
}


static void on_pipe(int watch, int fd, int events, void *opaque)
{
    unsigned char b[32];
    ssize_t n;
    while ((n = read(fd, b, sizeof b)) > 0)
        for (ssize_t i = 0; i < n; i++)
            signal_fn(b[i], signal_opaque);
}

static void silent_libvirt_errors(void *opaque, virErrorPtr e)
{
    /* libvirt prints errors to stderr by default, which would scribble over the
     * screen; callers read them with virGetLastErrorMessage() instead. */
}

int loop_init(loop_signal_fn fn, void *opaque, char *err, size_t errlen)
{
    signal_fn = fn;
    signal_opaque = opaque;
    virSetErrorFunc(NULL, silent_libvirt_errors);
    if (virEventRegisterDefaultImpl() < 0) {
        snprintf(err, errlen, "libvirt event loop: %s", virGetLastErrorMessage());
        return -1;
    }
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "signal pipe: %s", strerror(errno));
        return -1;
    }
    if (virEventAddHandle(sig_pipe[0], VIR_EVENT_HANDLE_READABLE, on_pipe, NULL, NULL) < 0) {
        snprintf(err, errlen, "cannot watch the signal pipe");
        return -1;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int loop_run_once(char *err, size_t errlen)
{
    if (virEventRunDefaultImpl() < 0) {
        snprintf(err, errlen, "event loop: %s", virGetLastErrorMessage());
        return -1;
    }
    return 0;
}
