/* policy/audit.h: the audit log of a system server — one line per decision
 * that changes something or opens a console, allowed or refused.
 *
 * The file is created 0600 (an existing one is made 0600 and must be a
 * regular file owned by the server's euid); a symlink at PATH is refused
 * (O_NOFOLLOW). Lines are appended with one write(2) each (O_APPEND). When
 * a line would take the file past max_bytes, PATH is renamed to PATH.1
 * (replacing the older one: one old file is kept) and a fresh PATH begun.
 *
 * A line (fields separated by one space; free text quoted, with '"', '\'
 * and control characters escaped as \" \\ \xNN, so a line is always one
 * line and splits back unambiguously):
 *
 *   2026-12-07T18:20:03Z uid=1001 user="alice" role=student cmd="define -t tiny vm1" \
 *       uuid=6f1c...-... name="alice-vm1" allowed
 *   2026-12-07T18:20:09Z uid=1002 user="bob" role=student cmd="start alice-vm1" \
 *       uuid=6f1c...-... name="alice-vm1" refused: "not your domain"
 *
 * (one line each; uuid=- name=- when no domain is involved). */
#ifndef VIRTMUX_POLICY_AUDIT_H
#define VIRTMUX_POLICY_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct audit;

/* Open (create) the log. max_bytes 0: never rotate. NULL with a reason. */
struct audit *audit_open(const char *path, uint64_t max_bytes, char *err, size_t errlen);
void audit_close(struct audit *a);

struct audit_entry {
    time_t when; /* 0: now */
    uid_t uid;
    const char *user;
    const char *role;    /* role_name() */
    const char *command; /* the command line as the client sent it */
    const char *uuid;    /* the domain's UUID string, or NULL */
    const char *name;    /* the domain's name, or NULL */
    const char *refused; /* NULL: allowed; else why it was refused */
};

/* Append one line (rotating first when needed). 0, or -1 with a reason: the
 * caller decides whether an unwritable log refuses the request. */
int audit_write(struct audit *a, const struct audit_entry *e, char *err, size_t errlen);

/* The line audit_write would append for e, with its '\n'. Caller frees. */
char *audit_format(const struct audit_entry *e);

#endif
