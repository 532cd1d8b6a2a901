/* views/domlist.c: draws the registry as a sorted, filtered table; selection follows
 * the domain (by UUID) across updates, not the row number. */
#include "views/domlist.h"
#include "views/text.h"
#include "views/theme.h"
#include "backends/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum sort_key { SORT_NAME, SORT_HOST, SORT_STATE, SORT_OWNER, SORT_COUNT };
static const char *sort_names[SORT_COUNT] = { "name", "host", "state", "owner" };

struct domlist {
    struct domreg *reg;
    enum sort_key sort;
    char filter[256];
    unsigned char sel_uuid[VIR_UUID_BUFLEN];
    bool have_sel;
    size_t cursor, top, page;
    struct dom **rows;
    size_t nrows, cap;
    unsigned long built_gen;
    bool stale;
    bool any_owner;            /* a class's domains: the OWNER column */
    bool (*visible)(const struct dom *d, void *opaque);
    void *visible_opaque;
    size_t nvisible;   /* rows before the filter */
};

static int state_rank(int s)
{
    switch (s) {
    case VIR_DOMAIN_RUNNING: return 0;
    case VIR_DOMAIN_BLOCKED: return 1;
    case VIR_DOMAIN_PAUSED: return 2;
    case VIR_DOMAIN_PMSUSPENDED: return 3;
    case VIR_DOMAIN_SHUTDOWN: return 4;
    case VIR_DOMAIN_CRASHED: return 5;
    case VIR_DOMAIN_SHUTOFF: return 6;
    default: return 7;
    }
}

static int by_name(const struct dom *a, const struct dom *b)
{
    int c = strcmp(a->name, b->name);
    if (!c)
        c = strcmp(host_name(a->host), host_name(b->host));
    return c ? c : memcmp(a->uuid, b->uuid, VIR_UUID_BUFLEN);
}

/* qsort has no context argument in C11: the key travels in the comparator choice. */
static int cmp_name(const void *x, const void *y)
{
    return by_name(*(struct dom *const *)x, *(struct dom *const *)y);
}

static int cmp_host(const void *x, const void *y)
{
    const struct dom *a = *(struct dom *const *)x, *b = *(struct dom *const *)y;
    int c = strcmp(host_name(a->host), host_name(b->host));
    return c ? c : by_name(a, b);
}

static int cmp_state(const void *x, const void *y)
{
    const struct dom *a = *(struct dom *const *)x, *b = *(struct dom *const *)y;
    int c = state_rank(a->state) - state_rank(b->state);
    return c ? c : by_name(a, b);
}

static int cmp_owner(const void *x, const void *y)
{
    const struct dom *a = *(struct dom *const *)x, *b = *(struct dom *const *)y;
    int c = strcmp(a->owner_known ? a->owner : "", b->owner_known ? b->owner : "");
    return c ? c : by_name(a, b);
}

/* TEXT anywhere in name, host or state; owner:USER for one user's domains. */
static bool matches(const struct dom *d, const char *f)
{
    if (!strncmp(f, "owner:", 6))
        return d->owner_known && !strcmp(d->owner, f + 6);
    return !*f || strcasestr(d->name, f) || strcasestr(host_name(d->host), f) ||
           strcasestr(dom_state_name(d->state), f);
}

