/* server/cmd_classroom.c: ie-virsh's commands for a class on a system
 * server — define from a template (within the quota), undefine, dumpxml,
 * list — and whoami, reload-policy. Each works at the ':' prompt, from a
 * binding, and from the command line (virtmux define -t tiny vm1): the
 * libvirt call runs on the host's worker and the answer reaches the client
 * that asked, which then exits with its status (command mode). */
#include "server/commands.h"
#include "server/app.h"
#include "server/authz.h"
#include "server/client.h"
#include "server/session.h"
#include "backends/domain.h"
#include "backends/host.h"
#include "util/errf.h"
#include "policy/define.h"
#include "policy/policy.h"
#include "views/domlist.h"
#include "views/messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

/* ---- a libvirt call for one client, answered later ---- */

struct job {
    struct app *app;
    unsigned long client_id;   /* the client may be gone by the answer */
    char what[16];
    unsigned char uuid[VIR_UUID_BUFLEN];
    char label[300];
    uid_t uid;
    char *xml;                 /* in: to define; out: dumpxml's */
    int rc;
    char err[600];
};

static struct job *job_new(struct app *a, const char *what)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->app = a;
    j->client_id = a->c ? a->c->id : 0;
    snprintf(j->what, sizeof j->what, "%s", what);
    return j;
}

static void job_free(struct job *j)
{
    free(j->xml);
    free(j);
}

static void lv_error(struct job *j, const char *doing)
{
    virErrorPtr e = virGetLastError();
    snprintf(j->err, sizeof j->err, "%s: %s: %s", j->what, doing, e && e->message ? e->message : "failed");
    j->rc = -1;
}

/* The answer goes to the client that asked (its status line, or its output
 * in command mode); the job is over for it. */
static void job_answer(struct job *j, bool error, const char *text)
{
    struct app *a = j->app;
    struct client *c = app_find_client(a, j->client_id);
    msglog_add(a->log, error, text);
    if (!c)
        return;
    client_message(c, error, text);
    client_job_done(c, error);
}

static void job_discard(void *arg)
{
    struct job *j = arg;
    if (!strcmp(j->what, "define"))
        authz_pending(j->app, j->uid, -1);
    snprintf(j->err, sizeof j->err, "%s: the host went away", j->what);
    job_answer(j, true, j->err);
    job_free(j);
}

static int job_submit(struct app *a, struct host *h, struct job *j, void (*run)(virConnectPtr, void *),
                      void (*done)(void *), char *err, size_t errlen)
{
    if (host_submit(h, run, done, job_discard, j) < 0) {
        errf(err, errlen, "%s: the host %s cannot take it now", j->what, host_name(h));
        job_free(j);
        return -1;
    }
    if (a->c)
        client_job_started(a->c);
    return 0;
}

/* ---- define ---- */

/* "tiny, os-lab" (or "none"): for whoami and a define of no such template. */
static const char *template_names(const struct policy *p, char *out, size_t outlen)
{
    out[0] = '\0';
    for (size_t i = 0; policy_template_name(p, i); i++)
        snprintf(out + strlen(out), outlen - strlen(out), "%s%s", i ? ", " : "", policy_template_name(p, i));
    return *out ? out : "none";
}

static size_t owned_by(struct app *a, uid_t uid, char *names, size_t nlen)
{
    size_t total = domreg_count(a->reg), n = 0;
    struct dom **doms = calloc(total ? total : 1, sizeof *doms);
    if (!doms)
        return 0;
    total = domreg_list(a->reg, doms, total);
    if (nlen)
        names[0] = '\0';
    for (size_t i = 0; i < total; i++) {
        if (!doms[i]->owner_known || doms[i]->owner_uid != (long)uid)
            continue;
        if (nlen && strlen(names) + strlen(doms[i]->name) + 3 < nlen)
            snprintf(names + strlen(names), nlen - strlen(names), "%s%s", n ? ", " : "", doms[i]->name);
        n++;
    }
    free(doms);
    return n;
}

