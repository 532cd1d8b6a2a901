/* backends/migrate.h: one live migration started from virtmux — run on a
 * thread of its own (libvirt's migrate call blocks for its whole length),
 * its progress read from virDomainGetJobStats and MIGRATION_ITERATION events,
 * cancellable with virDomainAbortJob. */
#ifndef VIRTMUX_MIGRATE_H
#define VIRTMUX_MIGRATE_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>

struct host;
struct migration;

struct migration_progress {
    bool known;                           /* a first job report came */
    unsigned long long total, processed, remaining;   /* bytes */
    unsigned long long rate_bps;          /* memory bytes per second */
    unsigned long long iteration;         /* pre-copy passes over memory */
    unsigned long long downtime_ms;       /* expected (or, after, real) */
    unsigned long long elapsed_ms;
};

/* Called on the loop thread. */
struct migration_ops {
    void (*progress)(struct migration *m, void *opaque);
    /* Finished, failed or cancelled; the migration may be freed from here on. */
    void (*done)(struct migration *m, bool ok, const char *msg, void *opaque);
};

/* Live-migrate the domain from src to dst, both connected. p2p: the source
 * daemon talks to the destination itself (virDomainMigrateToURI3 with dst's
 * URI); otherwise virtmux holds both connections (virDomainMigrate3). */
struct migration *migration_start(struct host *src, struct host *dst, const unsigned char uuid[VIR_UUID_BUFLEN],
                                  const char *label, bool p2p, const struct migration_ops *ops, void *opaque,
                                  char *err, size_t errlen);
/* Ask libvirt to abort it (done() follows). Asked again while libvirt has
 * no job to abort yet; a migration not yet begun does not begin. */
void migration_cancel(struct migration *m);
/* migration_cancel() was called: a failure that follows is the cancel. */
bool migration_cancelled(const struct migration *m);
/* done() is not called after this; a migrate call still under way finishes
 * on its thread by itself (cancel first to stop it). */
void migration_free(struct migration *m);

const struct migration_progress *migration_progress(const struct migration *m);
const char *migration_label(const struct migration *m);
struct host *migration_source(const struct migration *m);
const unsigned char *migration_uuid(const struct migration *m);
bool migration_finished(const struct migration *m);
/* "[#####.....] 47%  60 MiB left  112 MiB/s  pass 2  downtime ~170 ms" */
void migration_describe(const struct migration *m, char *out, size_t outlen);

#endif
