/* backends/host.c: one libvirt connection — opened on the host's worker thread with
 * an auth callback that asks the UI, watched by a close callback, reconnected with
 * capped exponential backoff, feeding lifecycle events into the domain registry. */
#include "backends/host_private.h"
#include "backends/domain.h"
#include "backends/domread.h"
#include "backends/domxml.h"
#include "backends/ssh.h"
#include "backends/sshuri.h"
#include "backends/worker.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

/* A credential question from the worker thread, answered on the loop thread. */
struct ask {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char prompt[512];
    bool secret, confirm, pending, cancelled, user_cancelled;
    char *answer;
};

struct connect_job {
    struct host *host;
    struct worker *worker;
    struct hconn *hc;
    char *uri;
    int err_code;               /* libvirt's error code when the open failed */
    struct dom *snaps;
    virDomainPtr *doms;
    size_t nsnaps;
    char err[512];
    struct ask ask;
    unsigned long libver, hvver;
    char hvtype[32];
    char last_secret_prompt[512];   /* asked again = the last answer was wrong */
};

static void on_close(virConnectPtr conn, int reason, void *opaque);
static int ssh_setup(struct host *h, char *err, size_t errlen);
static void ask_on_loop(void *arg);
static void queue_facts(struct host *h, virDomainPtr *doms, size_t n);

/* ---- hconn reference counting ---- */

static struct hconn *hconn_new(struct host *h)
{
    struct hconn *hc = calloc(1, sizeof *hc);
    if (!hc)
        return NULL;
    hc->refs = 1;
    hc->host = h;
    hc->lifecycle_id = -1;
    return hc;
}

struct hconn *hconn_ref(struct hconn *hc)
{
    __atomic_add_fetch(&hc->refs, 1, __ATOMIC_SEQ_CST);
    return hc;
}

void hconn_unref(void *opaque)
{
    struct hconn *hc = opaque;
    if (hc && __atomic_sub_fetch(&hc->refs, 1, __ATOMIC_SEQ_CST) == 0)
        free(hc);
}

static void close_cb_free(void *opaque)
{
    struct hconn *hc = opaque;
    __atomic_store_n(&hc->close_freed, true, __ATOMIC_SEQ_CST);
    hconn_unref(hc);
}

/* Worker thread (or at exit): drop registrations and the connection. */
static void hconn_teardown(struct hconn *hc)
{
    if (hc->conn) {
        if (hc->lifecycle_id >= 0)
            virConnectDomainEventDeregisterAny(hc->conn, hc->lifecycle_id);
        hc->lifecycle_id = -1;
        bool drop_close_ref = false;
        if (hc->close_registered) {
            virConnectUnregisterCloseCallback(hc->conn, on_close);
            drop_close_ref = !__atomic_load_n(&hc->close_freed, __ATOMIC_SEQ_CST);
        }
        hc->close_registered = false;
        virConnectClose(hc->conn);
        hc->conn = NULL;
        /* The caller holds a reference, so this never frees hc under it. */
        if (drop_close_ref)
            hconn_unref(hc);
    }
}

static void close_job_run(void *arg)
{
    hconn_teardown(arg);
}

static void close_job_done(void *arg)
{
    hconn_unref(arg);
}

static void close_job_discard(void *arg)
{
    hconn_teardown(arg);
    hconn_unref(arg);
}

static const struct job_ops close_job_ops = { close_job_run, close_job_done, close_job_discard };

/* Hand the connection to the worker to close: closing can wait on the network. */
static void drop_started(struct host *h)
{
    for (size_t i = 0; i < sizeof h->started / sizeof h->started[0]; i++) {
        if (h->started[i])
            virDomainFree(h->started[i]);
        h->started[i] = NULL;
    }
}

static void host_drop_conn(struct host *h)
{
    /* The handles hold the connection: it closes only once they are gone. */
    drop_started(h);
    h->console_plain = false;
    struct hconn *hc = h->hc;
    if (!hc)
        return;
    h->hc = NULL;
    hc->host = NULL;
    if (worker_submit(h->worker, &close_job_ops, hc) < 0)
        close_job_discard(hc);
}

/* ---- state changes ---- */

static void host_changed(struct host *h)
{
    if (h->ops->changed)
        h->ops->changed(h, h->opaque);
}

void host_message(struct host *h, bool error, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (h->ops->message)
        h->ops->message(h, error, msg, h->opaque);
}

