/* views/messages.c: a bounded ring of status messages and a view that lists them. */
#include "views/messages.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct entry { char text[600]; bool error; };

struct msglog {
    struct entry *ring;
    size_t cap, start, n;
};

struct msglog *msglog_new(size_t capacity)
{
    struct msglog *log = calloc(1, sizeof *log);
    if (!log || !(log->ring = calloc(capacity ? capacity : 1, sizeof *log->ring))) {
        free(log);
        return NULL;
    }
    log->cap = capacity ? capacity : 1;
    return log;
}

void msglog_free(struct msglog *log)
{
    if (!log)
        return;
    free(log->ring);
    free(log);
}

void msglog_add(struct msglog *log, bool error, const char *text)
{
    struct entry *e;
    if (log->n < log->cap) {
        e = &log->ring[(log->start + log->n++) % log->cap];
    } else {
        e = &log->ring[log->start];
        log->start = (log->start + 1) % log->cap;
    }
    char stamp[16];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    snprintf(e->text, sizeof e->text, "%s %s", stamp, text);
    e->error = error;
}

size_t msglog_count(const struct msglog *log)
{
    return log->n;
}

const char *msglog_text(const struct msglog *log, size_t i, bool *error)
{
    if (i >= log->n)
        return NULL;
    const struct entry *e = &log->ring[(log->start + i) % log->cap];
    if (error)
        *error = e->error;
    return e->text;
}

struct messages { struct msglog *log; size_t top, page; bool follow; };

static void messages_draw(struct view *v, struct canvas *cv, struct rect r)
{
    struct messages *m = v->data;
    size_t n = msglog_count(m->log);
    m->page = r.h > 1 ? (size_t)r.h - 1 : 1;
    if (m->follow)
        m->top = n > (size_t)r.h ? n - (size_t)r.h : 0;
    for (int i = 0; i < r.h; i++) {
        bool err = false;
        const char *t = msglog_text(m->log, m->top + (size_t)i, &err);
        if (t)
            text_put(cv, r.y + i, r.x, r.w, t, err ? theme_attr(ROLE_CRASHED) : 0);
        else
            text_fill(cv, r.y + i, r.x, r.w, 0);
    }
}

static int messages_command(struct view *v, const char *name, int argc, char **argv,
                            char *err, size_t errlen)
{
    struct messages *m = v->data;
    size_t n = msglog_count(m->log);
    int rc = view_navigate(name, n, m->page, &m->top);
    if (rc == 0)
        m->follow = strcmp(name, "cursor-bottom") == 0;
    return rc;
}

static void messages_destroy(struct view *v)
{
    free(v->data);
}

static const struct view_ops messages_ops = {
    .name = "messages",
    .keytable = "help",
    .draw = messages_draw,
    .command = messages_command,
    .destroy = messages_destroy,
};

struct view *messages_new(struct msglog *log)
{
    struct messages *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->log = log;
    m->follow = true;
    struct view *v = view_new(&messages_ops, m);
    if (!v)
        free(m);
    return v;
}
