/* test_policy.c: the policy file (policy/policy.c) — the smallest policy exactly as written,
 * against real passwd and group files; roles, quotas, bad lines with file:line; the peer of a
 * socket. */
#include "testutil.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"

#define TINY_XML                                                                                                       \
    "<domain type='qemu'><name>tiny</name><memory unit='MiB'>64</memory>"                                              \
    "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"                                               \
    "<source file='/srv/vm/base.qcow2'/><target dev='vda'/></disk></devices></domain>\n"

static void put_file(const char *path, const char *text)
{
    unlink(path); /* a fresh file: this test's owner and mode */
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert(fputs(text, f) >= 0);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(chmod(path, 0644), 0);
}

/* ---- the smallest policy, as the issue writes it ---- */

/* A private mount namespace (this test's process only: Criterion forks one
   per test) with a tmpfs on /etc holding its own passwd and group files and
   /etc/virtmux: the real NSS "files" lookups, no system account touched. */
static void private_etc(void)
{
    if (unshare(CLONE_NEWNS) < 0)
        cr_skip_test("unshare(CLONE_NEWNS): %s (needs root)", strerror(errno));
    cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0, "%s", strerror(errno));
    cr_assert_eq(mount("tmpfs", "/etc", "tmpfs", 0, "mode=0755"), 0, "%s", strerror(errno));
    put_file("/etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\n");
    put_file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                            "amy:x:5001:5001::/home/amy:/bin/sh\n"
                            "tom:x:5002:5002::/home/tom:/bin/sh\n"
                            "zed:x:5003:5003::/home/zed:/bin/sh\n"
                            "sue:x:5004:5004::/home/sue:/bin/sh\n");
    put_file("/etc/group", "root:x:0:\n"
                           "amy:x:5001:\ntom:x:5002:\nzed:x:5003:\nsue:x:5004:\n"
                           "students:x:6000:amy,sue\n"
                           "tas:x:6001:tom,sue\n");
    cr_assert_eq(mkdir("/etc/virtmux", 0755), 0);
    cr_assert_eq(mkdir("/etc/virtmux/templates", 0755), 0);
    put_file("/etc/virtmux/templates/tiny.xml", TINY_XML);
}