static void on_retry(void *opaque)
{
    host_connect(opaque);
}

static void schedule_retry(struct host *h)
{
    if (retry_schedule(&h->retry) < 0)
        snprintf(h->error, sizeof h->error, "cannot schedule the reconnect");
}

/* ---- events from libvirt (loop thread) ---- */

struct refresh_job {
    struct hconn *hc;
    virDomainPtr dom;
    bool gone, ok;
    bool migrated_away;         /* the event said: stopped, migrated */
    struct dom snap;
};

static void refresh_run(void *arg)
{
    struct refresh_job *j = arg;
    char err[256];
    /* An undefined domain may still run (it became transient): read it;
     * domread_one says "gone" when it really is. */
    j->ok = domread_one(j->dom, &j->snap, &j->gone, err, sizeof err) == 0;
    if (j->gone)
        virDomainGetUUID(j->dom, j->snap.uuid);
}

static void refresh_discard(void *arg)
{
    struct refresh_job *j = arg;
    free(j->snap.name);
    virDomainFree(j->dom);
    hconn_unref(j->hc);
    free(j);
}

static void refresh_done(void *arg)
{
    struct refresh_job *j = arg;
    struct host *h = j->hc->host;
    if (h && h->hc == j->hc) {
        if (j->migrated_away && h->ops->left) {
            struct dom *d = domreg_find(h->reg, j->snap.uuid);
            const char *name = d ? d->name : j->snap.name;
            h->ops->left(h, j->snap.uuid, name ? name : "?", h->opaque);
        }
        if (j->ok) {
            j->snap.host = h;
            j->snap.seen = h->listing;
            domreg_upsert(h->reg, &j->snap);
            j->snap.name = NULL; /* the registry owns it now */
            host_changed(h);
        } else if (j->gone) {
            /* After a migration the UUID may already live on another host. */
            unsigned long gen = domreg_generation(h->reg);
            domreg_gone_from(h->reg, j->snap.uuid, h);
            if (domreg_generation(h->reg) != gen)
                host_changed(h);
        }
    }
    refresh_discard(j);
}

static const struct job_ops refresh_job_ops = { refresh_run, refresh_done, refresh_discard };

static void keep_started(struct host *h, virDomainPtr dom, const unsigned char *uuid)
{
    const size_t n = sizeof h->started / sizeof h->started[0];
    unsigned char u[VIR_UUID_BUFLEN];
    size_t slot = h->started_next;
    for (size_t i = 0; i < n; i++)
        if (h->started[i] && virDomainGetUUID(h->started[i], u) == 0 && !memcmp(u, uuid, sizeof u))
            slot = i;   /* started again: the newer handle */
    if (slot == h->started_next)
        h->started_next = (unsigned)((h->started_next + 1) % n);
    if (h->started[slot])
        virDomainFree(h->started[slot]);
    h->started[slot] = virDomainRef(dom) == 0 ? dom : NULL;
}

virDomainPtr host_take_started(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN])
{
    unsigned char u[VIR_UUID_BUFLEN];
    for (size_t i = 0; i < sizeof h->started / sizeof h->started[0]; i++) {
        virDomainPtr d = h->started[i];
        if (d && virDomainGetUUID(d, u) == 0 && !memcmp(u, uuid, sizeof u)) {
            h->started[i] = NULL;
            return d;
        }
    }
    return NULL;
}

bool host_console_plain(const struct host *h) { return h->console_plain; }
void host_note_console_plain(struct host *h) { h->console_plain = true; }

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    struct hconn *hc = opaque;
    struct host *h = hc->host;
    if (!h)
        return 0; /* late event for a connection we let go */
    struct refresh_job *j = calloc(1, sizeof *j);
    if (!j)
        return 0;
    j->hc = hconn_ref(hc);
    j->dom = dom;
    j->migrated_away = event == VIR_DOMAIN_EVENT_STOPPED && detail == VIR_DOMAIN_EVENT_STOPPED_MIGRATED;
    unsigned char uuid[VIR_UUID_BUFLEN];
    bool started = event == VIR_DOMAIN_EVENT_STARTED && virDomainGetUUID(dom, uuid) == 0;
    if (started)
        keep_started(h, dom, uuid);   /* its console opens without a lookup */
    /* A known domain started: it runs now, before its row is read again
     * behind every other job on the worker (a boot storm queues hundreds),
     * so that its console opens at once; the read corrects the rest. */
    struct dom *d = started ? domreg_find(h->reg, uuid) : NULL;
    if (d && d->host == h && d->state == VIR_DOMAIN_SHUTOFF && d->facts_known) {
        struct dom snap = *d;
        snap.name = strdup(d->name);
        snap.state = VIR_DOMAIN_RUNNING;
        snap.reason = VIR_DOMAIN_RUNNING_BOOTED;
        snap.id = (int)virDomainGetID(dom);   /* the event's handle has it: no call */
        if (snap.name && domreg_upsert(h->reg, &snap))
            host_changed(h);
    }
    virDomainRef(dom);
    /* Through the worker, in order: the row is read where blocking is allowed. */
    if (worker_submit(h->worker, &refresh_job_ops, j) < 0)
        refresh_discard(j);
    return 0;
}

