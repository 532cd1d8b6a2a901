/* policy/limits.h: per-user limits of a system server, so no student starves
 * the others: connections open at once (a count) and three token buckets
 * (bytes typed per second, life-cycle commands per minute, defines per hour).
 * Excess is refused with a message, never queued. A bucket holds one
 * period's worth (the burst) and refills continuously. The time is passed in
 * (milliseconds of any monotonic clock), so tests need no clock. */
#ifndef VIRTMUX_POLICY_LIMITS_H
#define VIRTMUX_POLICY_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum limit_kind {
    LIMIT_CONNECTIONS, /* at once, per user (limits_connect) */
    LIMIT_INPUT,       /* bytes per second */
    LIMIT_LIFECYCLE,   /* commands per minute */
    LIMIT_DEFINES,     /* per hour */
    LIMIT_KINDS
};

/* 0 = no limit of that kind. */
struct limits_conf {
    unsigned max[LIMIT_KINDS];
};

struct limits;

struct limits *limits_new(const struct limits_conf *conf);
void limits_free(struct limits *l);

/* A reloaded policy: new rates, the users' state kept (a bucket fuller than
 * its new size is cut down to it). */
void limits_set_conf(struct limits *l, const struct limits_conf *conf);

/* Take amount from uid's bucket of kind (INPUT, LIFECYCLE or DEFINES). false
 * with why = e.g. "input limit: 4096 bytes/s" when there is not enough
 * (nothing is taken then). An amount larger than the whole bucket is always
 * refused: split large input before. */
bool limits_take(struct limits *l, uid_t uid, enum limit_kind kind, unsigned amount, uint64_t now_ms, char *why,
                 size_t whylen);

/* One more connection for uid: false with why ("connection limit: 16 per
 * user") when uid already has the maximum open. Each true is matched by one
 * limits_disconnect. */
bool limits_connect(struct limits *l, uid_t uid, char *why, size_t whylen);
void limits_disconnect(struct limits *l, uid_t uid);
unsigned limits_connections(const struct limits *l, uid_t uid);

/* "connections", "input", "lifecycle", "defines" (the policy's words). */
const char *limit_kind_name(enum limit_kind k);

#endif
