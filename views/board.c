/* views/board.c: the board's rows sorted (alarms, then the consoles still
 * booting, then those at a prompt, each by how long they have been quiet,
 * then stopped domains), filtered, under a summary line. */
#include "views/board.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct boardview {
    board_rows_fn fill;
    void *opaque;
    struct board_row *all;         /* what the provider gave */
    size_t nall, cap;
    struct board_row **rows;       /* shown: filtered and sorted */
    size_t nrows;
    char filter[256];
    unsigned char sel[VIR_UUID_BUFLEN];
    bool have_sel;
    size_t cursor, top, page;
    size_t count[4];               /* by mark, after the filter */
};

static int mark_rank(enum board_mark m)
{
    return m == BOARD_ALARM ? 0 : m == BOARD_BOOTING ? 1 : m == BOARD_SETTLED ? 2 : 3;
}

static int cmp_rows(const void *x, const void *y)
{
    const struct board_row *a = *(struct board_row *const *)x, *b = *(struct board_row *const *)y;
    int c = mark_rank(a->mark) - mark_rank(b->mark);
    if (c)
        return c;
    if (a->mark == BOARD_ALARM && a->alarm_ms != b->alarm_ms)
        return a->alarm_ms > b->alarm_ms ? -1 : 1;   /* the newest alarm first */
    if (a->idle_s != b->idle_s)
        return a->idle_s > b->idle_s ? -1 : 1;       /* the longest quiet first */
    c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->host, b->host);
}

/* TEXT anywhere in a row; owner:USER for one student's consoles. */
static bool matches(const struct board_row *r, const char *f)
{
    if (!strncmp(f, "owner:", 6))
        return !strcmp(r->owner, f + 6);
    return !*f || strcasestr(r->name, f) || strcasestr(r->host, f) || strcasestr(r->owner, f) ||
           strcasestr(r->state, f) || strcasestr(r->line, f);
}

static void rebuild(struct boardview *b)
{
    size_t n = b->fill(b->opaque, b->all, b->cap);
    if (n > b->cap) {
        size_t cap = n + n / 2 + 16;
        struct board_row *all = realloc(b->all, cap * sizeof *all);
        struct board_row **rows = realloc(b->rows, cap * sizeof *rows);
        if (all)
            b->all = all;
        if (rows)
            b->rows = rows;
        if (!all || !rows)
            return;
        b->cap = cap;
        n = b->fill(b->opaque, b->all, b->cap);
    }
    b->nall = n < b->cap ? n : b->cap;
    b->nrows = 0;
    memset(b->count, 0, sizeof b->count);
    for (size_t i = 0; i < b->nall; i++)
        if (matches(&b->all[i], b->filter)) {
            b->rows[b->nrows++] = &b->all[i];
            b->count[b->all[i].mark]++;
        }
    qsort(b->rows, b->nrows, sizeof *b->rows, cmp_rows);
    /* The selection follows the domain, not the row. */
    b->cursor = b->nrows ? (b->cursor < b->nrows ? b->cursor : b->nrows - 1) : 0;
    for (size_t i = 0; b->have_sel && i < b->nrows; i++)
        if (!memcmp(b->rows[i]->uuid, b->sel, VIR_UUID_BUFLEN)) {
            b->cursor = i;
            break;
        }
}

static void select_row(struct boardview *b, size_t i)
{
    if (i >= b->nrows)
        return;
    b->cursor = i;
    b->have_sel = true;
    memcpy(b->sel, b->rows[i]->uuid, VIR_UUID_BUFLEN);
}

static const char *mark_name(enum board_mark m)
{
    return m == BOARD_ALARM ? "ALARM" : m == BOARD_BOOTING ? "booting" : m == BOARD_SETTLED ? "settled" : "stopped";
}

static enum role mark_role(enum board_mark m)
{
    return m == BOARD_ALARM ? ROLE_CRASHED : m == BOARD_BOOTING ? ROLE_PAUSED
         : m == BOARD_SETTLED ? ROLE_RUNNING : ROLE_SHUTOFF;
}

