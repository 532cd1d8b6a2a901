/* backends/ssh.h: virtmux's own libssh session to a remote host — host key check
 * against known_hosts, agent/key/keyboard-interactive/password auth, and
 * direct-tcpip tunnels bridged to a local socket (for the VNC client). Runs
 * non-blocking on the one event loop (libvirt's); never touches the terminal.
 * backends/ssh.c runs sessions, backends/sshtunnel.c their tunnels;
 * backends/sshconfig.c resolves targets. */
#ifndef VIRTMUX_SSH_H
#define VIRTMUX_SSH_H
#include <stdbool.h>
#include <stddef.h>
#include "backends/sshuri.h"

struct sshsess;

/* Where the session goes, after ~/.ssh/config and /etc/ssh/ssh_config: the
 * URI's user, port, keyfile= and known_hosts= win over the config's User,
 * Port, IdentityFile and UserKnownHostsFile; HostName comes from the config. */
struct ssh_resolved {
    char user[128];
    char host[256];          /* as typed (the config's Host alias) */
    char hostname[256];      /* where to connect, and the known_hosts name */
    int port;
    char known_hosts[1024];
    char ssh_dir[1024];      /* $HOME/.ssh */
    char keyfile[1024];      /* "" = the default keys */
    /* The URI's known_hosts_verify= (libssh) or no_verify=1 (ssh):
     * SSH_VERIFY_AUTO saves an unknown key without asking (a changed key is
     * still refused), SSH_VERIFY_IGNORE checks nothing. */
    enum { SSH_VERIFY_NORMAL, SSH_VERIFY_AUTO, SSH_VERIFY_IGNORE } verify;
};

/* home: $HOME (NULL = getenv("HOME")); config: a config file instead of
 * HOME/.ssh/config + /etc/ssh/ssh_config (tests), NULL for those. */
int ssh_resolve(const struct ssh_target *t, const char *home, const char *config,
                struct ssh_resolved *r, char *err, size_t errlen);

enum ssh_ask {
    SSH_ASK_HOSTKEY,   /* yes/no: accept and save an unknown host key */
    SSH_ASK_TEXT,      /* keyboard-interactive prompt with echo */
    SSH_ASK_SECRET,    /* password or keyboard-interactive prompt without echo */
};

/* Called on the loop thread. */
struct ssh_ops {
    /* Ask the user; answer with sshsess_answer() (NULL = cancel). */
    void (*ask)(struct sshsess *s, enum ssh_ask kind, const char *prompt, void *opaque);
    /* An established session ended (EOF, error): its tunnels are closed. */
    void (*lost)(struct sshsess *s, const char *why, void *opaque);
};

struct sshsess *sshsess_new(const struct ssh_resolved *r, const struct ssh_ops *ops, void *opaque,
                            char *err, size_t errlen);
/* Closes tunnels (their local ends see EOF) and pending requests are dropped
 * without their callbacks. sshsess_free(NULL) is a no-op. */
void sshsess_free(struct sshsess *s);

/* The outcome of a host key check: ok, or why not. fatal: retrying cannot
 * help (the key changed, or the user refused it). */
typedef void (*ssh_check_cb)(bool ok, bool fatal, const char *why, void *opaque);
/* Connect, check the host key (asking when it is unknown, refusing when it
 * changed), then disconnect: run before libvirt connects, so libvirt finds
 * the key known. One check at a time; a new one replaces the old (whose
 * callback is not called). */
int sshsess_check_hostkey(struct sshsess *s, ssh_check_cb done, void *opaque);

/* The answer to the last ask(). */
void sshsess_answer(struct sshsess *s, const char *answer);
/* Drop the connection and every tunnel (the host went away). Pending tunnel
 * requests fail with why. */
void sshsess_disconnect(struct sshsess *s, const char *why);
bool sshsess_connected(const struct sshsess *s);
/* Waiting for the user (a question is open). */
bool sshsess_asking(const struct sshsess *s);

/* fd: a connected local socket (the caller owns it; closing it closes the
 * tunnel), or -1 and err. */
typedef void (*tunnel_cb)(int fd, const char *err, void *opaque);
/* A direct-tcpip channel to host:port as seen from the SSH server, bridged to
 * a local socketpair. Connects and authenticates first if needed. Returns a
 * request id (> 0) for ssh_tunnel_cancel, or -1 with err set. done may run
 * before this returns, when the session fails at once (then the id is spent). */
int ssh_tunnel_open(struct sshsess *s, const char *host, int port, tunnel_cb done, void *opaque,
                    char *err, size_t errlen);
/* Forget a request whose callback has not run yet. */
void ssh_tunnel_cancel(struct sshsess *s, int id);
/* Tunnels open now (for the host list and tests). */
size_t ssh_tunnel_count(const struct sshsess *s);

/* The SHA256 fingerprint as OpenSSH prints it ("SHA256:base64") of a public
 * key in OpenSSH format ("ssh-ed25519 AAAA..."); -1 when it does not parse. */
int ssh_fingerprint_of(const char *pubkey_line, char *out, size_t outlen);
/* The same for a key libssh holds (libssh's ssh_key); -1 on failure. */
struct ssh_key_struct;
int ssh_key_fingerprint(struct ssh_key_struct *key, char *out, size_t outlen);

#endif
