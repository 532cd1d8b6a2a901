/* backends/vtshadow.h: a conservative shadow of libtsm's escape-sequence parser.
 * It answers one question for the echo fast path (backends/console.c): is the
 * parser surely in its ground state, so that the next printable bytes are
 * printed, not swallowed as a sequence's parameters? When unsure it says no.
 * It also remembers whether the guest ever shifted character sets (then 'q'
 * may print a line-drawing glyph), which the fast path cannot follow. */
#ifndef VIRTMUX_VTSHADOW_H
#define VIRTMUX_VTSHADOW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vtshadow_state {
    VTS_GROUND,
    VTS_ESC,       /* after ESC */
    VTS_ESC_INT,   /* ESC and intermediates (0x20-0x2f) */
    VTS_CSI,       /* until a final byte 0x40-0x7e */
    VTS_OSC,       /* until BEL or ST */
    VTS_STRING,    /* DCS, SOS, PM, APC: until ST */
    VTS_UNKNOWN,   /* lost track: until ESC and a final byte */
};

struct vtshadow {
    enum vtshadow_state state;
    unsigned utf8_left;   /* continuation bytes still to come */
    uint32_t cp;
    bool csi_what, csi_inter;   /* '?' or intermediates in the current CSI */
    /* Ever seen something after which printable ASCII may not print as
     * itself or where we cannot follow: character set shifts and
     * designations, C1 controls, DECSCL (7/8-bit modes), soft and hard
     * resets, ANSI modes such as SRM (local echo) and IRM. */
    bool charset_shifted;
};

/* Follows the bytes; true when they started in the ground state and were
 * all printable ASCII or BEL, BS, HT, LF, VT, FF, CR: then the pen (the
 * colours and attributes for the next character) cannot have changed. */
bool vtshadow_feed(struct vtshadow *v, const char *bytes, size_t len);
/* Surely in the ground state, with no UTF-8 sequence half read. */
bool vtshadow_ground(const struct vtshadow *v);

#endif
