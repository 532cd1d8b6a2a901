/* backends/migrate.c: a live migration on a thread of its own, watched from the
 * loop: job statistics through the source host's worker, pass counts from
 * MIGRATION_ITERATION events, abort through the worker too. */
#include "backends/migrate.h"
#include "backends/host.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#define POLL_MS 400

struct migration {
    int refs;                        /* the owner, the thread, each job in flight (atomic) */
    unsigned char uuid[VIR_UUID_BUFLEN];
    char label[256], src_uri[1024], dst_uri[1024];
    struct host *src;                /* NULL once freed: late jobs do nothing */
    virConnectPtr sconn, dconn;      /* own references */
    bool p2p;
    const struct migration_ops *ops;
    void *opaque;
    pthread_t thread;
    bool thread_started;
    int timer, iteration_cb;
    bool stats_in_flight, done_reported, abort_in_flight;
    struct migration_progress prog;  /* loop thread */
    pthread_mutex_t lock;            /* guards the fields below */
    bool finished, ok;
    bool cancel_wanted;              /* migrate-cancel was asked for */
    bool aborted;                    /* libvirt took the abort */
    char msg[512];
};

static void ref(struct migration *m)
{
    __atomic_add_fetch(&m->refs, 1, __ATOMIC_SEQ_CST);
}

static void unref(struct migration *m)
{
    if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_SEQ_CST) > 0)
        return;
    if (m->sconn)
        virConnectClose(m->sconn);
    if (m->dconn)
        virConnectClose(m->dconn);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* A flag of m that another thread writes. */
static bool read_locked(const struct migration *m, const bool *flag)
{
    struct migration *mm = (struct migration *)m;   /* the lock, not the data, changes */
    pthread_mutex_lock(&mm->lock);
    bool v = *flag;
    pthread_mutex_unlock(&mm->lock);
    return v;
}

/* No one can be asked for a credential from this thread. */
static int no_prompts(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    return -1;
}

/* A connection of the migration's own. The host's connection also carries
 * the console stream of the domain, and with the long migrate call in flight
 * on it that stream delivered nothing until the call returned (libvirt 9.0
 * over qemu+libssh): output lost to the switch. One that needs a credential
 * cannot be opened here; the host's connection is used then. */
static virConnectPtr own_conn(const char *uri, virConnectPtr shared, bool *own)
{
    static int types[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_ECHOPROMPT, VIR_CRED_NOECHOPROMPT };
    virConnectAuth auth = { types, sizeof types / sizeof types[0], no_prompts, NULL };
    virConnectPtr c = virConnectOpenAuth(uri, &auth, 0);
    *own = c != NULL;
    return c ? c : shared;
}

static void *migrate_thread(void *arg)
{
    struct migration *m = arg;
    bool ok = false, own_s, own_d = false;
    char msg[512] = "";
    virConnectPtr sconn = own_conn(m->src_uri, m->sconn, &own_s);
    virConnectPtr dconn = m->p2p ? NULL : own_conn(m->dst_uri, m->dconn, &own_d);
    virDomainPtr dom = virDomainLookupByUUID(sconn, m->uuid);
    bool cancelled = read_locked(m, &m->cancel_wanted);
    if (!dom) {
        snprintf(msg, sizeof msg, "%s", virGetLastErrorMessage());
    } else if (cancelled) {
        /* Cancelled while the connections were still opening: there was
         * no job to abort yet, so do not start one. */
        snprintf(msg, sizeof msg, "cancelled before it started");
        virDomainFree(dom);
        dom = NULL;
    } else if (m->p2p) {
        ok = virDomainMigrateToURI3(dom, m->dst_uri, NULL, 0, VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER) == 0;
    } else {
        virDomainPtr moved = virDomainMigrate3(dom, dconn, NULL, 0, VIR_MIGRATE_LIVE);
        ok = moved != NULL;
        if (moved)
            virDomainFree(moved);
    }
    if (dom && !ok)
        snprintf(msg, sizeof msg, "%s", virGetLastErrorMessage());
    if (dom)
        virDomainFree(dom);
    if (own_s)
        virConnectClose(sconn);
    if (own_d)
        virConnectClose(dconn);
    pthread_mutex_lock(&m->lock);
    m->finished = true;
    m->ok = ok;
    snprintf(m->msg, sizeof m->msg, "%s", msg);
    pthread_mutex_unlock(&m->lock);
    unref(m);
    return NULL;
}

/* ---- job statistics (source worker, then loop) ---- */

struct stats_job {
    struct migration *m;
    bool got;
    struct migration_progress p;
};

