/* keysym.h: a terminal key as an X11 keysym event, for libtsm's keyboard input and VNC. */
#ifndef VIRTMUX_KEYMAPS_KEYSYM_H
#define VIRTMUX_KEYMAPS_KEYSYM_H

#include <stdbool.h>
#include <stdint.h>

#include "keymaps/key.h"

/* Modifier bits: the same values as libtsm's TSM_*_MASK and X11's state mask. */
#define KEYSYM_MOD_SHIFT 1
#define KEYSYM_MOD_LOCK 2
#define KEYSYM_MOD_CTRL 4
#define KEYSYM_MOD_ALT 8

/* "No such value" for ascii and unicode (libtsm's TSM_VTE_INVALID). */
#define KEYSYM_INVALID 0xffffffffu

/* X11 keysyms (X11/keysymdef.h); keymaps/ includes neither X11 nor libtsm. */
#define XK_BackSpace 0xff08
#define XK_Tab 0xff09
#define XK_Return 0xff0d
#define XK_Escape 0xff1b
#define XK_Home 0xff50
#define XK_Left 0xff51
#define XK_Up 0xff52
#define XK_Right 0xff53
#define XK_Down 0xff54
#define XK_Prior 0xff55 /* Page Up */
#define XK_Next 0xff56  /* Page Down */
#define XK_End 0xff57
#define XK_Insert 0xff63
#define XK_F1 0xffbe /* F1..F12 are consecutive */
#define XK_Shift_L 0xffe1
#define XK_Control_L 0xffe3
#define XK_Alt_L 0xffe9
#define XK_Delete 0xffff
#define XK_Pause 0xff13
#define XK_Sys_Req 0xff15
#define XK_Print 0xff61
#define XK_Menu 0xff67
#define XK_Super_L 0xffeb
#define XK_ISO_Level3_Shift 0xfe03
#define XK_ISO_Left_Tab 0xfe20
#define XK_UNICODE 0x01000000 /* | code point, beyond Latin-1 */

/* One key press as tsm_vte_handle_keyboard(vte, keysym, ascii, mods, unicode)
 * and VNC SendKeyEvent want it. ascii is the plain ASCII keysym a control
 * combination is looked up by (or KEYSYM_INVALID); unicode is the character
 * typed (or KEYSYM_INVALID for special keys). */
struct keysym_event {
    uint32_t keysym;
    uint32_t ascii;
    unsigned mods;
    uint32_t unicode;
};

/* false when the key has no keysym (mouse keys, KEYC_NONE, controls that are
 * no key). */
bool keysym_from_key(key_code k, struct keysym_event *out);

/* A key combination for a VNC guest: keys[0..n) are pressed in this order
 * and released in reverse (modifiers first, the key last). */
#define KEYSYM_COMBO_MAX 8
struct keysym_combo {
    uint32_t keys[KEYSYM_COMBO_MAX];
    unsigned n;
};

/* A terminal key as a VNC combination: its modifiers, and Shift where a US
 * keyboard needs it for the character (a VNC server turns keysyms into
 * scancodes, so 'A' alone would arrive as 'a'). false when no keysym. */
bool keysym_combo_from_key(key_code k, struct keysym_combo *out);

/* "C-A-Delete", "A-SysRq-h", "C-A-F2", "S-Tab", "Return", "0xff15": elements
 * joined by '-', every one but the last held while the last is tapped.
 * C, A (or M), S and W are Control, Alt, Shift and Super; names are X11's or
 * virtmux's key names (case-insensitive); one character is itself. false
 * with a reason in err. */
bool keysym_combo_parse(const char *s, struct keysym_combo *out, char *err, size_t errlen);

#endif
