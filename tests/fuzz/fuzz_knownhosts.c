/* tests/fuzz/fuzz_knownhosts.c: libFuzzer target for known_hosts lines
 * (backends/knownhosts.c): plain, wildcard, negated and hashed host fields in
 * a file a user (or a tool) wrote.
 *
 * Input: byte 0 the port (0: 22, else 2200 + it), then a host name up to the
 * first newline (at most 64 bytes of [A-Za-z0-9.-:]), then the file. Aborts when:
 *   - knownhosts_find says something other than 0 or 1, or a line outside
 *     the file;
 *   - after the file, a line naming the host plainly (or hashed, as OpenSSH
 *     writes it) with a key type of its own is appended, and the lookup of
 *     that key type does not find a line, finds one past it, or finds a line
 *     that is not for that key type (a comparison that always matches);
 *   - a host that is not in the file is found in it without a pattern that
 *     could match it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "backends/knownhosts.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_knownhosts: %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

#define MAX_FILE (64 * 1024)
#define KEYTYPE "ssh-fuzz-only"   /* a type no input line has (checked) */

static int fd = -1;
static char path[64];
static char file[MAX_FILE + 1024];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fd = memfd_create("fuzz_knownhosts", MFD_CLOEXEC);
    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

static int find(size_t len, const char *host, int port, const char *type, int *line)
{
    char err[256] = "";
    CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, file, len, 0) == (ssize_t)len, "cannot write the file");
    *line = 0;
    int rc = knownhosts_find(path, host, port, type, line, err, sizeof err);
    CHECK(rc == 0 || rc == 1, "knownhosts_find returned %d (%s)", rc, err);
    return rc;
}

static size_t lines_in(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k + (n && s[n - 1] != '\n');
}

/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)), as ssh-keygen -H writes it. */
static void hashed(const char *name, const uint8_t salt[20], char *out)
{
    unsigned char mac[EVP_MAX_MD_SIZE], s64[64], h64[64];
    unsigned maclen = 0;
    CHECK(HMAC(EVP_sha1(), salt, 20, (const unsigned char *)name, strlen(name), mac, &maclen) && maclen == 20,
          "HMAC");
    EVP_EncodeBlock(s64, salt, 20);
    EVP_EncodeBlock(h64, mac, 20);
    sprintf(out, "|1|%s|%s", s64, h64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAX_FILE)
        return 0;
    int port = data[0] ? 2200 + data[0] : 22;
    const uint8_t *nl = memchr(data + 1, '\n', size - 1);
    size_t hlen = nl ? (size_t)(nl - data - 1) : 0;
    if (!nl || hlen == 0 || hlen > 64)
        return 0;
    char host[65];
    for (size_t i = 0; i < hlen; i++) {
        char ch = (char)data[1 + i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '-' || ch == ':'))
            return 0;
        host[i] = ch;
    }
    host[hlen] = '\0';
    const char *body = (const char *)nl + 1;
    size_t blen = size - (size_t)((const uint8_t *)body - data);
    if (memmem(body, blen, KEYTYPE, strlen(KEYTYPE)))
        return 0;
    memcpy(file, body, blen);
    size_t flen = blen;
    size_t nlines = lines_in(file, flen);
    int line;

    /* The file as it is. */
    if (find(flen, host, port, NULL, &line))
        CHECK(line >= 1 && (size_t)line <= nlines, "line %d of a %zu-line file", line, nlines);
    CHECK(find(flen, host, port, KEYTYPE, &line) == 0 || (line >= 1 && (size_t)line <= nlines),
          "line %d of a %zu-line file", line, nlines);
    /* A host name no pattern of the file could match: no '*', '?' nor its name in it. */
    static char lower[MAX_FILE], lhost[65];
    for (size_t i = 0; i < flen; i++)
        lower[i] = (char)(file[i] >= 'A' && file[i] <= 'Z' ? file[i] - 'A' + 'a' : file[i]);
    for (size_t i = 0; i <= hlen; i++)
        lhost[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] - 'A' + 'a' : host[i]);
    if (!memchr(file, '*', flen) && !memchr(file, '?', flen) && !memchr(file, '|', flen) &&
        !memmem(lower, flen, lhost, hlen))
        CHECK(find(flen, host, port, NULL, &line) == 0, "%s found on line %d, which does not name it", host, line);

    /* The host's own line appended, plain and then hashed: it must be found,
     * for its key type, at it or before it on a line of that type. */
    if (flen && file[flen - 1] != '\n')
        file[flen++] = '\n';
    size_t before = lines_in(file, flen);
    char name[300], entry[400];
    knownhosts_name(host, port, name, sizeof name);
    for (int h = 0; h < 2; h++) {
        if (h) {
            uint8_t salt[20];
            for (int i = 0; i < 20; i++)
                salt[i] = (uint8_t)(data[i % size] + i * 37);
            hashed(name, salt, entry);
        } else {
            snprintf(entry, sizeof entry, "%s", name);
        }
        size_t n = (size_t)snprintf(file + flen, sizeof file - flen, "%s " KEYTYPE " AAAAfuzz\n", entry);
        CHECK(find(flen + n, host, port, KEYTYPE, &line) == 1, "%s's own line (%s) not found after %zu lines", host,
              entry, before);
        CHECK(line >= 1 && (size_t)line <= before + 1, "line %d past the host's own line %zu", line, before + 1);
        /* The line found is for that key type: the appended one, unless a
         * negated pattern made the file refuse it (it is never found then). */
        CHECK((size_t)line == before + 1, "line %d found for " KEYTYPE ", which only line %zu has", line,
              before + 1);
    }
    return 0;
}