static const char *close_reason(int reason)
{
    switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_ERROR: return "connection error";
    case VIR_CONNECT_CLOSE_REASON_EOF: return "connection closed by the other side";
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: return "no keepalive answer";
    case VIR_CONNECT_CLOSE_REASON_CLIENT: return "closed";
    default: return "connection lost";
    }
}

/* The connection (libvirt's, or the host's own SSH session) is gone. */
static void host_lost(struct host *h, const char *why)
{
    host_drop_conn(h);
    /* Tunnels follow the host: their local ends see EOF now; the next
     * ssh_tunnel_open() connects again. */
    if (h->ssh)
        sshsess_disconnect(h->ssh, why);
    h->state = HOST_DISCONNECTED;
    snprintf(h->error, sizeof h->error, "%s", why);
    schedule_retry(h);
    host_message(h, true, "host %s: %s; reconnecting", h->name, h->error);
    host_changed(h);
}

static void on_close_later(int timer, void *opaque)
{
    struct hconn *hc = opaque;
    struct host *h = hc->host;
    virEventRemoveTimeout(timer);
    if (!h || h->hc != hc)
        return;
    host_lost(h, close_reason(hc->close_reason));
}

/* libvirt calls this with the connection's close-callback lock held, from
 * whichever thread saw the socket go (the loop's, or the worker's inside an
 * RPC). host_lost here would deadlock: it closes the console streams (which
 * take the remote driver's lock) while the worker, closing this connection,
 * holds that lock and waits in virConnectUnregisterCloseCallback for ours.
 * So the loop does it, after this returns. */
static void on_close(virConnectPtr conn, int reason, void *opaque)
{
    struct hconn *hc = opaque;
    (void)conn;
    hc->close_reason = reason;
    hconn_ref(hc);
    if (virEventAddTimeout(0, on_close_later, hc, hconn_unref) < 0)
        hconn_unref(hc);
}

/* ---- connecting (worker thread, except done) ---- */

