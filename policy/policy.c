/* policy/policy.c: the policy file (command language) -> hosts, roles, quotas, templates, limits. */
#include "policy/policy.h"
#include "policy/define.h"
#include "keymaps/cmdline.h"
#include "util/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMPLATE_MAX_BYTES (1 << 20)

/* One user or group named by a role or quota line. */
struct who {
    bool group;
    unsigned id; /* uid or gid */
};

struct role_line {
    enum user_role role;
    struct who who;
};

struct quota_rule {
    struct who who;
    unsigned n;
};

struct tmpl {
    char *name, *path, *xml;
};

/* "grant WHO COMMAND...": one entry per command; WHO a role, or a user or
   group (who). */
struct permit {
    enum user_role role; /* ROLE_NONE: who says whom */
    struct who who;
    char *command;
};

struct policy {
    char *path;
    struct policy_host *hosts;
    size_t nhosts;
    struct role_line *grants;
    size_t ngrants;
    unsigned role_quota[ROLE_OPERATOR + 1];
    struct quota_rule *quotas;
    size_t nquotas;
    struct tmpl *tmpls;
    size_t ntmpls;
    struct permit *permits;
    size_t npermits;
    char *images;
    struct limits_conf limits;
    char *audit_path;
    uint64_t audit_max;
};

const char *role_name(enum user_role r)
{
    switch (r) {
        case ROLE_STUDENT: return "student";
        case ROLE_TA: return "ta";
        case ROLE_OPERATOR: return "operator";
        default: return "none";
    }
}

static enum user_role role_parse(const char *s)
{
    for (enum user_role r = ROLE_STUDENT; r <= ROLE_OPERATOR; r++)
        if (!strcmp(s, role_name(r)))
            return r;
    return ROLE_NONE;
}

void policy_free(struct policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nhosts; i++) {
        free((char *)p->hosts[i].name);
        free((char *)p->hosts[i].uri);
    }
    for (size_t i = 0; i < p->ntmpls; i++) {
        free(p->tmpls[i].name);
        free(p->tmpls[i].path);
        free(p->tmpls[i].xml);
    }
    for (size_t i = 0; i < p->npermits; i++)
        free(p->permits[i].command);
    free(p->permits);
    free(p->hosts);
    free(p->grants);
    free(p->quotas);
    free(p->tmpls);
    free(p->images);
    free(p->audit_path);
    free(p->path);
    free(p);
}

/* Grow an array by one element; NULL when out of memory. */
static void *grow(void *arr, size_t *n, size_t size)
{
    char *a = realloc(arr, (*n + 1) * size);
    if (a) {
        memset(a + *n * size, 0, size);
        (*n)++;
    }
    return a;
}

/* "alice" or "@group" -> ids from the databases, now. */
static int who_parse(const char *s, struct who *w, char *err, size_t errlen)
{
    char buf[4096];
    if (s[0] == '@') {
        struct group gr, *g = NULL;
        if (!s[1])
            return errf(err, errlen, "'@' without a group name");
        getgrnam_r(s + 1, &gr, buf, sizeof buf, &g);
        if (!g)
            return errf(err, errlen, "no group '%s'", s + 1);
        w->group = true;
        w->id = g->gr_gid;
    } else {
        struct passwd pw, *u = NULL;
        getpwnam_r(s, &pw, buf, sizeof buf, &u);
        if (!u)
            return errf(err, errlen, "no user '%s'", s);
        w->group = false;
        w->id = u->pw_uid;
    }
    return 0;
}

static int number(const char *s, uint64_t max, uint64_t *out, bool suffix, char *err, size_t errlen)
{
    char *end;
    if (!(s[0] >= '0' && s[0] <= '9'))
        return errf(err, errlen, "'%s' is not a number", s);
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mul = 1;
    if (suffix && *end && !end[1]) {
        switch (*end) {
            case 'K':
            case 'k':
                mul = 1024;
                end++;
                break;
            case 'M':
            case 'm':
                mul = 1024 * 1024;
                end++;
                break;
            case 'G':
            case 'g':
                mul = 1024 * 1024 * 1024;
                end++;
                break;
        }
    }
    if (*end)
        return errf(err, errlen, "'%s' is not a number", s);
    if (errno || v > max / mul)
        return errf(err, errlen, "'%s' is more than %llu", s, (unsigned long long)max);
    *out = v * mul;
    return 0;
}

