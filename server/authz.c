/* server/authz.c: the system server's decisions (see authz.h). */
#include "server/authz.h"
#include "server/app.h"
#include "server/client.h"
#include "server/command.h"
#include "server/session.h"
#include "backends/domain.h"
#include "backends/host.h"
#include "util/monotime.h"
#include "util/errf.h"
#include "views/domlist.h"
#include "policy/audit.h"
#include "policy/define.h"
#include "policy/limits.h"
#include "policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often a client's refused input is audited, at most. */
#define INPUT_AUDIT_EVERY_MS 60000

struct authz {
    char policy_path[1024];
    struct policy *policy;
    struct audit *audit;
    char audit_path[1024];
    struct limits *limits;
    struct { uid_t uid; size_t n; } pending[64];
};

bool authz_system(const struct app *a)
{
    return a->authz != NULL;
}

/* ---- the policy ---- */

static int open_audit(struct authz *z, char *err, size_t errlen)
{
    const char *path = policy_audit_path(z->policy);
    if (z->audit && !strcmp(path, z->audit_path))
        return 0;
    char e[512];
    struct audit *au = audit_open(path, policy_audit_max_bytes(z->policy), e, sizeof e);
    if (!au)
        return errf(err, errlen, "audit log %s: %s", path, e);
    audit_close(z->audit);
    z->audit = au;
    snprintf(z->audit_path, sizeof z->audit_path, "%s", path);
    return 0;
}

/* The policy's hosts: added when new; one whose URI changed is replaced. */
static void apply_hosts(struct app *a, const struct policy *p)
{
    size_t n;
    const struct policy_host *hosts = policy_hosts(p, &n);
    for (size_t i = 0; i < n; i++) {
        struct host *h = app_find_host(a, hosts[i].name);
        if (h && !strcmp(host_uri(h), hosts[i].uri))
            continue;
        char err[600];
        if (h && app_remove_host(a, hosts[i].name, err, sizeof err) < 0)
            msglog_add(a->log, true, err);
        if (!app_add_host(a, hosts[i].name, hosts[i].uri, err, sizeof err))
            msglog_add(a->log, true, err);
    }
}

/* Groups and roles follow the policy (and the group database) of now. */
static void reread_clients(struct app *a)
{
    for (size_t i = 0; i < a->nclients; i++) {
        struct client *c = a->clients[i];
        char err[300];
        if (peer_from_uid(c->peer.uid, c->peer.pid, &c->peer, err, sizeof err) < 0)
            c->role = ROLE_NONE;
        else
            c->role = policy_role(a->authz->policy, &c->peer);
        if (c->role == ROLE_TA || c->role == ROLE_NONE)
            c->readonly = true;
        c->dirty = true;
    }
    for (size_t i = 0; i < a->nsessions; i++) {
        struct session *s = a->sessions[i];
        struct peer p;
        char err[300];
        s->role = peer_from_uid(s->uid, 0, &p, err, sizeof err) < 0 ? ROLE_NONE : policy_role(a->authz->policy, &p);
        char f[256];
        snprintf(f, sizeof f, "%s", domlist_filter(s->domlist));
        domlist_set_filter(s->domlist, f);   /* rebuilt for the new role */
    }
}

int authz_system_start(struct app *a, const char *policy_path, char *err, size_t errlen)
{
    struct authz *z = calloc(1, sizeof *z);
    if (!z)
        return errf(err, errlen, "out of memory");
    snprintf(z->policy_path, sizeof z->policy_path, "%s", policy_path ? policy_path : POLICY_DEFAULT_PATH);
    z->policy = policy_load(z->policy_path, err, errlen);
    if (!z->policy || open_audit(z, err, errlen) < 0 || !(z->limits = limits_new(policy_limits(z->policy)))) {
        if (z->policy && !z->limits && !*err)
            errf(err, errlen, "out of memory");
        policy_free(z->policy);
        audit_close(z->audit);
        free(z);
        return -1;
    }
    a->authz = z;
    apply_hosts(a, z->policy);
    return 0;
}

