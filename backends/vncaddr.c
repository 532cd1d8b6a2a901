/* backends/vncaddr.c: VNC listen address from the domain XML, and a bounded,
 * cancellable connect to it (TCP or unix socket). */
#include "backends/vncaddr.h"
#include "util/monotime.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

static char *xpath_string(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    char *s = NULL;
    if (obj && obj->type == XPATH_STRING && obj->stringval && obj->stringval[0])
        s = strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return s;
}

int vncaddr_from_xml(const char *xml, const char *host_fallback, char *out, size_t outlen,
                     char *err, size_t errlen)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
    if (!ctx) {
        xmlFreeDoc(doc);
        snprintf(err, errlen, "domain XML does not parse");
        return -1;
    }
    const char *g = "/domain/devices/graphics[@type='vnc'][1]";
    char expr[200];
    snprintf(expr, sizeof expr, "string(%s/@socket)", g);
    char *sock = xpath_string(ctx, expr);
    snprintf(expr, sizeof expr, "string(%s/@port)", g);
    char *port = xpath_string(ctx, expr);
    snprintf(expr, sizeof expr, "string(%s/listen[@type='address'][1]/@address)", g);
    char *listen = xpath_string(ctx, expr);
    if (!listen) {
        snprintf(expr, sizeof expr, "string(%s/@listen)", g);
        listen = xpath_string(ctx, expr);
    }
    snprintf(expr, sizeof expr, "count(%s)", g);
    xmlXPathObjectPtr n = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    bool has = n && n->type == XPATH_NUMBER && n->floatval > 0;
    xmlXPathFreeObject(n);
    int rc = -1;
    long p = port ? strtol(port, NULL, 10) : -1;
    if (!has) {
        snprintf(err, errlen, "the domain has no VNC display");
    } else if (sock) {
        snprintf(out, outlen, "unix:%s", sock);
        rc = 0;
    } else if (p <= 0 || p > 65535) {
        snprintf(err, errlen, "the VNC display has no port (yet)");
    } else {
        const char *h = listen ? listen : "127.0.0.1";
        if (!strcmp(h, "0.0.0.0") || !strcmp(h, "::") || !strcmp(h, "[::]"))
            h = host_fallback && *host_fallback ? host_fallback : "127.0.0.1";
        snprintf(out, outlen, strchr(h, ':') ? "[%s]:%ld" : "%s:%ld", h, p);
        rc = 0;
    }
    free(sock);
    free(port);
    free(listen);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return rc;
}

bool vncaddr_uri_is_local(const char *uri)
{
    if (!uri)
        return false;
    const char *sep = strstr(uri, "://");
    if (!sep)
        return false;
    size_t scheme = (size_t)(sep - uri);
    if (scheme > 5 && strncmp(sep - 5, "+unix", 5) == 0)
        return true;
    /* No transport and no server part: the local daemon (or embedded driver). */
    return !memchr(uri, '+', scheme) && sep[3] == '/';
}

void vncaddr_uri_host(const char *uri, char *out, size_t outlen)
{
    const char *p = uri ? strstr(uri, "://") : NULL;
    if (outlen)
        out[0] = '\0';
    if (!p)
        return;
    p += 3;
    const char *at = strchr(p, '@'), *slash = strchr(p, '/');
    if (at && (!slash || at < slash))
        p = at + 1;   /* user@host */
    size_t n;
    if (*p == '[') {
        const char *e = strchr(p, ']');
        if (!e)
            return;
        p++;
        n = (size_t)(e - p);
    } else {
        n = strcspn(p, ":/?");
    }
    snprintf(out, outlen, "%.*s", (int)n, p);
}

bool vncaddr_is_loopback(const char *addr)
{
    return !strncmp(addr, "127.", 4) || !strncmp(addr, "[::1]", 5) || !strncmp(addr, "localhost:", 10);
}

