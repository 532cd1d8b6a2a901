/* backends/vncaddr.h: where a VNC server listens and a connected socket to it —
 * the seam a later SSH tunnel replaces (it too only has to yield a socket). */
#ifndef VIRTMUX_VNCADDR_H
#define VIRTMUX_VNCADDR_H
#include <stdbool.h>
#include <stddef.h>

/* From a live domain XML: "HOST:PORT" (TCP) or "unix:PATH" for the first VNC
 * <graphics>. A wildcard listen address (0.0.0.0, ::) becomes host_fallback
 * (the libvirt host's name). -1 with a reason (no VNC, no port yet). */
int vncaddr_from_xml(const char *xml, const char *host_fallback, char *out, size_t outlen,
                     char *err, size_t errlen);

/* Connect to "HOST:PORT", "[V6]:PORT" or "unix:PATH" within timeout_ms. A
 * byte readable on cancel_fd (-1: none) gives up early. Returns a blocking
 * socket, or -1 with a reason. */
int vncaddr_connect(const char *addr, int timeout_ms, int cancel_fd, char *err, size_t errlen);

/* true for a libvirt URI whose connection is on this machine (qemu:///system,
 * qemu:///embed?..., qemu+unix://...), where the graphics socket can be
 * passed over the connection (virDomainOpenGraphicsFD). */
bool vncaddr_uri_is_local(const char *uri);

#endif
