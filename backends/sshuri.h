/* backends/sshuri.h: libvirt URIs that go over SSH — the SSH target they name, and
 * the parameters virtmux adds so that libvirt never asks on the terminal. Pure. */
#ifndef VIRTMUX_SSHURI_H
#define VIRTMUX_SSHURI_H
#include <stdbool.h>
#include <stddef.h>

enum ssh_transport {
    SSH_T_NONE,      /* not over SSH (unix, tls, tcp, test, ...) */
    SSH_T_LIBSSH,    /* qemu+libssh:// (libvirt's libssh client; also +libssh2) */
    SSH_T_OPENSSH,   /* qemu+ssh:// (libvirt runs the ssh binary) */
};

/* What the URI says; "" / 0 where it says nothing. */
struct ssh_target {
    enum ssh_transport transport;
    char user[128];
    char host[256];
    int port;
    char keyfile[1024];
    char known_hosts[1024];
    char known_hosts_verify[16];   /* libssh transport: normal | auto | ignore */
    bool no_verify;                /* ssh transport: no_verify=1 */
};

/* 0 on success (transport SSH_T_NONE for a URI that is not over SSH);
 * -1 with err set when an SSH URI is malformed. */
int sshuri_parse(const char *uri, struct ssh_target *t, char *err, size_t errlen);

/* The URI virtmux hands to libvirt: for +libssh, known_hosts=KNOWN_HOSTS,
 * keyfile=KEYFILE (when not NULL/"": the config's IdentityFile) and
 * sshauth=agent[,privkey],keyboard-interactive,password unless the URI has them
 * (privkey only with a key: libvirt refuses "privkey" without a key file);
 * for +ssh, no_tty=1 (ssh must never prompt on our terminal). Other URIs are
 * copied unchanged. -1 when out is too small. */
int sshuri_fill(const char *uri, const char *known_hosts, const char *keyfile, bool have_key,
                char *out, size_t outlen);

/* Value of query parameter NAME (percent-decoded) into out; 1 found, 0 not. */
int sshuri_param(const char *uri, const char *name, char *out, size_t outlen);

#endif
