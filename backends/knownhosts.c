/* backends/knownhosts.c: known_hosts line lookup, with hashed names checked the way
 * OpenSSH writes them (|1|base64(salt)|base64(HMAC-SHA1(salt, name))). */
#include "backends/knownhosts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

void knownhosts_name(const char *host, int port, char *out, size_t outlen)
{
    if (port == 22 || port <= 0)
        snprintf(out, outlen, "%s", host);
    else
        snprintf(out, outlen, "[%s]:%d", host, port);
}

/* Decode base64 into out; returns the length or -1. */
static int b64(const char *s, size_t n, unsigned char *out, size_t outlen)
{
    if (n == 0 || n % 4 || n / 4 * 3 > outlen)
        return -1;
    int len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (len < 0)
        return -1;
    while (n && s[n - 1] == '=') {
        n--;
        len--;
    }
    return len;
}

static bool hashed_match(const char *entry, size_t len, const char *name)
{
    /* |1|salt|hash */
    if (len < 3 || strncmp(entry, "|1|", 3) != 0)
        return false;
    const char *salt = entry + 3;
    const char *bar = memchr(salt, '|', len - 3);
    if (!bar)
        return false;
    unsigned char s[64], h[64], mac[EVP_MAX_MD_SIZE];
    int slen = b64(salt, (size_t)(bar - salt), s, sizeof s);
    int hlen = b64(bar + 1, len - (size_t)(bar + 1 - entry), h, sizeof h);
    unsigned maclen = 0;
    if (slen <= 0 || hlen != 20)
        return false;
    if (!HMAC(EVP_sha1(), s, slen, (const unsigned char *)name, strlen(name), mac, &maclen))
        return false;
    return maclen == 20 && memcmp(mac, h, 20) == 0;
}

/* OpenSSH patterns: only * and ? are special ("[h]:2222" is literal). On a
 * mismatch only the last '*' takes one more character: recursing for each
 * '*' took exponential time ("*a*a*a...*b" against "aaa...", a minute for
 * one line; found by tests/fuzz/fuzz_knownhosts), this is O(pattern x name). */
static bool glob(const char *p, const char *s)
{
    const char *star = NULL, *retry = NULL;
    while (*s) {
        if (*p == '*') {
            star = ++p;
            retry = s;
        } else if (*p && (*p == '?' || *p == *s)) {
            p++;
            s++;
        } else if (star) {
            p = star;
            s = ++retry;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return !*p;
}

/* 1: the host field names `name`; 0: it does not; -1: a negated pattern matches. */
static int hosts_match(const char *field, size_t flen, const char *name)
{
    if (flen && field[0] == '|')
        return hashed_match(field, flen, name) ? 1 : 0;
    int found = 0;
    char pat[512];
    for (size_t i = 0; i < flen;) {
        size_t n = 0;
        while (i + n < flen && field[i + n] != ',')
            n++;
        bool neg = n && field[i] == '!';
        size_t off = neg ? 1 : 0;
        if (n - off < sizeof pat) {
            memcpy(pat, field + i + off, n - off);
            pat[n - off] = '\0';
            for (char *p = pat; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            char lname[512];
            snprintf(lname, sizeof lname, "%s", name);
            for (char *p = lname; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            if (glob(pat, lname)) {
                if (neg)
                    return -1;
                found = 1;
            }
        }
        i += n + 1;
    }
    return found;
}

int knownhosts_find(const char *path, const char *host, int port, const char *keytype,
                    int *line, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char name[300];
    knownhosts_name(host, port, name, sizeof name);
    /* getline, not fgets: a line with a NUL byte in it looked like a piece
     * of a longer line to strlen, so the next line was skipped and every
     * line number after it was one short (found by tests/fuzz/fuzz_knownhosts). */
    char *buf = NULL;
    size_t cap = 0;
    int no = 0, any = 0;
    while (getline(&buf, &cap, f) >= 0) {
        no++;
        char *p = buf + strspn(buf, " \t");
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        if (*p == '@') {
            /* @cert-authority / @revoked lines are not a host's own key */
            continue;
        }
        size_t flen = strcspn(p, " \t\n");
        if (hosts_match(p, flen, name) != 1)
            continue;
        char *type = p + flen;
        type += strspn(type, " \t");
        size_t tlen = strcspn(type, " \t\n");
        if (!keytype || (strlen(keytype) == tlen && strncmp(type, keytype, tlen) == 0)) {
            *line = no;
            free(buf);
            fclose(f);
            return 1;
        }
        if (!any)
            any = no;
    }
    free(buf);
    fclose(f);
    if (any) {
        *line = any;
        return 1;
    }
    return 0;
}
