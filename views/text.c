/* views/text.c: escaping and column-exact drawing of UTF-8 text into a canvas. */
#include "views/text.h"
#include "util/utf8.h"

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

void text_fill(struct canvas *cv, int y, int x, int width, ui_attr attr)
{
    struct cell c = canvas_blank(cv, attr);
    for (int i = 0; i < width; i++)
        canvas_set(cv, y, x + i, &c);
}

int text_put(struct canvas *cv, int y, int x, int width, const char *s, ui_attr attr)
{
    char safe[1024];
    text_escape(s, safe, sizeof safe);
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *p = safe;
    size_t n = strlen(safe);
    struct cell c = canvas_blank(cv, attr);
    int used = 0, last = -1;   /* last: the column of the last base character */
    while (n > 0 && used < width) {
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
        p += len;
        n -= len;
        if (cw == 0) {
            /* A combining mark joins the character before it (one is kept). */
            const struct cell *prev = last >= 0 ? canvas_at(cv, y, x + last) : NULL;
            if (prev && !prev->comb) {
                struct cell m = *prev;
                m.comb = (uint32_t)wc;
                canvas_set(cv, y, x + last, &m);
            }
            continue;
        }
        if (used + cw > width)
            break;
        c.ch = (uint32_t)wc;
        c.comb = 0;
        c.width = (uint8_t)cw;
        canvas_set(cv, y, x + used, &c);
        if (cw == 2) {
            struct cell half = c;
            half.ch = 0;
            half.width = 0;
            canvas_set(cv, y, x + used + 1, &half);
        }
        last = used;
        used += cw;
    }
    text_fill(cv, y, x + used, width - used, attr);
    return used;
}

void text_put_right(struct canvas *cv, int y, int x, int width, const char *s, ui_attr attr)
{
    char safe[1024];
    text_escape(s, safe, sizeof safe);
    int w = text_width(safe);
    int pad = width > w ? width - w : 0;
    text_fill(cv, y, x, pad, attr);
    text_put(cv, y, x + pad, width - pad, safe, attr);
}