static void rebuild(struct domlist *dl)
{
    if (!dl->stale && dl->built_gen == domreg_generation(dl->reg))
        return;
    size_t total = domreg_count(dl->reg);
    if (total > dl->cap) {
        struct dom **n = realloc(dl->rows, total * sizeof *n);
        if (!n)
            return;
        dl->rows = n;
        dl->cap = total;
    }
    size_t got = dl->rows ? domreg_list(dl->reg, dl->rows, total) : 0, kept = 0;
    dl->any_owner = false;
    dl->nvisible = 0;
    for (size_t i = 0; i < got; i++) {
        if (dl->visible && !dl->visible(dl->rows[i], dl->visible_opaque))
            continue;
        dl->nvisible++;
        dl->any_owner |= dl->rows[i]->owner_known && dl->rows[i]->owner[0];
        if (matches(dl->rows[i], dl->filter))
            dl->rows[kept++] = dl->rows[i];
    }
    dl->nrows = kept;
    static int (*const cmp[SORT_COUNT])(const void *, const void *) = { cmp_name, cmp_host, cmp_state, cmp_owner };
    if (dl->nrows > 1)
        qsort(dl->rows, dl->nrows, sizeof *dl->rows, cmp[dl->sort]);
    dl->built_gen = domreg_generation(dl->reg);
    dl->stale = false;
    /* Keep the same domain selected wherever it moved. */
    if (dl->have_sel) {
        for (size_t i = 0; i < dl->nrows; i++) {
            if (memcmp(dl->rows[i]->uuid, dl->sel_uuid, VIR_UUID_BUFLEN) == 0) {
                dl->cursor = i;
                return;
            }
        }
    }
    if (dl->cursor >= dl->nrows)
        dl->cursor = dl->nrows ? dl->nrows - 1 : 0;
    dl->have_sel = dl->nrows > 0;
    if (dl->have_sel)
        memcpy(dl->sel_uuid, dl->rows[dl->cursor]->uuid, VIR_UUID_BUFLEN);
}

static void select_row(struct domlist *dl, size_t i)
{
    if (i >= dl->nrows)
        return;
    dl->cursor = i;
    dl->have_sel = true;
    memcpy(dl->sel_uuid, dl->rows[i]->uuid, VIR_UUID_BUFLEN);
}

static enum role state_role(const struct dom *d)
{
    if (host_state(d->host) != HOST_CONNECTED)
        return ROLE_LOST;
    switch (d->state) {
    case VIR_DOMAIN_RUNNING: case VIR_DOMAIN_BLOCKED: return ROLE_RUNNING;
    case VIR_DOMAIN_PAUSED: case VIR_DOMAIN_PMSUSPENDED: case VIR_DOMAIN_SHUTDOWN: return ROLE_PAUSED;
    case VIR_DOMAIN_CRASHED: return ROLE_CRASHED;
    default: return ROLE_SHUTOFF;
    }
}

struct column { const char *title; int width; bool right; int min_screen; };

enum { COL_HOST, COL_OWNER, COL_NAME, COL_STATE, COL_ID, COL_VCPU, COL_MEM, COL_AUTO, COL_CONS, NCOLS };

static const struct column columns[NCOLS] = {
    [COL_HOST] = { "HOST", 12, false, 0 },
    [COL_OWNER] = { "OWNER", 12, false, 0 },    /* only when a domain has one */
    [COL_NAME] = { "NAME", 0, false, 0 },     /* takes what is left */
    [COL_STATE] = { "STATE", 12, false, 0 },
    [COL_ID] = { "ID", 5, true, 70 },
    [COL_VCPU] = { "CPU", 4, true, 60 },
    [COL_MEM] = { "MEMORY", 9, true, 50 },
    [COL_AUTO] = { "AUTO", 5, false, 80 },
    [COL_CONS] = { "CONSOLES", 11, false, 90 },
};

