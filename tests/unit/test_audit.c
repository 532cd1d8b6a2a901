/* test_audit.c: the audit log — 0600, no symlink, one escaped line a decision, rotation. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "policy/audit.h"

static char dir[64], path[128], old[140];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/vmx-audit-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/audit.log", dir);
    snprintf(old, sizeof old, "%s.1", path);
}

static void teardown(void)
{
    char p[200];
    unlink(path);
    unlink(old);
    snprintf(p, sizeof p, "%s/target", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s.2", path);
    unlink(p);
    rmdir(dir);
}

static char *slurp(const char *p)
{
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f, "%s", p);
    char *s = calloc(1, 1 << 16);
    size_t n = fread(s, 1, (1 << 16) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(audit, created_0600_lines_exact, .init = setup, .fini = teardown)
{
    char err[300];
    mode_t um = umask(0); /* 0600 by choice, not by the umask */
    struct audit *a = audit_open(path, 0, err, sizeof err);
    umask(um);
    cr_assert_not_null(a, "%s", err);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0600);
    struct audit_entry e = {.when = 1796667603,
                            .uid = 1001,
                            .user = "alice",
                            .role = "student",
                            .command = "define -t tiny vm1",
                            .uuid = "6f1c2d3e-0000-4000-8000-0123456789ab",
                            .name = "alice-vm1"};
    cr_assert_eq(audit_write(a, &e, err, sizeof err), 0, "%s", err);
    struct audit_entry r = {.when = 1796667609,
                            .uid = 1002,
                            .user = "bob",
                            .role = "student",
                            .command = "start alice-vm1\n\x1b[2J\"x\\",
                            .refused = "not your domain"};
    cr_assert_eq(audit_write(a, &r, err, sizeof err), 0, "%s", err);
    audit_close(a);
    char *s = slurp(path);
    cr_assert_str_eq(
        s, "2026-12-07T18:20:03Z uid=1001 user=\"alice\" role=\"student\" cmd=\"define -t tiny vm1\" "
           "uuid=6f1c2d3e-0000-4000-8000-0123456789ab name=\"alice-vm1\" allowed\n"
           "2026-12-07T18:20:09Z uid=1002 user=\"bob\" role=\"student\" cmd=\"start alice-vm1\\x0a\\x1b[2J\\\"x\\\\\" "
           "uuid=- name=- refused: \"not your domain\"\n");
    free(s);
}

Test(audit, refuses_symlink_and_narrows_mode, .init = setup, .fini = teardown)
{
    char err[300], target[200];
    snprintf(target, sizeof target, "%s/target", dir);
    FILE *f = fopen(target, "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(symlink(target, path), 0);
    cr_assert_null(audit_open(path, 0, err, sizeof err));
    cr_assert_not_null(strstr(err, "symlink"), "%s", err);
    struct stat st;
    cr_assert_eq(stat(target, &st), 0);
    cr_assert_eq(st.st_size, 0, "nothing written through the link");
    unlink(path);

    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("earlier line\n", f);
    fclose(f);
    cr_assert_eq(chmod(path, 0644), 0);
    struct audit *a = audit_open(path, 0, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0600);
    struct audit_entry e = {.when = 1, .uid = 0, .user = "root", .role = "operator", .command = "x"};
    cr_assert_eq(audit_write(a, &e, err, sizeof err), 0, "%s", err);
    audit_close(a);
    char *s = slurp(path);
    cr_assert_eq(strncmp(s, "earlier line\n1970-", 18), 0, "appended: %s", s);
    free(s);
}

Test(audit, rotates_by_size_one_old_file, .init = setup, .fini = teardown)
{
    char err[300], cmd[64];
    struct audit *a = audit_open(path, 1000, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    struct audit_entry e = {.when = 1796667603, .uid = 1001, .user = "alice", .role = "student"};
    e.command = cmd;
    char *line = audit_format(&(struct audit_entry){
        .when = 1796667603, .uid = 1001, .user = "alice", .role = "student", .command = "start vm-000"});
    size_t len = strlen(line);
    free(line);
    int per_file = (int)(1000 / len);
    cr_assert(per_file >= 2 && per_file < 20, "%zu bytes a line", len);
    /* Exactly enough to fill the first file, then one more line. */
    for (int i = 0; i <= per_file; i++) {
        snprintf(cmd, sizeof cmd, "start vm-%03d", i);
        cr_assert_eq(audit_write(a, &e, err, sizeof err), 0, "%s", err);
    }
    struct stat st;
    cr_assert_eq(stat(old, &st), 0, "rotated to .1");
    cr_assert_eq(st.st_mode & 07777, 0600);
    char *o = slurp(old), *c = slurp(path);
    cr_assert_eq(count_lines(o), per_file);
    cr_assert_eq(count_lines(c), 1);
    cr_assert_not_null(strstr(o, "vm-000"));
    snprintf(cmd, sizeof cmd, "vm-%03d", per_file);
    cr_assert_not_null(strstr(c, cmd), "the newest line in the new file");
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0600);
    cr_assert(st.st_size <= 1000);
    free(o);
    free(c);
    /* A second rotation replaces .1; there is no .2. */
    for (int i = 0; i < per_file; i++) {
        snprintf(cmd, sizeof cmd, "start vm-%03d", 100 + i);
        cr_assert_eq(audit_write(a, &e, err, sizeof err), 0, "%s", err);
    }
    o = slurp(old);
    c = slurp(path);
    cr_assert_null(strstr(o, "vm-000"), "the oldest file is gone");
    cr_assert_not_null(strstr(o, "vm-100"));
    cr_assert_not_null(strstr(c, cmd), "%s in the new file", cmd);
    cr_assert_eq(count_lines(o) + count_lines(c), per_file + 1);
    free(o);
    free(c);
    char p2[160];
    snprintf(p2, sizeof p2, "%s.2", path);
    cr_assert_neq(access(p2, F_OK), 0);
    audit_close(a);
}