/* Who may write the file may give themselves any role: only root (or the
   server's own account) may. */
static int trusted_file(const struct stat *st, char *err, size_t errlen)
{
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return errf(err, errlen, "owned by uid %u, not by root; refusing it", (unsigned)st->st_uid);
    if (st->st_mode & 022)
        return errf(err, errlen, "writable by group or others (mode %04o); refusing it",
                    (unsigned)(st->st_mode & 07777));
    return 0;
}

static int read_template(const char *path, char **xml, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errf(err, errlen, "template %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > TEMPLATE_MAX_BYTES) {
        close(fd);
        return errf(err, errlen, "template %s: not a regular file of at most %d bytes", path, TEMPLATE_MAX_BYTES);
    }
    char why[256];
    if (trusted_file(&st, why, sizeof why) < 0) {
        close(fd);
        return errf(err, errlen, "template %s: %s", path, why);
    }
    char *s = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    ssize_t r = 0;
    while (s && n < (size_t)st.st_size && (r = read(fd, s + n, (size_t)st.st_size - n)) > 0)
        n += (size_t)r;
    close(fd);
    if (!s || r < 0) {
        free(s);
        return errf(err, errlen, "template %s: %s", path, s ? strerror(errno) : "out of memory");
    }
    s[n] = '\0';
    if (strlen(s) != n) {
        free(s);
        return errf(err, errlen, "template %s: a NUL byte in the XML", path);
    }
    if (define_template_check(s, why, sizeof why) < 0) {
        free(s);
        return errf(err, errlen, "template %s: %s", path, why);
    }
    *xml = s;
    return 0;
}

static int images_ok(const char *s, char *err, size_t errlen)
{
    if (s[0] != '/')
        return errf(err, errlen, "the images directory must be absolute");
    for (const char *c = s; *c; c++)
        if (*c == '%') {
            if (c[1] != 'u' && c[1] != '%')
                return errf(err, errlen, "only %%u (the user) and %%%% may follow '%%'");
            c++;
        }
    return 0;
}

#define NEED(lo, hi, usage)                                                                                            \
    do {                                                                                                               \
        if (argc < (lo) || argc > (hi))                                                                                \
            return errf(err, errlen, "usage: %s", usage);                                                              \
    } while (0)

