/* backends/domxml.c: domain XML -> the few facts the list shows (XPath, no string search). */
#include "backends/domxml.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

static double xpath_number(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    double v = obj && obj->type == XPATH_NUMBER ? obj->floatval : 0;
    xmlXPathFreeObject(obj);
    return v;
}

/* A memory element in KiB, whatever unit it was written in. */
static unsigned long memory_kib(xmlXPathContextPtr ctx, const char *path)
{
    char expr[200];
    snprintf(expr, sizeof expr, "number(%s)", path);
    double v = xpath_number(ctx, expr);
    if (!(v > 0))
        return 0;
    snprintf(expr, sizeof expr, "string(%s/@unit)", path);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    const char *unit = obj && obj->type == XPATH_STRING && obj->stringval ? (const char *)obj->stringval : "";
    double scale = 1;
    if (!strcmp(unit, "b") || !strcmp(unit, "bytes")) scale = 1.0 / 1024;
    else if (!strcmp(unit, "MiB") || !strcmp(unit, "M")) scale = 1024;
    else if (!strcmp(unit, "GiB") || !strcmp(unit, "G")) scale = 1024.0 * 1024;
    else if (!strcmp(unit, "TiB") || !strcmp(unit, "T")) scale = 1024.0 * 1024 * 1024;
    else if (!strcmp(unit, "KB")) scale = 1000.0 / 1024;
    else if (!strcmp(unit, "MB")) scale = 1000.0 * 1000 / 1024;
    else if (!strcmp(unit, "GB")) scale = 1000.0 * 1000 * 1000 / 1024;
    xmlXPathFreeObject(obj);
    return (unsigned long)(v * scale);
}

static void xpath_string(xmlXPathContextPtr ctx, const char *expr, char *out, size_t outlen)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    const char *v = obj && obj->type == XPATH_STRING && obj->stringval ? (const char *)obj->stringval : "";
    snprintf(out, outlen, "%s", v);
    xmlXPathFreeObject(obj);
}

/* Exactly one owner element with a numeric uid and a plain user name, or
 * no owner at all: anything else is nobody's (refused, never guessed). */
static void read_owner(xmlXPathContextPtr ctx, struct domxml_facts *out)
{
    out->owner_uid = -1;
    out->owner[0] = '\0';
    if (xmlXPathRegisterNs(ctx, (const xmlChar *)"vo", (const xmlChar *)VIRTMUX_OWNER_NS) != 0)
        return;
    if (xpath_number(ctx, "count(/domain/metadata/vo:owner)") != 1)
        return;
    char uid[32], user[64];
    xpath_string(ctx, "string(/domain/metadata/vo:owner/@uid)", uid, sizeof uid);
    xpath_string(ctx, "string(/domain/metadata/vo:owner/@user)", user, sizeof user);
    char *end;
    long v = strtol(uid, &end, 10);
    if (!*uid || *end || v < 0 || v > INT_MAX || !*user || strpbrk(user, "/ \t\r\n"))
        return;
    out->owner_uid = v;
    snprintf(out->owner, sizeof out->owner, "%s", user);
}

int domxml_read_facts(const char *xml, struct domxml_facts *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->vnc_port = -1;
    out->owner_uid = -1;
    /* NONET: never fetch anything a hostile XML might point at. */
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        snprintf(err, errlen, "domain XML does not parse");
        return -1;
    }
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    if (!ctx) {
        xmlFreeDoc(doc);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    out->has_serial = xpath_number(ctx, "count(/domain/devices/serial | /domain/devices/console)") > 0;
    out->has_vnc = xpath_number(ctx, "count(/domain/devices/graphics[@type='vnc'])") > 0;
    if (out->has_vnc) {
        double port = xpath_number(ctx, "number(/domain/devices/graphics[@type='vnc'][1]/@port)");
        if (port > 0 && port < 65536)
            out->vnc_port = (int)port;
    }
    double cur = xpath_number(ctx, "number(/domain/vcpu/@current)");
    double all = xpath_number(ctx, "number(/domain/vcpu)");
    out->vcpus = cur > 0 ? (unsigned)cur : all > 0 ? (unsigned)all : 0;
    out->mem_kib = memory_kib(ctx, "/domain/currentMemory");
    if (!out->mem_kib)
        out->mem_kib = memory_kib(ctx, "/domain/memory");
    read_owner(ctx, out);
    xpath_string(ctx, "string(/domain/devices/disk[@type='file'][not(@device) or @device='disk'][1]/source/@file)",
                 out->disk, sizeof out->disk);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return 0;
}
