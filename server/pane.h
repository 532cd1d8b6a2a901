/* server/pane.h: one attached console — its model, its backend (serial stream or
 * VNC display), view and log, owned together and freed together. */
#ifndef VIRTMUX_PANE_H
#define VIRTMUX_PANE_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>
#include "keymaps/key.h"
#include "keymaps/keysym.h"

struct app;
struct dom;
struct pw_ask;

enum pane_kind { PANE_SERIAL, PANE_VNC };

struct pane {
    struct app *app;
    enum pane_kind kind;
    struct console *model;
    struct serial *serial;  /* PANE_SERIAL */
    struct vnc *vnc;        /* PANE_VNC */
    char addr[300];         /* a VNC pane on a bare address (no domain), or "" */
    struct pw_ask *asking;  /* a password dialog waiting for this pane */
    struct view *view;
    struct conlog *log;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char label[300];        /* host/name when attached */
    bool scroll_mode;
};

/* force: take the console over from another session on the first open. */
struct pane *pane_new(struct app *a, const struct dom *d, bool readonly, bool force, char *err, size_t errlen);
/* A VNC console: of domain d, or (d NULL) of the server at addr. */
struct pane *pane_new_vnc(struct app *a, const struct dom *d, const char *addr, bool readonly,
                          char *err, size_t errlen);
void pane_free(struct pane *p);
/* The same console? (kind, and domain or address) */
bool pane_is(const struct pane *p, const unsigned char *uuid, enum pane_kind kind, const char *addr);
/* Reconnect now (take over for serial). */
void pane_reattach(struct pane *p);
/* Follow the registry: state, host, existence of the domain. */
void pane_sync(struct pane *p);
/* A key for the guest (ignored, with a message, on read-only panes). */
void pane_key(struct pane *p, key_code k);
/* A serial console draws what its stream already holds, now. */
void pane_read_now(struct pane *p);
void pane_send(struct pane *p, const char *bytes, size_t n);
bool pane_readonly(const struct pane *p);
/* The host the console is attached through (NULL for a bare VNC address). */
struct host *pane_host(const struct pane *p);
/* A key combination for a VNC guest (false with a reason otherwise). */
bool pane_combo(struct pane *p, const struct keysym_combo *c, char *err, size_t errlen);
const char *pane_kind_name(enum pane_kind kind);

#endif