static void define_run(virConnectPtr conn, void *arg)
{
    struct job *j = arg;
    if (!conn) {
        snprintf(j->err, sizeof j->err, "%s: the host is not connected", j->what);
        j->rc = -1;
        return;
    }
    virDomainPtr d = virDomainDefineXMLFlags(conn, j->xml, VIR_DOMAIN_DEFINE_VALIDATE);
    if (!d) {
        lv_error(j, "libvirt refused it");
        return;
    }
    virDomainFree(d);
}

static void define_done(void *arg)
{
    struct job *j = arg;
    authz_pending(j->app, j->uid, -1);
    char text[700];
    if (j->rc < 0)
        snprintf(text, sizeof text, "%s", j->err);
    else
        snprintf(text, sizeof text, "defined %s", j->label);
    job_answer(j, j->rc < 0, text);
    job_free(j);
}

/* The host a define goes to: -H HOST, else the list's selected domain's,
 * else the first host. */
static struct host *define_host(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    const char *name = args_get(args, 'H');
    if (name) {
        struct host *h = app_find_host(a, name);
        if (!h)
            errf(err, errlen, "define: no host '%s'", name);
        return h;
    }
    if (!a->nhosts)
        errf(err, errlen, "define: no host");
    return a->nhosts ? a->hosts[0] : NULL;
}

int cmd_define(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct policy *p = authz_policy(a);
    const char *tname = args_get(args, 't'), *name = args->argv[0], *image = args_get(args, 'I');
    if (!p)
        return errf(err, errlen, "define: templates come from a system server's policy (create FILE defines from XML)");
    if (!tname)
        return errf(err, errlen, "usage: define -t TEMPLATE [-H HOST] [--image FILE] NAME");
    char why[400];
    if (define_name_ok(name, why, sizeof why) < 0) {
        errf(err, errlen, "define: %s", why);
        authz_audit(a, NULL, NULL, false, err);
        return -1;
    }
    const char *txml = policy_template_xml(p, tname);
    if (!txml) {
        char list[300];
        errf(err, errlen, "define: no template '%s' (templates: %s)", tname, template_names(p, list, sizeof list));
        authz_audit(a, NULL, NULL, false, err);
        return -1;
    }
    uid_t uid = a->c ? a->c->peer.uid : 0;
    const char *user = a->c ? a->c->peer.user : "root";
    char full[300];
    snprintf(full, sizeof full, "%s-%s", user, name);
    char e2[300];
    if (domreg_lookup(a->reg, full, e2, sizeof e2)) {
        errf(err, errlen, "define: %s exists", full);
        authz_audit(a, NULL, NULL, false, err);
        return -1;
    }
    /* The quota, counted over every host, with the defines still on their
     * way: the loop thread decides alone, so two at once cannot pass it. */
    unsigned quota = a->c ? policy_quota(p, &a->c->peer) : POLICY_QUOTA_UNLIMITED;
    char names[400];
    size_t have = owned_by(a, uid, names, sizeof names) + authz_pending(a, uid, 0);
    if (quota != POLICY_QUOTA_UNLIMITED && have >= quota) {
        errf(err, errlen, "define: quota reached: %zu of %u domains (%s)", have, quota, *names ? names : "being defined");
        authz_audit(a, NULL, NULL, false, err);
        return -1;
    }
    char resolved[4096];
    if (image) {
        char dir[2048];
        if (policy_images_dir(p, user, dir, sizeof dir) < 0) {
            errf(err, errlen, "define: the policy names no images directory: --image is not possible");
            authz_audit(a, NULL, NULL, false, err);
            return -1;
        }
        if (define_image_check(dir, image, uid, resolved, sizeof resolved, why, sizeof why) < 0) {
            errf(err, errlen, "define: %s", why);
            authz_audit(a, NULL, NULL, false, err);
            return -1;
        }
    }
    struct host *h = define_host(a, args, err, errlen);
    if (!h)
        return -1;
    if (!authz_take(a, LIMIT_DEFINES, NULL, err, errlen))
        return -1;
    struct job *j = job_new(a, "define");
    if (!j)
        return errf(err, errlen, "out of memory");
    if (define_uuid_random(j->uuid) < 0 ||
        !(j->xml = define_xml_from_template(txml, user, uid, name, j->uuid, image ? resolved : NULL, why, sizeof why))) {
        job_free(j);
        return errf(err, errlen, "define: template %s: %s", tname, why);
    }
    j->uid = uid;
    snprintf(j->label, sizeof j->label, "%s on %s", full, host_name(h));
    char uuid[37];
    define_uuid_format(j->uuid, uuid);
    struct dom fake = { .name = full };
    snprintf(fake.uuid_str, sizeof fake.uuid_str, "%s", uuid);
    authz_audit(a, NULL, &fake, true, NULL);
    if (!authz_pending(a, uid, +1)) {
        job_free(j);
        return errf(err, errlen, "define: too many defines under way; try again in a moment");
    }
    if (job_submit(a, h, j, define_run, define_done, err, errlen) < 0) {
        authz_pending(a, uid, -1);
        return -1;
    }
    return 0;
}

