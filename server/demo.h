/* server/demo.h: `virtmux --demo`: a tiny busybox guest under the embedded QEMU driver. */
#ifndef VIRTMUX_DEMO_H
#define VIRTMUX_DEMO_H
#include <stddef.h>

/* Builds the guest files (demo/mkguest.sh) before the UI starts, and returns the
 * embedded-driver URI and the domain XML (malloc'd). */
int demo_prepare(const char *argv0, char *uri, size_t urilen, char **xml, char *err, size_t errlen);

#endif