static int directive(struct policy *p, int argc, char **argv, char *err, size_t errlen)
{
    const char *d = argv[0];
    uint64_t v;
    if (!strcmp(d, "host")) {
        NEED(3, 3, "host NAME URI");
        for (size_t i = 0; i < p->nhosts; i++)
            if (!strcmp(p->hosts[i].name, argv[1]))
                return errf(err, errlen, "host '%s' named twice", argv[1]);
        if (!*argv[1] || strchr(argv[1], '/') || !*argv[2])
            return errf(err, errlen, "a host name may not be empty or contain '/'");
        struct policy_host *h = grow(p->hosts, &p->nhosts, sizeof *h);
        if (!h)
            return errf(err, errlen, "out of memory");
        p->hosts = h;
        h[p->nhosts - 1].name = strdup(argv[1]);
        h[p->nhosts - 1].uri = strdup(argv[2]);
        if (!h[p->nhosts - 1].name || !h[p->nhosts - 1].uri)
            return errf(err, errlen, "out of memory");
    } else if (!strcmp(d, "role")) {
        NEED(3, CMDLINE_MAX_WORDS, "role student|ta|operator USER|@GROUP...");
        enum user_role r = role_parse(argv[1]);
        if (r == ROLE_NONE)
            return errf(err, errlen, "unknown role '%s' (student, ta or operator)", argv[1]);
        for (int i = 2; i < argc; i++) {
            struct who w;
            if (who_parse(argv[i], &w, err, errlen) < 0)
                return -1;
            struct role_line *g = grow(p->grants, &p->ngrants, sizeof *g);
            if (!g)
                return errf(err, errlen, "out of memory");
            p->grants = g;
            g[p->ngrants - 1] = (struct role_line){r, w};
        }
    } else if (!strcmp(d, "quota")) {
        NEED(3, 3, "quota ROLE|@GROUP|USER N");
        if (number(argv[2], 100000, &v, false, err, errlen) < 0)
            return -1;
        enum user_role r = role_parse(argv[1]);
        if (r != ROLE_NONE) {
            p->role_quota[r] = (unsigned)v;
            return 0;
        }
        struct who w;
        if (who_parse(argv[1], &w, err, errlen) < 0)
            return argv[1][0] == '@' ? -1 : errf(err, errlen, "'%s' is not a role or a user", argv[1]);
        for (size_t i = 0; i < p->nquotas; i++)
            if (p->quotas[i].who.group == w.group && p->quotas[i].who.id == w.id) {
                p->quotas[i].n = (unsigned)v;
                return 0;
            }
        struct quota_rule *q = grow(p->quotas, &p->nquotas, sizeof *q);
        if (!q)
            return errf(err, errlen, "out of memory");
        p->quotas = q;
        q[p->nquotas - 1] = (struct quota_rule){w, (unsigned)v};
    } else if (!strcmp(d, "grant")) {
        NEED(3, CMDLINE_MAX_WORDS, "grant ROLE|@GROUP|USER COMMAND...");
        struct permit pm = {.role = role_parse(argv[1])};
        if (pm.role == ROLE_NONE && who_parse(argv[1], &pm.who, err, errlen) < 0)
            return argv[1][0] == '@' ? -1 : errf(err, errlen, "'%s' is not a role or a user", argv[1]);
        for (int i = 2; i < argc; i++) {
            for (const char *c = argv[i]; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || (*c == '-' && c != argv[i])))
                    return errf(err, errlen, "'%s' is not a command name", argv[i]);
            struct permit *a = grow(p->permits, &p->npermits, sizeof *a);
            if (!a)
                return errf(err, errlen, "out of memory");
            p->permits = a;
            a[p->npermits - 1] = pm;
            if (!(a[p->npermits - 1].command = strdup(argv[i])))
                return errf(err, errlen, "out of memory");
        }
    } else if (!strcmp(d, "template")) {
        NEED(3, 3, "template NAME FILE");
        char why[256];
        if (define_name_ok(argv[1], why, sizeof why) < 0)
            return errf(err, errlen, "template name: %s", why);
        if (policy_template_path(p, argv[1]))
            return errf(err, errlen, "template '%s' named twice", argv[1]);
        if (argv[2][0] != '/')
            return errf(err, errlen, "a template's path must be absolute");
        char *xml = NULL;
        if (read_template(argv[2], &xml, err, errlen) < 0)
            return -1;
        struct tmpl *t = grow(p->tmpls, &p->ntmpls, sizeof *t);
        if (!t) {
            free(xml);
            return errf(err, errlen, "out of memory");
        }
        p->tmpls = t;
        t[p->ntmpls - 1] = (struct tmpl){strdup(argv[1]), strdup(argv[2]), xml};
        if (!t[p->ntmpls - 1].name || !t[p->ntmpls - 1].path)
            return errf(err, errlen, "out of memory");
    } else if (!strcmp(d, "images")) {
        NEED(2, 2, "images DIR (%u: the user)");
        if (images_ok(argv[1], err, errlen) < 0)
            return -1;
        free(p->images);
        if (!(p->images = strdup(argv[1])))
            return errf(err, errlen, "out of memory");
    } else if (!strcmp(d, "limit")) {
        NEED(3, 3, "limit connections|input|lifecycle|defines N|off");
        int k;
        for (k = 0; k < LIMIT_KINDS; k++)
            if (!strcmp(argv[1], limit_kind_name((enum limit_kind)k)))
                break;
        if (k == LIMIT_KINDS)
            return errf(err, errlen, "unknown limit '%s' (connections, input, lifecycle or defines)", argv[1]);
        if (!strcmp(argv[2], "off"))
            v = 0;
        else if (number(argv[2], UINT32_MAX - 1, &v, k == LIMIT_INPUT, err, errlen) < 0)
            return -1;
        else if (v == 0)
            return errf(err, errlen, "a limit of 0 would refuse everything; say 'off' for none");
        p->limits.max[k] = (unsigned)v;
    } else if (!strcmp(d, "audit")) {
        NEED(2, 3, "audit FILE [MAX_BYTES]");
        if (argv[1][0] != '/')
            return errf(err, errlen, "the audit log's path must be absolute");
        if (argc == 3 && number(argv[2], UINT64_MAX / 2, &p->audit_max, true, err, errlen) < 0)
            return -1;
        free(p->audit_path);
        if (!(p->audit_path = strdup(argv[1])))
            return errf(err, errlen, "out of memory");
    } else {
        return errf(err, errlen, "unknown directive '%s'", d);
    }
    return 0;
}

