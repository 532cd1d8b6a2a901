/* backends/domain.c: UUID-keyed domain registry shared by all hosts (chained hash). */
#include "backends/domain.h"
#include "backends/host.h"
#include "backends/domxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct domreg {
    struct dom **buckets;
    size_t nbuckets, count;
    unsigned long generation;
};

static size_t uuid_hash(const unsigned char *u, size_t nbuckets)
{
    /* UUIDs are random already; fold them. */
    size_t h = 14695981039346656037ULL & (size_t)-1;
    for (int i = 0; i < VIR_UUID_BUFLEN; i++)
        h = (h ^ u[i]) * 1099511628211ULL;
    return h & (nbuckets - 1);
}

struct domreg *domreg_new(void)
{
    struct domreg *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->nbuckets = 256;
    r->buckets = calloc(r->nbuckets, sizeof *r->buckets);
    if (!r->buckets) {
        free(r);
        return NULL;
    }
    return r;
}

static void dom_free(struct dom *d)
{
    if (!d)
        return;
    free(d->name);
    free(d);
}

void domreg_free(struct domreg *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nbuckets; i++) {
        struct dom *d = r->buckets[i];
        while (d) {
            struct dom *next = d->next_in_bucket;
            dom_free(d);
            d = next;
        }
    }
    free(r->buckets);
    free(r);
}

static void grow(struct domreg *r)
{
    size_t n = r->nbuckets * 2;
    struct dom **b = calloc(n, sizeof *b);
    if (!b)
        return; /* keep working with longer chains */
    for (size_t i = 0; i < r->nbuckets; i++) {
        struct dom *d = r->buckets[i];
        while (d) {
            struct dom *next = d->next_in_bucket;
            size_t k = uuid_hash(d->uuid, n);
            d->next_in_bucket = b[k];
            b[k] = d;
            d = next;
        }
    }
    free(r->buckets);
    r->buckets = b;
    r->nbuckets = n;
}

struct dom *domreg_find(const struct domreg *r, const unsigned char uuid[VIR_UUID_BUFLEN])
{
    for (struct dom *d = r->buckets[uuid_hash(uuid, r->nbuckets)]; d; d = d->next_in_bucket)
        if (memcmp(d->uuid, uuid, VIR_UUID_BUFLEN) == 0)
            return d;
    return NULL;
}

/* How strongly a snapshot says "the domain is here": an inactive definition,
 * an instance paused for a migration (either end), or a live instance. */
static int presence(const struct dom *d)
{
    if (d->state == VIR_DOMAIN_SHUTOFF || d->state == VIR_DOMAIN_CRASHED || d->state == VIR_DOMAIN_NOSTATE)
        return 0;
    if (d->state == VIR_DOMAIN_PAUSED &&
        (d->reason == VIR_DOMAIN_PAUSED_MIGRATION || d->reason == VIR_DOMAIN_PAUSED_POSTCOPY ||
         d->reason == VIR_DOMAIN_PAUSED_STARTING_UP))
        return 1;
    return 2;
}

struct dom *domreg_upsert(struct domreg *r, const struct dom *snap)
{
    struct dom *d = domreg_find(r, snap->uuid);
    /* The same UUID on two hosts is one domain, mid-migration or defined on
     * both: the row stays with the instance that runs. A paused incoming
     * copy or a definition left behind does not take it; the latest running
     * report does (the freshest word, e.g. after its old host was lost). */
    if (d && d->host != snap->host && presence(snap) < 2 && presence(snap) <= presence(d)) {
        /* Remember where a migration is going, so a console can get there first. */
        struct host *incoming = presence(snap) == 1 ? snap->host
                                : d->incoming == snap->host ? NULL : d->incoming;
        if (incoming != d->incoming) {
            d->incoming = incoming;
            r->generation++;
        }
        free(snap->name);
        return d;
    }
    r->generation++;
    if (d) {
        struct dom *next = d->next_in_bucket;
        struct host *incoming = d->host == snap->host ? d->incoming : NULL;
        bool owner_known = d->owner_known;
        long owner_uid = d->owner_uid;
        char owner[sizeof d->owner], disk[sizeof d->disk];
        memcpy(owner, d->owner, sizeof owner);
        memcpy(disk, d->disk, sizeof disk);
        free(d->name);
        *d = *snap;
        /* A listing that did not read the XML keeps the owner known: it is
         * in the definition, which a listing does not change. */
        if (!snap->owner_known && owner_known) {
            d->owner_known = true;
            d->owner_uid = owner_uid;
            memcpy(d->owner, owner, sizeof owner);
            memcpy(d->disk, disk, sizeof disk);
        }
        d->next_in_bucket = next;
        d->incoming = incoming;
        return d;
    }
    if (r->count >= r->nbuckets)
        grow(r);
    d = malloc(sizeof *d);
    if (!d) {
        free(snap->name);
        return NULL;
    }
    *d = *snap;
    size_t k = uuid_hash(d->uuid, r->nbuckets);
    d->next_in_bucket = r->buckets[k];
    r->buckets[k] = d;
    r->count++;
    return d;
}

