/* backends/domxml.h: facts read from a domain's XML with libxml2 XPath. */
#ifndef VIRTMUX_DOMXML_H
#define VIRTMUX_DOMXML_H
#include <stdbool.h>
#include <stddef.h>

struct domxml_facts {
    bool has_serial;   /* a <serial> or <console> device */
    bool has_vnc;      /* <graphics type='vnc'> */
    int vnc_port;      /* live port, -1 when unknown or autoport not yet assigned */
    unsigned vcpus;    /* current vCPUs, 0 if the XML does not say */
    unsigned long mem_kib;  /* current memory, 0 if the XML does not say */
    /* The classroom owner the system server wrote into <metadata> at define
     * time (<virtmux:owner uid='UID' user='USER'/> in VIRTMUX_OWNER_NS);
     * owner_uid -1 and owner "" when there is none or it is malformed. */
    long owner_uid;
    char owner[64];
    /* The first file-backed disk's source (a student's image), or "". */
    char disk[512];
};

#define VIRTMUX_OWNER_NS "https://virtmux.example/ns/owner/1"
#define VIRTMUX_OWNER_PREFIX "virtmux"

/* 0 on success; -1 with a reason when the XML does not parse. */
int domxml_read_facts(const char *xml, struct domxml_facts *out, char *err, size_t errlen);

#endif
