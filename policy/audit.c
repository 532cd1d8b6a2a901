/* policy/audit.c: the audit log — 0600, no symlinks, one line a decision, rotated by size. */
#include "policy/audit.h"
#include "util/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct audit {
    char *path;
    char *old; /* path.1 */
    uint64_t max_bytes;
    uint64_t size;
    int fd;
};

static int open_log(struct audit *a, char *err, size_t errlen)
{
    int fd = open(a->path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        if (errno == ELOOP)
            return errf(err, errlen, "%s: a symlink; refusing to log through it", a->path);
        return errf(err, errlen, "%s: %s", a->path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return errf(err, errlen, "%s: not a regular file", a->path);
    }
    if (st.st_uid != geteuid()) {
        close(fd);
        return errf(err, errlen, "%s: owned by uid %u, not by the server (uid %u)", a->path, (unsigned)st.st_uid,
                    (unsigned)geteuid());
    }
    /* An existing log someone widened is narrowed again. */
    if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) {
        close(fd);
        return errf(err, errlen, "%s: chmod 0600: %s", a->path, strerror(errno));
    }
    a->fd = fd;
    a->size = (uint64_t)st.st_size;
    return 0;
}

struct audit *audit_open(const char *path, uint64_t max_bytes, char *err, size_t errlen)
{
    if (!path || !*path) {
        errf(err, errlen, "no audit log path");
        return NULL;
    }
    struct audit *a = calloc(1, sizeof *a);
    if (!a || !(a->path = strdup(path)) || asprintf(&a->old, "%s.1", path) < 0) {
        if (a)
            free(a->path);
        free(a);
        errf(err, errlen, "out of memory");
        return NULL;
    }
    a->max_bytes = max_bytes;
    a->fd = -1;
    if (open_log(a, err, errlen) < 0) {
        audit_close(a);
        return NULL;
    }
    return a;
}

void audit_close(struct audit *a)
{
    if (!a)
        return;
    if (a->fd >= 0)
        close(a->fd);
    free(a->path);
    free(a->old);
    free(a);
}

/* A growing string; on failure ok goes false and the rest is ignored. */
struct sbuf {
    char *s;
    size_t n, cap;
    bool ok;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
    if (!b->ok)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *s2 = realloc(b->s, cap);
        if (!s2) {
            b->ok = false;
            return;
        }
        b->s = s2;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void puts_(struct sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* "text", with " \ and control characters escaped: a line stays a line. */
static void put_quoted(struct sbuf *b, const char *s)
{
    put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            put(b, esc, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", *p);
            put(b, esc, 4);
        } else {
            put(b, (const char *)p, 1);
        }
    }
    put(b, "\"", 1);
}

/* A UUID is printed bare when it looks like one, else quoted (never trusted). */
static void put_uuid(struct sbuf *b, const char *u)
{
    if (!u || !*u) {
        put(b, "-", 1);
        return;
    }
    for (const char *p = u; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') || *p == '-')) {
            put_quoted(b, u);
            return;
        }
    puts_(b, u);
}

char *audit_format(const struct audit_entry *e)
{
    struct sbuf b = {.ok = true};
    char head[96];
    time_t t = e->when ? e->when : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%SZ", &tm);
    puts_(&b, head);
    snprintf(head, sizeof head, " uid=%u user=", (unsigned)e->uid);
    puts_(&b, head);
    put_quoted(&b, e->user);
    puts_(&b, " role=");
    put_quoted(&b, e->role ? e->role : "none");
    puts_(&b, " cmd=");
    put_quoted(&b, e->command);
    puts_(&b, " uuid=");
    put_uuid(&b, e->uuid);
    puts_(&b, " name=");
    if (e->name)
        put_quoted(&b, e->name);
    else
        puts_(&b, "-");
    if (e->refused) {
        puts_(&b, " refused: ");
        put_quoted(&b, e->refused);
    } else {
        puts_(&b, " allowed");
    }
    put(&b, "\n", 1);
    if (!b.ok) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static int rotate(struct audit *a, char *err, size_t errlen)
{
    if (rename(a->path, a->old) < 0 && errno != ENOENT)
        return errf(err, errlen, "%s: rotate to %s: %s", a->path, a->old, strerror(errno));
    close(a->fd);
    a->fd = -1;
    return open_log(a, err, errlen);
}

int audit_write(struct audit *a, const struct audit_entry *e, char *err, size_t errlen)
{
    char *line = audit_format(e);
    if (!line)
        return errf(err, errlen, "out of memory");
    size_t n = strlen(line);
    if (a->fd < 0 && open_log(a, err, errlen) < 0) {
        free(line);
        return -1;
    }
    if (a->max_bytes && a->size > 0 && a->size + n > a->max_bytes && rotate(a, err, errlen) < 0) {
        free(line);
        return -1;
    }
    ssize_t w = write(a->fd, line, n);
    free(line);
    if (w < 0)
        return errf(err, errlen, "%s: %s", a->path, strerror(errno));
    a->size += (uint64_t)w;
    if ((size_t)w != n)
        return errf(err, errlen, "%s: short write (disk full?)", a->path);
    return 0;
}