static int auth_ask(struct connect_job *j, const char *prompt, bool secret, bool confirm, char **answer)
{
    struct ask *a = &j->ask;
    pthread_mutex_lock(&a->lock);
    snprintf(a->prompt, sizeof a->prompt, "%s", prompt);
    a->secret = secret;
    a->confirm = confirm;
    a->pending = true;
    free(a->answer);
    a->answer = NULL;
    pthread_mutex_unlock(&a->lock);
    if (worker_post(j->worker, ask_on_loop, j) < 0)
        return -1;
    pthread_mutex_lock(&a->lock);
    while (a->pending && !a->cancelled)
        pthread_cond_wait(&a->cond, &a->lock);
    int rc = -1;
    if (!a->cancelled && a->answer) {
        *answer = a->answer;
        a->answer = NULL;
        rc = 0;
    } else {
        a->user_cancelled = true;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

static int auth_callback(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    struct connect_job *j = cbdata;
    for (unsigned i = 0; i < ncred; i++) {
        bool secret = cred[i].type == VIR_CRED_PASSPHRASE || cred[i].type == VIR_CRED_NOECHOPROMPT;
        char prompt[512];
        const char *p = cred[i].prompt ? cred[i].prompt : "Credential";
        if (cred[i].challenge && *cred[i].challenge)
            snprintf(prompt, sizeof prompt, "%s (%s)", p, cred[i].challenge);
        else
            snprintf(prompt, sizeof prompt, "%s", p);
        /* libvirt's SSH password auth asks again after a wrong password
         * without saying why: say it. */
        if (secret) {
            bool again = strcmp(prompt, j->last_secret_prompt) == 0;
            snprintf(j->last_secret_prompt, sizeof j->last_secret_prompt, "%s", prompt);
            if (again) {
                char tmp[512];
                snprintf(tmp, sizeof tmp, "Wrong password, try again. %s", prompt);
                snprintf(prompt, sizeof prompt, "%s", tmp);
            }
        }
        /* libvirt's libssh transport asks about an unknown host key this way
         * (virtmux checked the key before; this happens only if the server
         * offers another key type to libvirt): a yes/no question. */
        bool confirm = cred[i].type == VIR_CRED_ECHOPROMPT &&
                       strncmp(p, "Accept SSH host key", 19) == 0;
        char *answer = NULL;
        if (auth_ask(j, prompt, secret, confirm, &answer) < 0)
            return -1;
        if (!*answer && cred[i].defresult) {
            free(answer);
            answer = strdup(cred[i].defresult);
        }
        cred[i].result = answer;
        cred[i].resultlen = answer ? (unsigned)strlen(answer) : 0;
    }
    return 0;
}

static void connect_run(void *arg)
{
    struct connect_job *j = arg;
    static int credtypes[] = { VIR_CRED_AUTHNAME, VIR_CRED_ECHOPROMPT, VIR_CRED_REALM,
                               VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT };
    virConnectAuth auth = { credtypes, sizeof credtypes / sizeof credtypes[0], auth_callback, j };
    virConnectPtr conn = virConnectOpenAuth(j->uri, &auth, 0);
    if (!conn) {
        virErrorPtr e = virGetLastError();
        j->err_code = e ? e->code : 0;
        snprintf(j->err, sizeof j->err, "%s", virGetLastErrorMessage());
        return;
    }
    struct hconn *hc = j->hc;
    hc->conn = conn;
    /* For the host list; a driver without them leaves 0 / "". */
    if (virConnectGetLibVersion(conn, &j->libver) < 0)
        j->libver = 0;
    if (virConnectGetVersion(conn, &j->hvver) < 0)
        j->hvver = 0;
    const char *type = virConnectGetType(conn);
    snprintf(j->hvtype, sizeof j->hvtype, "%s", type ? type : "");
    /* Remote links only; local drivers say "not supported", which is fine. */
    virConnectSetKeepAlive(conn, 5, 3);
    hconn_ref(hc);
    hc->lifecycle_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                        VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
                                                        hc, hconn_unref);
    if (hc->lifecycle_id < 0)
        hconn_unref(hc);
    hconn_ref(hc);
    if (virConnectRegisterCloseCallback(conn, on_close, hc, close_cb_free) == 0)
        hc->close_registered = true;
    else
        hconn_unref(hc);
    virResetLastError();
    /* Events registered first, then the listing: a change in between is seen
     * twice rather than never. */
    if (domread_all(conn, &j->snaps, &j->doms, &j->nsnaps, j->err, sizeof j->err) < 0)
        hconn_teardown(hc);
}

static void connect_job_free(struct connect_job *j)
{
    domread_free_all(j->snaps, j->doms, j->nsnaps);
    free(j->ask.answer);
    pthread_mutex_destroy(&j->ask.lock);
    pthread_cond_destroy(&j->ask.cond);
    free(j->uri);
    free(j);
}

static void connect_discard(void *arg)
{
    struct connect_job *j = arg;
    hconn_teardown(j->hc);
    hconn_unref(j->hc);
    connect_job_free(j);
}

static void connect_done(void *arg)
{
    struct connect_job *j = arg;
    struct host *h = j->host;
    h->connecting = NULL;
    h->settled = true;
    if (!j->hc->conn) {
        /* Wrong credentials are not retried by themselves: every retry would
         * pop up a dialog nobody asked for. host-reconnect asks again. */
        bool gave_up = j->ask.user_cancelled || j->err_code == VIR_ERR_AUTH_FAILED;
        const char *why = j->ask.user_cancelled ? "authentication cancelled" : j->err;
        /* Say it once: a retry failing the same way is not news. */
        bool news = !h->retried || strcmp(h->error, why) != 0;
        h->state = gave_up ? HOST_AUTH_NEEDED : HOST_DISCONNECTED;
        snprintf(h->error, sizeof h->error, "%s", why);
        if (!gave_up)
            schedule_retry(h);
        if (news)
            host_message(h, true, "host %s: %s", h->name, h->error);
        h->retried = true;
        j->hc->host = NULL;
        hconn_unref(j->hc);
        connect_job_free(j);
        host_changed(h);
        return;
    }
    h->hc = j->hc; /* the job's reference becomes the host's */
    h->state = HOST_CONNECTED;
    h->libver = j->libver;
    h->hvver = j->hvver;
    snprintf(h->hvtype, sizeof h->hvtype, "%s", j->hvtype);
    h->error[0] = '\0';
    h->retried = false;
    retry_reset(&h->retry);
    h->listing++;
    for (size_t i = 0; i < j->nsnaps; i++) {
        j->snaps[i].host = h;
        j->snaps[i].seen = h->listing;
        domreg_upsert(h->reg, &j->snaps[i]);
        j->snaps[i].name = NULL;
    }
    domreg_prune_host(h->reg, h, h->listing);
    queue_facts(h, j->doms, j->nsnaps);
    if (j->hc->lifecycle_id < 0)
        host_message(h, true, "host %s: no domain events; the list will not update by itself", h->name);
    connect_job_free(j);
    host_changed(h);
}

static const struct job_ops connect_job_ops = { connect_run, connect_done, connect_discard };

/* ---- console facts from the XML, after the first paint ---- */

#define FACTS_BATCH 128

struct facts_job {
    struct hconn *hc;
    size_t n;
    virDomainPtr doms[FACTS_BATCH];
    unsigned char uuid[FACTS_BATCH][VIR_UUID_BUFLEN];
    bool ok[FACTS_BATCH];
    struct domxml_facts facts[FACTS_BATCH];
};

static void facts_run(void *arg)
{
    struct facts_job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        j->ok[i] = virDomainGetUUID(j->doms[i], j->uuid[i]) == 0 &&
                   domread_facts(j->doms[i], &j->facts[i]) == 0;
    }
    virResetLastError();
}

