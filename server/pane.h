/* server/pane.h: a console as one session shows it: which source, its view
 * (with this pane's own scroll position), read-only or not. A pane opened by
 * `attach DOMAIN` before the hosts have listed DOMAIN waits for it, holding
 * the keys typed meanwhile for the guest. */
#ifndef VIRTMUX_PANE_H
#define VIRTMUX_PANE_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>
#include "keymaps/key.h"
#include "keymaps/keysym.h"
#include "server/source.h"

struct session;
struct dom;

/* Keys held for a console that does not exist yet. */
#define PANE_HELD_MAX 4096

struct pane {
    struct session *session;
    struct source *src;         /* NULL while waiting for its domain */
    struct view *view;
    bool readonly;
    bool scroll_mode;
    char label[300];
    /* Waiting (src NULL): what attach was given, and how to open it. */
    char want[256];
    enum source_kind want_kind;
    bool want_force, want_patient, want_failed;
    key_code held[PANE_HELD_MAX];
    size_t nheld;
};

/* d's console of kind, or (d NULL, SOURCE_VNC) the VNC server at addr. */
struct pane *pane_new(struct session *s, const struct dom *d, const char *addr, enum source_kind kind,
                      bool readonly, bool force, char *err, size_t errlen);
/* A pane for spec (NAME, HOST/NAME or UUID) that no host has listed yet;
 * patient: keep waiting after every host has listed (the demo defines it). */
struct pane *pane_new_waiting(struct session *s, const char *spec, enum source_kind kind, bool readonly,
                              bool force, bool patient, char *err, size_t errlen);
void pane_free(struct pane *p);
/* The same console? (kind, and domain or address) */
bool pane_is(const struct pane *p, const unsigned char *uuid, enum source_kind kind, const char *addr);
enum source_kind pane_kind(const struct pane *p);
/* Follow the registry (a waiting pane looks for its domain). */
void pane_sync(struct pane *p);
/* A key, or bytes, for the guest; refused with a message when read-only. */
void pane_key(struct pane *p, key_code k);
void pane_send(struct pane *p, const char *bytes, size_t n);
bool pane_combo(struct pane *p, const struct keysym_combo *c, char *err, size_t errlen);
void pane_reattach(struct pane *p);
void pane_read_now(struct pane *p);
/* The host the console is attached through (NULL: a bare VNC address, or waiting). */
struct host *pane_host(const struct pane *p);
/* The domain's UUID (zeros while waiting or for a bare address). */
const unsigned char *pane_uuid(const struct pane *p);
struct console *pane_model(const struct pane *p);

#endif
