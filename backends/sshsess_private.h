/* backends/sshsess_private.h: what backends/ssh.c (the session) and
 * backends/sshtunnel.c (its tunnels) share; callers use backends/ssh.h. */
#ifndef VIRTMUX_SSHSESS_PRIVATE_H
#define VIRTMUX_SSHSESS_PRIVATE_H
#include <stdbool.h>
#include <netdb.h>
#include <sys/types.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include "backends/ssh.h"

struct worker;
struct tunnel;   /* backends/sshtunnel.c */

enum sstate {
    S_IDLE, S_RESOLVING, S_TCP, S_HANDSHAKE, S_HOSTKEY_ASK,
    S_AUTH_NONE, S_AUTH_PUBKEY, S_AUTH_KBDINT, S_KBD_ASK, S_PASSWORD_ASK, S_AUTH_PASSWORD,
    S_READY,
};

struct sshsess {
    struct ssh_resolved r;
    const struct ssh_ops *ops;
    void *opaque;
    /* getaddrinfo() blocks; it runs on this session's own thread rather than the
     * host's worker, which may sit in virConnectOpenAuth waiting for a dialog. */
    struct worker *worker;
    enum sstate state;
    unsigned gen;                 /* bumped on every reset: late results are ignored */
    ssh_session ss;
    struct ssh_callbacks_struct cbs;
    struct addrinfo *ai, *ai_next;
    int fd;                       /* ours until handed to libssh */
    /* The socket handed to libssh: libssh 0.10 closes it on some failures
     * but not on ssh_disconnect/ssh_free after a connect, so drop_session
     * closes it if it is still the same socket (the number may be reused). */
    int lib_fd;
    dev_t lib_dev;
    ino_t lib_ino;
    int watch, watch_events, timer, defer_timer, kick_timer;
    ssh_check_cb check_done;
    void *check_opaque;
    bool check_ok_pending;        /* deferred "ok" for a check on a ready session */
    struct tunnel *tunnels;
    int next_id;
    int methods;
    bool tried_pubkey, tried_kbd, tried_password;
    unsigned kbd_prompt, kbd_n;
    char *password;
    char keytype[32], fingerprint[128];
};

/* backends/ssh.c */

/* Handle packets and write what is queued, without waiting, then serve the
 * tunnels; a lost connection fails the session. On a ready session only. */
void sshsess_pump(struct sshsess *s);
/* Watch the session's socket: readable, writable while libssh has output. */
void sshsess_interest(struct sshsess *s);
/* Resolve, connect, check the host key and log in, asynchronously; the
 * tunnels waiting are served once the session is ready. */
void sshsess_start_connect(struct sshsess *s);

/* backends/sshtunnel.c */

/* Open requested channels and move data on open ones. */
void ssh_tunnels_pump(struct sshsess *s);
/* The session failed (after its libssh handle is gone): every tunnel ends. */
void ssh_tunnels_fail(struct sshsess *s, const char *why);
/* The session is freed (before its libssh handle): no callbacks. */
void ssh_tunnels_free(struct sshsess *s);

#endif
