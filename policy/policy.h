/* policy/policy.h: the classroom policy of a system server (issue 13) — who
 * may do what, read from /etc/virtmux/policy — and who is on the other end
 * of a socket (SO_PEERCRED, never what the client says).
 *
 * The file is in virtmux's command language (keymaps/cmdline.h: '#'
 * comments, '...' and "..." quoting, as the config). One directive a line:
 *
 *   host NAME URI                  a libvirt host the server connects to
 *   role ROLE WHO...               ROLE is student, ta or operator; WHO is a
 *                                  user name or @group, several per line
 *   quota ROLE N                   domains per user (all hosts together)
 *   quota @GROUP N                 overrides the role's quota for the group
 *   quota USER N                   overrides both, for one user
 *   grant ROLE|@GROUP|USER CMD...  commands beyond the role's own (e.g.
 *                                  "grant ta start destroy"); the server
 *                                  decides what each command name means
 *   template NAME FILE             a domain XML a student may define from
 *                                  (FILE absolute; NAME as define_name_ok)
 *   images DIR                     where a user's images live; %u is the
 *                                  user name, %% a '%'; absolute
 *   limit connections N            connections open at once, per user
 *   limit input BYTES_PER_SEC      bytes typed into consoles, per user
 *   limit lifecycle PER_MINUTE     start/destroy/... per user
 *   limit defines PER_HOUR         define/undefine per user
 *   limit KIND off                 no limit of that kind
 *   audit FILE [MAX_BYTES]         the audit log and its size before
 *                                  rotation (suffix K, M or G allowed)
 *
 * The policy file and the templates must be owned by root (or the server's
 * euid) and writable by no one else: whoever may write them may make
 * themselves an operator. Users and groups are resolved to ids when the
 * file is loaded: a name that
 * does not exist is a bad line (a typo would otherwise grant nobody). A
 * template must be a readable <domain> XML with exactly one disk of
 * device='disk', of type='file' (define.h: define_template_check); checked at
 * load. Defaults: quota student 4, ta 0, operator unlimited; limits
 * connections 16, input 65536, lifecycle 30, defines 10; audit
 * /var/log/virtmux/audit.log 10M; no images directory (no image may be
 * named). Limits are meant for students and TAs; the caller decides whether
 * operators are limited.
 */
#ifndef VIRTMUX_POLICY_POLICY_H
#define VIRTMUX_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/limits.h"

#define POLICY_DEFAULT_PATH "/etc/virtmux/policy"
#define POLICY_QUOTA_UNLIMITED UINT32_MAX
#define PEER_MAX_GROUPS 256

/* Ordered: a larger role may do everything a smaller one may. */
enum user_role { ROLE_NONE, ROLE_STUDENT, ROLE_TA, ROLE_OPERATOR };

/* Who is on the other end of a connection, from the kernel and the user and
 * group databases only. groups holds the primary group too. */
struct peer {
    uid_t uid;
    gid_t gid;
    pid_t pid;
    char user[64];
    gid_t groups[PEER_MAX_GROUPS];
    int ngroups;
};

struct policy;

struct policy_host {
    const char *name;
    const char *uri;
};

/* Load a policy file. NULL with err = "PATH:LINE: reason" on the first bad
 * line (or "PATH: reason" when the file cannot be read); the caller keeps its
 * last good policy. */
struct policy *policy_load(const char *path, char *err, size_t errlen);
void policy_free(struct policy *p);

/* The path as given to policy_load. */
const char *policy_path(const struct policy *p);

/* The hosts in the order of the file; *n gets their count. */
const struct policy_host *policy_hosts(const struct policy *p, size_t *n);

/* uid 0 is an operator; otherwise the most privileged role naming the user
 * (by uid) or one of the peer's groups; ROLE_NONE when none does. */
enum user_role policy_role(const struct policy *p, const struct peer *peer);

/* Whether a grant line gives the peer command (by the peer's role, user or
 * one of their groups). Never for ROLE_NONE: a grant does not make a role.
 * The server asks this for what a role may not do by itself (a TA's
 * start, say); what each role may do without grants is the server's. */
bool policy_granted(const struct policy *p, const struct peer *peer, const char *command);

/* "student", "ta", "operator", "none". */
const char *role_name(enum user_role r);

/* Writes exactly "no role for USER in PATH"; returns buf. */
const char *policy_no_role_message(const struct policy *p, const struct peer *peer, char *buf, size_t len);

/* Domains the peer may own at once: the user's own quota line, else the
 * largest quota of the peer's groups that have one, else the role's.
 * POLICY_QUOTA_UNLIMITED for no limit; 0 for ROLE_NONE. */
unsigned policy_quota(const struct policy *p, const struct peer *peer);

/* The file of template NAME, and its XML as read and checked at load; NULL
 * when there is no such template. Valid until policy_free. */
const char *policy_template_path(const struct policy *p, const char *name);
const char *policy_template_xml(const struct policy *p, const char *name);
/* Template names in the order of the file (for help and completion). */
const char *policy_template_name(const struct policy *p, size_t i);

/* The user's images directory (the images line with %u -> user). -1 with
 * nothing written when there is no images line or it does not fit. */
int policy_images_dir(const struct policy *p, const char *user, char *out, size_t outlen);

/* The limits (0 = off), as limits_new/limits_set_conf take them. */
const struct limits_conf *policy_limits(const struct policy *p);

/* The audit log's path and size before rotation. */
const char *policy_audit_path(const struct policy *p);
uint64_t policy_audit_max_bytes(const struct policy *p);

/* The peer of a connected Unix socket: SO_PEERCRED's uid, gid and pid, then
 * peer_from_uid. 0, or -1 with a reason. */
int peer_from_fd(int fd, struct peer *out, char *err, size_t errlen);

/* Fill a peer from the user database: name (getpwuid_r) and supplementary
 * groups (getgrouplist). Call again on policy reload to re-read groups.
 * A uid without a passwd entry, or in more than PEER_MAX_GROUPS groups, is
 * an error (fail closed). */
int peer_from_uid(uid_t uid, pid_t pid, struct peer *out, char *err, size_t errlen);

#endif
