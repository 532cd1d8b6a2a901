/* views/dialog.c: a centred box asking one question; keys never fall through to views. */
#include "views/dialog.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdlib.h>
#include <string.h>

struct dialog {
    enum dialog_kind kind;
    char title[128];
    char question[512];
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
    if (ok && d->kind != DIALOG_CONFIRM)
        lineedit_get(&d->edit, text, sizeof text);
    d->done(ok, ok && d->kind != DIALOG_CONFIRM ? text : NULL, d->opaque);
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
    if (d->kind == DIALOG_CONFIRM) {
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

void dialog_draw(struct dialog *d, WINDOW *win, struct rect s)
{
    int w = s.w - 4 > 70 ? 70 : s.w - 4;
    int h = d->kind == DIALOG_CONFIRM ? 5 : 6;
    if (w < 10 || s.h < h)
        w = s.w, h = s.h < h ? s.h : h;
    int y = s.y + (s.h - h) / 2, x = s.x + (s.w - w) / 2;
    attr_t a = theme_attr(ROLE_DIALOG);
    for (int i = 0; i < h; i++)
        text_fill(win, y + i, x, w, a);
    text_put(win, y, x + 1, w - 2, d->title, a | A_BOLD);
    text_put(win, y + 2, x + 2, w - 4, d->question, a);
    if (d->kind == DIALOG_CONFIRM) {
        text_put(win, y + 3, x + 2, w - 4, "y = yes, any other key = no", a | A_DIM);
        wmove(win, y + 2, x + 2);
        return;
    }
    text_put(win, y + 4, x + 2, w - 4,
             d->kind == DIALOG_SECRET ? "(typing is not shown)  Enter = OK  Esc = cancel"
                                      : "Enter = OK  Esc = cancel", a | A_DIM);
    lineedit_draw(&d->edit, win, y + 3, x + 2, w - 4, d->kind == DIALOG_SECRET, A_NORMAL);
}
