/* backends/domxml.c: domain XML -> the few facts the list shows (XPath, no string search). */
#include "backends/domxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

static double xpath_number(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    double v = obj && obj->type == XPATH_NUMBER ? obj->floatval : 0;
    xmlXPathFreeObject(obj);
    return v;
}

int domxml_read_facts(const char *xml, struct domxml_facts *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->vnc_port = -1;
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
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return 0;
}
