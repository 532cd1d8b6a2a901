/* backends/vncaddr.h: where a VNC server listens and a connected socket to it —
 * or, for a host reached over SSH, the far end of the tunnel (vncaddr_split). */
#ifndef VIRTMUX_VNCADDR_H
#define VIRTMUX_VNCADDR_H
#include <stdbool.h>
#include <stddef.h>

/* From a live domain XML: "HOST:PORT" (TCP) or "unix:PATH" for the first VNC
 * <graphics>. A wildcard listen address (0.0.0.0, ::) becomes host_fallback
 * (the libvirt host's name). -1 with a reason (no VNC, no port yet). */
int vncaddr_from_xml(const char *xml, const char *host_fallback, char *out, size_t outlen,
                     char *err, size_t errlen);

/* The server part of a libvirt URI ("qemu+tcp://10.0.0.5:16509/system" ->
 * "10.0.0.5"); "" when it has none. */
void vncaddr_uri_host(const char *uri, char *out, size_t outlen);

/* true for a loopback address ("127.0.0.1:5900", "[::1]:5900", "localhost:..."):
 * on a remote host, only a tunnel reaches it. */
bool vncaddr_is_loopback(const char *addr);

/* "HOST:PORT" or "[V6]:PORT" into host and port (what an SSH tunnel asks the
 * far side to connect to); -1 when it is neither (e.g. "unix:PATH"). */
int vncaddr_split(const char *addr, char *host, size_t hostlen, int *port);

/* Connect to "HOST:PORT", "[V6]:PORT" or "unix:PATH" within timeout_ms. A
 * byte readable on cancel_fd (-1: none) gives up early. Returns a blocking
 * socket, or -1 with a reason. */
int vncaddr_connect(const char *addr, int timeout_ms, int cancel_fd, char *err, size_t errlen);

/* true for a libvirt URI whose connection is on this machine (qemu:///system,
 * qemu:///embed?..., qemu+unix://...), where the graphics socket can be
 * passed over the connection (virDomainOpenGraphicsFD). */
bool vncaddr_uri_is_local(const char *uri);

#endif
