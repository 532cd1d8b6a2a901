/* keysym.c: terminal key -> X11 keysym event (libtsm keyboard input now, VNC later). */
#include "keymaps/keysym.h"

/* libtsm looks control combinations up by the ASCII keysym, and knows C-2,
 * C-6, C-7 and C-8 for NUL, RS, US and DEL where a terminal user types C-@,
 * C-^, C-_ and C-?; hand it the spelling it knows. */
static uint32_t ctrl_ascii(uint32_t c)
{
    switch (c) {
    case '@': return '2';
    case '^': return '6';
    case '_': return '7';
    case '?': return '8';
    default: return c;
    }
}

static uint32_t special_keysym(key_code base)
{
    switch (base) {
    case KEYC_UP: return XK_Up;
    case KEYC_DOWN: return XK_Down;
    case KEYC_LEFT: return XK_Left;
    case KEYC_RIGHT: return XK_Right;
    case KEYC_HOME: return XK_Home;
    case KEYC_END: return XK_End;
    case KEYC_PPAGE: return XK_Prior;
    case KEYC_NPAGE: return XK_Next;
    case KEYC_IC: return XK_Insert;
    case KEYC_DC: return XK_Delete;
    case KEYC_BSPACE: return XK_BackSpace;
    case KEYC_BTAB: return XK_ISO_Left_Tab;
    default:
        if (base >= KEYC_F1 && base <= KEYC_F12)
            return XK_F1 + (base - KEYC_F1);
        return 0;   /* mouse keys */
    }
}

bool keysym_from_key(key_code k, struct keysym_event *out)
{
    if (!key_code_valid(k))
        return false;
    key_code base = k & ~KEYC_MODS;
    struct keysym_event ev = { 0, KEYSYM_INVALID, 0, KEYSYM_INVALID };
    if (k & KEYC_SHIFT)
        ev.mods |= KEYSYM_MOD_SHIFT;
    if (k & KEYC_CTRL)
        ev.mods |= KEYSYM_MOD_CTRL;
    if (k & KEYC_META)
        ev.mods |= KEYSYM_MOD_ALT;

    if (base >= KEYC_BASE) {
        ev.keysym = special_keysym(base);
        if (ev.keysym == 0)
            return false;
        /* X11 reports back-tab as Shift+ISO_Left_Tab. */
        if (base == KEYC_BTAB)
            ev.mods |= KEYSYM_MOD_SHIFT;
    } else if (base == '\r') {
        ev.keysym = XK_Return;
    } else if (base == '\t') {
        ev.keysym = XK_Tab;
    } else if (base == '\033') {
        ev.keysym = XK_Escape;
    } else {
        /* Latin-1 keysyms are the code point; the rest of Unicode is 0x01000000 | cp. */
        ev.keysym = base <= 0xff ? base : XK_UNICODE | base;
        ev.unicode = base;
        if (base < 0x80)
            ev.ascii = (ev.mods & KEYSYM_MOD_CTRL) ? ctrl_ascii(base) : base;
    }
    if (out)
        *out = ev;
    return true;
}