static void facts_discard(void *arg)
{
    struct facts_job *j = arg;
    for (size_t i = 0; i < j->n; i++)
        virDomainFree(j->doms[i]);
    hconn_unref(j->hc);
    free(j);
}

static void facts_done(void *arg)
{
    struct facts_job *j = arg;
    struct host *h = j->hc->host;
    if (h && h->hc == j->hc) {
        for (size_t i = 0; i < j->n; i++)
            if (j->ok[i])
                domreg_set_facts(h->reg, j->uuid[i], &j->facts[i]);
        host_changed(h);
    }
    facts_discard(j);
}

static const struct job_ops facts_job_ops = { facts_run, facts_done, facts_discard };

/* Takes the domain handles (entries are set to NULL). Batches keep the worker
 * free for actions in between, and rows fill in as batches finish. */
static void queue_facts(struct host *h, virDomainPtr *doms, size_t n)
{
    for (size_t i = 0; i < n;) {
        struct facts_job *j = calloc(1, sizeof *j);
        if (!j)
            return;
        j->hc = hconn_ref(h->hc);
        for (; i < n && j->n < FACTS_BATCH; i++) {
            j->doms[j->n++] = doms[i];
            doms[i] = NULL;
        }
        if (worker_submit(h->worker, &facts_job_ops, j) < 0)
            facts_discard(j);
    }
}

/* Loop thread: show the credential question. */
static void ask_on_loop(void *arg)
{
    struct connect_job *j = arg;
    struct host *h = j->host;
    char prompt[512];
    bool secret;
    bool confirm;
    pthread_mutex_lock(&j->ask.lock);
    snprintf(prompt, sizeof prompt, "%s", j->ask.prompt);
    secret = j->ask.secret;
    confirm = j->ask.confirm;
    pthread_mutex_unlock(&j->ask.lock);
    if (confirm && h->ops->confirm) {
        h->ops->confirm(h, prompt, h->opaque);
    } else if (h->ops->ask) {
        h->ops->ask(h, prompt, secret, h->opaque);
    } else {
        host_answer(h, NULL);
    }
}

void host_answer(struct host *h, const char *answer)
{
    if (h->ssh && sshsess_asking(h->ssh)) {
        sshsess_answer(h->ssh, answer);
        return;
    }
    struct connect_job *j = h->connecting;
    if (!j)
        return;
    pthread_mutex_lock(&j->ask.lock);
    if (answer)
        j->ask.answer = strdup(answer);
    else
        j->ask.cancelled = true;
    j->ask.pending = false;
    pthread_cond_signal(&j->ask.cond);
    pthread_mutex_unlock(&j->ask.lock);
}

