/* server/loop.h: libvirt's default event loop as virtmux's only loop, plus signals. */
#ifndef VIRTMUX_LOOP_H
#define VIRTMUX_LOOP_H
#include <stddef.h>

/* Called on the loop thread for SIGTERM, SIGHUP, SIGINT, SIGQUIT. */
typedef void (*loop_signal_fn)(int signo, void *opaque);

/* Registers libvirt's default event implementation and a self-pipe for signals. */
int loop_init(loop_signal_fn on_signal, void *opaque, char *err, size_t errlen);
/* One iteration: waits for and dispatches events. */
int loop_run_once(char *err, size_t errlen);

#endif
