/* views/domlist.h: the domain table across all hosts. */
#ifndef VIRTMUX_DOMLIST_H
#define VIRTMUX_DOMLIST_H
#include "views/view.h"
#include "backends/domain.h"

struct view *domlist_new(struct domreg *reg);
/* The selected domain, or NULL when the table is empty. */
struct dom *domlist_selected(struct view *v);
void domlist_set_filter(struct view *v, const char *filter);
const char *domlist_filter(struct view *v);
/* "name", "host", "state", or "next" to cycle. */
int domlist_set_sort(struct view *v, const char *key, char *err, size_t errlen);
const char *domlist_sort_name(struct view *v);
/* Only the domains visible(d, opaque) says yes to are rows (a system
 * server's student: their own); NULL shows every domain. */
void domlist_set_visible(struct view *v, bool (*visible)(const struct dom *d, void *opaque), void *opaque);
/* Rows shown after the filter; domains visible before it (all of them
 * unless domlist_set_visible narrowed them). */
size_t domlist_shown(struct view *v);
size_t domlist_visible(struct view *v);

#endif