static void start_libvirt(struct host *h);

/* SSH hosts: the host key is checked (and asked about, with its SHA256
 * fingerprint) by virtmux's own session first, so libvirt finds it known. */
static void on_hostkey_checked(bool ok, bool fatal, const char *why, void *opaque)
{
    struct host *h = opaque;
    h->checking = false;
    if (ok) {
        start_libvirt(h);
        return;
    }
    /* A changed or refused key waits for the user (host-reconnect); a
     * network failure is retried. */
    bool news = !h->retried || strcmp(h->error, why) != 0;
    h->settled = true;
    h->state = fatal ? HOST_AUTH_NEEDED : HOST_DISCONNECTED;
    snprintf(h->error, sizeof h->error, "%s", why);
    if (!fatal)
        schedule_retry(h);
    if (news)
        host_message(h, true, "host %s: %s", h->name, h->error);
    h->retried = true;
    host_changed(h);
}

void host_connect(struct host *h)
{
    if (h->connecting || h->checking)
        return;
    retry_cancel(&h->retry);
    host_drop_conn(h);
    if (h->ssh) {
        h->checking = true;
        h->state = HOST_CONNECTING;
        host_changed(h);
        sshsess_check_hostkey(h->ssh, on_hostkey_checked, h);
        return;
    }
    start_libvirt(h);
}

static void start_libvirt(struct host *h)
{
    struct connect_job *j = calloc(1, sizeof *j);
    struct hconn *hc = j ? hconn_new(h) : NULL;
    if (!hc || !(j->uri = strdup(h->conn_uri))) {
        free(hc);
        free(j);
        h->state = HOST_DISCONNECTED;
        snprintf(h->error, sizeof h->error, "out of memory");
        host_changed(h);
        return;
    }
    j->host = h;
    j->worker = h->worker;
    j->hc = hc;
    pthread_mutex_init(&j->ask.lock, NULL);
    pthread_cond_init(&j->ask.cond, NULL);
    h->connecting = j;
    h->state = HOST_CONNECTING;
    if (worker_submit(h->worker, &connect_job_ops, j) < 0) {
        h->connecting = NULL;
        connect_discard(j);
        h->state = HOST_DISCONNECTED;
    }
    host_changed(h);
}

struct hconn *host_job_hconn(struct host *h)
{
    return h->connecting ? h->connecting->hc : h->hc;
}

/* ---- the host's SSH session ---- */

static void ssh_ask(struct sshsess *s, enum ssh_ask kind, const char *prompt, void *opaque)
{
    struct host *h = opaque;
    if (kind == SSH_ASK_HOSTKEY && h->ops->confirm)
        h->ops->confirm(h, prompt, h->opaque);
    else if (h->ops->ask)
        h->ops->ask(h, prompt, kind == SSH_ASK_SECRET, h->opaque);
    else
        sshsess_answer(s, NULL);
}

static void ssh_lost(struct sshsess *s, const char *why, void *opaque)
{
    struct host *h = opaque;
    /* The session runs beside libvirt's; when it drops, libvirt's usually
     * did too: reconnect both rather than wait for keepalive. */
    if (h->state == HOST_CONNECTED)
        host_lost(h, why);
}

static const struct ssh_ops host_ssh_ops = { ssh_ask, ssh_lost };

static bool default_key_exists(const char *ssh_dir)
{
    static const char *names[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
    char path[1200];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", ssh_dir, names[i]);
        if (access(path, R_OK) == 0)
            return true;
    }
    return false;
}

/* conn_uri, and for SSH URIs the session (not connected yet). */
static int ssh_setup(struct host *h, char *err, size_t errlen)
{
    struct ssh_target t;
    struct ssh_resolved r;
    char filled[4096];
    if (sshuri_parse(h->uri, &t, err, errlen) < 0)
        return -1;
    if (t.transport == SSH_T_NONE) {
        h->conn_uri = strdup(h->uri);
        return h->conn_uri ? 0 : (snprintf(err, errlen, "out of memory"), -1);
    }
    /* ~/.ssh/config is a local file: read here, once. */
    if (ssh_resolve(&t, NULL, NULL, &r, err, errlen) < 0)
        return -1;
    if (sshuri_fill(h->uri, r.known_hosts, t.keyfile[0] ? NULL : r.keyfile,
                    default_key_exists(r.ssh_dir), filled, sizeof filled) < 0) {
        snprintf(err, errlen, "host %s: URI too long", h->name);
        return -1;
    }
    h->conn_uri = strdup(filled);
    if (!h->conn_uri) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* libvirt's +ssh transport runs ssh, which reads known_hosts itself and
     * cannot be told to use another file: check against the same one. */
    h->ssh = sshsess_new(&r, &host_ssh_ops, h, err, errlen);
    return h->ssh ? 0 : -1;
}

