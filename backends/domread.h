/* backends/domread.h: read domain snapshots from libvirt (runs on a worker thread). */
#ifndef VIRTMUX_DOMREAD_H
#define VIRTMUX_DOMREAD_H
#include <stdbool.h>
#include "backends/domain.h"

/* Everything about one domain, XML facts included. 0 and *out filled
 * (out->host left NULL); -1 with a reason, *gone set when it no longer exists. */
int domread_one(virDomainPtr d, struct dom *out, bool *gone, char *err, size_t errlen);

/* A whole host cheaply: one list call, bulk autostart/persistence lists and
 * states for all domains in one stats call (one GetInfo per domain only where
 * the driver has no bulk stats) — sizes and consoles are left for domread_facts().
 * *snaps and *doms are parallel arrays of *n; the caller frees both. */
int domread_all(virConnectPtr conn, struct dom **snaps, virDomainPtr **doms, size_t *n,
                char *err, size_t errlen);
void domread_free_all(struct dom *snaps, virDomainPtr *doms, size_t n);

struct domxml_facts;
/* Consoles and sizes from a domain's XML; -1 when it cannot be read. */
int domread_facts(virDomainPtr d, struct domxml_facts *facts);

#endif
