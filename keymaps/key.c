/* key.c: parse and print key names; every key is normalised here, once. */
#include "key.h"

#include <string.h>
#include <strings.h>

#include "util/utf8.h"

/* The first name listed for a key is its canonical spelling. */
static const struct {
    const char *name;
    key_code key;
} key_names[] = {
    {"Up", KEYC_UP},
    {"Down", KEYC_DOWN},
    {"Left", KEYC_LEFT},
    {"Right", KEYC_RIGHT},
    {"Home", KEYC_HOME},
    {"End", KEYC_END},
    {"PageUp", KEYC_PPAGE},
    {"PgUp", KEYC_PPAGE},
    {"PPage", KEYC_PPAGE},
    {"PageDown", KEYC_NPAGE},
    {"PgDn", KEYC_NPAGE},
    {"NPage", KEYC_NPAGE},
    {"Insert", KEYC_IC},
    {"IC", KEYC_IC},
    {"Delete", KEYC_DC},
    {"DC", KEYC_DC},
    {"BSpace", KEYC_BSPACE},
    {"BTab", KEYC_BTAB},
    {"Enter", '\r'},
    {"Escape", '\033'},
    {"Tab", '\t'},
    {"Space", ' '},
    {"F1", KEYC_F1},
    {"F2", KEYC_F2},
    {"F3", KEYC_F3},
    {"F4", KEYC_F4},
    {"F5", KEYC_F5},
    {"F6", KEYC_F6},
    {"F7", KEYC_F7},
    {"F8", KEYC_F8},
    {"F9", KEYC_F9},
    {"F10", KEYC_F10},
    {"F11", KEYC_F11},
    {"F12", KEYC_F12},
    {"Click", KEYC_MOUSE1},
    {"MouseDown1", KEYC_MOUSE1},
    {"WheelUp", KEYC_WHEELUP},
    {"WheelDown", KEYC_WHEELDOWN},
};
#define NKEY_NAMES (sizeof key_names / sizeof key_names[0])

/* Characters that can be typed and shown as themselves. */
static int printable(uint32_t c)
{
    if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        return 0;
    if (c >= 0xd800 && c <= 0xdfff)
        return 0;
    return c <= 0x10ffff;
}

static int is_upper(uint32_t c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_lower(uint32_t c)
{
    return c >= 'a' && c <= 'z';
}

key_code key_from_byte(uint32_t ch)
{
    if (ch == 0)
        return ' ' | KEYC_CTRL;
    if (ch == 0x08 || ch == 0x7f)
        return KEYC_BSPACE;
    if (ch == '\t' || ch == '\r' || ch == '\033')
        return ch;
    if (ch <= 0x1a)
        return ('a' + ch - 1) | KEYC_CTRL;
    if (ch <= 0x1f)
        return ('\\' + ch - 0x1c) | KEYC_CTRL; /* \ ] ^ _ */
    if (ch == ' ' || printable(ch))
        return ch;
    return KEYC_NONE;
}

key_code key_normalise(key_code k)
{
    key_code mods, base;

    if (k == KEYC_NONE)
        return k;
    mods = k & KEYC_MODS;
    base = k & ~KEYC_MODS;
    if (base == '\t' && (mods & KEYC_SHIFT)) {
        base = KEYC_BTAB;
        mods &= ~KEYC_SHIFT;
    }
    /* A terminal cannot tell C-a from C-A. */
    if ((mods & KEYC_CTRL) && is_upper(base))
        base += 'a' - 'A';
    /* Without C-, shift on a letter is just the capital letter. */
    if (!(mods & KEYC_CTRL) && (mods & KEYC_SHIFT) && (is_lower(base) || is_upper(base))) {
        if (is_lower(base))
            base -= 'a' - 'A';
        mods &= ~KEYC_SHIFT;
    }
    return base | mods;
}

int key_code_valid(key_code k)
{
    key_code base;

    if (k == KEYC_NONE)
        return 0;
    base = k & ~KEYC_MODS;
    if (base >= KEYC_BASE)
        return base <= KEYC_LAST;
    return base == ' ' || base == '\t' || base == '\r' || base == '\033' || printable(base);
}

key_code key_string_to_code(const char *s)
{
    key_code mods = 0, base;
    uint32_t cp;
    size_t i, n;
    int len;

    if (s == NULL || *s == '\0')
        return KEYC_NONE;
    for (;;) {
        if (s[0] == '^' && s[1] != '\0') {
            mods |= KEYC_CTRL;
            s++;
            continue;
        }
        /* "X-" is a modifier only when something follows: "C-" alone is bad. */
        if (s[0] == '\0' || s[1] != '-' || s[2] == '\0')
            break;
        if (s[0] == 'C' || s[0] == 'c')
            mods |= KEYC_CTRL;
        else if (s[0] == 'M' || s[0] == 'm')
            mods |= KEYC_META;
        else if (s[0] == 'S' || s[0] == 's')
            mods |= KEYC_SHIFT;
        else
            break;
        s += 2;
    }

    base = KEYC_NONE;
    for (i = 0; i < NKEY_NAMES; i++) {
        if (strcasecmp(s, key_names[i].name) == 0) {
            base = key_names[i].key;
            break;
        }
    }
    if (base == KEYC_NONE) {
        n = strlen(s);
        len = utf8_decode(s, n, &cp);
        if (len < 0 || (size_t)len != n || (cp != ' ' && !printable(cp)))
            return KEYC_NONE;
        base = cp;
    }
    return key_normalise(base | mods);
}

int key_code_to_string(key_code k, char *buf, size_t len)
{
    char tmp[KEY_STRING_MAX];
    key_code base;
    size_t n = 0, i;
    const char *name = NULL;

    if (buf == NULL || len == 0)
        return -1;
    buf[0] = '\0';
    if (!key_code_valid(k))
        return -1;
    if (k & KEYC_CTRL) {
        tmp[n++] = 'C';
        tmp[n++] = '-';
    }
    if (k & KEYC_META) {
        tmp[n++] = 'M';
        tmp[n++] = '-';
    }
    if (k & KEYC_SHIFT) {
        tmp[n++] = 'S';
        tmp[n++] = '-';
    }
    base = k & ~KEYC_MODS;
    for (i = 0; i < NKEY_NAMES; i++) {
        if (key_names[i].key == base) {
            name = key_names[i].name;
            break;
        }
    }
    if (name != NULL) {
        memcpy(tmp + n, name, strlen(name));
        n += strlen(name);
    } else {
        n += utf8_encode(base, tmp + n);
    }
    if (n + 1 > len)
        return -1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return 0;
}
