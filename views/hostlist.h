/* views/hostlist.h: the host table (state, reason, domains, URI). */
#ifndef VIRTMUX_HOSTLIST_H
#define VIRTMUX_HOSTLIST_H
#include "views/view.h"
#include "backends/domain.h"
#include "backends/host.h"

/* hosts/nhosts point at the owner's array, read at each draw. */
struct view *hostlist_new(struct host ***hosts, size_t *nhosts, struct domreg *reg);
struct host *hostlist_selected(struct view *v);

#endif
