/* tui/pane.h: one attached console — its model, serial stream, view and log,
 * owned together and freed together. */
#ifndef VIRTMUX_PANE_H
#define VIRTMUX_PANE_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>
#include "keymaps/key.h"

struct app;
struct dom;

struct pane {
    struct app *app;
    struct console *model;
    struct serial *serial;
    struct view *view;
    struct conlog *log;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char label[300];        /* host/name when attached */
    bool scroll_mode;
};

/* force: take the console over from another session on the first open. */
struct pane *pane_new(struct app *a, const struct dom *d, bool readonly, bool force, char *err, size_t errlen);
void pane_free(struct pane *p);
/* Follow the registry: state, host, existence of the domain. */
void pane_sync(struct pane *p);
/* A key for the guest (ignored, with a message, on read-only panes). */
void pane_key(struct pane *p, key_code k);
void pane_send(struct pane *p, const char *bytes, size_t n);
bool pane_readonly(const struct pane *p);

#endif
