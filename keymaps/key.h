/* key.h: one key code for every key, normalised once where input enters virtmux. */
#ifndef VIRTMUX_KEYMAPS_KEY_H
#define VIRTMUX_KEYMAPS_KEY_H

#include <stddef.h>
#include <stdint.h>

/* A key is a Unicode code point or a special key (above Unicode), plus
   modifier bits. Enter is '\r', Tab '\t', Escape '\033', Space ' ';
   control letters are the lowercase letter | KEYC_CTRL (C-a == 'a'|KEYC_CTRL). */
typedef uint32_t key_code;

#define KEYC_NONE 0xffffffffu
#define KEYC_META 0x80000000u /* Alt */
#define KEYC_CTRL 0x40000000u
#define KEYC_SHIFT 0x20000000u
#define KEYC_MODS (KEYC_META | KEYC_CTRL | KEYC_SHIFT)
#define KEYC_BASE 0x10000000u /* special keys live above Unicode */

enum {
    KEYC_UP = KEYC_BASE,
    KEYC_DOWN,
    KEYC_LEFT,
    KEYC_RIGHT,
    KEYC_HOME,
    KEYC_END,
    KEYC_PPAGE,
    KEYC_NPAGE,
    KEYC_IC,
    KEYC_DC,
    KEYC_BSPACE,
    KEYC_BTAB,
    KEYC_F1,
    KEYC_F2,
    KEYC_F3,
    KEYC_F4,
    KEYC_F5,
    KEYC_F6,
    KEYC_F7,
    KEYC_F8,
    KEYC_F9,
    KEYC_F10,
    KEYC_F11,
    KEYC_F12,
    KEYC_MOUSE1 /* left click */,
    KEYC_WHEELUP,
    KEYC_WHEELDOWN,
    KEYC_LAST = KEYC_WHEELDOWN
};

/* Longest string key_code_to_string can produce, with its NUL. */
#define KEY_STRING_MAX 32

/* A raw terminal character (0..0x7f or Unicode) as a key: control bytes
   become letter|KEYC_CTRL, 0x08 and 0x7f KEYC_BSPACE, 0 C-Space. Returns
   KEYC_NONE for what is no key (C1 controls, surrogates, > U+10FFFF). */
key_code key_from_byte(uint32_t ch);

/* The one spelling of a key: C- with an ASCII letter is lower case,
   S- with an ASCII letter (without C-) is the upper-case letter, S-Tab is BTab. */
key_code key_normalise(key_code k);

/* 1 when k is a key virtmux knows (a printable character or a named key,
   with any modifiers), else 0. */
int key_code_valid(key_code k);

/* Parse "a", "C-a", "^a", "M-x", "S-Up", "PageUp", "F5", "é"...; named keys
   are case-insensitive. Returns the normalised key, or KEYC_NONE. */
key_code key_string_to_code(const char *s);

/* Canonical string for k (modifiers in order C-M-S-). Returns 0, or -1
   (and "" when len > 0) if k is not valid or len is too small. */
int key_code_to_string(key_code k, char *buf, size_t len);

#endif