static void format_cell(const struct dom *d, int col, char *buf, size_t len)
{
    switch (col) {
    case COL_HOST: snprintf(buf, len, "%s", host_name(d->host)); break;
    case COL_OWNER: snprintf(buf, len, "%s", d->owner_known && d->owner[0] ? d->owner : "-"); break;
    case COL_NAME: snprintf(buf, len, "%s", d->name); break;
    case COL_STATE:
        if (host_state(d->host) != HOST_CONNECTED)
            snprintf(buf, len, "? host %s", host_state(d->host) == HOST_CONNECTING ? "conn." : "lost");
        else
            snprintf(buf, len, "%s", dom_state_name(d->state));
        break;
    case COL_ID:
        if (d->id >= 0) snprintf(buf, len, "%d", d->id); else snprintf(buf, len, "-");
        break;
    case COL_VCPU:
        if (d->sizes_known) snprintf(buf, len, "%u", d->vcpus); else snprintf(buf, len, "...");
        break;
    case COL_MEM:
        if (!d->sizes_known) {
            snprintf(buf, len, "...");
            break;
        }
        if (d->mem_kib >= 1024 * 1024 && d->mem_kib % (1024 * 1024) == 0)
            snprintf(buf, len, "%lu GiB", d->mem_kib / (1024 * 1024));
        else
            snprintf(buf, len, "%lu MiB", d->mem_kib / 1024);
        break;
    case COL_AUTO: snprintf(buf, len, "%s", d->autostart < 0 ? "-" : d->autostart ? "yes" : "no"); break;
    case COL_CONS:
        if (!d->facts_known) {
            snprintf(buf, len, "...");
            break;
        }
        snprintf(buf, len, "%s%s%s", d->has_serial ? "serial" : "",
                 d->has_serial && d->has_vnc ? " " : "", d->has_vnc ? "vnc" : "");
        if (!*buf)
            snprintf(buf, len, "-");
        break;
    }
}

static void draw_row(struct canvas *cv, int y, struct rect r, const bool *shown, int name_w,
                     const struct dom *d, bool selected)
{
    int x = r.x;
    ui_attr sel = selected ? theme_attr(ROLE_SELECTED) : 0;
    for (int c = 0; c < NCOLS; c++) {
        if (!shown[c])
            continue;
        int w = c == COL_NAME ? name_w : columns[c].width;
        ui_attr a;
        char buf[512];
        if (d) {
            format_cell(d, c, buf, sizeof buf);
            a = sel ? sel : theme_attr(c == COL_STATE ? state_role(d) : ROLE_NORMAL);
        } else {
            snprintf(buf, sizeof buf, "%s", columns[c].title);
            a = theme_attr(ROLE_HEADER);
        }
        if (columns[c].right)
            text_put_right(cv, y, x, w - 1, buf, a);
        else
            text_put(cv, y, x, w - 1, buf, a);
        if (x + w - 1 < r.x + r.w)
            text_fill(cv, y, x + w - 1, 1, a);
        x += w;
    }
    if (x < r.x + r.w)
        text_fill(cv, y, x, r.x + r.w - x, sel ? sel : (d ? 0 : theme_attr(ROLE_HEADER)));
}

static void domlist_draw(struct view *v, struct canvas *cv, struct rect r)
{
    struct domlist *dl = v->data;
    rebuild(dl);
    bool shown[NCOLS];
    int fixed = 0;
    for (int c = 0; c < NCOLS; c++) {
        shown[c] = r.w >= columns[c].min_screen && (c != COL_OWNER || dl->any_owner);
        if (shown[c] && c != COL_NAME)
            fixed += columns[c].width;
    }
    int name_w = r.w - fixed;
    if (name_w < 8) {
        shown[COL_HOST] = false;
        name_w += columns[COL_HOST].width;
    }
    draw_row(cv, r.y, r, shown, name_w, NULL, false);
    int body = r.h - 1;
    dl->page = body > 1 ? (size_t)body - 1 : 1;
    if (dl->nrows == 0) {
        for (int i = 1; i < r.h; i++)
            text_fill(cv, r.y + i, r.x, r.w, 0);
        char msg[400];
        if (*dl->filter) {
            char f[300];
            text_escape(dl->filter, f, sizeof f);
            snprintf(msg, sizeof msg, "no domain matches '%s' (Esc clears the filter)", f);
        } else {
            snprintf(msg, sizeof msg, "no domains (yet): H shows the hosts, ? the keys");
        }
        if (r.h > 2)
            text_put(cv, r.y + 2, r.x + 2, r.w - 2, msg, UI_DIM);
        return;
    }
    if (dl->cursor < dl->top)
        dl->top = dl->cursor;
    if (body > 0 && dl->cursor >= dl->top + (size_t)body)
        dl->top = dl->cursor - (size_t)body + 1;
    if (dl->top + (size_t)body > dl->nrows)
        dl->top = dl->nrows > (size_t)body ? dl->nrows - (size_t)body : 0;
    for (int i = 0; i < body; i++) {
        size_t row = dl->top + (size_t)i;
        if (row < dl->nrows)
            draw_row(cv, r.y + 1 + i, r, shown, name_w, dl->rows[row], row == dl->cursor);
        else
            text_fill(cv, r.y + 1 + i, r.x, r.w, 0);
    }
}

