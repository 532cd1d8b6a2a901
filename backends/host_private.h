/* backends/host_private.h: what backends/host.c (the connection) and
 * backends/hostjobs.c (the jobs run against it) share; callers use backends/host.h. */
#ifndef VIRTMUX_HOST_PRIVATE_H
#define VIRTMUX_HOST_PRIVATE_H
#include <stdbool.h>
#include <libvirt/libvirt.h>
#include "backends/host.h"
#include "util/retry.h"

struct connect_job;   /* backends/host.c */
struct sshsess;
struct worker;

/* One connection and its registrations. Every registration holds a reference
 * released by its free callback (as virsh-console does); callbacks start with a
 * late-event guard on ->host, which only the loop thread reads or writes. */
struct hconn {
    int refs;
    struct host *host;
    virConnectPtr conn;
    int lifecycle_id;
    bool close_registered;
    /* Drivers without close callbacks (test, embed) accept the registration
     * but never call its free function: teardown drops that reference then. */
    bool close_freed;
    int close_reason;             /* for on_close_later */
};

struct host {
    char *name, *uri;
    char *conn_uri;                   /* uri with what virtmux fills in (sshuri_fill) */
    struct sshsess *ssh;              /* SSH URIs only */
    bool checking;                    /* the SSH host key check runs before libvirt */
    unsigned long libver, hvver;
    char hvtype[32];
    struct domreg *reg;
    const struct host_ops *ops;
    void *opaque;
    struct worker *worker;
    struct worker *console_worker;    /* console opens (host_submit_console), made on first use */
    /* Handles of the domains that started lately, for host_take_started: a
     * ring, the oldest let go when full; dropped with the connection. */
    virDomainPtr started[64];
    unsigned started_next;
    bool console_plain;               /* host_console_plain, for this connection */
    enum host_state state;
    char error[512];
    struct hconn *hc;                 /* live connection, or NULL */
    struct connect_job *connecting;   /* attempt under way, or NULL */
    bool settled;
    bool retried;                     /* the current error was already reported */
    unsigned long listing;            /* mark for pruning vanished domains */
    struct retry retry;               /* reconnect: 1 s doubling to the cap */
};

/* backends/host.c */

/* Each job on the worker holds a reference to its connection. */
struct hconn *hconn_ref(struct hconn *hc);
void hconn_unref(void *opaque);
/* A line for the status bar, through ops->message. Loop thread. */
void host_message(struct host *h, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The connection a new job runs against: the one being opened (the job waits
 * behind it on the worker), else the live one; NULL when there is neither. */
struct hconn *host_job_hconn(struct host *h);

#endif
