/* views/dialog.c: a centred box asking one question; keys never fall through to views. */
#include "views/dialog.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dialog {
    enum dialog_kind kind;
    char title[128];
    char question[1500];
    struct lineedit edit;
    dialog_done_fn done;
    void *opaque;
    bool answered;
};

struct dialog *dialog_new(enum dialog_kind kind, const char *title, const char *question,
                          dialog_done_fn done, void *opaque)
{
    struct dialog *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->kind = kind;
    snprintf(d->title, sizeof d->title, "%s", title);
    snprintf(d->question, sizeof d->question, "%s", question);
    d->done = done;
    d->opaque = opaque;
    return d;
}

static void finish(struct dialog *d, bool ok)
{
    if (d->answered)
        return;
    d->answered = true;
    char text[LINEEDIT_MAX * 4];
    text[0] = '\0';
    bool has_text = d->kind == DIALOG_TEXT || d->kind == DIALOG_SECRET;
    if (ok && has_text)
        lineedit_get(&d->edit, text, sizeof text);
    d->done(ok, ok && has_text ? text : NULL, d->opaque);
    /* Secrets do not linger in memory longer than needed. */
    volatile char *p = text;
    for (size_t i = 0; i < sizeof text; i++)
        p[i] = 0;
    lineedit_wipe(&d->edit);
}

void dialog_free(struct dialog *d)
{
    if (!d)
        return;
    finish(d, false);
    free(d);
}

bool dialog_key(struct dialog *d, key_code k)
{
    if (d->kind == DIALOG_CONFIRM || d->kind == DIALOG_HOSTKEY) {
        /* Only an explicit yes confirms: Enter means the default, which is no. */
        finish(d, k == 'y' || k == 'Y');
        return true;
    }
    if (k == '\r') {
        finish(d, true);
        return true;
    }
    if (k == '\033' || k == ('c' | KEYC_CTRL) || k == ('g' | KEYC_CTRL)) {
        finish(d, false);
        return true;
    }
    lineedit_key(&d->edit, k);
    return false;
}

void *dialog_opaque_if(struct dialog *d, dialog_done_fn done)
{
    return d->done == done ? d->opaque : NULL;
}

/* Split the question at newlines and wrap each line at width w (bytes; a
 * fingerprint or path is ASCII, and a long word is cut rather than lost). */
static int wrap_lines(const char *q, int w, char lines[][256], int max)
{
    int n = 0;
    while (*q && n < max) {
        size_t len = strcspn(q, "\n");
        const char *end = q + len;
        while (q < end && n < max) {
            size_t take = (size_t)(end - q) > (size_t)w ? (size_t)w : (size_t)(end - q);
            if (take < (size_t)(end - q)) {
                /* break at the last space that fits, if there is one */
                size_t sp = take;
                while (sp > 0 && q[sp] != ' ')
                    sp--;
                if (sp > 0)
                    take = sp;
            }
            if (take > 255)
                take = 255;
            memcpy(lines[n], q, take);
            lines[n++][take] = '\0';
            q += take;
            while (q < end && *q == ' ')
                q++;
        }
        q = *end ? end + 1 : end;
    }
    return n;
}

static void draw_hostkey(struct dialog *d, struct canvas *cv, struct rect s)
{
    int w = s.w - 4 > 100 ? 100 : s.w - 4;
    if (w < 20)
        w = s.w;
    char lines[12][256];
    int n = wrap_lines(d->question, w - 4, lines, 12);
    int h = n + 4;
    if (h > s.h)
        h = s.h;
    int y = s.y + (s.h - h) / 2, x = s.x + (s.w - w) / 2;
    ui_attr a = theme_attr(ROLE_DIALOG);
    for (int i = 0; i < h; i++)
        text_fill(cv, y + i, x, w, a);
    text_put(cv, y, x + 1, w - 2, d->title, a | UI_BOLD);
    for (int i = 0; i < n && 1 + i < h - 1; i++)
        text_put(cv, y + 1 + i, x + 2, w - 4, lines[i], a);
    text_put(cv, y + h - 2, x + 2, w - 4, "y = accept and save, any other key = refuse", a | UI_DIM);
    canvas_move(cv, y + h - 2, x + 2);
}

void dialog_draw(struct dialog *d, struct canvas *cv, struct rect s)
{
    if (d->kind == DIALOG_HOSTKEY) {
        draw_hostkey(d, cv, s);
        return;
    }
    int w = s.w - 4 > 70 ? 70 : s.w - 4;
    int h = d->kind == DIALOG_CONFIRM ? 5 : 6;
    if (w < 10 || s.h < h)
        w = s.w, h = s.h < h ? s.h : h;
    int y = s.y + (s.h - h) / 2, x = s.x + (s.w - w) / 2;
    ui_attr a = theme_attr(ROLE_DIALOG);
    for (int i = 0; i < h; i++)
        text_fill(cv, y + i, x, w, a);
    text_put(cv, y, x + 1, w - 2, d->title, a | UI_BOLD);
    text_put(cv, y + 2, x + 2, w - 4, d->question, a);
    if (d->kind == DIALOG_CONFIRM) {
        text_put(cv, y + 3, x + 2, w - 4, "y = yes, any other key = no", a | UI_DIM);
        canvas_move(cv, y + 2, x + 2);
        return;
    }
    text_put(cv, y + 4, x + 2, w - 4,
             d->kind == DIALOG_SECRET ? "(typing is not shown)  Enter = OK  Esc = cancel"
                                      : "Enter = OK  Esc = cancel", a | UI_DIM);
    lineedit_draw(&d->edit, cv, y + 3, x + 2, w - 4, d->kind == DIALOG_SECRET, UI_NORMAL);
}
