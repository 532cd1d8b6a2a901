/* views/text.c: escaping and column-exact drawing of UTF-8 text with ncursesw. */
#include "views/text.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    unsigned c, min;
    if ((s[0] & 0xe0) == 0xc0) { len = 2; c = s[0] & 0x1f; min = 0x80; }
    else if ((s[0] & 0xf0) == 0xe0) { len = 3; c = s[0] & 0x0f; min = 0x800; }
    else if ((s[0] & 0xf8) == 0xf0) { len = 4; c = s[0] & 0x07; min = 0x10000; }
    else return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

void text_escape(const char *s, char *out, size_t outlen)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), o = 0;
    if (outlen == 0)
        return;
    while (n > 0) {
        unsigned cp;
        size_t len = utf8_seq(p, n, &cp);
        bool control = len == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
        if (control) {
            if (o + 5 > outlen)
                break;
            snprintf(out + o, outlen - o, "\\x%02x", p[0]);
            o += 4;
            p++;
            n--;
        } else {
            if (o + len + 1 > outlen)
                break;
            memcpy(out + o, p, len);
            o += len;
            p += len;
            n -= len;
        }
    }
    out[o] = '\0';
}

int text_width(const char *s)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int w = 0;
    size_t n = strlen(s);
    while (n > 0) {
        wchar_t wc;
        size_t len = mbrtowc(&wc, s, n, &st);
        if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
            memset(&st, 0, sizeof st);
            len = 1;
            wc = L'?';
        }
        int cw = wcwidth(wc);
        w += cw > 0 ? cw : 0;
        s += len;
        n -= len;
    }
    return w;
}

void text_fill(WINDOW *win, int y, int x, int width, attr_t attr)
{
    wattrset(win, attr);
    for (int i = 0; i < width; i++)
        mvwaddch(win, y, x + i, ' ');
    wattrset(win, A_NORMAL);
}

int text_put(WINDOW *win, int y, int x, int width, const char *s, attr_t attr)
{
    char safe[1024];
    text_escape(s, safe, sizeof safe);
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *p = safe;
    size_t n = strlen(safe);
    /* Decode once into a run of wide characters, then one curses call. */
    wchar_t run[1024];
    size_t nrun = 0;
    int used = 0;
    while (n > 0 && used < width && nrun + 1 < sizeof run / sizeof run[0]) {
        wchar_t wc;
        size_t len = mbrtowc(&wc, p, n, &st);
        if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
            memset(&st, 0, sizeof st);
            len = 1;
            wc = L'?';
        }
        int cw = wcwidth(wc);
        if (cw < 0)
            cw = 1, wc = L'?';
        if (used + cw > width)
            break;
        if (cw > 0)
            run[nrun++] = wc;
        used += cw;
        p += len;
        n -= len;
    }
    for (int i = used; i < width && nrun + 1 < sizeof run / sizeof run[0]; i++)
        run[nrun++] = L' ';
    run[nrun] = L'\0';
    wattrset(win, attr);
    mvwaddnwstr(win, y, x, run, (int)nrun);
    wattrset(win, A_NORMAL);
    return used;
}

void text_put_right(WINDOW *win, int y, int x, int width, const char *s, attr_t attr)
{
    char safe[1024];
    text_escape(s, safe, sizeof safe);
    int w = text_width(safe);
    int pad = width > w ? width - w : 0;
    text_fill(win, y, x, pad, attr);
    text_put(win, y, x + pad, width - pad, safe, attr);
}
