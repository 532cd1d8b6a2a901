/* backends/sshuri.c: read the SSH part of a libvirt URI and fill in what the user
 * should not have to type (libvirt 9.0's remote driver parameter names). */
#include "backends/sshuri.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode [s, s+n) into out; truncates at outlen. */
static void decode(const char *s, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < outlen; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    if (outlen)
        out[o] = '\0';
}

static const char *query_of(const char *uri)
{
    const char *q = strchr(uri, '?');
    return q ? q + 1 : NULL;
}

int sshuri_param(const char *uri, const char *name, char *out, size_t outlen)
{
    const char *q = query_of(uri);
    size_t nlen = strlen(name);
    if (outlen)
        out[0] = '\0';
    while (q && *q && *q != '#') {
        size_t len = strcspn(q, "&;#");
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        /* libvirt compares parameter names case-insensitively */
        if (klen == nlen && strncasecmp(q, name, nlen) == 0) {
            if (eq)
                decode(eq + 1, len - klen - 1, out, outlen);
            return 1;
        }
        q += len;
        if (*q == '&' || *q == ';')
            q++;
    }
    return 0;
}

int sshuri_parse(const char *uri, struct ssh_target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    const char *sep = strstr(uri, "://");
    if (!sep)
        return 0;
    const char *plus = memchr(uri, '+', (size_t)(sep - uri));
    if (!plus)
        return 0;
    size_t tlen = (size_t)(sep - plus - 1);
    if ((tlen == 6 && strncmp(plus + 1, "libssh", 6) == 0) ||
        (tlen == 7 && strncmp(plus + 1, "libssh2", 7) == 0))
        t->transport = SSH_T_LIBSSH;
    else if (tlen == 3 && strncmp(plus + 1, "ssh", 3) == 0)
        t->transport = SSH_T_OPENSSH;
    else
        return 0;

    const char *auth = sep + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            at = auth + i;
    const char *hp = auth;
    if (at) {
        decode(auth, (size_t)(at - auth), t->user, sizeof t->user);
        hp = at + 1;
    }
    const char *end = auth + alen;
    const char *portp = NULL;
    if (*hp == '[') {
        const char *close = memchr(hp, ']', (size_t)(end - hp));
        if (!close) {
            snprintf(err, errlen, "%s: unterminated [ in the host name", uri);
            return -1;
        }
        decode(hp + 1, (size_t)(close - hp - 1), t->host, sizeof t->host);
        if (close + 1 < end && close[1] == ':')
            portp = close + 2;
    } else {
        const char *colon = memchr(hp, ':', (size_t)(end - hp));
        decode(hp, (size_t)((colon ? colon : end) - hp), t->host, sizeof t->host);
        if (colon)
            portp = colon + 1;
    }
    if (portp && portp < end) {
        char *e;
        long p = strtol(portp, &e, 10);
        if (e != end || p < 1 || p > 65535) {
            snprintf(err, errlen, "%s: bad port", uri);
            return -1;
        }
        t->port = (int)p;
    }
    if (!t->host[0]) {
        /* libvirt's default, as its remote driver has it */
        snprintf(t->host, sizeof t->host, "localhost");
    }
    sshuri_param(uri, "keyfile", t->keyfile, sizeof t->keyfile);
    sshuri_param(uri, "known_hosts", t->known_hosts, sizeof t->known_hosts);
    sshuri_param(uri, "known_hosts_verify", t->known_hosts_verify, sizeof t->known_hosts_verify);
    char nv[8];
    if (sshuri_param(uri, "no_verify", nv, sizeof nv))
        t->no_verify = atoi(nv) != 0;
    return 0;
}

/* Append "&name=value" (or "?name=value") with value percent-encoded. */
static int add_param(char *out, size_t outlen, const char *name, const char *value)
{
    size_t o = strlen(out);
    const char *q = strchr(out, '?');
    bool first = !q || !q[1];
    int n = snprintf(out + o, outlen - o, "%s%s=", !q ? "?" : first ? "" : "&", name);
    if (n < 0 || (size_t)n >= outlen - o)
        return -1;
    o += (size_t)n;
    for (const char *p = value; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool plain = isalnum(c) || strchr("-._~/,:", c);
        if (o + (plain ? 1 : 3) >= outlen)
            return -1;
        if (plain)
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, outlen - o, "%%%02X", c);
    }
    out[o] = '\0';
    return 0;
}

int sshuri_fill(const char *uri, const char *known_hosts, const char *keyfile, bool have_key,
                char *out, size_t outlen)
{
    struct ssh_target t;
    char err[64], tmp[8];
    /* A fragment would end up behind our parameters: leave such URIs alone. */
    if ((size_t)snprintf(out, outlen, "%s", uri) >= outlen)
        return -1;
    if (sshuri_parse(uri, &t, err, sizeof err) < 0 || t.transport == SSH_T_NONE || strchr(uri, '#'))
        return 0;
    if (t.transport == SSH_T_OPENSSH) {
        if (!sshuri_param(uri, "no_tty", tmp, sizeof tmp) && add_param(out, outlen, "no_tty", "1") < 0)
            return -1;
        return 0;
    }
    /* libvirt's own default is $XDG_CONFIG_HOME/libvirt/known_hosts: point it
     * at the file ssh and virtmux's own sessions use. */
    if (!t.known_hosts[0] && known_hosts && *known_hosts &&
        add_param(out, outlen, "known_hosts", known_hosts) < 0)
        return -1;
    /* An IdentityFile from ~/.ssh/config: libvirt reads the config but
     * loads its private key only from keyfile= or the default names. */
    if (!t.keyfile[0] && keyfile && *keyfile && add_param(out, outlen, "keyfile", keyfile) < 0)
        return -1;
    if (!sshuri_param(uri, "sshauth", tmp, sizeof tmp)) {
        const char *methods = have_key || t.keyfile[0] || (keyfile && *keyfile)
            ? "agent,privkey,keyboard-interactive,password"
            : "agent,keyboard-interactive,password";
        if (add_param(out, outlen, "sshauth", methods) < 0)
            return -1;
    }
    return 0;
}
