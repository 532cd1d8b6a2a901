/* backends/vtshadow.c: see vtshadow.h. The transitions follow libtsm 4.0.2's
 * parser (DEC's state diagram: CAN/SUB and ESC act in every state). Where a
 * byte could be read two ways (C1 controls, overlong or broken UTF-8, non-ASCII
 * inside a sequence) the shadow gives up until the next ESC + final byte,
 * which every state obeys. */
#include "backends/vtshadow.h"

static void step(struct vtshadow *v, uint32_t cp)
{
    if (cp >= 0x80) {
        /* C1 controls (U+0080-U+009F) start or end sequences in libtsm;
         * anything else non-ASCII is printed or collected by a string. */
        if (cp < 0xa0)
            v->charset_shifted = true;   /* SS2/SS3 (0x8e/0x8f) remap the next character */
        if (cp < 0xa0 || (v->state != VTS_GROUND && v->state != VTS_OSC && v->state != VTS_STRING))
            v->state = VTS_UNKNOWN;
        return;
    }
    if (cp == 0x18 || cp == 0x1a) {   /* CAN, SUB: back to ground from anywhere */
        v->state = VTS_GROUND;
        return;
    }
    if (cp == 0x1b) {
        v->state = VTS_ESC;
        return;
    }
    if (cp == 0x0e || cp == 0x0f)     /* SO, SI: character set shifts */
        v->charset_shifted = true;
    switch (v->state) {
    case VTS_GROUND:
    case VTS_UNKNOWN:
        return;
    case VTS_ESC:
        if (cp < 0x20 || cp == 0x7f)
            return;   /* C0 executed, DEL ignored: still after ESC */
        if (cp < 0x30) {
            v->state = VTS_ESC_INT;
            v->charset_shifted = true;   /* ESC ( ) * + designate sets; be safe with all */
        } else if (cp == '[') {
            v->state = VTS_CSI;
            v->csi_what = v->csi_inter = false;
        } else if (cp == ']') {
            v->state = VTS_OSC;
        } else if (cp == 'P' || cp == 'X' || cp == '^' || cp == '_') {
            v->state = VTS_STRING;
        } else {
            v->state = VTS_GROUND;
            /* SS2, SS3, locking shifts, RIS: they move character sets too. */
            if (cp == 'N' || cp == 'O' || cp == 'n' || cp == 'o' || cp == '|' || cp == '}' || cp == '~' ||
                cp == 'c')
                v->charset_shifted = true;
        }
        return;
    case VTS_ESC_INT:
        if (cp >= 0x30 && cp <= 0x7e)
            v->state = VTS_GROUND;
        return;
    case VTS_CSI:
        if (cp == '?')
            v->csi_what = true;
        else if (cp >= 0x20 && cp <= 0x2f)
            v->csi_inter = true;
        if (cp >= 0x40 && cp <= 0x7e) {
            v->state = VTS_GROUND;
            /* DECSCL and resets ('p'); SM/RM without '?' (SRM turns on
             * local echo, IRM inserts); anything with intermediates. */
            if (cp == 'p' || v->csi_inter || ((cp == 'h' || cp == 'l') && !v->csi_what))
                v->charset_shifted = true;
        }
        return;
    case VTS_OSC:
        if (cp == 0x07)
            v->state = VTS_GROUND;
        return;
    case VTS_STRING:
        return;
    }
}

bool vtshadow_feed(struct vtshadow *v, const char *bytes, size_t len)
{
    const unsigned char *p = (const unsigned char *)bytes;
    bool plain = vtshadow_ground(v);
    for (size_t i = 0; i < len; i++) {
        unsigned b = p[i];
        plain = plain && ((b >= 0x20 && b < 0x7f) || (b >= 0x07 && b <= 0x0d));
        if (v->utf8_left) {
            if ((b & 0xc0) == 0x80) {
                v->cp = (v->cp << 6) | (b & 0x3f);
                if (--v->utf8_left == 0) {
                    if (v->cp < 0x80)
                        v->state = VTS_UNKNOWN;   /* overlong: libtsm would take it as a control */
                    else
                        step(v, v->cp);
                }
                continue;
            }
            /* A broken sequence: what libtsm makes of it is not ours to guess. */
            v->utf8_left = 0;
            v->state = VTS_UNKNOWN;
            continue;
        }
        if (b < 0x80) {
            step(v, b);
        } else if (b >= 0xc2 && b <= 0xdf) {
            v->utf8_left = 1;
            v->cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            v->utf8_left = 2;
            v->cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            v->utf8_left = 3;
            v->cp = b & 0x07;
        } else {
            v->state = VTS_UNKNOWN;
        }
    }
    return plain;
}

bool vtshadow_ground(const struct vtshadow *v)
{
    return v->state == VTS_GROUND && v->utf8_left == 0;
}
