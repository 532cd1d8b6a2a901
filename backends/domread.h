/* backends/domread.h: read a domain's snapshot from libvirt (runs on a worker thread). */
#ifndef VIRTMUX_DOMREAD_H
#define VIRTMUX_DOMREAD_H
#include <stdbool.h>
#include "backends/domain.h"

/* 0 and *out filled (out->host left NULL); -1 with a reason, *gone set when
 * the domain no longer exists. */
int domread_one(virDomainPtr d, struct dom *out, bool *gone, char *err, size_t errlen);
/* All domains of a connection; *out is malloc'd, entries own their names. */
int domread_all(virConnectPtr conn, struct dom **out, size_t *n, char *err, size_t errlen);
void domread_free_all(struct dom *snaps, size_t n);

#endif