bool domreg_set_facts(struct domreg *r, const unsigned char uuid[VIR_UUID_BUFLEN],
                      const struct domxml_facts *facts)
{
    struct dom *d = domreg_find(r, uuid);
    if (!d)
        return false;
    d->has_serial = facts->has_serial;
    d->has_vnc = facts->has_vnc;
    d->facts_known = true;
    d->owner_known = true;
    d->owner_uid = facts->owner_uid;
    snprintf(d->owner, sizeof d->owner, "%s", facts->owner);
    snprintf(d->disk, sizeof d->disk, "%s", facts->disk);
    if (!d->sizes_known && facts->vcpus) {
        d->vcpus = facts->vcpus;
        d->mem_kib = facts->mem_kib;
        d->sizes_known = true;
    }
    r->generation++;
    return true;
}

void domreg_remove(struct domreg *r, const unsigned char uuid[VIR_UUID_BUFLEN])
{
    struct dom **pp = &r->buckets[uuid_hash(uuid, r->nbuckets)];
    for (; *pp; pp = &(*pp)->next_in_bucket) {
        if (memcmp((*pp)->uuid, uuid, VIR_UUID_BUFLEN) == 0) {
            struct dom *d = *pp;
            *pp = d->next_in_bucket;
            dom_free(d);
            r->count--;
            r->generation++;
            return;
        }
    }
}

void domreg_gone_from(struct domreg *r, const unsigned char uuid[VIR_UUID_BUFLEN], const struct host *h)
{
    struct dom *d = domreg_find(r, uuid);
    if (!d)
        return;
    if (d->host == h) {
        domreg_remove(r, uuid);
    } else if (d->incoming == h) {
        d->incoming = NULL;   /* the migration there failed or was cancelled */
        r->generation++;
    }
}

static void remove_if(struct domreg *r, const struct host *h, bool only_unseen, unsigned long mark)
{
    for (size_t i = 0; i < r->nbuckets; i++) {
        struct dom **pp = &r->buckets[i];
        while (*pp) {
            struct dom *d = *pp;
            if (d->incoming == h && !only_unseen) {
                d->incoming = NULL;   /* never point at a host being removed */
                r->generation++;
            }
            if (d->host == h && !(only_unseen && d->seen == mark)) {
                *pp = d->next_in_bucket;
                dom_free(d);
                r->count--;
                r->generation++;
            } else {
                pp = &d->next_in_bucket;
            }
        }
    }
}

void domreg_prune_host(struct domreg *r, const struct host *h, unsigned long mark)
{
    remove_if(r, h, true, mark);
}

void domreg_remove_host(struct domreg *r, const struct host *h)
{
    remove_if(r, h, false, 0);
}

size_t domreg_count(const struct domreg *r)
{
    return r->count;
}

size_t domreg_count_host(const struct domreg *r, const struct host *h)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nbuckets; i++)
        for (struct dom *d = r->buckets[i]; d; d = d->next_in_bucket)
            n += d->host == h;
    return n;
}

size_t domreg_list(const struct domreg *r, struct dom **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nbuckets && n < max; i++)
        for (struct dom *d = r->buckets[i]; d && n < max; d = d->next_in_bucket)
            out[n++] = d;
    return n;
}

unsigned long domreg_generation(const struct domreg *r)
{
    return r->generation;
}

struct dom *domreg_lookup(const struct domreg *r, const char *spec, char *err, size_t errlen)
{
    const char *slash = strchr(spec, '/');
    size_t hostlen = slash ? (size_t)(slash - spec) : 0;
    const char *name = slash ? slash + 1 : spec;
    struct dom *found = NULL;
    int matches = 0;
    for (size_t i = 0; i < r->nbuckets; i++) {
        for (struct dom *d = r->buckets[i]; d; d = d->next_in_bucket) {
            if (!slash && strcmp(d->uuid_str, spec) == 0)
                return d;
            if (strcmp(d->name, name) != 0)
                continue;
            if (slash) {
                const char *hn = host_name(d->host);
                if (strlen(hn) != hostlen || strncmp(hn, spec, hostlen) != 0)
                    continue;
            }
            found = d;
            matches++;
        }
    }
    if (matches == 1)
        return found;
    if (matches == 0)
        snprintf(err, errlen, "no domain '%s'", spec);
    else
        snprintf(err, errlen, "'%s' is on %d hosts: say HOST/%s", spec, matches, name);
    return NULL;
}

const char *dom_state_name(int state)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING: return "running";
    case VIR_DOMAIN_BLOCKED: return "idle";
    case VIR_DOMAIN_PAUSED: return "paused";
    case VIR_DOMAIN_SHUTDOWN: return "in shutdown";
    case VIR_DOMAIN_SHUTOFF: return "shut off";
    case VIR_DOMAIN_CRASHED: return "crashed";
    case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
    default: return "no state";
    }
}
