/* backends/domread.c: libvirt domain -> struct dom snapshot (state, sizes, consoles). */
#include "backends/domread.h"
#include "backends/domxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

static bool last_error_is_gone(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->code == VIR_ERR_NO_DOMAIN;
}

int domread_one(virDomainPtr d, struct dom *out, bool *gone, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    *gone = false;
    virDomainInfo info;
    int state = 0, reason = 0;
    if (virDomainGetUUID(d, out->uuid) < 0 || virDomainGetUUIDString(d, out->uuid_str) < 0 ||
        virDomainGetInfo(d, &info) < 0 || virDomainGetState(d, &state, &reason, 0) < 0) {
        *gone = last_error_is_gone();
        snprintf(err, errlen, "%s", virGetLastErrorMessage());
        return -1;
    }
    const char *name = virDomainGetName(d);
    out->name = strdup(name ? name : "");
    out->state = state;
    out->reason = reason;
    unsigned int id = virDomainGetID(d);
    out->id = id == (unsigned int)-1 ? -1 : (int)id;
    out->vcpus = info.nrVirtCpu;
    out->mem_kib = info.memory;
    int autostart = 0;
    out->persistent = virDomainIsPersistent(d) == 1;
    out->autostart = out->persistent && virDomainGetAutostart(d, &autostart) == 0 ? autostart : -1;
    char *xml = virDomainGetXMLDesc(d, 0);
    if (xml) {
        struct domxml_facts facts;
        char xerr[128];
        if (domxml_read_facts(xml, &facts, xerr, sizeof xerr) == 0) {
            out->has_serial = facts.has_serial;
            out->has_vnc = facts.has_vnc;
        }
        free(xml);
    } else if (last_error_is_gone()) {
        *gone = true;
        free(out->name);
        out->name = NULL;
        snprintf(err, errlen, "%s", virGetLastErrorMessage());
        return -1;
    }
    virResetLastError();
    if (!out->name) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int domread_all(virConnectPtr conn, struct dom **out, size_t *n, char *err, size_t errlen)
{
    virDomainPtr *doms = NULL;
    int count = virConnectListAllDomains(conn, &doms, 0);
    *out = NULL;
    *n = 0;
    if (count < 0) {
        snprintf(err, errlen, "listing domains: %s", virGetLastErrorMessage());
        return -1;
    }
    struct dom *snaps = calloc(count ? (size_t)count : 1, sizeof *snaps);
    size_t got = 0;
    for (int i = 0; i < count; i++) {
        bool gone;
        char e[256];
        /* A domain that vanishes while we list is simply not there. */
        if (snaps && domread_one(doms[i], &snaps[got], &gone, e, sizeof e) == 0)
            got++;
        virDomainFree(doms[i]);
    }
    free(doms);
    if (!snaps) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out = snaps;
    *n = got;
    return 0;
}

void domread_free_all(struct dom *snaps, size_t n)
{
    for (size_t i = 0; snaps && i < n; i++)
        free(snaps[i].name);
    free(snaps);
}
