/* server/cmd_hosts.c: libvirt hosts: adding (by name, by URI, the default),
 * removing, reconnecting, and the demo's embedded host. */
#include "server/commands.h"
#include "server/authz.h"
#include "server/app.h"
#include "server/demo.h"
#include "server/session.h"
#include "backends/host.h"
#include "util/errf.h"
#include "views/domlist.h"
#include "views/hostlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_host(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (!app_add_host(a, args->argv[0], args->argv[1], err, errlen))
        return -1;
    app_message(a, false, "host %s: connecting to %s", args->argv[0], args->argv[1]);
    return 0;
}

/* [NAME]: the named host, or the one selected (in the host list, or the
 * selected domain's). */
static struct host *target_host(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct host *h = NULL;
    if (args->argc)
        h = app_find_host(a, args->argv[0]);
    else if (a->s && a->s->main_view == a->s->hostlist)
        h = hostlist_selected(a->s->hostlist);
    else if (a->s && a->s->main_view == a->s->domlist && domlist_selected(a->s->domlist))
        h = domlist_selected(a->s->domlist)->host;
    if (!h)
        errf(err, errlen, args->argc ? "%s: no host '%s'" : "%s: no host selected", args->name,
             args->argc ? args->argv[0] : "");
    return h;
}

int cmd_host_remove(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct host *h = target_host(a, args, err, errlen);
    if (!h)
        return -1;
    char name[200];
    snprintf(name, sizeof name, "%s", host_name(h));
    if (app_remove_host(a, name, err, errlen) < 0)
        return -1;
    app_message(a, false, "host %s removed", name);
    return 0;
}

int cmd_host_reconnect(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct host *h = target_host(a, args, err, errlen);
    if (!h)
        return -1;
    host_connect(h);
    app_message(a, false, "host %s: connecting", host_name(h));
    return 0;
}

/* connect URI: the host at URI, unless the server has it already (a client's -c). */
int cmd_connect(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (app_find_host_uri(a, args->argv[0]))
        return 0;
    char name[128];
    app_host_name_for_uri(a, args->argv[0], name, sizeof name);
    return app_add_host(a, name, args->argv[0], err, errlen) ? 0 : -1;
}

/* connect-default [URI]: with no host at all, libvirt's default (the
 * client's $LIBVIRT_DEFAULT_URI, else libvirt's probing). */
int cmd_connect_default(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    /* A system server's hosts are its policy's, whatever a client's
     * environment says. */
    if (a->nhosts || authz_system(a))
        return 0;
    const char *uri = args->argc ? args->argv[0] : "";
    char name[128];
    app_host_name_for_uri(a, *uri ? uri : NULL, name, sizeof name);
    return app_add_host(a, name, uri, err, errlen) ? 0 : -1;
}

/* The tiny demo guest under the embedded QEMU driver, held by this server. */
int cmd_demo(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (app_find_host(a, "demo"))
        return 0;
    char uri[600];
    char *xml = NULL;
    if (demo_prepare("virtmux", uri, sizeof uri, &xml, err, errlen) < 0)
        return -1;
    struct host *h = app_add_host(a, "demo", uri, err, errlen);
    int rc = h ? host_define_and_start(h, xml, err, errlen) : -1;
    free(xml);
    return rc;
}
