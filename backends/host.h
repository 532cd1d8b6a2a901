/* backends/host.h: one libvirt host: its connection, reconnects, events and actions. */
#ifndef VIRTMUX_HOST_H
#define VIRTMUX_HOST_H
#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>

struct host;
struct domreg;

enum host_state {
    HOST_CONNECTING,
    HOST_CONNECTED,
    HOST_DISCONNECTED,   /* will retry after a backoff */
    HOST_AUTH_NEEDED,    /* gave up on credentials: waits for host-reconnect */
};

enum dom_action { DOM_START, DOM_SHUTDOWN, DOM_REBOOT, DOM_DESTROY, DOM_SUSPEND, DOM_RESUME };

/* Called on the event-loop thread. */
struct host_ops {
    /* state, error text or this host's domains changed */
    void (*changed)(struct host *h, void *opaque);
    /* a result worth a line in the status bar */
    void (*message)(struct host *h, bool error, const char *msg, void *opaque);
    /* libvirt needs a credential: ask the user, then call host_answer() */
    void (*ask)(struct host *h, const char *prompt, bool secret, void *opaque);
    /* a yes/no question (an unknown SSH host key, with its fingerprint; the
     * text may hold newlines): host_answer(h, "y") accepts, NULL refuses.
     * Without it, ask() is used and the user types y. */
    void (*confirm)(struct host *h, const char *question, void *opaque);
    /* A domain left this host by migration (the source's STOPPED_MIGRATED);
     * where to is for the caller to find out. */
    void (*left)(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN], const char *name, void *opaque);
};

struct host *host_new(const char *name, const char *uri, struct domreg *reg,
                      const struct host_ops *ops, void *opaque, char *err, size_t errlen);
/* Removes the host's domains from the registry and drops the connection. */
void host_free(struct host *h);
/* At exit: also wait up to wait_ms for the host's worker to finish. */
void host_free_wait(struct host *h, int wait_ms);

/* Connect (or reconnect now, skipping the backoff). Asynchronous. */
void host_connect(struct host *h);
/* The answer to the last ask(); NULL cancels the connection attempt. */
void host_answer(struct host *h, const char *answer);
/* Start an action on one of this host's domains; the outcome arrives as
 * message(); the row changes when libvirt's event arrives. */
int host_domain_action(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN],
                       const char *label, enum dom_action act, char *err, size_t errlen);

/* Define a domain from XML (or update its definition) and start it unless it
 * runs already. Queued behind a connection under way, so it can be called
 * right after host_connect(). */
int host_define_and_start(struct host *h, const char *xml, char *err, size_t errlen);

/* Run run(conn, arg) on the host's worker thread with its live connection
 * (conn is NULL when the host is not connected), then done(arg) on the loop
 * thread; discard(arg) instead when the host goes away first. */
int host_submit(struct host *h, void (*run)(virConnectPtr conn, void *arg),
                void (*done)(void *arg), void (*discard)(void *arg), void *arg);

/* The same for opening a console: on a worker of their own while the host
 * is connected, so that in a boot storm an open does not wait behind the
 * reads of every other domain that started (host_submit otherwise). */
int host_submit_console(struct host *h, void (*run)(virConnectPtr conn, void *arg),
                        void (*done)(void *arg), void (*discard)(void *arg), void *arg);

/* What makes a console open cheap in a boot storm, where each call waits on
 * a libvirtd busy starting containers. Loop thread.
 * host_take_started: the handle the STARTED event of this domain brought
 * (the caller owns it: virDomainFree), so the open needs no lookup; NULL when
 * there is none. host_console_plain: the driver refused the console flags
 * once (LXC has no console locking) and is not asked with them again on
 * this connection; host_note_console_plain records that. */
virDomainPtr host_take_started(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN]);
bool host_console_plain(const struct host *h);
void host_note_console_plain(struct host *h);

const char *host_name(const struct host *h);
virConnectPtr host_conn(const struct host *h);
const char *host_conn_uri(const struct host *h);
const char *host_uri(const struct host *h);
enum host_state host_state(const struct host *h);
const char *host_state_name(enum host_state s);
const char *host_error(const struct host *h);     /* last failure, "" if none */
/* Connected and listed once, or failed at least once: a "full paint" is possible. */
bool host_settled(const struct host *h);
/* Seconds until the next reconnect attempt, 0 when none is planned. */
unsigned host_retry_seconds(const struct host *h);
/* Cap for the reconnect backoff, in seconds (default 60). */
void host_set_backoff_max(struct host *h, unsigned seconds);
const char *dom_action_name(enum dom_action act);

/* Versions read when the host connected (0 / "" before): libvirt's on the
 * host (virConnectGetLibVersion), the hypervisor's (virConnectGetVersion) and
 * its driver name (virConnectGetType). */
unsigned long host_lib_version(const struct host *h);
unsigned long host_hv_version(const struct host *h);
const char *host_hv_type(const struct host *h);
/* "9.0.0": a libvirt version number as text. */
void host_version_string(unsigned long v, char *out, size_t outlen);

/* The host's own SSH session (qemu+ssh / qemu+libssh URIs), NULL for others:
 * what libvirt's RPC cannot carry, e.g. a VNC tunnel (ssh_tunnel_open). It
 * follows the host: dropped when the host disconnects, re-opened on demand. */
struct sshsess *host_ssh(struct host *h);

#endif
