/* backends/source.h: the console-source interface: what the server needs
 * from a console whatever its kind. backends/serial.c (a libvirt stream
 * through libtsm) and backends/vnc.c (a VNC display read as text) each
 * implement it, so the code above never asks which kind it holds. */
#ifndef VIRTMUX_SOURCE_OPS_H
#define VIRTMUX_SOURCE_OPS_H
#include <stdbool.h>
#include <stddef.h>
#include "keymaps/key.h"
#include "keymaps/keysym.h"

struct host;
struct conlog;

struct source_ops {
    const char *kind;   /* "serial", "vnc" */
    /* Reconnect now (serial: and take the console over from another session). */
    void (*attach)(void *impl);
    /* A typed key, or raw bytes, for the guest; false with a reason. */
    bool (*key)(void *impl, key_code k, char *err, size_t errlen);
    bool (*send)(void *impl, const char *bytes, size_t n, char *err, size_t errlen);
    /* A key combination (VNC: C-A-Delete); false with a reason where it means nothing. */
    bool (*combo)(void *impl, const struct keysym_combo *c, char *err, size_t errlen);
    /* Draw what has already arrived, in this loop turn (the echo of a key). */
    void (*read_now)(void *impl);
    /* The registry's view of the domain: its host, whether it runs, whether
     * the host is connected; then (for a domain the registry knows) whether
     * it is migrating and which host holds the incoming copy. */
    void (*update)(void *impl, struct host *h, bool running, bool host_connected);
    void (*follow)(void *impl, bool migrating, struct host *incoming);
    void (*set_label)(void *impl, const char *label);
    /* Nobody may type into it: nothing at all goes to the guest (not even
     * the terminal's answers to the guest's queries). */
    void (*set_readonly)(void *impl, bool readonly);
    /* The model was resized (a picture is repainted at the new size). */
    void (*model_resized)(void *impl);
    /* A short badge ("", "[stopped]", ...) and what the title adds ("" or,
     * for VNC, what the recogniser sees). */
    const char *(*badge)(void *impl);
    const char *(*describe)(void *impl);
    struct host *(*host)(const void *impl);
    void (*free)(void *impl);
};

extern const struct source_ops serial_source_ops;
extern const struct source_ops vnc_source_ops;

#endif