Test(policy, smallest_policy_exactly_as_written)
{
    private_etc();
    put_file("/etc/virtmux/policy", "host local qemu:///system\n"
                                    "role student @students\n"
                                    "role ta @tas\n"
                                    "quota student 4\n"
                                    "template tiny /etc/virtmux/templates/tiny.xml\n"
                                    "images /srv/vm/%u\n");
    char err[512] = "";
    struct policy *p = policy_load("/etc/virtmux/policy", err, sizeof err);
    cr_assert_not_null(p, "%s", err);

    size_t n;
    const struct policy_host *h = policy_hosts(p, &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(h[0].name, "local");
    cr_assert_str_eq(h[0].uri, "qemu:///system");
    cr_assert_str_eq(policy_template_path(p, "tiny"), "/etc/virtmux/templates/tiny.xml");
    cr_assert_str_eq(policy_template_xml(p, "tiny"), TINY_XML);
    cr_assert_null(policy_template_path(p, "huge"));

    /* Groups from the group file, through getgrouplist. */
    struct peer amy, tom, zed, sue, root;
    cr_assert_eq(peer_from_uid(5001, 1, &amy, err, sizeof err), 0, "%s", err);
    cr_assert_eq(peer_from_uid(5002, 1, &tom, err, sizeof err), 0, "%s", err);
    cr_assert_eq(peer_from_uid(5003, 1, &zed, err, sizeof err), 0, "%s", err);
    cr_assert_eq(peer_from_uid(5004, 1, &sue, err, sizeof err), 0, "%s", err);
    cr_assert_eq(peer_from_uid(0, 1, &root, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(amy.user, "amy");
    cr_assert_eq(amy.ngroups, 2, "amy, students");
    cr_assert_eq(policy_role(p, &amy), ROLE_STUDENT);
    cr_assert_eq(policy_role(p, &tom), ROLE_TA);
    cr_assert_eq(policy_role(p, &sue), ROLE_TA, "the most privileged of her roles");
    cr_assert_eq(policy_role(p, &zed), ROLE_NONE);
    cr_assert_eq(policy_role(p, &root), ROLE_OPERATOR);
    char msg[200];
    cr_assert_str_eq(policy_no_role_message(p, &zed, msg, sizeof msg), "no role for zed in /etc/virtmux/policy");
    cr_assert_eq(policy_quota(p, &amy), 4);
    cr_assert_eq(policy_quota(p, &tom), 0);
    cr_assert_eq(policy_quota(p, &zed), 0);
    cr_assert_eq(policy_quota(p, &root), POLICY_QUOTA_UNLIMITED);
    char dir[256];
    cr_assert_eq(policy_images_dir(p, amy.user, dir, sizeof dir), 0);
    cr_assert_str_eq(dir, "/srv/vm/amy");
    /* A user with no passwd entry is nobody at all. */
    struct peer ghost;
    cr_assert_eq(peer_from_uid(5999, 1, &ghost, err, sizeof err), -1);
    cr_assert_str_eq(err, "no user for uid 5999");
    policy_free(p);

    /* A group that does not exist is a bad line, not a silent no-one. */
    put_file("/etc/virtmux/policy", "host local qemu:///system\nrole student @studnets\n");
    cr_assert_null(policy_load("/etc/virtmux/policy", err, sizeof err));
    cr_assert_str_eq(err, "/etc/virtmux/policy:2: no group 'studnets'");
}

/* ---- roles and quotas, with peers filled by hand (real group names) ---- */

static char tdir[64], ppath[128], tpl[128];

static void setup(void)
{
    snprintf(tdir, sizeof tdir, "/tmp/vmx-policy-XXXXXX");
    cr_assert_not_null(mkdtemp(tdir));
    snprintf(ppath, sizeof ppath, "%s/policy", tdir);
    snprintf(tpl, sizeof tpl, "%s/tiny.xml", tdir);
    put_file(tpl, TINY_XML);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tdir);
    cr_assert_eq(system(cmd), 0);
}

static gid_t gid_of(const char *name)
{
    struct group *g = getgrnam(name);
    cr_assert_not_null(g, "group %s on this system", name);
    return g->gr_gid;
}

static uid_t uid_of(const char *name)
{
    struct passwd *p = getpwnam(name);
    cr_assert_not_null(p, "user %s on this system", name);
    return p->pw_uid;
}

static struct peer by_hand(uid_t uid, const char *user, int ngroups, ...)
{
    struct peer p = {.uid = uid, .ngroups = ngroups};
    snprintf(p.user, sizeof p.user, "%s", user);
    va_list ap;
    va_start(ap, ngroups);
    for (int i = 0; i < ngroups; i++)
        p.groups[i] = va_arg(ap, gid_t);
    va_end(ap);
    return p;
}

static struct policy *load(const char *text)
{
    char err[512];
    put_file(ppath, text);
    struct policy *p = policy_load(ppath, err, sizeof err);
    cr_assert_not_null(p, "%s", err);
    return p;
}

Test(policy, roles_users_and_groups, .init = setup, .fini = teardown)
{
    /* users (100), staff (50), adm (4), daemon, bin: Debian's own. */
    struct policy *p = load("# the class\n"
                            "role student @users\n"
                            "role ta @staff daemon   # a group and a user on one line\n"
                            "role operator bin @adm\n");
    gid_t users = gid_of("users"), staff = gid_of("staff"), adm = gid_of("adm");
    uid_t daemon_uid = uid_of("daemon"), bin_uid = uid_of("bin");
    struct peer s = by_hand(4001, "s", 2, 4001, users);
    struct peer ta = by_hand(4002, "t", 3, 4002, users, staff);
    struct peer d = by_hand(daemon_uid, "daemon", 1, 9999);
    struct peer b = by_hand(bin_uid, "bin", 1, users);
    struct peer op = by_hand(4003, "o", 2, staff, adm);
    struct peer none = by_hand(4004, "nobody-here", 1, 4004);
    struct peer root = by_hand(0, "root", 0);
    cr_assert_eq(policy_role(p, &s), ROLE_STUDENT);
    cr_assert_eq(policy_role(p, &ta), ROLE_TA);
    cr_assert_eq(policy_role(p, &d), ROLE_TA, "by user");
    cr_assert_eq(policy_role(p, &b), ROLE_OPERATOR, "user beats group");
    cr_assert_eq(policy_role(p, &op), ROLE_OPERATOR);
    cr_assert_eq(policy_role(p, &none), ROLE_NONE);
    cr_assert_eq(policy_role(p, &root), ROLE_OPERATOR, "root, named or not");
    char msg[300], want[300];
    snprintf(want, sizeof want, "no role for nobody-here in %s", ppath);
    cr_assert_str_eq(policy_no_role_message(p, &none, msg, sizeof msg), want);
    cr_assert_str_eq(role_name(policy_role(p, &ta)), "ta");
    policy_free(p);

    /* The order of the lines does not matter: the most privileged wins. */
    p = load("role operator bin\nrole ta @staff\nrole student @users daemon\n");
    cr_assert_eq(policy_role(p, &b), ROLE_OPERATOR);
    cr_assert_eq(policy_role(p, &ta), ROLE_TA);
    cr_assert_eq(policy_role(p, &s), ROLE_STUDENT);
    cr_assert_eq(policy_role(p, &d), ROLE_STUDENT);
    policy_free(p);

    /* An empty policy: root alone. */
    p = load("\n# nothing\n");
    cr_assert_eq(policy_role(p, &s), ROLE_NONE);
    cr_assert_eq(policy_role(p, &root), ROLE_OPERATOR);
    size_t n;
    policy_hosts(p, &n);
    cr_assert_eq(n, 0);
    policy_free(p);
}

Test(policy, quotas, .init = setup, .fini = teardown)
{
    struct policy *p = load("role student @users @staff daemon\n"
                            "role ta @adm\n"
                            "quota student 3\n"
                            "quota @staff 6\n"
                            "quota @adm 1\n"
                            "quota daemon 9\n");
    gid_t users = gid_of("users"), staff = gid_of("staff"), adm = gid_of("adm");
    struct peer plain = by_hand(4001, "p", 1, users);
    struct peer staffer = by_hand(4002, "q", 2, users, staff);
    struct peer both = by_hand(4003, "r", 3, users, staff, adm);
    struct peer d = by_hand(uid_of("daemon"), "daemon", 2, staff, adm);
    struct peer ta = by_hand(4004, "t", 1, adm);
    struct peer none = by_hand(4005, "n", 0);
    cr_assert_eq(policy_quota(p, &plain), 3, "the role's");
    cr_assert_eq(policy_quota(p, &staffer), 6, "the group's over the role's");
    cr_assert_eq(policy_quota(p, &both), 6, "the largest of the groups'");
    cr_assert_eq(policy_quota(p, &d), 9, "the user's over all");
    cr_assert_eq(policy_quota(p, &ta), 1);
    cr_assert_eq(policy_quota(p, &none), 0);
    policy_free(p);
    p = load("role student @users\nrole ta @staff\n");
    cr_assert_eq(policy_quota(p, &plain), 4, "default: 4 per student");
    cr_assert_eq(policy_quota(p, &staffer), 0, "a TA defines nothing unless given a quota");
    policy_free(p);
}

Test(policy, grants, .init = setup, .fini = teardown)
{
    struct policy *p = load("role student @users\n"
                            "role ta @staff @adm\n"
                            "grant ta start destroy\n"
                            "grant @adm console-write\n"
                            "grant daemon migrate   # daemon has no role\n");
    gid_t users = gid_of("users"), staff = gid_of("staff"), adm = gid_of("adm");
    struct peer ta = by_hand(4002, "t", 1, staff);
    struct peer lead = by_hand(4003, "l", 1, adm);
    struct peer s = by_hand(4001, "s", 1, users);
    struct peer d = by_hand(uid_of("daemon"), "daemon", 0);
    cr_assert(policy_granted(p, &ta, "start"));
    cr_assert(policy_granted(p, &ta, "destroy"));
    cr_assert_not(policy_granted(p, &ta, "console-write"));
    cr_assert_not(policy_granted(p, &ta, "undefine"));
    cr_assert(policy_granted(p, &lead, "console-write"), "by group");
    cr_assert(policy_granted(p, &lead, "start"), "and by role");
    cr_assert_not(policy_granted(p, &s, "start"));
    cr_assert_not(policy_granted(p, &d, "migrate"), "a grant does not make a role");
    policy_free(p);
    char err[300], want[400];
    put_file(ppath, "grant ta Start\n");
    cr_assert_null(policy_load(ppath, err, sizeof err));
    snprintf(want, sizeof want, "%s:1: 'Start' is not a command name", ppath);
    cr_assert_str_eq(err, want);
    put_file(ppath, "grant wizard start\n");
    cr_assert_null(policy_load(ppath, err, sizeof err));
    snprintf(want, sizeof want, "%s:1: 'wizard' is not a role or a user", ppath);
    cr_assert_str_eq(err, want);
}

Test(policy, limits_audit_images_templates, .init = setup, .fini = teardown)
{
    char text[1024];
    snprintf(text, sizeof text,
             "host \"lab one\" 'qemu+ssh://root@lab1/system'  # quoted as in the config\n"
             "host lab2 qemu:///session\n"
             "limit input 4K\n"
             "limit lifecycle 12\n"
             "limit defines off\n"
             "audit /var/log/vmx.log 2M\n"
             "images /srv/%%%%vm/%%u/images\n"
             "template tiny %s\n"
             "template small %s\n",
             tpl, tpl);
    struct policy *p = load(text);
    size_t n;
    const struct policy_host *h = policy_hosts(p, &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(h[0].name, "lab one");
    cr_assert_str_eq(h[0].uri, "qemu+ssh://root@lab1/system");
    cr_assert_str_eq(h[1].name, "lab2");
    const struct limits_conf *l = policy_limits(p);
    cr_assert_eq(l->max[LIMIT_INPUT], 4096);
    cr_assert_eq(l->max[LIMIT_LIFECYCLE], 12);
    cr_assert_eq(l->max[LIMIT_DEFINES], 0);
    cr_assert_eq(l->max[LIMIT_CONNECTIONS], 16, "the default");
    cr_assert_str_eq(policy_audit_path(p), "/var/log/vmx.log");
    cr_assert_eq(policy_audit_max_bytes(p), 2 * 1024 * 1024);
    char dir[64];
    cr_assert_eq(policy_images_dir(p, "amy", dir, sizeof dir), 0);
    cr_assert_str_eq(dir, "/srv/%vm/amy/images");
    cr_assert_eq(policy_images_dir(p, "..", dir, sizeof dir), -1);
    cr_assert_eq(policy_images_dir(p, "a/b", dir, sizeof dir), -1);
    cr_assert_eq(policy_images_dir(p, "amy", dir, 19), -1, "does not fit");
    cr_assert_eq(policy_images_dir(p, "amy", dir, 20), 0);
    cr_assert_str_eq(policy_template_name(p, 0), "tiny");
    cr_assert_str_eq(policy_template_name(p, 1), "small");
    cr_assert_null(policy_template_name(p, 2));
    policy_free(p);

    p = load("");
    cr_assert_eq(policy_images_dir(p, "amy", dir, sizeof dir), -1, "no images line: no images");
    cr_assert_eq(policy_limits(p)->max[LIMIT_INPUT], 65536);
    cr_assert_str_eq(policy_audit_path(p), "/var/log/virtmux/audit.log");
    policy_free(p);
}

Test(policy, bad_lines_say_file_and_line, .init = setup, .fini = teardown)
{
    char badtpl[128], twodisks[128];
    snprintf(badtpl, sizeof badtpl, "%s/bad.xml", tdir);
    put_file(badtpl, "<domain><devices>");
    snprintf(twodisks, sizeof twodisks, "%s/two.xml", tdir);
    put_file(twodisks, "<domain><devices><disk type='file' device='disk'/><disk type='file'/></devices></domain>");
    struct {
        const char *line, *why;
    } bad[] = {
        {"frobnicate yes", "unknown directive 'frobnicate'"},
        {"role student 'unterminated", "unterminated quote (')"},
        {"role wizard @users", "unknown role 'wizard' (student, ta or operator)"},
        {"role student", "usage: role student|ta|operator USER|@GROUP..."},
        {"role student @users @no-such-group-vmx", "no group 'no-such-group-vmx'"},
        {"role ta no-such-user-vmx", "no user 'no-such-user-vmx'"},
        {"role ta @", "'@' without a group name"},
        {"quota student four", "'four' is not a number"},
        {"quota student -1", "'-1' is not a number"},
        {"quota student 100001", "'100001' is more than 100000"},
        {"limit input 5G", "'5G' is more than 4294967294"},
        {"quota wizard 3", "'wizard' is not a role or a user"},
        {"quota @no-such-group-vmx 3", "no group 'no-such-group-vmx'"},
        {"template tiny /nonexistent/tiny.xml", "template /nonexistent/tiny.xml: No such file or directory"},
        {"template tiny /tmp", "template /tmp: not a regular file of at most 1048576 bytes"},
        {"template a/b /tmp/x.xml", "template name: a name may not contain '/'"},
        {"template tiny tiny.xml", "a template's path must be absolute"},
        {"images srv/vm/%u", "the images directory must be absolute"},
        {"images /srv/%s", "only %u (the user) and %% may follow '%'"},
        {"images /srv/vm/%", "only %u (the user) and %% may follow '%'"},
        {"limit input 0", "a limit of 0 would refuse everything; say 'off' for none"},
        {"limit cpu 3", "unknown limit 'cpu' (connections, input, lifecycle or defines)"},
        {"limit input 5T", "'5T' is not a number"},
        {"limit lifecycle 5K", "'5K' is not a number"},
        {"audit log.txt", "the audit log's path must be absolute"},
        {"host local qemu:///system extra", "usage: host NAME URI"},
        {"host a/b qemu:///system", "a host name may not be empty or contain '/'"},
    };
    char err[600], text[512], want[700];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* The bad line is line 4, after a comment, a blank and a good line. */
        snprintf(text, sizeof text, "# lab\n\nhost local qemu:///system\n%s\nrole student @users\n", bad[i].line);
        put_file(ppath, text);
        err[0] = '\0';
        cr_assert_null(policy_load(ppath, err, sizeof err), "accepted: %s", bad[i].line);
        snprintf(want, sizeof want, "%s:4: %s", ppath, bad[i].why);
        cr_assert_eq(strncmp(err, want, strlen(want)), 0, "%s\n got: %s\nwant: %s", bad[i].line, err, want);
    }
    /* Templates are checked at load, with their own reason. */
    snprintf(text, sizeof text, "host h test:///default\ntemplate broken %s\n", badtpl);
    put_file(ppath, text);
    cr_assert_null(policy_load(ppath, err, sizeof err));
    snprintf(want, sizeof want, "%s:2: template %s: the template is not well-formed XML", ppath, badtpl);
    cr_assert_str_eq(err, want);
    snprintf(text, sizeof text, "template two %s\n", twodisks);
    put_file(ppath, text);
    cr_assert_null(policy_load(ppath, err, sizeof err));
    cr_assert_not_null(strstr(err, ":1: template "), "%s", err);
    cr_assert_not_null(strstr(err, "exactly one <disk type='file' device='disk'> (it has 2)"), "%s", err);
    /* Only root may write the policy and the templates. */
    put_file(ppath, "host a x:///\n");
    cr_assert_eq(chmod(ppath, 0664), 0);
    cr_assert_null(policy_load(ppath, err, sizeof err));
    snprintf(want, sizeof want, "%s: writable by group or others (mode 0664); refusing it", ppath);
    cr_assert_str_eq(err, want);
    if (geteuid() == 0) {
        cr_assert_eq(chmod(ppath, 0644), 0);
        cr_assert_eq(chown(ppath, 4242, 0), 0);
        cr_assert_null(policy_load(ppath, err, sizeof err));
        snprintf(want, sizeof want, "%s: owned by uid 4242, not by root; refusing it", ppath);
        cr_assert_str_eq(err, want);
    }
    snprintf(text, sizeof text, "template t %s\n", tpl);
    put_file(ppath, text);
    cr_assert_eq(chmod(tpl, 0646), 0);
    cr_assert_null(policy_load(ppath, err, sizeof err));
    snprintf(want, sizeof want, "%s:1: template %s: writable by group or others (mode 0646); refusing it", ppath, tpl);
    cr_assert_str_eq(err, want);
    cr_assert_eq(chmod(tpl, 0644), 0);
    /* Named twice. */
    put_file(ppath, "host a x:///\nhost a y:///\n");
    cr_assert_null(policy_load(ppath, err, sizeof err));
    snprintf(want, sizeof want, "%s:2: host 'a' named twice", ppath);
    cr_assert_str_eq(err, want);
    /* No file at all. */
    snprintf(text, sizeof text, "%s/none", tdir);
    cr_assert_null(policy_load(text, err, sizeof err));
    snprintf(want, sizeof want, "%s: No such file or directory", text);
    cr_assert_str_eq(err, want);
}

Test(policy, peer_of_a_socket)
{
    int sv[2];
    char err[300];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct peer p;
    cr_assert_eq(peer_from_fd(sv[0], &p, err, sizeof err), 0, "%s", err);
    struct passwd *pw = getpwuid(getuid());
    cr_assert_not_null(pw);
    cr_assert_eq(p.uid, getuid());
    cr_assert_eq(p.pid, getpid());
    cr_assert_str_eq(p.user, pw->pw_name);
    cr_assert_eq(p.gid, pw->pw_gid);
    cr_assert(p.ngroups >= 1);
    bool primary = false;
    for (int i = 0; i < p.ngroups; i++)
        primary |= p.groups[i] == pw->pw_gid;
    cr_assert(primary, "the primary group is in groups");
    /* Groups from the database, not the process: a process that dropped
       its supplementary groups is still in them. */
    int n = PEER_MAX_GROUPS;
    gid_t want[PEER_MAX_GROUPS];
    cr_assert(getgrouplist(pw->pw_name, pw->pw_gid, want, &n) >= 0);
    cr_assert_eq(p.ngroups, n);
    cr_assert_eq(memcmp(p.groups, want, (size_t)n * sizeof(gid_t)), 0);
    close(sv[0]);
    close(sv[1]);
    /* Not a socket. */
    int fd = open("/dev/null", O_RDONLY);
    cr_assert_eq(peer_from_fd(fd, &p, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "SO_PEERCRED"));
    close(fd);
}
