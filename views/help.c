/* views/help.c: a scrollable page built from the keymap, so help never drifts from
 * what the keys really do. */
#include "views/help.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line { char key[KEY_STRING_MAX]; char text[600]; bool heading; };

struct help {
    struct line *lines;
    size_t n, cap, top, page;
};

static void add(struct help *hp, bool heading, const char *key, const char *text)
{
    if (hp->n == hp->cap) {
        size_t cap = hp->cap ? hp->cap * 2 : 64;
        struct line *l = realloc(hp->lines, cap * sizeof *l);
        if (!l)
            return;
        hp->lines = l;
        hp->cap = cap;
    }
    struct line *l = &hp->lines[hp->n++];
    l->heading = heading;
    snprintf(l->key, sizeof l->key, "%s", key);
    snprintf(l->text, sizeof l->text, "%s", text);
}

static void add_binding(const struct binding *b, void *opaque)
{
    char key[KEY_STRING_MAX], text[600];
    if (key_code_to_string(b->key, key, sizeof key) < 0)
        return;
    snprintf(text, sizeof text, "%-28s %s", b->command, b->note ? b->note : "");
    add(opaque, false, key, text);
}

static const char *table_title(const char *t)
{
    if (strcmp(t, "root") == 0) return "everywhere";
    if (strcmp(t, "list") == 0) return "domain list";
    if (strcmp(t, "hosts") == 0) return "host list";
    if (strcmp(t, "help") == 0) return "this help";
    return "";
}

static void add_table(struct help *hp, const struct keymap *km, const char *t)
{
    char head[200];
    snprintf(head, sizeof head, "%s  (table %s%s%s)", table_title(t), t,
             keymap_parent(km, t) ? ", falls back to " : "", keymap_parent(km, t) ? keymap_parent(km, t) : "");
    if (hp->n)
        add(hp, false, "", "");
    add(hp, true, "", head);
    keymap_foreach(km, t, add_binding, hp);
}

static void help_draw(struct view *v, struct canvas *cv, struct rect r)
{
    struct help *hp = v->data;
    hp->page = r.h > 1 ? (size_t)r.h - 1 : 1;
    if (hp->top + (size_t)r.h > hp->n)
        hp->top = hp->n > (size_t)r.h ? hp->n - (size_t)r.h : 0;
    for (int i = 0; i < r.h; i++) {
        size_t k = hp->top + (size_t)i;
        if (k >= hp->n) {
            text_fill(cv, r.y + i, r.x, r.w, 0);
            continue;
        }
        struct line *l = &hp->lines[k];
        if (l->heading) {
            text_put(cv, r.y + i, r.x, r.w, l->text, theme_attr(ROLE_HEADER));
        } else {
            text_put(cv, r.y + i, r.x, 2, "", 0);
            text_put(cv, r.y + i, r.x + 2, 12, l->key, theme_attr(ROLE_KEY));
            text_put(cv, r.y + i, r.x + 14, r.w - 14, l->text, 0);
        }
    }
}

static int help_command(struct view *v, const char *name, int argc, char **argv,
                        char *err, size_t errlen)
{
    struct help *hp = v->data;
    return view_navigate(name, hp->n, hp->page, &hp->top);
}

static void help_destroy(struct view *v)
{
    struct help *hp = v->data;
    free(hp->lines);
    free(hp);
}

static const struct view_ops help_ops = {
    .name = "help",
    .keytable = "help",
    .draw = help_draw,
    .command = help_command,
    .destroy = help_destroy,
};

struct view *help_new(const struct keymap *km, const char *focus)
{
    struct help *hp = calloc(1, sizeof *hp);
    if (!hp)
        return NULL;
    add(hp, true, "", "virtmux keys — q or Esc closes this page; :list-commands lists commands");
    /* The focused table and its parents first: the keys that work right now. */
    const char *shown[16];
    size_t nshown = 0;
    for (const char *t = focus; t && nshown < 16; t = keymap_parent(km, t)) {
        add_table(hp, km, t);
        shown[nshown++] = t;
    }
    for (size_t i = 0; i < keymap_table_count(km); i++) {
        const char *t = keymap_table_name(km, i);
        bool done = false;
        for (size_t j = 0; j < nshown; j++)
            done |= strcmp(shown[j], t) == 0;
        if (!done)
            add_table(hp, km, t);
    }
    struct view *v = view_new(&help_ops, hp);
    if (!v)
        help_destroy(&(struct view){ .data = hp });
    return v;
}
