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
};

/* 0 on success; -1 with a reason when the XML does not parse. */
int domxml_read_facts(const char *xml, struct domxml_facts *out, char *err, size_t errlen);

#endif