int authz_reload(struct app *a, char *err, size_t errlen)
{
    struct authz *z = a->authz;
    if (!z)
        return errf(err, errlen, "reload-policy: this is no system server (virtmux-server --system)");
    struct policy *p = policy_load(z->policy_path, err, errlen);
    if (!p) {
        char e[800];
        snprintf(e, sizeof e, "%s (the last good policy stays)", err);
        snprintf(err, errlen, "%s", e);
        msglog_add(a->log, true, err);
        return -1;
    }
    policy_free(z->policy);
    z->policy = p;
    char e[600] = "";
    if (open_audit(z, e, sizeof e) < 0)
        msglog_add(a->log, true, e);
    limits_set_conf(z->limits, policy_limits(p));
    apply_hosts(a, p);
    reread_clients(a);
    msglog_add(a->log, false, "policy reloaded");
    return 0;
}

void authz_free(struct app *a)
{
    struct authz *z = a->authz;
    if (!z)
        return;
    policy_free(z->policy);
    audit_close(z->audit);
    limits_free(z->limits);
    free(z);
    a->authz = NULL;
}

/* ---- the audit log ---- */

/* One audit line for client c (NULL: the server itself). */
static void audit_for(struct app *a, const struct client *c, const char *command, const struct dom *d, bool allowed,
                      const char *why)
{
    struct authz *z = a->authz;
    if (!z || !z->audit)
        return;
    struct audit_entry e = {
        .uid = c ? c->peer.uid : 0,
        .user = c ? c->peer.user : "(server)",
        .role = role_name(c ? c->role : ROLE_OPERATOR),
        .command = command ? command : a->cmdline,
        .uuid = d ? d->uuid_str : NULL,
        .name = d ? d->name : NULL,
        .refused = allowed ? NULL : why && *why ? why : "refused",
    };
    char err[300];
    if (audit_write(z->audit, &e, err, sizeof err) < 0)
        msglog_add(a->log, true, err);
}

void authz_audit(struct app *a, const char *command, const struct dom *d, bool allowed, const char *why)
{
    audit_for(a, a->c, command, d, allowed, why);
}

/* ---- clients ---- */

int authz_client_new(struct app *a, struct client *c, char *err, size_t errlen)
{
    struct authz *z = a->authz;
    if (!z)
        return 0;
    if (peer_from_fd(c->fd, &c->peer, err, errlen) < 0)
        return -1;
    c->role = policy_role(z->policy, &c->peer);
    /* A TA watches: every pane of theirs is read-only. */
    c->readonly = c->role != ROLE_OPERATOR && c->role != ROLE_STUDENT;
    if (c->role != ROLE_OPERATOR) {
        char why[200];
        if (!limits_connect(z->limits, c->peer.uid, why, sizeof why)) {
            audit_for(a, c, "(connect)", NULL, false, why);
            return errf(err, errlen, "virtmux: %s", why);
        }
        c->counted = true;
    }
    return 0;
}

void authz_client_gone(struct app *a, struct client *c)
{
    if (a->authz && c->counted)
        limits_disconnect(a->authz->limits, c->peer.uid);
    c->counted = false;
}

const char *authz_who(const struct client *c)
{
    return c->who;
}

void authz_session_owner(struct app *a, struct session *s)
{
    if (!a->authz || !a->c) {
        s->role = ROLE_OPERATOR;
        return;
    }
    s->uid = a->c->peer.uid;
    snprintf(s->user, sizeof s->user, "%s", a->c->peer.user);
    s->role = a->c->role;
    /* A TA sees the class grouped by student. */
    if (s->role == ROLE_TA) {
        char err[100];
        domlist_set_sort(s->domlist, "owner", err, sizeof err);
    }
}

/* ---- commands ---- */

