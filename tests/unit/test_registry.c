/* test_registry.c: unit tests for the UUID-keyed domain registry (backends/domain.c). */
#include "testutil.h"

#include "backends/domain.h"
#include "backends/domxml.h"
#include "backends/host.h"

/* A UUID from a number: distinct numbers give distinct UUIDs; the high bytes
   are mixed so the hash sees something like random UUIDs. */
static void make_uuid(unsigned n, unsigned char out[VIR_UUID_BUFLEN])
{
    unsigned x = n * 2654435761u;

    memset(out, 0, VIR_UUID_BUFLEN);
    out[0] = (unsigned char)(n >> 24);
    out[1] = (unsigned char)(n >> 16);
    out[2] = (unsigned char)(n >> 8);
    out[3] = (unsigned char)n;
    out[12] = (unsigned char)(x >> 24);
    out[13] = (unsigned char)(x >> 16);
    out[14] = (unsigned char)(x >> 8);
    out[15] = (unsigned char)x;
}

static void uuid_string(const unsigned char u[VIR_UUID_BUFLEN], char out[VIR_UUID_STRING_BUFLEN])
{
    snprintf(out, VIR_UUID_STRING_BUFLEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* A snapshot as a listing would build it; the name is freshly allocated. */
static struct dom snap(unsigned n, const char *name, struct host *h, int state, unsigned long seen)
{
    struct dom d;

    memset(&d, 0, sizeof d);
    make_uuid(n, d.uuid);
    uuid_string(d.uuid, d.uuid_str);
    d.name = strdup(name);
    cr_assert_not_null(d.name);
    d.host = h;
    d.state = state;
    d.id = state == VIR_DOMAIN_SHUTOFF ? -1 : (int)n;
    d.vcpus = 1;
    d.mem_kib = 1024;
    d.autostart = 0;
    d.persistent = true;
    d.seen = seen;
    return d;
}

static struct dom *upsert(struct domreg *r, unsigned n, const char *name, struct host *h, int state, unsigned long seen)
{
    struct dom s = snap(n, name, h, state, seen);
    struct dom *d = domreg_upsert(r, &s);

    cr_assert_not_null(d);
    return d;
}

static struct dom *find_n(struct domreg *r, unsigned n)
{
    unsigned char u[VIR_UUID_BUFLEN];

    make_uuid(n, u);
    return domreg_find(r, u);
}

/* Hosts that never connect: enough for host_name() and ownership. */
static struct domreg *reg;
static struct host *ha, *hb;
static const struct host_ops no_ops;

static void setup_hosts(void)
{
    char err[256] = "";

    test_virt_init();
    reg = domreg_new();
    cr_assert_not_null(reg);
    ha = host_new("alpha", "test:///default", reg, &no_ops, NULL, err, sizeof err);
    cr_assert_not_null(ha, "%s", err);
    hb = host_new("beta", "test:///default", reg, &no_ops, NULL, err, sizeof err);
    cr_assert_not_null(hb, "%s", err);
}

static void teardown_hosts(void)
{
    host_free(ha);
    host_free(hb);
    domreg_free(reg);
}

/* ---- basic upsert / find ---- */

Test(registry, empty)
{
    struct domreg *r = domreg_new();
    struct dom *out[4];
    unsigned char u[VIR_UUID_BUFLEN];
    char err[128] = "";

    cr_assert_not_null(r);
    make_uuid(1, u);
    cr_assert_eq(domreg_count(r), 0);
    cr_assert_null(domreg_find(r, u));
    cr_assert_eq(domreg_list(r, out, 4), 0);
    cr_assert_null(domreg_lookup(r, "x", err, sizeof err));
    cr_assert_str_eq(err, "no domain 'x'");
    domreg_remove(r, u); /* nothing there: no crash */
    cr_assert_eq(domreg_count(r), 0);
    domreg_free(r);
    domreg_free(NULL);
}

Test(registry, upsert_find_update_one_entry_per_uuid)
{
    struct domreg *r = domreg_new();
    struct dom *d1, *d2, *again;

    d1 = upsert(r, 1, "one", NULL, VIR_DOMAIN_RUNNING, 1);
    d2 = upsert(r, 2, "two", NULL, VIR_DOMAIN_SHUTOFF, 1);
    cr_assert_neq(d1, d2);
    cr_assert_eq(domreg_count(r), 2);
    cr_assert_eq(find_n(r, 1), d1);
    cr_assert_eq(find_n(r, 2), d2);
    cr_assert_null(find_n(r, 3));
    cr_assert_str_eq(d1->name, "one");
    cr_assert_eq(d1->state, VIR_DOMAIN_RUNNING);

    /* The same UUID again: updated in place (the old name is freed: ASan). */
    again = upsert(r, 1, "one-renamed", NULL, VIR_DOMAIN_PAUSED, 2);
    cr_assert_eq(again, d1);
    cr_assert_eq(domreg_count(r), 2);
    cr_assert_eq(find_n(r, 1), d1);
    cr_assert_str_eq(d1->name, "one-renamed");
    cr_assert_eq(d1->state, VIR_DOMAIN_PAUSED);
    cr_assert_eq(d1->seen, 2);
    /* The other entry is untouched and still reachable. */
    cr_assert_eq(find_n(r, 2), d2);
    cr_assert_str_eq(d2->name, "two");

    struct dom *out[8];
    cr_assert_eq(domreg_list(r, out, 8), 2);
    cr_assert_eq(domreg_list(r, out, 1), 1);

    domreg_remove(r, d1->uuid);
    cr_assert_eq(domreg_count(r), 1);
    cr_assert_null(find_n(r, 1));
    cr_assert_eq(find_n(r, 2), d2);
    domreg_free(r);
}

Test(registry, generation_bumps_on_every_change)
{
    struct domreg *r = domreg_new();
    unsigned long g0 = domreg_generation(r), g;

    upsert(r, 1, "one", NULL, VIR_DOMAIN_RUNNING, 1);
    g = domreg_generation(r);
    cr_assert_gt(g, g0);

    upsert(r, 1, "one", NULL, VIR_DOMAIN_SHUTOFF, 1);
    cr_assert_gt(domreg_generation(r), g);
    g = domreg_generation(r);

    cr_assert(domreg_set_facts(r, find_n(r, 1)->uuid, &(struct domxml_facts){.has_serial = true, .has_vnc = false}));
    cr_assert_gt(domreg_generation(r), g);
    g = domreg_generation(r);

    upsert(r, 2, "two", NULL, VIR_DOMAIN_SHUTOFF, 1);
    cr_assert_gt(domreg_generation(r), g);
    g = domreg_generation(r);

    unsigned char u[VIR_UUID_BUFLEN];
    make_uuid(2, u);
    domreg_remove(r, u);
    cr_assert_gt(domreg_generation(r), g);
    g = domreg_generation(r);

    domreg_prune_host(r, NULL, 99); /* removes "one" (seen 1) */
    cr_assert_eq(domreg_count(r), 0);
    cr_assert_gt(domreg_generation(r), g);
    domreg_free(r);
}

Test(registry, set_facts)
{
    struct domreg *r = domreg_new();
    struct dom *d = upsert(r, 7, "seven", NULL, VIR_DOMAIN_RUNNING, 1);
    unsigned char missing[VIR_UUID_BUFLEN];
    unsigned long g;

    cr_assert_not(d->facts_known);
    cr_assert_not(d->has_serial);
    cr_assert_not(d->has_vnc);

    make_uuid(8, missing);
    g = domreg_generation(r);
    cr_assert_not(domreg_set_facts(r, missing, &(struct domxml_facts){.has_serial = true, .has_vnc = true}));
    cr_assert_eq(domreg_count(r), 1);

    cr_assert(domreg_set_facts(r, d->uuid, &(struct domxml_facts){.has_serial = true, .has_vnc = false}));
    cr_assert_gt(domreg_generation(r), g);
    cr_assert(d->facts_known);
    cr_assert(d->has_serial);
    cr_assert_not(d->has_vnc);

    cr_assert(domreg_set_facts(r, d->uuid, &(struct domxml_facts){.has_serial = false, .has_vnc = true}));
    cr_assert(d->facts_known);
    cr_assert_not(d->has_serial);
    cr_assert(d->has_vnc);
    /* The rest of the row is left alone. */
    cr_assert_str_eq(d->name, "seven");
    cr_assert_eq(d->state, VIR_DOMAIN_RUNNING);
    domreg_free(r);
}

Test(registry, state_names)
{
    cr_assert_str_eq(dom_state_name(VIR_DOMAIN_RUNNING), "running");
    cr_assert_str_eq(dom_state_name(VIR_DOMAIN_BLOCKED), "idle");
    cr_assert_str_eq(dom_state_name(VIR_DOMAIN_PAUSED), "paused");
    cr_assert_str_eq(dom_state_name(VIR_DOMAIN_SHUTDOWN), "in shutdown");
    cr_assert_str_eq(dom_state_name(VIR_DOMAIN_SHUTOFF), "shut off");
    cr_assert_str_eq(dom_state_name(VIR_DOMAIN_CRASHED), "crashed");
    cr_assert_str_eq(dom_state_name(VIR_DOMAIN_PMSUSPENDED), "pmsuspended");
    cr_assert_str_eq(dom_state_name(VIR_DOMAIN_NOSTATE), "no state");
    cr_assert_str_eq(dom_state_name(12345), "no state");
    cr_assert_str_eq(dom_state_name(-1), "no state");
}

/* ---- hosts: migration identity, prune, remove ---- */

Test(registry, same_uuid_from_another_host_moves_it, .init = setup_hosts, .fini = teardown_hosts)
{
    struct dom *d = upsert(reg, 1, "mig", ha, VIR_DOMAIN_RUNNING, 1);

    cr_assert_eq(d->host, ha);
    cr_assert_eq(domreg_count_host(reg, ha), 1);
    cr_assert_eq(domreg_count_host(reg, hb), 0);

    /* The domain shows up on beta: the same domain, now there. */
    struct dom *moved = upsert(reg, 1, "mig", hb, VIR_DOMAIN_RUNNING, 5);
    cr_assert_eq(moved, d);
    cr_assert_eq(domreg_count(reg), 1);
    cr_assert_eq(moved->host, hb);
    cr_assert_eq(domreg_count_host(reg, ha), 0);
    cr_assert_eq(domreg_count_host(reg, hb), 1);

    /* alpha's next listing no longer has it: pruning alpha must not drop
	   the domain that now lives on beta. */
    domreg_prune_host(reg, ha, 2);
    cr_assert_eq(domreg_count(reg), 1);
    cr_assert_eq(find_n(reg, 1), moved);
    domreg_remove_host(reg, ha);
    cr_assert_eq(domreg_count(reg), 1);

    char err[128] = "";
    cr_assert_eq(domreg_lookup(reg, "beta/mig", err, sizeof err), moved);
    cr_assert_null(domreg_lookup(reg, "alpha/mig", err, sizeof err));
    cr_assert_str_eq(err, "no domain 'alpha/mig'");
}

/* A live migration as the two hosts report it, in event order. */
static struct dom *upsert_reason(unsigned n, struct host *h, int state, int reason)
{
    struct dom s = snap(n, "mig", h, state, 1);

    s.reason = reason;
    return domreg_upsert(reg, &s);
}

Test(registry, migration_keeps_the_row_with_the_running_instance, .init = setup_hosts, .fini = teardown_hosts)
{
    struct dom *d = upsert_reason(7, ha, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);

    /* beta's incoming copy starts paused: the row stays on alpha. */
    cr_assert_eq(upsert_reason(7, hb, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION), d);
    cr_assert_eq(d->host, ha);
    cr_assert_eq(d->state, VIR_DOMAIN_RUNNING);
    cr_assert_eq(d->incoming, hb, "where the migration goes is known");
    /* alpha pauses for the switchover. */
    upsert_reason(7, ha, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
    cr_assert_eq(d->host, ha);
    cr_assert_eq(d->state, VIR_DOMAIN_PAUSED);
    cr_assert_eq(d->incoming, hb);
    /* beta resumes: the domain lives there now. */
    upsert_reason(7, hb, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED);
    cr_assert_eq(d->host, hb);
    cr_assert_eq(d->state, VIR_DOMAIN_RUNNING);
    cr_assert_null(d->incoming);
    /* alpha keeps a shut-off definition: it does not pull the row back. */
    upsert_reason(7, ha, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_MIGRATED);
    cr_assert_eq(d->host, hb);
    cr_assert_eq(d->state, VIR_DOMAIN_RUNNING);
    cr_assert_eq(domreg_count(reg), 1);
}

Test(registry, failed_migration_stays_on_the_source, .init = setup_hosts, .fini = teardown_hosts)
{
    struct dom *d = upsert_reason(8, ha, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);

    upsert_reason(8, hb, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
    cr_assert_eq(d->incoming, hb);
    upsert_reason(8, hb, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    cr_assert_eq(d->host, ha);
    cr_assert_eq(d->state, VIR_DOMAIN_RUNNING);
    cr_assert_null(d->incoming, "a refused migration goes nowhere");
    /* A transient incoming copy just vanishes: the same. */
    upsert_reason(8, hb, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
    domreg_gone_from(reg, d->uuid, hb);
    cr_assert_null(d->incoming);
    cr_assert_eq(domreg_count(reg), 1);
    /* Removing the host it was going to clears the pointer too. */
    upsert_reason(8, hb, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION);
    domreg_remove_host(reg, hb);
    cr_assert_null(d->incoming);
    /* Both hosts only hold definitions: the first one seen keeps the row. */
    upsert_reason(8, ha, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN);
    upsert_reason(8, hb, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN);
    cr_assert_eq(d->host, ha);
}

Test(registry, prune_by_mark, .init = setup_hosts, .fini = teardown_hosts)
{
    /* Listing 1 of alpha saw 1, 2, 3; beta has 10, 11 from its listing 1. */
    upsert(reg, 1, "a1", ha, VIR_DOMAIN_RUNNING, 1);
    upsert(reg, 2, "a2", ha, VIR_DOMAIN_RUNNING, 1);
    upsert(reg, 3, "a3", ha, VIR_DOMAIN_SHUTOFF, 1);
    upsert(reg, 10, "b10", hb, VIR_DOMAIN_RUNNING, 1);
    upsert(reg, 11, "b11", hb, VIR_DOMAIN_RUNNING, 1);
    cr_assert_eq(domreg_count(reg), 5);

    /* Listing 2 of alpha sees 1 and 3 (and a new 4), not 2. */
    upsert(reg, 1, "a1", ha, VIR_DOMAIN_RUNNING, 2);
    upsert(reg, 3, "a3", ha, VIR_DOMAIN_RUNNING, 2);
    upsert(reg, 4, "a4", ha, VIR_DOMAIN_RUNNING, 2);
    domreg_prune_host(reg, ha, 2);

    cr_assert_eq(domreg_count(reg), 5);
    cr_assert_eq(domreg_count_host(reg, ha), 3);
    cr_assert_not_null(find_n(reg, 1));
    cr_assert_null(find_n(reg, 2));
    cr_assert_not_null(find_n(reg, 3));
    cr_assert_not_null(find_n(reg, 4));
    /* beta's entries carry an older mark but belong to another host. */
    cr_assert_eq(domreg_count_host(reg, hb), 2);
    cr_assert_not_null(find_n(reg, 10));
    cr_assert_not_null(find_n(reg, 11));

    /* An empty listing 3 of alpha drops all of alpha. */
    domreg_prune_host(reg, ha, 3);
    cr_assert_eq(domreg_count_host(reg, ha), 0);
    cr_assert_eq(domreg_count(reg), 2);
}

Test(registry, remove_host, .init = setup_hosts, .fini = teardown_hosts)
{
    for (unsigned i = 0; i < 50; i++) {
        char name[32];

        snprintf(name, sizeof name, "d%u", i);
        upsert(reg, i, name, i % 2 ? hb : ha, VIR_DOMAIN_RUNNING, 1);
    }
    cr_assert_eq(domreg_count(reg), 50);
    cr_assert_eq(domreg_count_host(reg, ha), 25);
    cr_assert_eq(domreg_count_host(reg, hb), 25);
    unsigned long g = domreg_generation(reg);

    domreg_remove_host(reg, ha);
    cr_assert_eq(domreg_count(reg), 25);
    cr_assert_eq(domreg_count_host(reg, ha), 0);
    cr_assert_eq(domreg_count_host(reg, hb), 25);
    cr_assert_gt(domreg_generation(reg), g);
    for (unsigned i = 0; i < 50; i++) {
        struct dom *d = find_n(reg, i);

        if (i % 2) {
            cr_assert_not_null(d, "d%u", i);
            cr_assert_eq(d->host, hb);
        } else {
            cr_assert_null(d, "d%u", i);
        }
    }
    /* host_free() removes the host's own domains too. */
    host_free(hb);
    hb = NULL;
    cr_assert_eq(domreg_count(reg), 0);
}

/* ---- lookup ---- */

Test(registry, lookup_by_name_uuid_and_host_name, .init = setup_hosts, .fini = teardown_hosts)
{
    char err[256];
    struct dom *web_a = upsert(reg, 1, "web", ha, VIR_DOMAIN_RUNNING, 1);
    struct dom *web_b = upsert(reg, 2, "web", hb, VIR_DOMAIN_SHUTOFF, 1);
    struct dom *db = upsert(reg, 3, "db", ha, VIR_DOMAIN_RUNNING, 1);

    /* Unique name. */
    err[0] = '\0';
    cr_assert_eq(domreg_lookup(reg, "db", err, sizeof err), db);

    /* UUID string, always unique. */
    cr_assert_eq(domreg_lookup(reg, web_b->uuid_str, err, sizeof err), web_b);
    cr_assert_eq(domreg_lookup(reg, web_a->uuid_str, err, sizeof err), web_a);

    /* HOST/NAME. */
    cr_assert_eq(domreg_lookup(reg, "alpha/web", err, sizeof err), web_a);
    cr_assert_eq(domreg_lookup(reg, "beta/web", err, sizeof err), web_b);
    cr_assert_eq(domreg_lookup(reg, "alpha/db", err, sizeof err), db);

    /* Ambiguous name. */
    err[0] = '\0';
    cr_assert_null(domreg_lookup(reg, "web", err, sizeof err));
    cr_assert_str_eq(err, "'web' is on 2 hosts: say HOST/web");

    /* Not found, in each form. */
    cr_assert_null(domreg_lookup(reg, "nosuch", err, sizeof err));
    cr_assert_str_eq(err, "no domain 'nosuch'");
    cr_assert_null(domreg_lookup(reg, "beta/db", err, sizeof err));
    cr_assert_str_eq(err, "no domain 'beta/db'");
    cr_assert_null(domreg_lookup(reg, "gamma/web", err, sizeof err));
    cr_assert_str_eq(err, "no domain 'gamma/web'");
    /* A host name that is a prefix of a real one is not that host. */
    cr_assert_null(domreg_lookup(reg, "alph/web", err, sizeof err));
    cr_assert_null(domreg_lookup(reg, "alphaa/web", err, sizeof err));
    cr_assert_null(domreg_lookup(reg, "/web", err, sizeof err));
    cr_assert_null(domreg_lookup(reg, "", err, sizeof err));
    cr_assert_str_eq(err, "no domain ''");
    /* A name is matched exactly, not as a prefix or case-insensitively. */
    cr_assert_null(domreg_lookup(reg, "we", err, sizeof err));
    cr_assert_null(domreg_lookup(reg, "DB", err, sizeof err));

    /* Once beta's copy is gone the name is unique again. */
    domreg_remove(reg, web_b->uuid);
    cr_assert_eq(domreg_lookup(reg, "web", err, sizeof err), web_a);

    /* A tiny error buffer is truncated, never overflowed. */
    char small[8];
    cr_assert_null(domreg_lookup(reg, "a-rather-long-missing-name", small, sizeof small));
    cr_assert_eq(strlen(small), sizeof small - 1);
}

/* ---- growth ---- */

#define MANY 10000

Test(registry, ten_thousand_entries_all_findable, .timeout = 60)
{
    struct domreg *r = domreg_new();
    char name[32];

    for (unsigned i = 0; i < MANY; i++) {
        snprintf(name, sizeof name, "vm%05u", i);
        upsert(r, i, name, NULL, i % 3 ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_SHUTOFF, 1);
    }
    cr_assert_eq(domreg_count(r), MANY);
    for (unsigned i = 0; i < MANY; i++) {
        struct dom *d = find_n(r, i);

        snprintf(name, sizeof name, "vm%05u", i);
        cr_assert_not_null(d, "entry %u lost", i);
        cr_assert_str_eq(d->name, name);
    }

    /* domreg_list returns every entry exactly once. */
    struct dom **all = calloc(MANY + 1, sizeof *all);
    unsigned char *seen = calloc(MANY, 1);
    cr_assert_not_null(all);
    cr_assert_not_null(seen);
    cr_assert_eq(domreg_list(r, all, MANY + 1), MANY);
    for (size_t i = 0; i < MANY; i++) {
        unsigned n;

        cr_assert_eq(sscanf(all[i]->name, "vm%05u", &n), 1);
        cr_assert_lt(n, MANY);
        cr_assert_eq(seen[n], 0, "vm%05u listed twice", n);
        seen[n] = 1;
    }

    /* Lookup by name and by UUID string across the big table. */
    char err[128];
    struct dom *d = domreg_lookup(r, "vm04321", err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert_eq(d, find_n(r, 4321));
    cr_assert_eq(domreg_lookup(r, d->uuid_str, err, sizeof err), d);

    /* Remove the even ones; the odd ones are all still there. */
    for (unsigned i = 0; i < MANY; i += 2) {
        unsigned char u[VIR_UUID_BUFLEN];

        make_uuid(i, u);
        domreg_remove(r, u);
    }
    cr_assert_eq(domreg_count(r), MANY / 2);
    for (unsigned i = 0; i < MANY; i++) {
        if (i % 2)
            cr_assert_not_null(find_n(r, i), "odd entry %u lost", i);
        else
            cr_assert_null(find_n(r, i), "even entry %u still there", i);
    }
    /* Updating the survivors keeps one entry per UUID. */
    for (unsigned i = 1; i < MANY; i += 2)
        upsert(r, i, "renamed", NULL, VIR_DOMAIN_PAUSED, 2);
    cr_assert_eq(domreg_count(r), MANY / 2);
    cr_assert_eq(domreg_count_host(r, NULL), MANY / 2);
    domreg_prune_host(r, NULL, 2);
    cr_assert_eq(domreg_count(r), MANY / 2);
    domreg_prune_host(r, NULL, 3);
    cr_assert_eq(domreg_count(r), 0);
    free(all);
    free(seen);
    domreg_free(r);
}

/* The owner comes from the XML; a bulk listing (no XML read) keeps it, a
 * reading of the XML replaces it (the operator changed it). */
Test(registry, owner_survives_listings_without_the_xml)
{
    struct domreg *r = domreg_new();
    struct dom s = snap(1, "alice-vm1", NULL, VIR_DOMAIN_SHUTOFF, 1);

    s.owner_known = true;
    s.owner_uid = 1001;
    snprintf(s.owner, sizeof s.owner, "alice");
    struct dom *d = domreg_upsert(r, &s);
    cr_assert_not_null(d);
    d = upsert(r, 1, "alice-vm1", NULL, VIR_DOMAIN_RUNNING, 2);
    cr_assert_eq(d->state, VIR_DOMAIN_RUNNING);
    cr_assert(d->owner_known);
    cr_assert_eq(d->owner_uid, 1001);
    cr_assert_str_eq(d->owner, "alice");

    s = snap(1, "alice-vm1", NULL, VIR_DOMAIN_RUNNING, 3);
    s.owner_known = true;
    s.owner_uid = -1;
    d = domreg_upsert(r, &s);
    cr_assert_eq(d->owner_uid, -1);
    cr_assert_str_empty(d->owner);
    domreg_free(r);
}