static struct policy *policy_new(const char *path)
{
    struct policy *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->role_quota[ROLE_STUDENT] = 4;
    p->role_quota[ROLE_TA] = 0;
    p->role_quota[ROLE_OPERATOR] = POLICY_QUOTA_UNLIMITED;
    p->limits.max[LIMIT_CONNECTIONS] = 16;
    p->limits.max[LIMIT_INPUT] = 65536;
    p->limits.max[LIMIT_LIFECYCLE] = 30;
    p->limits.max[LIMIT_DEFINES] = 10;
    p->audit_max = 10 * 1024 * 1024;
    p->path = strdup(path);
    p->audit_path = strdup("/var/log/virtmux/audit.log");
    if (!p->path || !p->audit_path) {
        policy_free(p);
        return NULL;
    }
    return p;
}

struct policy *policy_load(const char *path, char *err, size_t errlen)
{
    char why[512] = "cannot stat";
    FILE *f = fopen(path, "re");
    if (!f) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || trusted_file(&st, why, sizeof why) < 0) {
        fclose(f);
        errf(err, errlen, "%s: %s", path, why);
        return NULL;
    }
    struct policy *p = policy_new(path);
    if (!p) {
        fclose(f);
        errf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        int argc;
        char **argv;
        if ((size_t)n != strlen(line)) {
            errf(err, errlen, "%s:%u: a NUL byte in the line", path, lineno);
            goto fail;
        }
        if (cmdline_split(line, &argc, &argv, why, sizeof why) < 0) {
            errf(err, errlen, "%s:%u: %s", path, lineno, why);
            goto fail;
        }
        int rc = argc ? directive(p, argc, argv, why, sizeof why) : 0;
        cmdline_free(argc, argv);
        if (rc < 0) {
            errf(err, errlen, "%s:%u: %s", path, lineno, why);
            goto fail;
        }
    }
    if (ferror(f)) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    free(line);
    fclose(f);
    return p;
fail:
    free(line);
    fclose(f);
    policy_free(p);
    return NULL;
}

const char *policy_path(const struct policy *p)
{
    return p->path;
}

const struct policy_host *policy_hosts(const struct policy *p, size_t *n)
{
    *n = p->nhosts;
    return p->hosts;
}

static bool names(const struct who *w, const struct peer *peer)
{
    if (!w->group)
        return w->id == peer->uid;
    for (int i = 0; i < peer->ngroups; i++)
        if (peer->groups[i] == w->id)
            return true;
    return false;
}

enum user_role policy_role(const struct policy *p, const struct peer *peer)
{
    if (peer->uid == 0)
        return ROLE_OPERATOR;
    enum user_role best = ROLE_NONE;
    for (size_t i = 0; i < p->ngrants; i++)
        if (p->grants[i].role > best && names(&p->grants[i].who, peer))
            best = p->grants[i].role;
    return best;
}

const char *policy_no_role_message(const struct policy *p, const struct peer *peer, char *buf, size_t len)
{
    snprintf(buf, len, "no role for %s in %s", peer->user, p->path);
    return buf;
}

