/* views/lineedit.c: editing a wide-character line with emacs-style keys. */
#include "views/lineedit.h"
#include "views/text.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

void lineedit_set(struct lineedit *le, const char *utf8)
{
    /* Character by character, so that a bad byte costs itself ('?'), not
     * the whole line. */
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *p = utf8 ? utf8 : "";
    size_t left = strlen(p), n = 0;
    while (left > 0 && n < LINEEDIT_MAX - 1) {
        wchar_t wc;
        size_t used = mbrtowc(&wc, p, left, &st);
        if (used == (size_t)-1 || used == (size_t)-2 || used == 0) {
            memset(&st, 0, sizeof st);
            wc = L'?';
            used = 1;
        }
        le->buf[n++] = wc;
        p += used;
        left -= used;
    }
    le->len = n;
    le->buf[n] = L'\0';
    le->cur = n;
}

void lineedit_wipe(struct lineedit *le)
{
    /* volatile so the compiler keeps the wipe of a password */
    volatile wchar_t *p = le->buf;
    for (size_t i = 0; i < LINEEDIT_MAX; i++)
        p[i] = 0;
    le->len = le->cur = 0;
}

static void delete_range(struct lineedit *le, size_t from, size_t to)
{
    memmove(le->buf + from, le->buf + to, (le->len - to + 1) * sizeof(wchar_t));
    le->len -= to - from;
    le->cur = from;
}

bool lineedit_key(struct lineedit *le, key_code k)
{
    switch (k) {
    case KEYC_LEFT: if (le->cur > 0) le->cur--; return true;
    case KEYC_RIGHT: if (le->cur < le->len) le->cur++; return true;
    case KEYC_HOME: case 'a' | KEYC_CTRL: le->cur = 0; return true;
    case KEYC_END: case 'e' | KEYC_CTRL: le->cur = le->len; return true;
    case KEYC_BSPACE:
        if (le->cur > 0)
            delete_range(le, le->cur - 1, le->cur);
        return true;
    case KEYC_DC: case 'd' | KEYC_CTRL:
        if (le->cur < le->len)
            delete_range(le, le->cur, le->cur + 1);
        return true;
    case 'u' | KEYC_CTRL: delete_range(le, 0, le->cur); return true;
    case 'k' | KEYC_CTRL: le->buf[le->cur] = L'\0'; le->len = le->cur; return true;
    case 'w' | KEYC_CTRL: {
        size_t from = le->cur;
        while (from > 0 && iswspace((wint_t)le->buf[from - 1]))
            from--;
        while (from > 0 && !iswspace((wint_t)le->buf[from - 1]))
            from--;
        delete_range(le, from, le->cur);
        return true;
    }
    default:
        break;
    }
    if ((k & KEYC_MODS) || k > 0x10ffff || k < 0x20 || k == 0x7f || (k >= 0x80 && k < 0xa0) ||
        (k >= 0xd800 && k <= 0xdfff))
        return false;
    if (le->len + 1 >= LINEEDIT_MAX)
        return true; /* full: swallow, never overflow */
    memmove(le->buf + le->cur + 1, le->buf + le->cur, (le->len - le->cur + 1) * sizeof(wchar_t));
    le->buf[le->cur++] = (wchar_t)k;
    le->len++;
    return true;
}

void lineedit_get(const struct lineedit *le, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t o = 0;
    for (size_t i = 0; i < le->len; i++) {
        char mb[MB_LEN_MAX];
        size_t n = wcrtomb(mb, le->buf[i], &st);
        if (n == (size_t)-1) {   /* not in this locale: a '?', not an empty line */
            memset(&st, 0, sizeof st);
            mb[0] = '?';
            n = 1;
        }
        if (o + n >= outlen)
            break;
        memcpy(out + o, mb, n);
        o += n;
    }
    out[o] = '\0';
}

void lineedit_draw(const struct lineedit *le, struct canvas *cv, int y, int x, int width,
                   bool secret, ui_attr attr)
{
    text_fill(cv, y, x, width, attr);
    if (secret || width <= 0) {
        canvas_move(cv, y, x);
        return;
    }
    /* Scroll so the cursor stays visible. */
    size_t start = 0;
    int cols = 0;
    for (size_t i = le->cur; i > 0; i--) {
        int w = wcwidth(le->buf[i - 1]);
        cols += w > 0 ? w : 1;
        if (cols >= width) {
            start = i;
            break;
        }
    }
    int used = 0, cursor_x = x;
    struct cell c = canvas_blank(cv, attr);
    for (size_t i = start; i < le->len; i++) {
        int w = wcwidth(le->buf[i]);
        if (w < 0)
            w = 1;
        if (used + w > width)
            break;
        if (i == le->cur)
            cursor_x = x + used;
        c.ch = (uint32_t)le->buf[i];
        c.width = (uint8_t)(w ? w : 1);
        canvas_set(cv, y, x + used, &c);
        if (w == 2) {
            struct cell half = c;
            half.ch = 0;
            half.width = 0;
            canvas_set(cv, y, x + used + 1, &half);
        }
        used += w;
    }
    if (le->cur >= le->len)
        cursor_x = x + used;
    canvas_move(cv, y, cursor_x < x + width ? cursor_x : x + width - 1);
}