static unsigned long long ull(virTypedParameterPtr params, int n, const char *name)
{
    unsigned long long v = 0;
    virTypedParamsGetULLong(params, n, name, &v);
    return v;
}

static void stats_run(virConnectPtr conn, void *arg)
{
    struct stats_job *j = arg;
    virDomainPtr dom = conn ? virDomainLookupByUUID(conn, j->m->uuid) : NULL;
    if (!dom)
        return;
    int type = 0, n = 0;
    virTypedParameterPtr params = NULL;
    if (virDomainGetJobStats(dom, &type, &params, &n, 0) == 0 && type != VIR_DOMAIN_JOB_NONE) {
        j->got = true;
        j->p.known = true;
        j->p.total = ull(params, n, VIR_DOMAIN_JOB_DATA_TOTAL);
        j->p.processed = ull(params, n, VIR_DOMAIN_JOB_DATA_PROCESSED);
        j->p.remaining = ull(params, n, VIR_DOMAIN_JOB_DATA_REMAINING);
        j->p.rate_bps = ull(params, n, VIR_DOMAIN_JOB_MEMORY_BPS);
        j->p.iteration = ull(params, n, VIR_DOMAIN_JOB_MEMORY_ITERATION);
        j->p.downtime_ms = ull(params, n, VIR_DOMAIN_JOB_DOWNTIME);
        j->p.elapsed_ms = ull(params, n, VIR_DOMAIN_JOB_TIME_ELAPSED);
    }
    virTypedParamsFree(params, n);
    virDomainFree(dom);
}

static void stats_discard(void *arg)
{
    struct stats_job *j = arg;
    j->m->stats_in_flight = false;
    unref(j->m);
    free(j);
}

static void stats_done(void *arg)
{
    struct stats_job *j = arg;
    struct migration *m = j->m;
    if (m->src && j->got && !m->done_reported) {
        /* Events may have counted a pass the job report has not seen yet. */
        if (j->p.iteration < m->prog.iteration)
            j->p.iteration = m->prog.iteration;
        m->prog = j->p;
        if (m->ops->progress)
            m->ops->progress(m, m->opaque);
    }
    stats_discard(j);
}

static void submit_abort(struct migration *m);

static void on_poll(int timer, void *opaque)
{
    struct migration *m = opaque;
    pthread_mutex_lock(&m->lock);
    bool finished = m->finished, ok = m->ok, retry_abort = m->cancel_wanted && !m->aborted;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", m->msg);
    pthread_mutex_unlock(&m->lock);
    if (finished) {
        virEventRemoveTimeout(timer);
        m->timer = -1;
        m->done_reported = true;
        if (m->ops->done)
            m->ops->done(m, ok, ok ? "" : msg, m->opaque);   /* may free m */
        return;
    }
    /* An abort that found no job yet (the thread was still opening its
     * connections, or libvirt had not begun the job) is asked again until
     * libvirt takes it or the migration ends: a cancel is never dropped. */
    if (retry_abort)
        submit_abort(m);
    if (m->stats_in_flight)
        return;
    struct stats_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->m = m;
    ref(m);
    m->stats_in_flight = true;
    if (host_submit(m->src, stats_run, stats_done, stats_discard, j) < 0)
        stats_discard(j);
}

static void on_iteration(virConnectPtr conn, virDomainPtr dom, int iteration, void *opaque)
{
    struct migration *m = opaque;
    unsigned char uuid[VIR_UUID_BUFLEN];
    if (!m->src || m->done_reported || virDomainGetUUID(dom, uuid) < 0 || memcmp(uuid, m->uuid, sizeof uuid))
        return;
    m->prog.iteration = (unsigned long long)iteration;
    if (m->ops->progress)
        m->ops->progress(m, m->opaque);
}

static void iteration_free(void *opaque)
{
    unref(opaque);
}