int authz_command(struct app *a, const struct cmd_entry *ce, int argc, char **argv, char *err, size_t errlen)
{
    (void)argc;
    (void)argv;
    struct authz *z = a->authz;
    if (!z || !a->c)
        return 0;
    struct client *c = a->c;
    enum user_role r = c->role;
    /* Every client sends it; on a system server it does nothing. */
    if (r == ROLE_OPERATOR || !strcmp(ce->name, "connect-default"))
        return 0;
    if (r == ROLE_NONE) {
        char m[300];
        policy_no_role_message(z->policy, &c->peer, m, sizeof m);
        errf(err, errlen, "%s", m);
    } else if (r == ROLE_STUDENT && (ce->needs & CMD_STUDENT)) {
        return 0;
    } else if (r == ROLE_TA && (ce->needs & CMD_TA)) {
        return 0;
    } else if (policy_granted(z->policy, &c->peer, ce->name)) {
        return 0;   /* "grant ta start": checked on the domain as well */
    } else {
        errf(err, errlen, "%s: not allowed for a %s (%s)", ce->name, role_name(r), c->peer.user);
    }
    authz_audit(a, NULL, NULL, false, err);
    return -1;
}

/* The owner written at define time, and the name's prefix, agree. */
static bool owner_consistent(const struct dom *d)
{
    size_t n = strlen(d->owner);
    return d->owner_known && d->owner_uid >= 0 && n && !strncmp(d->name, d->owner, n) && d->name[n] == '-';
}

/* uid/user own d: the owner written at define time, and the name agrees. */
static bool owned_by(const struct dom *d, uid_t uid, const char *user)
{
    return owner_consistent(d) && (uid_t)d->owner_uid == uid && !strcmp(d->owner, user);
}

static bool sees_as(const struct app *a, int role, uid_t uid, const char *user, const struct dom *d)
{
    if (!a->authz || role == ROLE_OPERATOR || role == ROLE_TA)
        return true;
    return role == ROLE_STUDENT && owned_by(d, uid, user);
}

bool authz_sees(const struct app *a, const struct session *s, const struct dom *d)
{
    return sees_as(a, s->role, s->uid, s->user, d);
}

bool authz_client_sees(const struct app *a, const struct client *c, const struct dom *d)
{
    return !c || sees_as(a, c->role, c->peer.uid, c->peer.user, d);
}

int authz_domain(struct app *a, const struct dom *d, enum authz_op op, const char *what, char *err,
                 size_t errlen)
{
    if (!a->authz || !a->c)
        return 0;
    struct client *c = a->c;
    const char *why = NULL;
    char buf[400];
    if (d->owner_known && d->owner_uid >= 0 && !owner_consistent(d)) {
        /* Someone renamed it, or wrote the metadata by hand: nobody's. */
        snprintf(buf, sizeof buf, "%s: its owner (%s) and its name disagree", d->name, d->owner);
        why = buf;
        if (c->role == ROLE_OPERATOR)
            why = NULL;
    } else if (c->role == ROLE_OPERATOR) {
        why = NULL;
    } else if (c->role == ROLE_TA) {
        /* A TA watches; what the policy grants them, they may do to any
         * domain of the class. */
        if (op != AUTHZ_READ && !(op == AUTHZ_CHANGE && policy_granted(a->authz->policy, &c->peer, what)))
            why = "a TA watches: read-only";
    } else if (c->role == ROLE_STUDENT) {
        if (!owned_by(d, c->peer.uid, c->peer.user)) {
            snprintf(buf, sizeof buf, "%s is not yours", d->name);
            why = buf;
        }
    } else {
        why = "no role";
    }
    bool logged = op != AUTHZ_READ || (what && (!strcmp(what, "attach") || !strcmp(what, "split-window")));
    if (why || logged)
        authz_audit(a, NULL, d, why == NULL, why);
    if (why)
        return errf(err, errlen, "%s: %s", what, why);
    return 0;
}

struct dom *authz_lookup(struct app *a, const char *spec, enum authz_op op, const char *what, char *err,
                         size_t errlen)
{
    struct dom *d = domreg_lookup(a->reg, spec, err, errlen);
    if (!d && a->authz && a->c && a->c->role == ROLE_STUDENT && !strchr(spec, '/')) {
        /* ie-virsh's short names: vm1 is alice-vm1 for alice. */
        char full[300], e[300];
        snprintf(full, sizeof full, "%s-%s", a->c->peer.user, spec);
        d = domreg_lookup(a->reg, full, e, sizeof e);
    }
    if (!d) {
        if (a->authz && a->c)
            authz_audit(a, NULL, NULL, false, err);
        return NULL;
    }
    if (authz_domain(a, d, op, what, err, errlen) < 0)
        return NULL;
    return d;
}