/* ---- undefine, dumpxml ---- */

/* [DOMAIN]: named, or the one selected in the list. */
static struct dom *target(struct app *a, const struct cmd_args *args, enum authz_op op, char *err, size_t errlen)
{
    if (args->argc)
        return authz_lookup(a, args->argv[0], op, args->name, err, errlen);
    struct dom *d = a->s && a->s->main_view == a->s->domlist ? domlist_selected(a->s->domlist) : NULL;
    if (!d) {
        errf(err, errlen, a->s ? "%s: no domain selected" : "%s: which domain? (name it)", args->name);
        return NULL;
    }
    return authz_domain(a, d, op, args->name, err, errlen) < 0 ? NULL : d;
}

static void undefine_run(virConnectPtr conn, void *arg)
{
    struct job *j = arg;
    virDomainPtr d = conn ? virDomainLookupByUUID(conn, j->uuid) : NULL;
    if (!d) {
        lv_error(j, "not found");
        return;
    }
    if (virDomainIsActive(d) == 1) {
        snprintf(j->err, sizeof j->err, "undefine: %s runs: destroy or shut it down first", j->label);
        j->rc = -1;
    } else if (virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_NVRAM) < 0 && virDomainUndefine(d) < 0) {
        lv_error(j, "libvirt refused it");
    }
    virDomainFree(d);
}

static void undefine_done(void *arg)
{
    struct job *j = arg;
    char text[700];
    if (j->rc < 0)
        snprintf(text, sizeof text, "%s", j->err);
    else
        snprintf(text, sizeof text, "undefined %s", j->label);
    job_answer(j, j->rc < 0, text);
    job_free(j);
}

int cmd_undefine(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct dom *d = target(a, args, AUTHZ_CHANGE, err, errlen);
    if (!d)
        return -1;
    if (d->state != VIR_DOMAIN_SHUTOFF)
        return errf(err, errlen, "undefine: %s is %s: destroy or shut it down first", d->name, dom_state_name(d->state));
    if (!authz_take(a, LIMIT_DEFINES, d, err, errlen))
        return -1;
    struct job *j = job_new(a, "undefine");
    if (!j)
        return errf(err, errlen, "out of memory");
    memcpy(j->uuid, d->uuid, VIR_UUID_BUFLEN);
    snprintf(j->label, sizeof j->label, "%s/%s", host_name(d->host), d->name);
    return job_submit(a, d->host, j, undefine_run, undefine_done, err, errlen);
}

