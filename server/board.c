/* server/board.c: the consoles a board holds, and its rows. */
#include "server/board.h"
#include "server/authz.h"
#include "server/app.h"
#include "server/session.h"
#include "server/source.h"
#include "backends/console.h"
#include "backends/domain.h"
#include "backends/host.h"
#include "backends/linewatch.h"
#include "util/monotime.h"
#include "views/board.h"
#include "views/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool running(const struct dom *d)
{
    return d->state == VIR_DOMAIN_RUNNING || d->state == VIR_DOMAIN_BLOCKED || d->state == VIR_DOMAIN_PAUSED ||
           d->state == VIR_DOMAIN_SHUTDOWN;
}

static bool has_console(const struct dom *d)
{
    return d->has_serial || d->has_vnc;
}

static struct board_held *find_held(const struct board *b, const unsigned char *uuid)
{
    for (size_t i = 0; i < b->nheld; i++)
        if (!memcmp(b->held[i].uuid, uuid, VIR_UUID_BUFLEN))
            return &b->held[i];
    return NULL;
}

static size_t fill_rows(void *opaque, struct board_row *rows, size_t max)
{
    struct board *b = opaque;
    struct app *a = b->session->app;
    size_t total = domreg_count(a->reg), n = 0;
    struct dom **doms = calloc(total ? total : 1, sizeof *doms);
    if (!doms)
        return 0;
    total = domreg_list(a->reg, doms, total);
    unsigned long long now = mono_ms();
    for (size_t i = 0; i < total; i++) {
        const struct dom *d = doms[i];
        if ((d->facts_known && !has_console(d)) || !authz_sees(a, b->session, d))
            continue;
        if (n++ >= max)
            continue;   /* counted: the view asks again with room */
        struct board_row *r = &rows[n - 1];
        memset(r, 0, sizeof *r);
        memcpy(r->uuid, d->uuid, VIR_UUID_BUFLEN);
        snprintf(r->host, sizeof r->host, "%s", host_name(d->host));
        text_escape(d->name, r->name, sizeof r->name);
        if (d->owner_known && d->owner[0])
            text_escape(d->owner, r->owner, sizeof r->owner);
        snprintf(r->state, sizeof r->state, "%s", dom_state_name(d->state));
        struct board_held *h = find_held(b, d->uuid);
        struct linewatch *w = h && h->src ? &h->src->lines : NULL;
        snprintf(r->kind, sizeof r->kind, "%s", h && h->src ? source_kind_name(h->src->kind) : "");
        r->idle_s = w && w->last_ms ? (long)((now - w->last_ms) / 1000) : -1;
        if (!running(d)) {
            r->mark = BOARD_STOPPED;
            snprintf(r->line, sizeof r->line, "%s", w ? linewatch_line(w) : "");
        } else if (w && w->alarm && w->alarm_ms > h->seen_ms) {
            r->mark = BOARD_ALARM;
            r->alarm_ms = w->alarm_ms;
            text_escape(w->alarm_line, r->line, sizeof r->line);
        } else {
            r->mark = w && linewatch_settled(w, &a->patterns) ? BOARD_SETTLED : BOARD_BOOTING;
            text_escape(w ? linewatch_line(w) : "", r->line, sizeof r->line);
        }
    }
    free(doms);
    return n;
}

struct board *board_new(struct session *s)
{
    struct board *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->session = s;
    b->view = board_new_view(fill_rows, b);
    if (!b->view) {
        free(b);
        return NULL;
    }
    board_sync(b);
    return b;
}

void board_free(struct board *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nheld; i++)
        source_put(b->held[i].src);
    free(b->held);
    view_free(b->view);
    free(b);
}

static void hold(struct board *b, const struct dom *d)
{
    struct app *a = b->session->app;
    if (b->nheld == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct board_held *n = realloc(b->held, cap * sizeof *n);
        if (!n)
            return;
        b->held = n;
        b->cap = cap;
    }
    char err[600];
    struct source *src = source_hold(a, d, d->has_serial ? SOURCE_SERIAL : SOURCE_VNC, err, sizeof err);
    if (!src)
        return;
    struct board_held *h = &b->held[b->nheld++];
    memset(h, 0, sizeof *h);
    memcpy(h->uuid, d->uuid, VIR_UUID_BUFLEN);
    h->src = src;
}

/* Every running console, whatever the filter (the view filters the rows):
 * narrowing the board must not forget an alarm or a console's last line. */
void board_sync(struct board *b)
{
    struct app *a = b->session->app;
    /* Let go of what it should no longer hold. */
    for (size_t i = b->nheld; i-- > 0;) {
        struct dom *d = domreg_find(a->reg, b->held[i].uuid);
        if (d && running(d))
            continue;
        source_put(b->held[i].src);
        b->held[i] = b->held[--b->nheld];
    }
    size_t total = domreg_count(a->reg);
    struct dom **doms = calloc(total ? total : 1, sizeof *doms);
    if (!doms)
        return;
    total = domreg_list(a->reg, doms, total);
    for (size_t i = 0; i < total; i++) {
        const struct dom *d = doms[i];
        if (running(d) && d->facts_known && has_console(d) && !find_held(b, d->uuid))
            hold(b, d);
    }
    free(doms);
}

void board_seen(struct board *b, const struct source *src)
{
    for (size_t i = 0; i < b->nheld; i++)
        if (b->held[i].src == src)
            b->held[i].seen_ms = mono_ms();
}

bool board_holds(const struct board *b, const struct source *src)
{
    for (size_t i = 0; i < b->nheld; i++)
        if (b->held[i].src == src)
            return true;
    return false;
}

bool board_shown(const struct session *s)
{
    return s->board && s->main_view == s->board->view && s->cur_tab < 0;
}