static int domlist_command(struct view *v, const char *name, int argc, char **argv,
                           char *err, size_t errlen)
{
    struct domlist *dl = v->data;
    rebuild(dl);
    size_t cur = dl->cursor;
    if (view_navigate(name, dl->nrows, dl->page, &cur) == 0) {
        select_row(dl, cur);
        return 0;
    }
    return 1;
}

static void domlist_click(struct view *v, int y, int x)
{
    struct domlist *dl = v->data;
    int row = y - v->last.y - 1;
    if (row >= 0)
        select_row(dl, dl->top + (size_t)row);
}

static void domlist_destroy(struct view *v)
{
    struct domlist *dl = v->data;
    free(dl->rows);
    free(dl);
}

static const struct view_ops domlist_ops = {
    .name = "domains",
    .keytable = "list",
    .draw = domlist_draw,
    .command = domlist_command,
    .click = domlist_click,
    .destroy = domlist_destroy,
};

struct view *domlist_new(struct domreg *reg)
{
    struct domlist *dl = calloc(1, sizeof *dl);
    if (!dl)
        return NULL;
    dl->reg = reg;
    dl->stale = true;
    struct view *v = view_new(&domlist_ops, dl);
    if (!v)
        free(dl);
    return v;
}

struct dom *domlist_selected(struct view *v)
{
    struct domlist *dl = v->data;
    rebuild(dl);
    return dl->nrows ? dl->rows[dl->cursor] : NULL;
}

void domlist_set_filter(struct view *v, const char *filter)
{
    struct domlist *dl = v->data;
    snprintf(dl->filter, sizeof dl->filter, "%s", filter ? filter : "");
    dl->stale = true;
}

const char *domlist_filter(struct view *v)
{
    return ((struct domlist *)v->data)->filter;
}

int domlist_set_sort(struct view *v, const char *key, char *err, size_t errlen)
{
    struct domlist *dl = v->data;
    if (strcmp(key, "next") == 0) {
        dl->sort = (dl->sort + 1) % SORT_COUNT;
        dl->stale = true;
        return 0;
    }
    for (int i = 0; i < SORT_COUNT; i++) {
        if (strcmp(key, sort_names[i]) == 0) {
            dl->sort = (enum sort_key)i;
            dl->stale = true;
            return 0;
        }
    }
    snprintf(err, errlen, "sort: '%s' is not one of name, host, state, owner, next", key);
    return -1;
}

void domlist_set_visible(struct view *v, bool (*visible)(const struct dom *d, void *opaque), void *opaque)
{
    struct domlist *dl = v->data;
    dl->visible = visible;
    dl->visible_opaque = opaque;
    dl->stale = true;
}

const char *domlist_sort_name(struct view *v)
{
    return sort_names[((struct domlist *)v->data)->sort];
}

size_t domlist_shown(struct view *v)
{
    struct domlist *dl = v->data;
    rebuild(dl);
    return dl->nrows;
}

size_t domlist_visible(struct view *v)
{
    struct domlist *dl = v->data;
    rebuild(dl);
    return dl->nvisible;
}
