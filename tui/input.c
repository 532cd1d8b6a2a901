/* tui/input.c: turns what ncursesw reads into key codes: named keys, modified
 * arrows (xterm's kUP5 style capabilities), Esc-prefixed Meta, mouse. */
#include "tui/input.h"

#include <curses.h>
#include <string.h>

static key_code from_curses_key(int k)
{
    if (k >= KEY_F(1) && k <= KEY_F(12))
        return KEYC_F1 + (key_code)(k - KEY_F(1));
    switch (k) {
    case KEY_UP: return KEYC_UP;
    case KEY_DOWN: return KEYC_DOWN;
    case KEY_LEFT: return KEYC_LEFT;
    case KEY_RIGHT: return KEYC_RIGHT;
    case KEY_HOME: return KEYC_HOME;
    case KEY_END: return KEYC_END;
    case KEY_PPAGE: return KEYC_PPAGE;
    case KEY_NPAGE: return KEYC_NPAGE;
    case KEY_IC: return KEYC_IC;
    case KEY_DC: return KEYC_DC;
    case KEY_BACKSPACE: return KEYC_BSPACE;
    case KEY_BTAB: return KEYC_BTAB;
    case KEY_ENTER: return '\r';
    case KEY_SR: return KEYC_UP | KEYC_SHIFT;
    case KEY_SF: return KEYC_DOWN | KEYC_SHIFT;
    case KEY_SLEFT: return KEYC_LEFT | KEYC_SHIFT;
    case KEY_SRIGHT: return KEYC_RIGHT | KEYC_SHIFT;
    default: break;
    }
    /* Extended keys such as "kUP5" (Ctrl-Up): base name + xterm modifier digit. */
    const char *name = keyname(k);
    static const struct { const char *prefix; key_code key; } ext[] = {
        { "kUP", KEYC_UP }, { "kDN", KEYC_DOWN }, { "kLFT", KEYC_LEFT }, { "kRIT", KEYC_RIGHT },
        { "kHOM", KEYC_HOME }, { "kEND", KEYC_END }, { "kPRV", KEYC_PPAGE }, { "kNXT", KEYC_NPAGE },
        { "kDC", KEYC_DC }, { "kIC", KEYC_IC },
    };
    for (size_t i = 0; name && i < sizeof ext / sizeof ext[0]; i++) {
        size_t n = strlen(ext[i].prefix);
        if (strncmp(name, ext[i].prefix, n) == 0 && name[n] >= '2' && name[n] <= '8' && !name[n + 1]) {
            int m = name[n] - '1';   /* xterm: 1 + (shift | alt<<1 | ctrl<<2) */
            key_code mods = (m & 1 ? KEYC_SHIFT : 0) | (m & 2 ? KEYC_META : 0) | (m & 4 ? KEYC_CTRL : 0);
            return ext[i].key | mods;
        }
    }
    return KEYC_NONE;
}

key_code input_translate(int rc, wint_t wch)
{
    if (rc == KEY_CODE_YES)
        return from_curses_key((int)wch);
    if (wch == '\n')
        return '\r';
    return key_from_byte((uint32_t)wch);
}

/* The first key of a turn of the loop, which saw the terminal readable: the
 * read cannot block, so curses reads at once (with nodelay it polls first).
 * A UTF-8 lead byte goes back to curses and is read as a wide character with
 * nodelay, so a lone one cannot hang the loop waiting for the rest. */
static int first_key(wint_t *wch)
{
    nodelay(stdscr, FALSE);
    int c = wgetch(stdscr);
    nodelay(stdscr, TRUE);
    if (c == ERR)
        return ERR;
    if (c >= KEY_MIN) {
        *wch = (wint_t)c;
        return KEY_CODE_YES;
    }
    if (c < 0x80) {
        *wch = (wint_t)c;
        return OK;
    }
    ungetch(c);
    return wget_wch(stdscr, wch);
}

size_t input_read(struct key_event *out, size_t max)
{
    size_t n = 0;
    bool pending_meta = false, saw_esc = false, first = true;
    while (n < max) {
        wint_t wch;
        int rc = first ? first_key(&wch) : wget_wch(stdscr, &wch);
        first = false;
        if (rc == ERR)
            break;
        /* Every key sequence starts with Esc, so a key that is not one leaves
         * curses' queue empty: it ends the call, and what was typed after it
         * keeps the terminal readable for the loop's next turn.  One read per
         * typed key, as virsh console does, instead of poll, read, poll. */
        saw_esc |= rc != KEY_CODE_YES && wch == '\033';
        struct key_event ev = { KEYC_NONE, 0, 0 };
        if (rc == KEY_CODE_YES && wch == KEY_MOUSE) {
            MEVENT me;
            if (getmouse(&me) != OK)
                continue;
            if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
                ev.key = KEYC_MOUSE1;
            else if (me.bstate & BUTTON4_PRESSED)
                ev.key = KEYC_WHEELUP;
            else if (me.bstate & BUTTON5_PRESSED)
                ev.key = KEYC_WHEELDOWN;
            ev.y = me.y;
            ev.x = me.x;
        } else if (rc == KEY_CODE_YES && wch == KEY_RESIZE) {
            continue; /* SIGWINCH is handled on the loop */
        } else {
            ev.key = input_translate(rc, wch);
        }
        if (ev.key == KEYC_NONE)
            continue;
        /* Esc followed at once by a key is how terminals send Alt+key. */
        if (pending_meta) {
            pending_meta = false;
            if (ev.key != '\033' && !(ev.key & KEYC_META)) {
                ev.key = key_normalise(ev.key | KEYC_META);
                out[n++] = ev;
                continue;
            }
            out[n++] = (struct key_event){ '\033', 0, 0 };
            if (n == max)
                break;
        }
        if (ev.key == '\033') {
            pending_meta = true;
            continue;
        }
        out[n++] = ev;
        if (!saw_esc)
            break;
    }
    if (pending_meta && n < max)
        out[n++] = (struct key_event){ '\033', 0, 0 };
    return n;
}
