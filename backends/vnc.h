/* backends/vnc.h: one VNC console shown as text: a libvncclient connection on a
 * thread of its own, the recogniser turning its framebuffer into cells, and the
 * cells written into a console model on the loop thread; reattaches like serial. */
#ifndef VIRTMUX_VNC_H
#define VIRTMUX_VNC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libvirt/libvirt.h>
#include "backends/console.h"
#include "keymaps/keysym.h"

struct host;

enum vnc_state {
    VNC_OPENING,     /* getting a socket (or an SSH tunnel), or the RFB handshake under way */
    VNC_ATTACHED,
    VNC_STOPPED,     /* the domain is not running: reattach when it starts */
    VNC_WAITING,     /* lost or failed: reattaching after a backoff */
    VNC_HOST_LOST,   /* the host is disconnected */
    VNC_AUTH,        /* the password was refused or not given: waits for vnc_attach */
};

struct vnc;

/* Called on the loop thread. */
struct vnc_ops {
    void (*changed)(struct vnc *v, void *opaque);    /* screen or state */
    void (*message)(struct vnc *v, bool error, const char *msg, void *opaque);
    /* The server wants a password and none is set: ask the user, then call
     * vnc_password(v, answer) (NULL cancels). */
    void (*ask_password)(struct vnc *v, void *opaque);
};

/* A domain's VNC display through its libvirt host. The model is not owned;
 * a readonly console never sends keys. password: NULL or "" for none. */
struct vnc *vnc_new(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN], const char *label,
                    struct console *model, bool readonly, const char *password,
                    const struct vnc_ops *ops, void *opaque);
/* A VNC server at "HOST:PORT", "[V6]:PORT" or "unix:PATH", without libvirt. */
struct vnc *vnc_new_address(const char *addr, const char *label, struct console *model, bool readonly,
                            const char *password, const struct vnc_ops *ops, void *opaque);
/* Bounded: wakes the connection's thread and joins it (or lets it finish alone). */
void vnc_free(struct vnc *v);

/* Connect now (again), skipping any backoff. */
void vnc_attach(struct vnc *v);
/* The registry saw the domain's state or host change. */
void vnc_update(struct vnc *v, struct host *h, bool running, bool host_connected);
/* The registry's word on a migration: one runs (the source paused for it),
 * or incoming names a host holding the destination. Keys are held from then
 * until a connection shows a frame after it (on the new host, or the old one
 * if it failed), and sent then, in order. */
void vnc_follow(struct vnc *v, bool migrating, struct host *incoming);
/* The pane's label changed (the domain moved to another host). */
void vnc_set_label(struct vnc *v, const char *label);
/* The answer to ask_password; NULL cancels. */
void vnc_password(struct vnc *v, const char *password);

/* A typed key, or a combination, as key events for the guest. false when it
 * cannot be sent (no keysym, not connected, read-only); err says why. */
bool vnc_key(struct vnc *v, key_code k, char *err, size_t errlen);
bool vnc_send_combo(struct vnc *v, const struct keysym_combo *c, char *err, size_t errlen);
/* Text typed as keys (ASCII; '\r' and '\n' are Return). */
bool vnc_type(struct vnc *v, const char *text, size_t n, char *err, size_t errlen);

/* The model's size changed (the pane was resized): repaint it from the last
 * recognised screen, and let a graphics screen be scaled to the new size. */
void vnc_model_resized(struct vnc *v);

enum vnc_state vnc_state(const struct vnc *v);
/* A short badge for the pane ("", "[stopped]", "[reattaching: ...]", ...). */
const char *vnc_badge(struct vnc *v);
/* What the recogniser sees, e.g. "text 80x25 (9x16)" or "text 80x25, 3 unknown". */
const char *vnc_describe(const struct vnc *v);
const char *vnc_label(const struct vnc *v);
const unsigned char *vnc_uuid(const struct vnc *v);
struct host *vnc_host(const struct vnc *v);
bool vnc_readonly(const struct vnc *v);
void vnc_set_readonly(struct vnc *v, bool readonly);
struct console *vnc_model(const struct vnc *v);
/* The last error (handshake, connection), "" if none. */
const char *vnc_error(const struct vnc *v);
/* The guest's whole text screen as last recognised, for the line watcher
 * (the model may be smaller and show only part of it): its bottom line
 * and text hash as vgatext_bottom_line gives them, and the cursor's column
 * when it is on that row (else -1). false while the screen is blank. */
bool vnc_bottom_line(const struct vnc *v, char *out, size_t outlen, int *cursor_col, uint64_t *hash);

#endif
