/* tests/fuzz/fuzz_policy.c: libFuzzer target for the classroom policy (policy/).
 *
 * An input starting with '<' is a template: define_template_check, then
 * define_xml_from_template, whose result must pass the check again and give
 * its owner back. Any other input is a policy file, loaded through a memfd
 * by policy_load. Aborts when:
 *   - a refused policy's reason is not "PATH:LINE: ..." with LINE a line of
 *     the input (or "PATH: ..." for the file as a whole);
 *   - a loaded policy makes a stranger (no passwd entry, no groups) anything
 *     but ROLE_NONE with quota 0, or root anything but an operator;
 *   - an images directory comes out relative, or a host nameless;
 *   - a template accepted at load fails the template check or the define.
 * ASan and UBSan catch the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/define.h"
#include "policy/policy.h"

#define CHECK(cond, what) do { if (!(cond)) { fprintf(stderr, "fuzz_policy: %s\n", what); abort(); } } while (0)

static const unsigned char UUID[16] = { 1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16 };

static void template_round_trip(const char *xml)
{
    char err[512], user[64];
    if (define_template_check(xml, err, sizeof err) < 0)
        return;
    char *out = define_xml_from_template(xml, "amy", 5001, "vm1", UUID, "/srv/vm/amy/vm1.img", err, sizeof err);
    CHECK(out, "a checked template does not define");
    CHECK(define_template_check(out, err, sizeof err) == 0, "a defined XML is no template any more");
    uid_t uid = 0;
    CHECK(define_owner_from_xml(out, user, sizeof user, &uid) == 0, "the owner does not come back");
    CHECK(uid == 5001 && !strcmp(user, "amy"), "another owner came back");
    free(out);
}

static void check_error(const char *path, const char *err, const unsigned char *data, size_t size)
{
    size_t pl = strlen(path);
    CHECK(!strncmp(err, path, pl) && err[pl] == ':', "a reason without the path");
    if (err[pl + 1] == ' ')
        return;
    char *end;
    unsigned long line = strtoul(err + pl + 1, &end, 10);
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    CHECK(line >= 1 && line <= lines, "a line number outside the file");
    CHECK(end[0] == ':' && end[1] == ' ' && end[2], "no reason after PATH:LINE:");
}

static void check_policy(struct policy *p)
{
    struct peer stranger = { .uid = 4294967000u, .ngroups = 0 }, root = { .uid = 0 };
    snprintf(stranger.user, sizeof stranger.user, "stranger");
    CHECK(policy_role(p, &stranger) == ROLE_NONE, "a stranger has a role");
    CHECK(policy_quota(p, &stranger) == 0, "a stranger has a quota");
    CHECK(policy_role(p, &root) == ROLE_OPERATOR, "root is not an operator");
    char dir[4096];
    if (policy_images_dir(p, "amy", dir, sizeof dir) == 0)
        CHECK(dir[0] == '/', "a relative images directory");
    size_t n;
    const struct policy_host *h = policy_hosts(p, &n);
    for (size_t i = 0; i < n; i++)
        CHECK(h[i].name[0] && !strchr(h[i].name, '/') && h[i].uri[0], "a bad host");
    const char *name;
    for (size_t i = 0; (name = policy_template_name(p, i)); i++)
        template_round_trip(policy_template_xml(p, name));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (size > 65536)
        return 0;
    if (size && data[0] == '<') {
        char *xml = malloc(size + 1);
        memcpy(xml, data, size);
        xml[size] = '\0';
        template_round_trip(xml);
        free(xml);
        return 0;
    }
    if (fd < 0) {
        fd = memfd_create("policy", MFD_CLOEXEC);
        CHECK(fd >= 0 && fchmod(fd, 0600) == 0, "memfd_create");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "memfd write");
    char err[1024] = "";
    struct policy *p = policy_load(path, err, sizeof err);
    if (p) {
        check_policy(p);
        policy_free(p);
    } else {
        check_error(path, err, data, size);
    }
    return 0;
}
