/* policy/limits.c: per-uid connection counts and token buckets. */
#include "policy/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSLOTS 256

struct user_limits {
    uid_t uid;
    unsigned connections;
    double tokens[LIMIT_KINDS];
    uint64_t last_ms[LIMIT_KINDS];
    bool started[LIMIT_KINDS];
    struct user_limits *next;
};

struct limits {
    struct limits_conf conf;
    struct user_limits *slot[NSLOTS];
};

/* The period of each bucket kind, in ms. */
static const uint64_t period_ms[LIMIT_KINDS] = {0, 1000, 60000, 3600000};

const char *limit_kind_name(enum limit_kind k)
{
    static const char *names[LIMIT_KINDS] = {"connections", "input", "lifecycle", "defines"};
    return k < LIMIT_KINDS ? names[k] : "?";
}

struct limits *limits_new(const struct limits_conf *conf)
{
    struct limits *l = calloc(1, sizeof *l);
    if (l && conf)
        l->conf = *conf;
    return l;
}

void limits_free(struct limits *l)
{
    if (!l)
        return;
    for (int i = 0; i < NSLOTS; i++)
        for (struct user_limits *u = l->slot[i], *next; u; u = next) {
            next = u->next;
            free(u);
        }
    free(l);
}

void limits_set_conf(struct limits *l, const struct limits_conf *conf)
{
    l->conf = *conf;
    for (int i = 0; i < NSLOTS; i++)
        for (struct user_limits *u = l->slot[i]; u; u = u->next)
            for (int k = 0; k < LIMIT_KINDS; k++)
                if (u->tokens[k] > conf->max[k])
                    u->tokens[k] = conf->max[k];
}

static struct user_limits *user(struct limits *l, uid_t uid, bool create)
{
    struct user_limits **slot = &l->slot[uid % NSLOTS];
    for (struct user_limits *u = *slot; u; u = u->next)
        if (u->uid == uid)
            return u;
    if (!create)
        return NULL;
    struct user_limits *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->uid = uid;
    u->next = *slot;
    *slot = u;
    return u;
}

static void refused(enum limit_kind kind, unsigned max, char *why, size_t whylen)
{
    static const char *unit[LIMIT_KINDS] = {"per user", "bytes/s", "per minute", "per hour"};
    static const char *what[LIMIT_KINDS] = {"connection", "input", "life-cycle", "define"};
    if (why && whylen)
        snprintf(why, whylen, "%s limit: %u %s", what[kind], max, unit[kind]);
}

bool limits_take(struct limits *l, uid_t uid, enum limit_kind kind, unsigned amount, uint64_t now_ms, char *why,
                 size_t whylen)
{
    if (kind <= LIMIT_CONNECTIONS || kind >= LIMIT_KINDS) {
        if (why && whylen)
            snprintf(why, whylen, "not a rate limit");
        return false;
    }
    unsigned max = l->conf.max[kind];
    if (max == 0)
        return true;
    struct user_limits *u = user(l, uid, true);
    if (!u) {
        if (why && whylen)
            snprintf(why, whylen, "out of memory");
        return false;
    }
    if (!u->started[kind]) {
        u->started[kind] = true;
        u->tokens[kind] = max;
        u->last_ms[kind] = now_ms;
    } else if (now_ms > u->last_ms[kind]) {
        /* Refill at max per period, never above one period's worth; a
           clock that goes back refills nothing. */
        u->tokens[kind] += (double)(now_ms - u->last_ms[kind]) * max / period_ms[kind];
        if (u->tokens[kind] > max)
            u->tokens[kind] = max;
        u->last_ms[kind] = now_ms;
    }
    /* A hair of slack for the rounding of the refill. */
    if (amount > u->tokens[kind] + 1e-6) {
        refused(kind, max, why, whylen);
        return false;
    }
    u->tokens[kind] -= amount;
    return true;
}

bool limits_connect(struct limits *l, uid_t uid, char *why, size_t whylen)
{
    struct user_limits *u = user(l, uid, true);
    if (!u) {
        if (why && whylen)
            snprintf(why, whylen, "out of memory");
        return false;
    }
    unsigned max = l->conf.max[LIMIT_CONNECTIONS];
    if (max && u->connections >= max) {
        refused(LIMIT_CONNECTIONS, max, why, whylen);
        return false;
    }
    u->connections++;
    return true;
}

void limits_disconnect(struct limits *l, uid_t uid)
{
    struct user_limits *u = user(l, uid, false);
    if (u && u->connections)
        u->connections--;
}

unsigned limits_connections(const struct limits *l, uid_t uid)
{
    struct user_limits *u = user((struct limits *)l, uid, false);
    return u ? u->connections : 0;
}
