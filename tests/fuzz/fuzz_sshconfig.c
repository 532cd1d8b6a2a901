/* tests/fuzz/fuzz_sshconfig.c: libFuzzer target for where an SSH session goes:
 * a libvirt URI (backends/sshuri.c) over ssh_config lines (backends/sshconfig.c,
 * which hands the file to libssh's parser and then applies the URI on top).
 *
 * Input: the URI up to the first newline, then the config file. Inputs that
 * name Match, Include, exec or Proxy* are skipped: libssh would run a
 * command or read other files for them. Aborts when:
 *   - sshuri_parse or ssh_resolve say something other than 0 or -1, or -1
 *     without a reason; a string they fill is not NUL-terminated;
 *   - what the URI says does not win over the config: its user, port,
 *     keyfile= and known_hosts= (with ~/ as the home), and the host as typed;
 *   - the port is outside 1..65535 or the host to connect to is empty;
 *   - ssh_fingerprint_of a config line gives something not "SHA256:...".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backends/ssh.h"
#include "backends/sshuri.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_sshconfig: %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

#define HOME "/nonexistent-fuzz-home"
#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fd = memfd_create("fuzz_sshconfig", MFD_CLOEXEC);
    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

static bool unsafe(const uint8_t *data, size_t size)
{
    static const char *const words[] = { "match", "include", "exec", "proxy" };
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t n = strlen(words[w]);
        for (size_t i = 0; i + n <= size; i++)
            if (!strncasecmp((const char *)data + i, words[w], n))
                return true;
    }
    return false;
}

/* What the URI gave, after the ~/ expansion ssh_resolve does. */
static void expanded(const char *v, char *out, size_t outlen)
{
    if (!strncmp(v, "~/", 2))
        snprintf(out, outlen, "%s/%s", HOME, v + 2);
    else
        snprintf(out, outlen, "%s", v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024 || unsafe(data, size) || memchr(data, '\0', size))
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ulen = nl ? (size_t)(nl - data) : size;
    char *uri = strndup((const char *)data, ulen);
    CHECK(uri, "out of memory");
    const char *body = nl ? (const char *)nl + 1 : "";
    size_t blen = nl ? size - ulen - 1 : 0;

    struct ssh_target t;
    char err[2048] = "";
    int rc = sshuri_parse(uri, &t, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "sshuri_parse returned %d", rc);
    if (rc < 0) {
        CHECK(*err, "sshuri_parse failed without a reason");
        free(uri);
        return 0;
    }
    CHECK(TERMINATED(t.user) && TERMINATED(t.host) && TERMINATED(t.keyfile) && TERMINATED(t.known_hosts) &&
          TERMINATED(t.known_hosts_verify), "an unterminated field");
    CHECK(t.port >= 0 && t.port <= 65535, "port %d", t.port);
    if (t.transport == SSH_T_NONE) {
        free(uri);
        return 0;
    }
    CHECK(t.host[0], "an SSH URI without a host");

    CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, body, blen, 0) == (ssize_t)blen, "cannot write the config");
    struct ssh_resolved r;
    err[0] = '\0';
    rc = ssh_resolve(&t, HOME, path, &r, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "ssh_resolve returned %d", rc);
    if (rc < 0) {
        CHECK(*err, "ssh_resolve failed without a reason");
    } else {
        char want[1100];
        CHECK(TERMINATED(r.user) && TERMINATED(r.host) && TERMINATED(r.hostname) && TERMINATED(r.known_hosts) &&
              TERMINATED(r.ssh_dir) && TERMINATED(r.keyfile), "an unterminated field");
        CHECK(!strcmp(r.host, t.host), "host '%s' became '%s'", t.host, r.host);
        CHECK(r.hostname[0], "no host to connect to");
        CHECK(r.port >= 1 && r.port <= 65535, "port %d", r.port);
        if (t.port)
            CHECK(r.port == t.port, "the URI's port %d lost to %d", t.port, r.port);
        if (t.user[0])
            CHECK(!strcmp(r.user, t.user), "the URI's user '%s' lost to '%s'", t.user, r.user);
        CHECK(r.user[0] || t.user[0] == '\0', "no user");
        if (t.keyfile[0]) {
            expanded(t.keyfile, want, sizeof want);
            CHECK(!strncmp(r.keyfile, want, sizeof r.keyfile - 1), "the URI's keyfile '%s' became '%s'", want,
                  r.keyfile);
        }
        if (t.known_hosts[0]) {
            expanded(t.known_hosts, want, sizeof want);
            CHECK(!strncmp(r.known_hosts, want, sizeof r.known_hosts - 1), "the URI's known_hosts '%s' became '%s'",
                  want, r.known_hosts);
        }
        CHECK(r.known_hosts[0], "no known_hosts file");
    }

    /* The config's first line read as a public key line ("TYPE BASE64"). */
    char line[512], fp[128] = "";
    const char *e1 = memchr(body, '\n', blen);
    size_t l1 = e1 ? (size_t)(e1 - body) : blen;
    snprintf(line, sizeof line, "%.*s", (int)(l1 < sizeof line ? l1 : sizeof line - 1), body);
    if (ssh_fingerprint_of(line, fp, sizeof fp) == 0)
        CHECK(!strncmp(fp, "SHA256:", 7) && strlen(fp) > 7, "fingerprint '%s'", fp);
    free(uri);
    return 0;
}
