/* backends/domain.h: the registry of domains across all hosts, keyed by UUID. */
#ifndef VIRTMUX_DOMAIN_H
#define VIRTMUX_DOMAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>

struct host;

/* What the list knows of one domain: a plain snapshot, no libvirt objects,
 * so views can read it and it can be built on a worker thread. */
struct dom {
    unsigned char uuid[VIR_UUID_BUFLEN];
    char uuid_str[VIR_UUID_STRING_BUFLEN];
    char *name;                /* as libvirt gave it: may hold any byte */
    struct host *host;         /* where it runs now (moves on migration) */
    struct host *incoming;     /* another host holding a paused incoming copy (a
                                  migration under way), else NULL */
    int state, reason;         /* virDomainState and its reason */
    int id;                    /* -1 when not running */
    unsigned vcpus;
    unsigned long mem_kib;
    int autostart;             /* 1, 0, or -1 unknown (transient) */
    bool persistent;
    bool has_serial, has_vnc;
    bool facts_known;          /* consoles read from the XML yet (filled in after the listing) */
    bool sizes_known;          /* vcpus and mem_kib known (bulk listings leave them to the XML) */
    /* The classroom owner from the XML's metadata (backends/domxml.h):
     * known once the facts are read; owner_uid -1 when it has none. */
    bool owner_known;
    long owner_uid;
    char owner[64];
    char disk[512];            /* its first file disk, from the same reading */
    unsigned long seen;        /* the listing that last saw it (see prune) */
    struct dom *next_in_bucket;
};

struct domreg;

struct domreg *domreg_new(void);
void domreg_free(struct domreg *r);

/* Insert or update from a snapshot (takes the name); returns the entry. */
struct dom *domreg_upsert(struct domreg *r, const struct dom *snap);
/* Fill in facts read later from the XML; false if the domain is gone. */
struct domxml_facts;
bool domreg_set_facts(struct domreg *r, const unsigned char uuid[VIR_UUID_BUFLEN],
                      const struct domxml_facts *facts);
struct dom *domreg_find(const struct domreg *r, const unsigned char uuid[VIR_UUID_BUFLEN]);
void domreg_remove(struct domreg *r, const unsigned char uuid[VIR_UUID_BUFLEN]);
/* Host h no longer has the domain (it was only an incoming copy there). */
void domreg_gone_from(struct domreg *r, const unsigned char uuid[VIR_UUID_BUFLEN], const struct host *h);
/* After a full listing of host h whose snapshots carried seen == mark:
 * remove the domains of h that the listing did not see. */
void domreg_prune_host(struct domreg *r, const struct host *h, unsigned long mark);
void domreg_remove_host(struct domreg *r, const struct host *h);

size_t domreg_count(const struct domreg *r);
size_t domreg_count_host(const struct domreg *r, const struct host *h);
/* Fill out[] with up to max entries (any order); returns how many. */
size_t domreg_list(const struct domreg *r, struct dom **out, size_t max);
/* Bumped on every change so views know when to rebuild their rows. */
unsigned long domreg_generation(const struct domreg *r);

/* Find by NAME, UUID string, or HOST/NAME. NULL with a reason otherwise
 * (not found, or the name exists on several hosts). */
struct dom *domreg_lookup(const struct domreg *r, const char *spec, char *err, size_t errlen);

const char *dom_state_name(int state);

#endif