struct sshsess *host_ssh(struct host *h) { return h->ssh; }

/* ---- object ---- */

struct host *host_new(const char *name, const char *uri, struct domreg *reg,
                      const struct host_ops *ops, void *opaque, char *err, size_t errlen)
{
    struct host *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->name = strdup(name);
    h->uri = strdup(uri);
    h->reg = reg;
    h->ops = ops;
    h->opaque = opaque;
    h->state = HOST_DISCONNECTED;
    retry_init(&h->retry, 1000, 60 * 1000, on_retry, h);
    h->worker = worker_new(err, errlen);
    if (h->name && h->uri && h->worker && ssh_setup(h, err, errlen) < 0) {
        worker_free(h->worker);
        free(h->conn_uri);
        free(h->name);
        free(h->uri);
        free(h);
        return NULL;
    }
    if (!h->name || !h->uri || !h->worker) {
        if (h->name && h->uri && !h->worker)
            ; /* err already says why */
        else
            snprintf(err, errlen, "out of memory");
        worker_free(h->worker);
        free(h->name);
        free(h->uri);
        free(h);
        return NULL;
    }
    return h;
}

void host_free(struct host *h)
{
    host_free_wait(h, 0);
}

void host_free_wait(struct host *h, int wait_ms)
{
    if (!h)
        return;
    retry_cancel(&h->retry);
    if (h->connecting) {
        /* Wake a worker waiting for an answer; it then discards the job. */
        h->connecting->hc->host = NULL;
        pthread_mutex_lock(&h->connecting->ask.lock);
        h->connecting->ask.cancelled = true;
        pthread_cond_signal(&h->connecting->ask.cond);
        pthread_mutex_unlock(&h->connecting->ask.lock);
        h->connecting = NULL;
    }
    host_drop_conn(h);
    sshsess_free(h->ssh);
    domreg_remove_host(h->reg, h);
    worker_free_wait(h->worker, wait_ms);
    if (h->console_worker)
        worker_free_wait(h->console_worker, wait_ms);
    free(h->conn_uri);
    free(h->name);
    free(h->uri);
    free(h);
}

const char *host_name(const struct host *h) { return h->name; }
const char *host_uri(const struct host *h) { return h->uri; }
enum host_state host_state(const struct host *h) { return h->state; }
const char *host_error(const struct host *h) { return h->error; }
bool host_settled(const struct host *h) { return h->settled; }
void host_set_backoff_max(struct host *h, unsigned seconds)
{
    seconds = seconds < 1 ? 1 : seconds > 86400 ? 86400 : seconds;   /* keeps the ms in an int */
    retry_set_max(&h->retry, seconds * 1000);
}

unsigned host_retry_seconds(const struct host *h)
{
    return (unsigned)((retry_left_ms(&h->retry) + 999) / 1000);
}

unsigned long host_lib_version(const struct host *h) { return h->libver; }
unsigned long host_hv_version(const struct host *h) { return h->hvver; }
const char *host_hv_type(const struct host *h) { return h->hvtype; }

void host_version_string(unsigned long v, char *out, size_t outlen)
{
    snprintf(out, outlen, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

const char *host_state_name(enum host_state s)
{
    switch (s) {
    case HOST_CONNECTING: return "connecting";
    case HOST_CONNECTED: return "connected";
    case HOST_DISCONNECTED: return "disconnected";
    case HOST_AUTH_NEEDED: return "auth needed";
    }
    return "?";
}

/* The live connection, borrowed (NULL when not connected): for a caller that
 * takes its own virConnectRef on the loop thread and uses it on a thread of
 * its own (a migration). */
virConnectPtr host_conn(const struct host *h) { return h->hc ? h->hc->conn : NULL; }

/* The URI libvirt is given, with what virtmux fills in (SSH parameters). */
const char *host_conn_uri(const struct host *h) { return h->conn_uri ? h->conn_uri : h->uri; }
