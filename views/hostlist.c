/* views/hostlist.c: one row per libvirt host — state, domains, libvirt and hypervisor
 * versions, URI — with why it is not connected on the line under it. */
#include "views/hostlist.h"
#include "views/text.h"
#include "views/theme.h"

#include <stdio.h>
#include <stdlib.h>

struct hostlist {
    struct host ***hosts;
    size_t *nhosts;
    struct domreg *reg;
    size_t cursor, page;
    bool (*visible)(const struct dom *d, void *opaque);
    void *visible_opaque;
};

static size_t count_domains(const struct hostlist *hl, const struct host *h)
{
    if (!hl->visible)
        return domreg_count_host(hl->reg, h);
    size_t total = domreg_count(hl->reg), n = 0;
    struct dom **doms = calloc(total ? total : 1, sizeof *doms);
    if (!doms)
        return 0;
    total = domreg_list(hl->reg, doms, total);
    for (size_t i = 0; i < total; i++)
        if (doms[i]->host == h && hl->visible(doms[i], hl->visible_opaque))
            n++;
    free(doms);
    return n;
}

static enum role host_role(enum host_state s)
{
    switch (s) {
    case HOST_CONNECTED: return ROLE_RUNNING;
    case HOST_CONNECTING: return ROLE_PAUSED;
    default: return ROLE_CRASHED;
    }
}

static void hostlist_draw(struct view *v, struct canvas *cv, struct rect r)
{
    struct hostlist *hl = v->data;
    size_t n = *hl->nhosts;
    if (hl->cursor >= n)
        hl->cursor = n ? n - 1 : 0;
    ui_attr hd = theme_attr(ROLE_HEADER);
    int wname = 14, wstate = 14, wdoms = 8, wver = 26;
    if (r.w < 100)
        wver = 0;   /* narrow terminals keep the URI */
    int xver = r.x + wname + wstate + wdoms, xuri = xver + wver;
    int wuri = r.w - wname - wstate - wdoms - wver;
    text_put(cv, r.y, r.x, wname, "HOST", hd);
    text_put(cv, r.y, r.x + wname, wstate, "STATE", hd);
    text_put(cv, r.y, r.x + wname + wstate, wdoms, "DOMAINS", hd);
    if (wver)
        text_put(cv, r.y, xver, wver, "VERSIONS", hd);
    text_put(cv, r.y, xuri, wuri > 0 ? wuri : 0, "URI / REASON", hd);
    hl->page = r.h > 2 ? (size_t)(r.h - 2) : 1;
    int y = r.y + 1;
    for (size_t i = 0; i < n && y < r.y + r.h; i++) {
        struct host *h = (*hl->hosts)[i];
        bool sel = i == hl->cursor;
        ui_attr a = sel ? theme_attr(ROLE_SELECTED) : 0;
        char doms[32], detail[900], ver[96] = "-";
        snprintf(doms, sizeof doms, "%zu", count_domains(hl, h));
        if (host_lib_version(h)) {
            char lv[24], hv[24] = "";
            host_version_string(host_lib_version(h), lv, sizeof lv);
            if (host_hv_version(h))
                host_version_string(host_hv_version(h), hv, sizeof hv);
            snprintf(ver, sizeof ver, "libvirt %s %s %s", lv, host_hv_type(h), hv);
        }
        text_put(cv, y, r.x, wname, host_name(h), a);
        text_put(cv, y, r.x + wname, wstate, host_state_name(host_state(h)),
                 sel ? a : theme_attr(host_role(host_state(h))));
        text_put(cv, y, r.x + wname + wstate, wdoms, doms, a);
        if (wver)
            text_put(cv, y, xver, wver, ver, a);
        if (wuri > 0)
            text_put(cv, y, xuri, wuri, host_uri(h), a);
        y++;
        if (*host_error(h) && y < r.y + r.h) {
            unsigned retry = host_retry_seconds(h);
            if (retry)
                snprintf(detail, sizeof detail, "  %s (retry in %us; c = now)", host_error(h), retry);
            else
                snprintf(detail, sizeof detail, "  %s", host_error(h));
            text_fill(cv, y, r.x, wname, 0);
            text_put(cv, y++, r.x + wname, r.w - wname, detail, theme_attr(ROLE_CRASHED));
        }
    }
    if (n == 0 && r.h > 2)
        text_put(cv, r.y + 2, r.x + 2, r.w - 2, "no hosts: add one with :host NAME URI", UI_DIM);
    for (; y < r.y + r.h; y++)
        text_fill(cv, y, r.x, r.w, 0);
}

static int hostlist_command(struct view *v, const char *name, int argc, char **argv,
                            char *err, size_t errlen)
{
    struct hostlist *hl = v->data;
    return view_navigate(name, *hl->nhosts, hl->page, &hl->cursor);
}

static void hostlist_destroy(struct view *v)
{
    free(v->data);
}

static const struct view_ops hostlist_ops = {
    .name = "hosts",
    .keytable = "hosts",
    .draw = hostlist_draw,
    .command = hostlist_command,
    .destroy = hostlist_destroy,
};

struct view *hostlist_new(struct host ***hosts, size_t *nhosts, struct domreg *reg)
{
    struct hostlist *hl = calloc(1, sizeof *hl);
    if (!hl)
        return NULL;
    hl->hosts = hosts;
    hl->nhosts = nhosts;
    hl->reg = reg;
    struct view *v = view_new(&hostlist_ops, hl);
    if (!v)
        free(hl);
    return v;
}

void hostlist_set_visible(struct view *v, bool (*visible)(const struct dom *d, void *opaque), void *opaque)
{
    struct hostlist *hl = v->data;
    hl->visible = visible;
    hl->visible_opaque = opaque;
}

struct host *hostlist_selected(struct view *v)
{
    struct hostlist *hl = v->data;
    return hl->cursor < *hl->nhosts ? (*hl->hosts)[hl->cursor] : NULL;
}