unsigned policy_quota(const struct policy *p, const struct peer *peer)
{
    enum user_role r = policy_role(p, peer);
    if (r == ROLE_NONE)
        return 0;
    bool group_found = false;
    unsigned group_best = 0;
    for (size_t i = 0; i < p->nquotas; i++) {
        const struct quota_rule *q = &p->quotas[i];
        if (!q->who.group && q->who.id == peer->uid)
            return q->n;
        if (q->who.group && names(&q->who, peer) && (!group_found || q->n > group_best)) {
            group_found = true;
            group_best = q->n;
        }
    }
    return group_found ? group_best : p->role_quota[r];
}

bool policy_granted(const struct policy *p, const struct peer *peer, const char *command)
{
    enum user_role r = policy_role(p, peer);
    if (r == ROLE_NONE || !command)
        return false;
    for (size_t i = 0; i < p->npermits; i++) {
        const struct permit *pm = &p->permits[i];
        if (strcmp(pm->command, command) != 0)
            continue;
        if (pm->role != ROLE_NONE ? pm->role == r : names(&pm->who, peer))
            return true;
    }
    return false;
}

static const struct tmpl *tmpl_find(const struct policy *p, const char *name)
{
    for (size_t i = 0; i < p->ntmpls; i++)
        if (!strcmp(p->tmpls[i].name, name))
            return &p->tmpls[i];
    return NULL;
}

const char *policy_template_path(const struct policy *p, const char *name)
{
    const struct tmpl *t = name ? tmpl_find(p, name) : NULL;
    return t ? t->path : NULL;
}

const char *policy_template_xml(const struct policy *p, const char *name)
{
    const struct tmpl *t = name ? tmpl_find(p, name) : NULL;
    return t ? t->xml : NULL;
}

const char *policy_template_name(const struct policy *p, size_t i)
{
    return i < p->ntmpls ? p->tmpls[i].name : NULL;
}

int policy_images_dir(const struct policy *p, const char *user, char *out, size_t outlen)
{
    size_t n = 0;
    if (!p->images || !user || !*user || strchr(user, '/') || !strcmp(user, ".") || !strcmp(user, "..") || outlen == 0)
        return -1;
    for (const char *c = p->images; *c; c++) {
        const char *add = c;
        size_t len = 1;
        if (*c == '%' && c[1] == 'u') {
            add = user;
            len = strlen(user);
            c++;
        } else if (*c == '%' && c[1] == '%') {
            c++;
        }
        if (n + len >= outlen)
            return -1;
        memcpy(out + n, add, len);
        n += len;
    }
    out[n] = '\0';
    return 0;
}

const struct limits_conf *policy_limits(const struct policy *p)
{
    return &p->limits;
}

const char *policy_audit_path(const struct policy *p)
{
    return p->audit_path;
}

uint64_t policy_audit_max_bytes(const struct policy *p)
{
    return p->audit_max;
}

/* ---- peers ---- */

int peer_from_uid(uid_t uid, pid_t pid, struct peer *out, char *err, size_t errlen)
{
    char buf[16384];
    struct passwd pw, *u = NULL;
    memset(out, 0, sizeof *out);
    int e = getpwuid_r(uid, &pw, buf, sizeof buf, &u);
    if (!u)
        return errf(err, errlen, "no user for uid %u%s%s", (unsigned)uid, e ? ": " : "", e ? strerror(e) : "");
    if (strlen(u->pw_name) >= sizeof out->user)
        return errf(err, errlen, "user name of uid %u too long", (unsigned)uid);
    snprintf(out->user, sizeof out->user, "%s", u->pw_name);
    out->uid = uid;
    out->gid = u->pw_gid;
    out->pid = pid;
    /* The group database's answer, never the client's process groups. */
    int n = PEER_MAX_GROUPS;
    if (getgrouplist(out->user, out->gid, out->groups, &n) < 0)
        return errf(err, errlen, "%s is in more than %d groups", out->user, PEER_MAX_GROUPS);
    out->ngroups = n;
    return 0;
}

int peer_from_fd(int fd, struct peer *out, char *err, size_t errlen)
{
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || len != sizeof cr)
        return errf(err, errlen, "SO_PEERCRED: %s", strerror(errno));
    return peer_from_uid(cr.uid, cr.pid, out, err, errlen);
}
