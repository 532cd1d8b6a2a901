/* views/view.c: dispatch to a view's ops, and list navigation shared by the views. */
#include "views/view.h"

#include <stdlib.h>
#include <string.h>

struct view *view_new(const struct view_ops *ops, void *data)
{
    struct view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->ops = ops;
    v->data = data;
    return v;
}

void view_free(struct view *v)
{
    if (!v)
        return;
    if (v->ops->destroy)
        v->ops->destroy(v);
    free(v);
}

void view_draw(struct view *v, struct canvas *cv, struct rect r)
{
    v->last = r;
    v->ops->draw(v, cv, r);
}

int view_command(struct view *v, const char *name, int argc, char **argv, char *err, size_t errlen)
{
    return v->ops->command ? v->ops->command(v, name, argc, argv, err, errlen) : 1;
}

int view_navigate(const char *name, size_t count, size_t page, size_t *cursor)
{
    size_t c = *cursor;
    if (page < 1)
        page = 1;
    if (strcmp(name, "cursor-up") == 0 || strcmp(name, "scroll-up") == 0)
        c = c > 0 ? c - 1 : 0;
    else if (strcmp(name, "cursor-down") == 0 || strcmp(name, "scroll-down") == 0)
        c = c + 1;
    else if (strcmp(name, "page-up") == 0)
        c = c > page ? c - page : 0;
    else if (strcmp(name, "page-down") == 0)
        c = c + page;
    else if (strcmp(name, "cursor-top") == 0)
        c = 0;
    else if (strcmp(name, "cursor-bottom") == 0)
        c = count;
    else
        return 1;
    *cursor = count == 0 ? 0 : (c >= count ? count - 1 : c);
    return 0;
}