bool authz_readonly(const struct app *a)
{
    return a->authz && a->c && a->c->role != ROLE_OPERATOR && a->c->role != ROLE_STUDENT;
}

/* Does text name a domain of user's ("alice-vm1", "lab/alice-vm1")? */
static bool mentions_own(const char *text, const char *user)
{
    size_t n = strlen(user);
    for (const char *p = strstr(text, user); p; p = strstr(p + 1, user))
        if ((p == text || strchr(" /'\"(", p[-1])) && p[n] == '-')
            return true;
    return false;
}

bool authz_message_for(const struct app *a, const struct client *c, const char *text)
{
    if (!a->authz || c->role == ROLE_OPERATOR || c->role == ROLE_TA)
        return true;
    return c->role == ROLE_STUDENT && mentions_own(text, c->peer.user);
}

bool authz_input(struct app *a, struct client *c, const unsigned char *uuid, size_t n)
{
    if (!a->authz || c->role == ROLE_OPERATOR)
        return true;
    char why[200];
    uint64_t now = mono_ms();
    if (limits_take(a->authz->limits, c->peer.uid, LIMIT_INPUT, (unsigned)n, now, why, sizeof why))
        return true;
    client_message(c, true, why);
    /* A paste refuses hundreds of keys, a flood one each refill: the audit
     * log hears of it once a minute per client, not once a key. */
    if (!c->input_audit_ms || now - c->input_audit_ms >= INPUT_AUDIT_EVERY_MS) {
        audit_for(a, c, "(typing)", uuid ? domreg_find(a->reg, uuid) : NULL, false, why);
        c->input_audit_ms = now ? now : 1;
    }
    return false;
}

int authz_start_image(struct app *a, const struct dom *d, char *err, size_t errlen)
{
    if (!a->authz || !a->c || a->c->role != ROLE_STUDENT || !d->disk[0])
        return 0;
    /* The student owns the directory and may have swapped the checked file
     * for a symlink since the define: checked again before each start. An
     * image outside it is the operator's template's, which they cannot touch. */
    char dir[2048], resolved[4096], why[400];
    if (policy_images_dir(a->authz->policy, a->c->peer.user, dir, sizeof dir) < 0)
        return 0;
    size_t n = strlen(dir);
    if (strncmp(d->disk, dir, n) || d->disk[n] != '/')
        return 0;
    if (define_image_check(dir, d->disk, a->c->peer.uid, resolved, sizeof resolved, why, sizeof why) == 0)
        return 0;
    errf(err, errlen, "start: %s: %s", d->name, why);
    authz_audit(a, NULL, d, false, err);
    return -1;
}

/* ---- what cmd_classroom.c needs ---- */

size_t authz_pending(struct app *a, uid_t uid, int delta)
{
    struct authz *z = a->authz;
    if (!z)
        return 0;
    size_t free_slot = sizeof z->pending / sizeof z->pending[0];
    for (size_t i = 0; i < sizeof z->pending / sizeof z->pending[0]; i++) {
        if (z->pending[i].n && z->pending[i].uid == uid) {
            if (delta < 0 && z->pending[i].n)
                z->pending[i].n--;
            else if (delta > 0)
                z->pending[i].n++;
            return z->pending[i].n;
        }
        if (!z->pending[i].n && free_slot == sizeof z->pending / sizeof z->pending[0])
            free_slot = i;
    }
    if (delta > 0 && free_slot < sizeof z->pending / sizeof z->pending[0]) {
        z->pending[free_slot].uid = uid;
        z->pending[free_slot].n = 1;
        return 1;
    }
    return 0;
}

struct policy *authz_policy(struct app *a)
{
    return a->authz ? a->authz->policy : NULL;
}

bool authz_take(struct app *a, enum limit_kind kind, const struct dom *d, char *err, size_t errlen)
{
    if (!a->authz || !a->c || a->c->role == ROLE_OPERATOR)
        return true;
    char why[200];
    if (limits_take(a->authz->limits, a->c->peer.uid, kind, 1, mono_ms(), why, sizeof why))
        return true;
    errf(err, errlen, "%s", why);
    authz_audit(a, NULL, d, false, why);
    return false;
}
