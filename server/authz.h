/* server/authz.h: the system server's decisions (virtmux-server --system,
 * the classroom broker). Who a client is comes from its socket's peer
 * credentials and the user and group databases (policy/policy.h), never from
 * what the client says; what it may do follows from its role in the policy
 * file. Every decision is made on the domain's UUID and the owner written
 * into its XML at define time, once, when the request arrives; those that
 * change something or open a console go to the audit log.
 *
 * A user's own server (no --system) has one user: everything is allowed and
 * nothing is logged. */
#ifndef VIRTMUX_AUTHZ_H
#define VIRTMUX_AUTHZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "policy/limits.h"

struct app;
struct client;
struct cmd_entry;
struct dom;
struct session;

/* What a request does to a domain. */
enum authz_op {
    AUTHZ_READ,     /* a console watched, its XML read (TAs: every domain) */
    AUTHZ_TYPE,     /* a console typed into (owners and operators) */
    AUTHZ_CHANGE,   /* start, destroy, undefine, ... (owners and operators) */
};

/* Start the system mode: load the policy (NULL: /etc/virtmux/policy), open
 * the audit log, add the policy's hosts. -1 with a reason. */
int authz_system_start(struct app *a, const char *policy_path, char *err, size_t errlen);
/* SIGHUP or reload-policy: a new policy, or the last good one kept and the
 * bad line reported; every client's groups and role are read again. */
int authz_reload(struct app *a, char *err, size_t errlen);
void authz_free(struct app *a);
bool authz_system(const struct app *a);

/* A connection was accepted: who it is, and whether the connection limit
 * lets it in (-1 with a reason to tell it; the refusal is audited). */
int authz_client_new(struct app *a, struct client *c, char *err, size_t errlen);
void authz_client_gone(struct app *a, struct client *c);
/* "alice (student)" for titles and messages; "" in a user's own server. */
const char *authz_who(const struct client *c);

/* May the client run this command at all (its role)? Logged when refused. */
int authz_command(struct app *a, const struct cmd_entry *ce, int argc, char **argv, char *err, size_t errlen);
/* May the client (a->c) do op to d? -1 with err ("start: bob-vm1 is not
 * yours") when not; logged either way for CHANGE and console opens. */
int authz_domain(struct app *a, const struct dom *d, enum authz_op op, const char *what, char *err,
                 size_t errlen);
/* Does session s's user see d (the list, the board, watch-all)? */
bool authz_sees(const struct app *a, const struct session *s, const struct dom *d);
/* Does client c's user (NULL: the server itself) see d? */
bool authz_client_sees(const struct app *a, const struct client *c, const struct dom *d);
/* A domain named by the client: NAME, HOST/NAME, UUID, or for a student also
 * the short name of their own (vm1 for alice-vm1). NULL with a reason. */
struct dom *authz_lookup(struct app *a, const char *spec, enum authz_op op, const char *what, char *err,
                         size_t errlen);
/* Panes this client opens are read-only whatever it asks (a TA). */
bool authz_readonly(const struct app *a);
/* Should client c get a message addressed to nobody in particular? */
bool authz_message_for(const struct app *a, const struct client *c, const char *text);
/* n bytes typed by c into the console of domain uuid: false (and a message)
 * over the limit; audited at most once a minute per client, not once a key. */
bool authz_input(struct app *a, struct client *c, const unsigned char *uuid, size_t n);
/* One audit line for the command being run (a->c's), about d (or none). */
void authz_audit(struct app *a, const char *command, const struct dom *d, bool allowed, const char *why);

/* A student's start: their image is still theirs (no symlink swapped in
 * since the define). -1 with a reason (logged). */
int authz_start_image(struct app *a, const struct dom *d, char *err, size_t errlen);

/* For the classroom commands (server/cmd_classroom.c). */
struct policy;
struct policy *authz_policy(struct app *a);
/* One more of kind (policy/limits.h: LIMIT_LIFECYCLE, LIMIT_DEFINES) for
 * a->c's user, for a command about d (or none yet): false with the reason
 * when over the limit (audited, with d). */
bool authz_take(struct app *a, enum limit_kind kind, const struct dom *d, char *err, size_t errlen);
/* Defines of uid's on their way to libvirt (they count against the quota):
 * changed by delta; the count after. */
size_t authz_pending(struct app *a, uid_t uid, int delta);
/* A session's owner: set from the client that creates it. */
void authz_session_owner(struct app *a, struct session *s);

#endif
