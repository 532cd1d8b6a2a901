/* views/hostlist.h: the host table (state, reason, domains, URI). */
#ifndef VIRTMUX_HOSTLIST_H
#define VIRTMUX_HOSTLIST_H
#include "views/view.h"
#include "backends/domain.h"
#include "backends/host.h"

/* hosts/nhosts point at the owner's array, read at each draw. */
struct view *hostlist_new(struct host ***hosts, size_t *nhosts, struct domreg *reg);
struct host *hostlist_selected(struct view *v);
/* The DOMAINS column counts only what visible(d, opaque) says yes to (a
 * system server's student: their own, not the class's); NULL counts all. */
void hostlist_set_visible(struct view *v, bool (*visible)(const struct dom *d, void *opaque), void *opaque);

#endif
