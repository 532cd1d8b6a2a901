/* backends/domread.c: libvirt domain -> struct dom snapshot (state, sizes, consoles). */
#include "backends/domread.h"
#include "backends/domxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

static bool last_error_is_gone(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->code == VIR_ERR_NO_DOMAIN;
}

/* The cheap part: identity from the handle, sizes and state from one GetInfo. */
static int read_basics(virDomainPtr d, struct dom *out, bool *gone, char *err, size_t errlen)
{
    virDomainInfo info;
    if (virDomainGetUUID(d, out->uuid) < 0 || virDomainGetUUIDString(d, out->uuid_str) < 0 ||
        virDomainGetInfo(d, &info) < 0) {
        *gone = last_error_is_gone();
        snprintf(err, errlen, "%s", virGetLastErrorMessage());
        return -1;
    }
    const char *name = virDomainGetName(d);
    out->name = strdup(name ? name : "");
    if (!out->name) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    out->state = info.state;
    unsigned int id = virDomainGetID(d);
    out->id = id == (unsigned int)-1 ? -1 : (int)id;
    out->vcpus = info.nrVirtCpu;
    out->mem_kib = info.memory;
    return 0;
}

int domread_facts(virDomainPtr d, struct domxml_facts *facts)
{
    char *xml = virDomainGetXMLDesc(d, 0);
    if (!xml)
        return -1;
    char xerr[128];
    int rc = domxml_read_facts(xml, facts, xerr, sizeof xerr);
    free(xml);
    return rc;
}

int domread_one(virDomainPtr d, struct dom *out, bool *gone, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    *gone = false;
    if (read_basics(d, out, gone, err, errlen) < 0)
        return -1;
    int state = 0, reason = 0;
    if (virDomainGetState(d, &state, &reason, 0) == 0)
        out->reason = reason;
    int autostart = 0;
    out->persistent = virDomainIsPersistent(d) == 1;
    out->autostart = out->persistent && virDomainGetAutostart(d, &autostart) == 0 ? autostart : -1;
    out->sizes_known = true;
    struct domxml_facts facts;
    if (domread_facts(d, &facts) == 0) {
        out->has_serial = facts.has_serial;
        out->has_vnc = facts.has_vnc;
        out->facts_known = true;
        out->owner_known = true;
        out->owner_uid = facts.owner_uid;
        snprintf(out->owner, sizeof out->owner, "%s", facts.owner);
        snprintf(out->disk, sizeof out->disk, "%s", facts.disk);
    } else if (last_error_is_gone()) {
        *gone = true;
    }
    virResetLastError();
    if (*gone) {
        free(out->name);
        out->name = NULL;
        snprintf(err, errlen, "domain is gone");
        return -1;
    }
    return 0;
}

static int uuid_cmp(const void *a, const void *b)
{
    return memcmp(a, b, VIR_UUID_BUFLEN);
}

/* UUIDs of the domains one flagged list call returns, sorted for bsearch. */
static unsigned char (*list_uuids(virConnectPtr conn, unsigned flags, size_t *n))[VIR_UUID_BUFLEN]
{
    virDomainPtr *doms = NULL;
    int count = virConnectListAllDomains(conn, &doms, flags);
    *n = 0;
    if (count < 0)
        return NULL;
    unsigned char (*u)[VIR_UUID_BUFLEN] = calloc(count ? (size_t)count : 1, VIR_UUID_BUFLEN);
    for (int i = 0; i < count; i++) {
        if (u && virDomainGetUUID(doms[i], u[*n]) == 0)
            (*n)++;
        virDomainFree(doms[i]);
    }
    free(doms);
    if (u)
        qsort(u, *n, VIR_UUID_BUFLEN, uuid_cmp);
    return u;
}

static bool in_set(unsigned char (*set)[VIR_UUID_BUFLEN], size_t n, const unsigned char *uuid)
{
    return set && bsearch(uuid, set, n, VIR_UUID_BUFLEN, uuid_cmp);
}

