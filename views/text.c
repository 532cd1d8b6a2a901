/* views/text.c: escaping and column-exact drawing of UTF-8 text with ncursesw. */
#include "views/text.h"
#include "keymaps/utf8.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

void text_escape(const char *s, char *out, size_t outlen)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), o = 0;
    if (outlen == 0)
        return;
    while (n > 0) {
        uint32_t cp = 0;
        int got = utf8_decode((const char *)p, n, &cp);
        size_t len = got > 0 ? (size_t)got : 0;
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