static void dumpxml_run(virConnectPtr conn, void *arg)
{
    struct job *j = arg;
    virDomainPtr d = conn ? virDomainLookupByUUID(conn, j->uuid) : NULL;
    if (!d) {
        lv_error(j, "not found");
        return;
    }
    /* Never VIR_DOMAIN_XML_SECURE: passwords stay with libvirt. */
    if (!(j->xml = virDomainGetXMLDesc(d, 0)))
        lv_error(j, "cannot read its XML");
    virDomainFree(d);
}

static void dumpxml_done(void *arg)
{
    struct job *j = arg;
    struct client *c = app_find_client(j->app, j->client_id);
    if (j->rc < 0 || !c) {
        if (j->rc < 0)
            job_answer(j, true, j->err);
        job_free(j);
        return;
    }
    client_show_text(c, j->label, j->xml);
    client_job_done(c, false);
    job_free(j);
}

int cmd_dumpxml(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct dom *d = target(a, args, AUTHZ_READ, err, errlen);
    if (!d)
        return -1;
    struct job *j = job_new(a, "dumpxml");
    if (!j)
        return errf(err, errlen, "out of memory");
    memcpy(j->uuid, d->uuid, VIR_UUID_BUFLEN);
    snprintf(j->label, sizeof j->label, "%s/%s", host_name(d->host), d->name);
    return job_submit(a, d->host, j, dumpxml_run, dumpxml_done, err, errlen);
}

/* ---- list, whoami, reload-policy ---- */

static int by_owner_name(const void *x, const void *y)
{
    const struct dom *a = *(struct dom *const *)x, *b = *(struct dom *const *)y;
    int c = strcmp(a->owner, b->owner);
    return c ? c : strcmp(a->name, b->name);
}

int cmd_list(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (a->c && !a->c->command_mode && a->s)
        return command_run_line(a, "show-domains", err, errlen);
    size_t total = domreg_count(a->reg), n = 0;
    struct dom **doms = calloc(total ? total : 1, sizeof *doms);
    if (!doms)
        return errf(err, errlen, "out of memory");
    total = domreg_list(a->reg, doms, total);
    for (size_t i = 0; i < total; i++)
        if (authz_client_sees(a, a->c, doms[i]))
            doms[n++] = doms[i];
    qsort(doms, n, sizeof *doms, by_owner_name);
    char line[600];
    snprintf(line, sizeof line, "%-32s %-10s %-12s %s", "NAME", "STATE", "HOST", "OWNER");
    app_message(a, false, "%s", line);
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line, "%-32s %-10s %-12s %s", doms[i]->name, dom_state_name(doms[i]->state),
                 host_name(doms[i]->host), doms[i]->owner_known && doms[i]->owner[0] ? doms[i]->owner : "-");
        app_message(a, false, "%s", line);
    }
    free(doms);
    (void)args;
    return 0;
}

int cmd_whoami(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct policy *p = authz_policy(a);
    if (!p || !a->c) {
        app_message(a, false, "uid %d: your own server: you may do everything", a->c ? (int)a->c->uid : (int)getuid());
        return 0;
    }
    struct client *c = a->c;
    unsigned q = policy_quota(p, &c->peer);
    size_t have = owned_by(a, c->peer.uid, NULL, 0);
    char qs[64];
    if (q == POLICY_QUOTA_UNLIMITED)
        snprintf(qs, sizeof qs, "no quota");
    else
        snprintf(qs, sizeof qs, "quota %u (%zu used)", q, have);
    char list[300];
    app_message(a, false, "%s (uid %d): %s, %s, templates: %s", c->peer.user, (int)c->peer.uid, role_name(c->role), qs,
                template_names(p, list, sizeof list));
    (void)args;
    (void)err;
    (void)errlen;
    return 0;
}

int cmd_reload_policy(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    (void)args;
    if (authz_reload(a, err, errlen) < 0)
        return -1;
    app_message(a, false, "policy reloaded");
    return 0;
}