/* Identity from the handle (no RPC) and the state from a stats record. */
static int read_from_stats(virDomainStatsRecordPtr rec, struct dom *out)
{
    if (virDomainGetUUID(rec->dom, out->uuid) < 0 || virDomainGetUUIDString(rec->dom, out->uuid_str) < 0)
        return -1;
    const char *name = virDomainGetName(rec->dom);
    if (!(out->name = strdup(name ? name : "")))
        return -1;
    int state = VIR_DOMAIN_NOSTATE, reason = 0;
    virTypedParamsGetInt(rec->params, rec->nparams, "state.state", &state);
    virTypedParamsGetInt(rec->params, rec->nparams, "state.reason", &reason);
    out->state = state;
    out->reason = reason;
    unsigned int id = virDomainGetID(rec->dom);
    out->id = id == (unsigned int)-1 ? -1 : (int)id;
    return 0;
}

int domread_all(virConnectPtr conn, struct dom **snaps_out, virDomainPtr **doms_out, size_t *n,
                char *err, size_t errlen)
{
    virDomainPtr *doms = NULL;
    int count = virConnectListAllDomains(conn, &doms, 0);
    *snaps_out = NULL;
    *doms_out = NULL;
    *n = 0;
    if (count < 0) {
        snprintf(err, errlen, "listing domains: %s", virGetLastErrorMessage());
        return -1;
    }
    /* Autostart and persistence for all domains in two calls, not 2 per domain. */
    size_t nauto = 0, npers = 0;
    unsigned char (*autos)[VIR_UUID_BUFLEN] = list_uuids(conn, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, &nauto);
    unsigned char (*pers)[VIR_UUID_BUFLEN] = list_uuids(conn, VIR_CONNECT_LIST_DOMAINS_PERSISTENT, &npers);
    struct dom *snaps = calloc(count ? (size_t)count : 1, sizeof *snaps);
    size_t got = 0;
    /* States of all domains in one call; drivers without bulk stats get one
     * GetInfo per domain instead. */
    virDomainStatsRecordPtr *recs = NULL;
    int nrecs = count > 0 && snaps ? virDomainListGetStats(doms, VIR_DOMAIN_STATS_STATE, &recs, 0) : -1;
    if (nrecs >= 0) {
        /* Keep the handles of the snapshots, in their order, for the XML facts. */
        for (int i = 0; i < nrecs && got < (size_t)count; i++) {
            struct dom *s = &snaps[got];
            if (read_from_stats(recs[i], s) < 0)
                continue;
            s->persistent = in_set(pers, npers, s->uuid);
            s->autostart = s->persistent ? in_set(autos, nauto, s->uuid) : -1;
            virDomainRef(recs[i]->dom);
            virDomainFree(doms[got]);
            doms[got++] = recs[i]->dom;
        }
        for (int i = (int)got; i < count; i++)
            virDomainFree(doms[i]);
        virDomainStatsRecordListFree(recs);
    } else {
        for (int i = 0; i < count; i++) {
            bool gone;
            char e[256];
            /* A domain that vanishes while we list is simply not there. */
            if (snaps && read_basics(doms[i], &snaps[got], &gone, e, sizeof e) == 0) {
                struct dom *s = &snaps[got];
                s->sizes_known = true;
                s->persistent = in_set(pers, npers, s->uuid);
                s->autostart = s->persistent ? in_set(autos, nauto, s->uuid) : -1;
                doms[got++] = doms[i];
            } else {
                virDomainFree(doms[i]);
            }
        }
    }
    free(autos);
    free(pers);
    virResetLastError();
    if (!snaps) {
        for (size_t i = 0; i < got; i++)
            virDomainFree(doms[i]);
        free(doms);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *snaps_out = snaps;
    *doms_out = doms;
    *n = got;
    return 0;
}

void domread_free_all(struct dom *snaps, virDomainPtr *doms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (snaps)
            free(snaps[i].name);
        if (doms && doms[i])
            virDomainFree(doms[i]);
    }
    free(snaps);
    free(doms);
}
