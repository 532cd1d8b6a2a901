/* backends/hostjobs.c: work queued on a host's worker thread against its
 * connection — domain actions, define-and-start, and callers' own jobs
 * (host_submit) — with the outcome reported back on the loop thread. */
#include "backends/host_private.h"
#include "backends/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

/* ---- actions ---- */

struct action_job {
    struct hconn *hc;
    unsigned char uuid[VIR_UUID_BUFLEN];
    enum dom_action act;
    char label[256];
    char err[512];
    bool failed;
};

static int run_action(virDomainPtr d, enum dom_action act)
{
    switch (act) {
    case DOM_START: return virDomainCreate(d);
    case DOM_SHUTDOWN: return virDomainShutdown(d);
    case DOM_REBOOT: return virDomainReboot(d, 0);
    case DOM_DESTROY: return virDomainDestroy(d);
    case DOM_SUSPEND: return virDomainSuspend(d);
    case DOM_RESUME: return virDomainResume(d);
    }
    return -1;
}

static void action_run(void *arg)
{
    struct action_job *j = arg;
    virDomainPtr d = j->hc->conn ? virDomainLookupByUUID(j->hc->conn, j->uuid) : NULL;
    if (!d || run_action(d, j->act) < 0) {
        j->failed = true;
        snprintf(j->err, sizeof j->err, "%s",
                 j->hc->conn ? virGetLastErrorMessage() : "host is disconnected");
    }
    if (d)
        virDomainFree(d);
}

static void action_discard(void *arg)
{
    struct action_job *j = arg;
    hconn_unref(j->hc);
    free(j);
}

static void action_done(void *arg)
{
    struct action_job *j = arg;
    struct host *h = j->hc->host;
    if (h) {
        if (j->failed)
            host_message(h, true, "%s %s: %s", dom_action_name(j->act), j->label, j->err);
        else
            host_message(h, false, "%s %s: done", dom_action_name(j->act), j->label);
    }
    action_discard(j);
}

static const struct job_ops action_job_ops = { action_run, action_done, action_discard };

int host_domain_action(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN],
                       const char *label, enum dom_action act, char *err, size_t errlen)
{
    if (!h->hc) {
        snprintf(err, errlen, "%s %s: host %s is %s", dom_action_name(act), label, h->name,
                 host_state_name(h->state));
        return -1;
    }
    struct action_job *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    j->hc = hconn_ref(h->hc);
    memcpy(j->uuid, uuid, VIR_UUID_BUFLEN);
    j->act = act;
    snprintf(j->label, sizeof j->label, "%s", label);
    if (worker_submit(h->worker, &action_job_ops, j) < 0) {
        action_discard(j);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

const char *dom_action_name(enum dom_action act)
{
    static const char *names[] = { "start", "shutdown", "reboot", "destroy", "suspend", "resume" };
    return (unsigned)act < sizeof names / sizeof names[0] ? names[act] : "?";
}

struct define_job {
    struct hconn *hc;
    char *xml;
    char name[256];
    char err[512];
    bool failed, was_running;
};

static void define_run(void *arg)
{
    struct define_job *j = arg;
    virDomainPtr d = j->hc->conn ? virDomainDefineXML(j->hc->conn, j->xml) : NULL;
    if (d) {
        snprintf(j->name, sizeof j->name, "%s", virDomainGetName(d));
        j->was_running = virDomainIsActive(d) == 1;
    }
    if (!d || (!j->was_running && virDomainCreate(d) < 0)) {
        j->failed = true;
        snprintf(j->err, sizeof j->err, "%s", j->hc->conn ? virGetLastErrorMessage() : "not connected");
    }
    if (d)
        virDomainFree(d);
}

static void define_discard(void *arg)
{
    struct define_job *j = arg;
    hconn_unref(j->hc);
    free(j->xml);
    free(j);
}

static void define_done(void *arg)
{
    struct define_job *j = arg;
    struct host *h = j->hc->host;
    if (h) {
        if (j->failed)
            host_message(h, true, "define/start %s on %s: %s", *j->name ? j->name : "domain", h->name, j->err);
        else
            host_message(h, false, "%s on %s: %s", j->name, h->name, j->was_running ? "already running" : "started");
    }
    define_discard(j);
}

static const struct job_ops define_job_ops = { define_run, define_done, define_discard };

int host_define_and_start(struct host *h, const char *xml, char *err, size_t errlen)
{
    struct hconn *hc = host_job_hconn(h);
    if (!hc) {
        snprintf(err, errlen, "host %s is %s", h->name, host_state_name(h->state));
        return -1;
    }
    struct define_job *j = calloc(1, sizeof *j);
    if (!j || !(j->xml = strdup(xml))) {
        free(j);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    j->hc = hconn_ref(hc);
    if (worker_submit(h->worker, &define_job_ops, j) < 0) {
        define_discard(j);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

struct generic_job {
    struct hconn *hc;
    void (*run)(virConnectPtr conn, void *arg);
    void (*done)(void *arg);
    void (*discard)(void *arg);
    void *arg;
    /* Off the main worker: a reference of its own to the connection, which
     * the main worker may close meanwhile (the last reference closes it). */
    virConnectPtr own;
};

static void generic_run(void *arg)
{
    struct generic_job *j = arg;
    if (j->own) {
        j->run(j->own, j->arg);
        virConnectClose(j->own);
        j->own = NULL;
        return;
    }
    j->run(j->hc ? j->hc->conn : NULL, j->arg);
}

static void generic_discard(void *arg)
{
    struct generic_job *j = arg;
    j->discard(j->arg);
    if (j->own)
        virConnectClose(j->own);
    if (j->hc)
        hconn_unref(j->hc);
    free(j);
}

static void generic_done(void *arg)
{
    struct generic_job *j = arg;
    j->done(j->arg);
    if (j->hc)
        hconn_unref(j->hc);
    free(j);
}

static const struct job_ops generic_job_ops = { generic_run, generic_done, generic_discard };

static int submit_on(struct host *h, struct worker *w, void (*run)(virConnectPtr conn, void *arg),
                     void (*done)(void *arg), void (*discard)(void *arg), void *arg)
{
    struct generic_job *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    struct hconn *hc = host_job_hconn(h);
    j->hc = hc ? hconn_ref(hc) : NULL;
    j->run = run;
    j->done = done;
    j->discard = discard;
    j->arg = arg;
    if (w != h->worker && hc && hc->conn && virConnectRef(hc->conn) == 0)
        j->own = hc->conn;
    if (worker_submit(w, &generic_job_ops, j) < 0) {
        if (j->own)
            virConnectClose(j->own);
        if (j->hc)
            hconn_unref(j->hc);
        free(j);
        return -1;
    }
    return 0;
}

int host_submit(struct host *h, void (*run)(virConnectPtr conn, void *arg),
                void (*done)(void *arg), void (*discard)(void *arg), void *arg)
{
    return submit_on(h, h->worker, run, done, discard, arg);
}

int host_submit_console(struct host *h, void (*run)(virConnectPtr conn, void *arg),
                        void (*done)(void *arg), void (*discard)(void *arg), void *arg)
{
    /* Only on a live connection: one being opened is set up on the main
     * worker, and a job must run after it there. */
    if (h->connecting || !h->hc || h->state != HOST_CONNECTED)
        return host_submit(h, run, done, discard, arg);
    if (!h->console_worker) {
        char err[256];
        h->console_worker = worker_new(err, sizeof err);
        if (!h->console_worker)
            return host_submit(h, run, done, discard, arg);
    }
    return submit_on(h, h->console_worker, run, done, discard, arg);
}
