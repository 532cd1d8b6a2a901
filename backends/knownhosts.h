/* backends/knownhosts.h: find the line of a host's entry in an OpenSSH known_hosts
 * file (plain, wildcard or hashed names), so a changed key is reported as FILE:LINE. */
#ifndef VIRTMUX_KNOWNHOSTS_H
#define VIRTMUX_KNOWNHOSTS_H
#include <stddef.h>

/* The name known_hosts uses for host:port: "host" for port 22, else "[host]:port". */
void knownhosts_name(const char *host, int port, char *out, size_t outlen);

/* The first line (1-based) with an entry for host:port whose key type is
 * keytype (e.g. "ssh-ed25519"; NULL = any), or else the first line for the host
 * with any key type. Returns 1 and sets *line, 0 when there is none, -1 when
 * the file cannot be read (err says why). */
int knownhosts_find(const char *path, const char *host, int port, const char *keytype,
                    int *line, char *err, size_t errlen);

#endif
