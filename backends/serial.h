/* backends/serial.h: one domain's serial console: a non-blocking libvirt stream
 * feeding a console model, reattaching when the domain or the stream comes back. */
#ifndef VIRTMUX_SERIAL_H
#define VIRTMUX_SERIAL_H
#include <stdbool.h>
#include <libvirt/libvirt.h>
#include "backends/console.h"

struct host;
struct conlog;

enum serial_state {
    SERIAL_OPENING,    /* virDomainOpenConsole under way */
    SERIAL_ATTACHED,
    SERIAL_STOPPED,    /* the domain is not running: reattach when it starts */
    SERIAL_BUSY,       /* another session holds the console */
    SERIAL_WAITING,    /* lost or failed: reattaching after a backoff */
    SERIAL_HOST_LOST,  /* the host is disconnected */
    SERIAL_MIGRATING,  /* between the source's last byte and the destination's console */
};

struct serial;

/* Called on the loop thread. */
struct serial_ops {
    void (*changed)(struct serial *s, void *opaque);      /* output or state */
    /* An attach the user asked for found the console held by another session:
     * ask, then serial_attach(s, true) to take it over. Never forced silently. */
    void (*busy)(struct serial *s, void *opaque);
    void (*message)(struct serial *s, bool error, const char *msg, void *opaque);
};

/* dev: "serial0", "console0", ... or NULL for the domain's first console.
 * The model is not owned; a readonly console never sends anything. */
struct serial *serial_new(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN], const char *label,
                          const char *dev, struct console *model, bool readonly,
                          const struct serial_ops *ops, void *opaque);
void serial_free(struct serial *s);

/* Open the console (force: take it over from another session). */
void serial_attach(struct serial *s, bool force);
/* The next open takes the console over (the user said so before the pane
 * existed: attach -f). */
void serial_force_next(struct serial *s);
/* Send what the model has queued for the guest (typed keys, replies). */
void serial_flush(struct serial *s);
/* Draw what the attached stream already holds, without waiting for the
 * loop's next turn (for the echo of a key just typed). */
void serial_read_now(struct serial *s);
/* The registry saw the domain's state or host change: start or stop following. */
void serial_update(struct serial *s, struct host *h, bool running, bool host_connected);
/* The registry's view of a migration: the source paused for it, and the host
 * holding the incoming copy (NULL: none). Call after serial_update. Keys are
 * held while one is under way; a console is opened on the destination early. */
void serial_follow(struct serial *s, bool migrating, struct host *incoming);
bool serial_holding(const struct serial *s);
/* Keep a log of everything the guest printed (NULL: none); not owned. */
void serial_set_log(struct serial *s, struct conlog *log);

enum serial_state serial_state(const struct serial *s);
/* A short badge for the pane ("", "[stopped]", "[busy]", ...). */
const char *serial_badge(struct serial *s);
const char *serial_label(const struct serial *s);
const unsigned char *serial_uuid(const struct serial *s);
struct host *serial_host(const struct serial *s);
bool serial_readonly(const struct serial *s);
void serial_set_readonly(struct serial *s, bool readonly);
struct console *serial_model(const struct serial *s);

#endif