/* Wait until fd is writable (connected), the deadline passes or cancel fires. */
static int wait_connected(int fd, long long deadline, int cancel_fd, char *err, size_t errlen)
{
    for (;;) {
        long long left = deadline - (long long)mono_ms();
        if (left <= 0) {
            snprintf(err, errlen, "connect timed out");
            return -1;
        }
        struct pollfd pf[2] = { { fd, POLLOUT, 0 }, { cancel_fd, POLLIN, 0 } };
        int r = poll(pf, cancel_fd >= 0 ? 2 : 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            return -1;
        }
        if (cancel_fd >= 0 && pf[1].revents) {
            snprintf(err, errlen, "cancelled");
            return -1;
        }
        if (pf[0].revents) {
            int e = 0;
            socklen_t el = sizeof e;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
            if (e) {
                snprintf(err, errlen, "%s", strerror(e));
                return -1;
            }
            return 0;
        }
    }
}

static int connect_one(int family, const struct sockaddr *sa, socklen_t len, long long deadline,
                       int cancel_fd, char *err, size_t errlen)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, sa, len) < 0 && errno != EINPROGRESS) {
        snprintf(err, errlen, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    if (wait_connected(fd, deadline, cancel_fd, err, errlen) < 0) {
        close(fd);
        return -1;
    }
    /* libvncclient reads blocking (it waits on EAGAIN by itself, with a sleep). */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

int vncaddr_connect(const char *addr, int timeout_ms, int cancel_fd, char *err, size_t errlen)
{
    long long deadline = (long long)mono_ms() + timeout_ms;
    if (strncmp(addr, "unix:", 5) == 0) {
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        if (strlen(addr + 5) >= sizeof un.sun_path) {
            snprintf(err, errlen, "socket path too long");
            return -1;
        }
        strcpy(un.sun_path, addr + 5);
        return connect_one(AF_UNIX, (struct sockaddr *)&un, sizeof un, deadline, cancel_fd, err, errlen);
    }
    char host[256];
    const char *colon;
    if (addr[0] == '[') {
        const char *close_br = strchr(addr, ']');
        if (!close_br || close_br[1] != ':') {
            snprintf(err, errlen, "bad address '%s' (HOST:PORT, [V6]:PORT or unix:PATH)", addr);
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)(close_br - addr - 1), addr + 1);
        colon = close_br + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon || colon == addr) {
            snprintf(err, errlen, "bad address '%s' (HOST:PORT, [V6]:PORT or unix:PATH)", addr);
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535) {
        snprintf(err, errlen, "bad port in '%s'", addr);
        return -1;
    }
    char ps[8];
    snprintf(ps, sizeof ps, "%ld", port);
    /* Numeric only: a name lookup could block without a bound. Names are
     * for the SSH tunnel to resolve on the far side. */
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, ps, &hints, &res);
    if (gai != 0 && !strcmp(host, "localhost"))
        gai = getaddrinfo("127.0.0.1", ps, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "%s: %s", host, gai == EAI_NONAME ? "not a numeric address" : gai_strerror(gai));
        return -1;
    }
    int fd = connect_one(res->ai_family, res->ai_addr, res->ai_addrlen, deadline, cancel_fd, err, errlen);
    freeaddrinfo(res);
    return fd;
}

int vncaddr_split(const char *addr, char *host, size_t hostlen, int *port)
{
    const char *colon;
    size_t n;
    if (addr[0] == '[') {
        const char *e = strchr(addr, ']');
        if (!e || e[1] != ':')
            return -1;
        addr++;
        n = (size_t)(e - addr);
        colon = e + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon || colon == addr || memchr(addr, ':', (size_t)(colon - addr)))
            return -1;   /* an IPv6 address without brackets is ambiguous */
        n = (size_t)(colon - addr);
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || colon[1] == '\0' || p <= 0 || p > 65535 || n == 0 || n >= hostlen)
        return -1;
    snprintf(host, hostlen, "%.*s", (int)n, addr);
    *port = (int)p;
    return 0;
}
