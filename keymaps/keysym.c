/* keysym.c: terminal key -> X11 keysym event (libtsm keyboard input now, VNC later). */
#include "keymaps/keysym.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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
            return 0; /* mouse keys */
    }
}

bool keysym_from_key(key_code k, struct keysym_event *out)
{
    if (!key_code_valid(k))
        return false;
    key_code base = k & ~KEYC_MODS;
    struct keysym_event ev = {0, KEYSYM_INVALID, 0, KEYSYM_INVALID};
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

/* ---- combinations for VNC ---- */

/* Characters a US keyboard types with Shift. */
static bool needs_shift(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c < 0x80 && c && strchr("~!@#$%^&*()_+{}|:\"<>?", (int)c));
}

static bool combo_add(struct keysym_combo *c, uint32_t keysym)
{
    for (unsigned i = 0; i < c->n; i++)
        if (c->keys[i] == keysym)
            return true;
    if (c->n == KEYSYM_COMBO_MAX)
        return false;
    c->keys[c->n++] = keysym;
    return true;
}

bool keysym_combo_from_key(key_code k, struct keysym_combo *out)
{
    struct keysym_event ev;
    if (!keysym_from_key(k, &ev))
        return false;
    struct keysym_combo c = {.n = 0};
    if (ev.mods & KEYSYM_MOD_CTRL)
        combo_add(&c, XK_Control_L);
    if (ev.mods & KEYSYM_MOD_ALT)
        combo_add(&c, XK_Alt_L);
    uint32_t sym = ev.keysym;
    /* C-A is what a terminal sends for Ctrl+a: the letter, not Shift+A. */
    if ((ev.mods & KEYSYM_MOD_CTRL) && sym >= 'A' && sym <= 'Z')
        sym += 'a' - 'A';
    else if ((ev.mods & KEYSYM_MOD_SHIFT) || needs_shift(sym))
        combo_add(&c, XK_Shift_L);
    combo_add(&c, sym);
    *out = c;
    return true;
}

static const struct {
    const char *name;
    uint32_t keysym;
} key_names[] = {
    {"Return", XK_Return},
    {"Enter", XK_Return},
    {"Tab", XK_Tab},
    {"Escape", XK_Escape},
    {"Esc", XK_Escape},
    {"BackSpace", XK_BackSpace},
    {"BSpace", XK_BackSpace},
    {"Delete", XK_Delete},
    {"Del", XK_Delete},
    {"DC", XK_Delete},
    {"Insert", XK_Insert},
    {"IC", XK_Insert},
    {"Home", XK_Home},
    {"End", XK_End},
    {"PageUp", XK_Prior},
    {"PPage", XK_Prior},
    {"Prior", XK_Prior},
    {"PageDown", XK_Next},
    {"NPage", XK_Next},
    {"Next", XK_Next},
    {"Up", XK_Up},
    {"Down", XK_Down},
    {"Left", XK_Left},
    {"Right", XK_Right},
    {"SysRq", XK_Sys_Req},
    {"Sys_Req", XK_Sys_Req},
    {"Print", XK_Print},
    {"Pause", XK_Pause},
    {"Break", XK_Pause},
    {"Menu", XK_Menu},
    {"Space", ' '},
    {"Super", XK_Super_L},
    {"Super_L", XK_Super_L},
    {"Win", XK_Super_L},
    {"Control", XK_Control_L},
    {"Ctrl", XK_Control_L},
    {"Control_L", XK_Control_L},
    {"Alt", XK_Alt_L},
    {"Alt_L", XK_Alt_L},
    {"Shift", XK_Shift_L},
    {"Shift_L", XK_Shift_L},
    {"AltGr", XK_ISO_Level3_Shift},
};

/* One element of a combination; held: it is not the last one (so "A" is Alt). */
static bool element_keysym(const char *e, size_t len, bool held, uint32_t *out)
{
    if (held && len == 1) {
        switch (e[0]) {
            case 'C': *out = XK_Control_L; return true;
            case 'A':
            case 'M': *out = XK_Alt_L; return true;
            case 'S': *out = XK_Shift_L; return true;
            case 'W': *out = XK_Super_L; return true;
        }
    }
    if (len == 1 && (unsigned char)e[0] >= 0x20 && (unsigned char)e[0] < 0x7f) {
        *out = (unsigned char)e[0];
        return true;
    }
    if ((e[0] == 'F' || e[0] == 'f') && len >= 2 && len <= 3) {
        unsigned n = 0;
        size_t i = 1;
        while (i < len && e[i] >= '0' && e[i] <= '9')
            n = n * 10 + (unsigned)(e[i++] - '0');
        if (i == len && n >= 1 && n <= 24) {
            *out = XK_F1 + n - 1; /* F13..F24 follow F12 in X11 too */
            return true;
        }
    }
    if (len > 2 && e[0] == '0' && (e[1] == 'x' || e[1] == 'X')) {
        uint32_t v = 0;
        for (size_t i = 2; i < len; i++) {
            char ch = e[i];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0 || v > 0x0fffffff)
                return false;
            v = v * 16 + (uint32_t)d;
        }
        *out = v;
        return v != 0;
    }
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strlen(key_names[i].name) == len && strncasecmp(key_names[i].name, e, len) == 0) {
            *out = key_names[i].keysym;
            return true;
        }
    return false;
}

bool keysym_combo_parse(const char *s, struct keysym_combo *out, char *err, size_t errlen)
{
    struct keysym_combo c = {.n = 0};
    size_t len = strlen(s);
    if (!len) {
        snprintf(err, errlen, "empty key");
        return false;
    }
    const char *p = s, *end = s + len;
    bool done = false;
    while (p < end) {
        /* A '-' right after a separator (or alone) is the key '-'. */
        const char *dash = *p == '-' ? p + 1 : memchr(p, '-', (size_t)(end - p));
        if (!dash || dash >= end)
            dash = end;
        size_t n = (size_t)(dash - p);
        bool last = dash == end;
        uint32_t sym;
        if (!n || !element_keysym(p, n, !last, &sym)) {
            snprintf(err, errlen, "unknown key '%.*s' in '%s'", (int)(n ? n : 1), p, s);
            return false;
        }
        if (last && c.n && sym >= 'A' && sym <= 'Z') {
            bool ctrl = false;
            for (unsigned i = 0; i < c.n; i++)
                ctrl |= c.keys[i] == XK_Control_L;
            if (ctrl)
                sym += 'a' - 'A'; /* C-A-T means Ctrl+Alt+t, as a terminal spells it */
        }
        if (c.n == KEYSYM_COMBO_MAX || !combo_add(&c, sym)) {
            snprintf(err, errlen, "too many keys in '%s'", s);
            return false;
        }
        p = dash + (dash < end);
        done = last;
    }
    if (!done) {
        snprintf(err, errlen, "no key after the last '-' in '%s'", s);
        return false;
    }
    *out = c;
    return true;
}