struct migration *migration_start(struct host *src, struct host *dst, const unsigned char uuid[VIR_UUID_BUFLEN],
                                  const char *label, bool p2p, const struct migration_ops *ops, void *opaque,
                                  char *err, size_t errlen)
{
    virConnectPtr sconn = host_conn(src), dconn = host_conn(dst);
    if (src == dst) {
        snprintf(err, errlen, "%s already runs on %s", label, host_name(dst));
        return NULL;
    }
    if (!sconn || !dconn) {
        snprintf(err, errlen, "host %s is not connected", host_name(sconn ? dst : src));
        return NULL;
    }
    struct migration *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->refs = 1;   /* the owner's */
    memcpy(m->uuid, uuid, VIR_UUID_BUFLEN);
    snprintf(m->label, sizeof m->label, "%s", label);
    snprintf(m->src_uri, sizeof m->src_uri, "%s", host_conn_uri(src));
    /* Peer to peer, the source's daemon dials the destination: the user's
     * URI, not one with this machine's key and known_hosts paths. */
    snprintf(m->dst_uri, sizeof m->dst_uri, "%s", p2p ? host_uri(dst) : host_conn_uri(dst));
    m->src = src;
    m->p2p = p2p;
    m->ops = ops;
    m->opaque = opaque;
    m->timer = m->iteration_cb = -1;
    pthread_mutex_init(&m->lock, NULL);
    virConnectRef(sconn);
    virConnectRef(dconn);
    m->sconn = sconn;
    m->dconn = dconn;
    ref(m);   /* the event registration, released by iteration_free */
    m->iteration_cb = virConnectDomainEventRegisterAny(sconn, NULL, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                                       VIR_DOMAIN_EVENT_CALLBACK(on_iteration), m, iteration_free);
    if (m->iteration_cb < 0)
        unref(m);   /* progress then comes from job statistics alone */
    m->timer = virEventAddTimeout(POLL_MS, on_poll, m, NULL);
    ref(m);   /* the thread's */
    if (m->timer < 0 || pthread_create(&m->thread, NULL, migrate_thread, m) != 0) {
        unref(m);
        snprintf(err, errlen, "cannot start the migration thread");
        migration_free(m);
        return NULL;
    }
    m->thread_started = true;
    return m;
}

static void abort_run(virConnectPtr conn, void *arg)
{
    struct migration *m = arg;
    virDomainPtr dom = conn ? virDomainLookupByUUID(conn, m->uuid) : NULL;
    if (dom) {
        /* the migrate call then fails: done() says so */
        bool took = virDomainAbortJob(dom) == 0;
        virDomainFree(dom);
        pthread_mutex_lock(&m->lock);
        m->aborted = m->aborted || took;
        pthread_mutex_unlock(&m->lock);
    }
}

static void abort_done(void *arg)
{
    struct migration *m = arg;
    m->abort_in_flight = false;
    unref(m);
}

static void submit_abort(struct migration *m)
{
    if (m->abort_in_flight || !m->src)
        return;
    ref(m);
    m->abort_in_flight = true;
    if (host_submit(m->src, abort_run, abort_done, abort_done, m) < 0)
        abort_done(m);
}

void migration_cancel(struct migration *m)
{
    if (!m || !m->src || migration_finished(m))
        return;
    pthread_mutex_lock(&m->lock);
    m->cancel_wanted = true;
    pthread_mutex_unlock(&m->lock);
    submit_abort(m);
}

bool migration_cancelled(const struct migration *m)
{
    return read_locked(m, &m->cancel_wanted);
}

void migration_free(struct migration *m)
{
    if (!m)
        return;
    if (m->timer >= 0)
        virEventRemoveTimeout(m->timer);
    m->timer = -1;
    if (m->iteration_cb >= 0 && m->sconn)
        virConnectDomainEventDeregisterAny(m->sconn, m->iteration_cb);
    m->iteration_cb = -1;
    /* libvirt's migrate call ends by itself or by the abort; the UI does not
     * wait for it: the thread lets go of its reference when it returns. */
    if (m->thread_started)
        pthread_detach(m->thread);
    m->src = NULL;
    unref(m);
}

const struct migration_progress *migration_progress(const struct migration *m) { return &m->prog; }
const char *migration_label(const struct migration *m) { return m->label; }
struct host *migration_source(const struct migration *m) { return m->src; }
const unsigned char *migration_uuid(const struct migration *m) { return m->uuid; }

bool migration_finished(const struct migration *m)
{
    return read_locked(m, &m->finished);
}

void migration_describe(const struct migration *m, char *out, size_t outlen)
{
    const struct migration_progress *p = &m->prog;
    if (!p->known) {
        snprintf(out, outlen, "%s: migrating, starting", m->label);
        return;
    }
    unsigned pct = p->total ? (unsigned)(p->processed * 100 / p->total) : 0;
    if (pct > 100)
        pct = 100;
    char bar[11];
    for (unsigned i = 0; i < 10; i++)
        bar[i] = i < pct / 10 ? '#' : '.';
    bar[10] = '\0';
    snprintf(out, outlen, "%s: migrating [%s] %u%%  %llu MiB left  %llu MiB/s  pass %llu  downtime ~%llu ms",
             m->label, bar, pct, p->remaining >> 20, p->rate_bps >> 20, p->iteration, p->downtime_ms);
}