static void idle_text(long s, char *out, size_t len)
{
    if (s < 0)
        snprintf(out, len, "-");
    else if (s < 60)
        snprintf(out, len, "%lds", s);
    else if (s < 3600)
        snprintf(out, len, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(out, len, "%ldh%02ldm", s / 3600, s / 60 % 60);
}

/* Column widths: what does not fit goes, the last line keeps the rest. */
struct cols { int host, owner, name, mark, idle, line; };

static struct cols widths(int w)
{
    struct cols c = { 10, 10, 18, 8, 7, 0 };
    if (w < 100)
        c.owner = 0;
    if (w < 70)
        c.host = 0;
    int used = c.host + c.owner + c.name + c.mark + c.idle;
    c.line = w - used;
    if (c.line < 0) {
        c.name += c.line;
        c.line = 0;
    }
    return c;
}

static void put(struct canvas *cv, int y, int *x, int w, const char *s, ui_attr a)
{
    if (w <= 0)
        return;
    text_put(cv, y, *x, w - 1, s, a);
    text_fill(cv, y, *x + w - 1, 1, a);
    *x += w;
}

static void draw_row(struct canvas *cv, int y, struct rect r, struct cols c, const struct board_row *row, bool sel)
{
    int x = r.x;
    ui_attr s = sel ? theme_attr(ROLE_SELECTED) : UI_NORMAL;
    if (!row) {
        ui_attr h = theme_attr(ROLE_HEADER);
        put(cv, y, &x, c.host, "HOST", h);
        put(cv, y, &x, c.owner, "OWNER", h);
        put(cv, y, &x, c.name, "NAME", h);
        put(cv, y, &x, c.mark, "STATUS", h);
        put(cv, y, &x, c.idle, "QUIET", h);
        text_put(cv, y, x, r.x + r.w - x, "LAST LINE", h);
        return;
    }
    char idle[16];
    idle_text(row->idle_s, idle, sizeof idle);
    put(cv, y, &x, c.host, row->host, s);
    put(cv, y, &x, c.owner, *row->owner ? row->owner : "-", s);
    put(cv, y, &x, c.name, row->name, s);
    put(cv, y, &x, c.mark, mark_name(row->mark), sel ? s : theme_attr(mark_role(row->mark)));
    put(cv, y, &x, c.idle, idle, s);
    if (x < r.x + r.w)
        text_put(cv, y, x, r.x + r.w - x, row->line, row->mark == BOARD_ALARM && !sel ? theme_attr(ROLE_CRASHED) : s);
}

static void board_draw(struct view *v, struct canvas *cv, struct rect r)
{
    struct boardview *b = v->data;
    rebuild(b);
    if (r.h < 1 || r.w < 1)
        return;
    char sum[300];
    snprintf(sum, sizeof sum, " %zu console%s:  %zu alarmed  %zu booting  %zu settled  %zu stopped%s%s%s",
             b->nrows, b->nrows == 1 ? "" : "s", b->count[BOARD_ALARM], b->count[BOARD_BOOTING],
             b->count[BOARD_SETTLED], b->count[BOARD_STOPPED], *b->filter ? "   filter '" : "", b->filter,
             *b->filter ? "'" : "");
    text_put(cv, r.y, r.x, r.w, sum, b->count[BOARD_ALARM] ? theme_attr(ROLE_CRASHED) | UI_BOLD : UI_BOLD);
    if (r.h < 2)
        return;
    struct cols c = widths(r.w);
    draw_row(cv, r.y + 1, r, c, NULL, false);
    int body = r.h - 2;
    b->page = body > 1 ? (size_t)body - 1 : 1;
    if (!b->nrows) {
        for (int i = 2; i < r.h; i++)
            text_fill(cv, r.y + i, r.x, r.w, UI_NORMAL);
        if (r.h > 3)
            text_put(cv, r.y + 3, r.x + 2, r.w - 2,
                     *b->filter ? "no console matches the filter (Esc clears it)"
                                : "no domain with a console: the board fills as hosts list them",
                     UI_DIM);
        return;
    }
    if (b->cursor < b->top)
        b->top = b->cursor;
    if (body > 0 && b->cursor >= b->top + (size_t)body)
        b->top = b->cursor - (size_t)body + 1;
    if (b->top + (size_t)body > b->nrows)
        b->top = b->nrows > (size_t)body ? b->nrows - (size_t)body : 0;
    for (int i = 0; i < body; i++) {
        size_t row = b->top + (size_t)i;
        if (row < b->nrows)
            draw_row(cv, r.y + 2 + i, r, c, b->rows[row], row == b->cursor);
        else
            text_fill(cv, r.y + 2 + i, r.x, r.w, UI_NORMAL);
    }
}

static int board_command(struct view *v, const char *name, int argc, char **argv, char *err, size_t errlen)
{
    struct boardview *b = v->data;
    rebuild(b);
    size_t cur = b->cursor;
    if (view_navigate(name, b->nrows, b->page, &cur) == 0) {
        select_row(b, cur);
        return 0;
    }
    return 1;
}

static void board_click(struct view *v, int y, int x)
{
    struct boardview *b = v->data;
    int row = y - v->last.y - 2;
    if (row >= 0)
        select_row(b, b->top + (size_t)row);
}

static void board_destroy(struct view *v)
{
    struct boardview *b = v->data;
    free(b->all);
    free(b->rows);
    free(b);
}

static const struct view_ops board_ops = {
    .name = "board",
    .keytable = "board",
    .draw = board_draw,
    .command = board_command,
    .click = board_click,
    .destroy = board_destroy,
};

struct view *board_new_view(board_rows_fn fill, void *opaque)
{
    struct boardview *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->fill = fill;
    b->opaque = opaque;
    struct view *v = view_new(&board_ops, b);
    if (!v)
        free(b);
    return v;
}

bool board_selected(struct view *v, unsigned char uuid[VIR_UUID_BUFLEN])
{
    struct boardview *b = v->data;
    rebuild(b);
    if (!b->nrows)
        return false;
    memcpy(uuid, b->rows[b->cursor]->uuid, VIR_UUID_BUFLEN);
    return true;
}

void board_set_filter(struct view *v, const char *filter)
{
    struct boardview *b = v->data;
    snprintf(b->filter, sizeof b->filter, "%s", filter);
}

const char *board_filter(struct view *v)
{
    return ((struct boardview *)v->data)->filter;
}

size_t board_count(struct view *v)
{
    struct boardview *b = v->data;
    rebuild(b);
    return b->nrows;
}
