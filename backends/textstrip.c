/* backends/textstrip.c: the byte-by-byte state machine of textstrip.h. */
#include "backends/textstrip.h"

/* Text as it would print: 0xC2 0x80-0x9F (a C1 control) dropped, a byte
 * that is no part of a UTF-8 character (raw C1 bytes among them) shown as
 * '?'. Writes up to 2 bytes to out. */
static size_t text_byte(struct textstrip *t, unsigned char c, char *out)
{
    size_t o = 0;
    if (t->c2_held) {
        t->c2_held = false;
        if (c >= 0x80 && c <= 0x9f)
            return 0;
        if (c >= 0xa0 && c <= 0xbf) {
            out[0] = (char)0xc2;
            out[1] = (char)c;
            return 2;
        }
        out[o++] = '?';
    }
    if (c < 0x80) {
        t->cont = 0;
        if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
            out[o++] = (char)c;
        else if (c == 0x7f)
            out[o++] = '?';
    } else if (c <= 0xbf) {
        out[o++] = t->cont ? (char)c : '?';
        if (t->cont)
            t->cont--;
    } else if (c == 0xc2) {
        t->c2_held = true;
        t->cont = 0;
    } else if (c >= 0xc3 && c <= 0xf4) {
        out[o++] = (char)c;
        t->cont = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    } else {
        out[o++] = '?';
        t->cont = 0;
    }
    return o;
}

/* The escape sequences a terminal would obey taken out. */
size_t textstrip_byte(struct textstrip *t, unsigned char c, char *out)
{
    switch (t->st) {
    case TS_TEXT:
        if (c != 0x1b)
            return text_byte(t, c, out);
        t->st = TS_ESC;
        t->cont = 0;
        if (t->c2_held) {
            t->c2_held = false;
            out[0] = '?';
            return 1;
        }
        return 0;
    case TS_ESC:
        t->st = c == '[' ? TS_CSI : c == ']' || c == 'P' || c == '_' || c == '^' ? TS_OSC : TS_TEXT;
        return 0;
    case TS_CSI:
        if (c >= 0x40 && c <= 0x7e)
            t->st = TS_TEXT;
        return 0;
    case TS_OSC:
        if (c == 0x07)
            t->st = TS_TEXT;
        else if (c == 0x1b)
            t->st = TS_OSC_ESC;
        return 0;
    case TS_OSC_ESC:
        t->st = c == '\\' ? TS_TEXT : TS_OSC;
        return 0;
    }
    return 0;
}

