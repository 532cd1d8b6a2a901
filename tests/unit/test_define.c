/* test_define.c: names, images (real symlinks and '..' in a temp dir), template XML through
 * libxml2 and through libvirt's test driver, the owner read back (policy/define.c). */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "policy/define.h"

/* ---- names ---- */

Test(define, names)
{
    char err[200];
    const char *good[] = {"vm1", "os-lab_2", "a", "A.b+c", "x-", NULL};
    for (int i = 0; good[i]; i++)
        cr_assert_eq(define_name_ok(good[i], err, sizeof err), 0, "%s: %s", good[i], err);
    struct {
        const char *name, *why;
    } bad[] = {
        {"", "a name may not be empty"},
        {"a/b", "a name may not contain '/'"},
        {"../x", "a name may not contain '/'"},
        {"my vm", "a name may not contain spaces"},
        {"vm\x1b[2J", "a name may not contain control characters"},
        {"vm\n", "a name may not contain control characters"},
        {"-rf", "a name may not start with '-'"},
        {".hidden", "a name may not start with '.'"},
        {"vm;rm", "a name may contain only ASCII letters, digits, '.', '_', '-' and '+'"},
        {"v\xc3\xa9", "a name may contain only ASCII letters, digits, '.', '_', '-' and '+'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        cr_assert_eq(define_name_ok(bad[i].name, err, sizeof err), -1, "%zu accepted", i);
        cr_assert_str_eq(err, bad[i].why);
    }
    char longname[201];
    memset(longname, 'a', 200);
    longname[200] = '\0';
    cr_assert_eq(define_name_ok(longname, err, sizeof err), -1);
    cr_assert_str_eq(err, "a name may have at most 48 bytes (this one has 200)");
    longname[DEFINE_NAME_MAX] = '\0';
    cr_assert_eq(define_name_ok(longname, err, sizeof err), 0);
}

/* ---- images ---- */

static char top[64], mine[128], theirs[128];

static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void img_setup(void)
{
    snprintf(top, sizeof top, "/tmp/vmx-images-XXXXXX");
    cr_assert_not_null(mkdtemp(top));
    snprintf(mine, sizeof mine, "%s/alice", top);
    snprintf(theirs, sizeof theirs, "%s/bob", top);
    sh("mkdir -p %s/sub/deeper %s && touch %s/disk.qcow2 %s/sub/deeper/d.img %s/disk.qcow2", mine, theirs, mine, mine,
       theirs);
    sh("ln -s %s/disk.qcow2 %s/theirs.img && ln -s %s %s/linkdir && ln -s disk.qcow2 %s/rel-link.img", theirs, mine,
       theirs, mine, mine);
    sh("mkfifo %s/fifo.img && ln -s %s %s/alice-link", mine, mine, top);
}

static void img_teardown(void)
{
    if (top[0])
        sh("rm -rf %s", top);
}

static void img_ok(const char *path, const char *want_suffix)
{
    char res[4096], err[300], want[512];
    cr_assert_eq(define_image_check(mine, path, getuid(), res, sizeof res, err, sizeof err), 0, "%s: %s", path, err);
    snprintf(want, sizeof want, "%s/%s", mine, want_suffix);
    cr_assert_str_eq(res, want);
}

static void img_bad(const char *dir, const char *path, const char *why)
{
    char res[4096] = "", err[300] = "";
    cr_assert_eq(define_image_check(dir, path, getuid(), res, sizeof res, err, sizeof err), -1, "%s accepted as %s",
                 path, res);
    cr_assert_not_null(strstr(err, why), "%s: '%s' lacks '%s'", path, err, why);
    cr_assert_str_eq(res, "", "nothing resolved");
}

Test(define, images_inside_only, .init = img_setup, .fini = img_teardown)
{
    /* The assertions are in img_ok (accepted, resolved to the path given)
     * and img_bad (refused, with the reason given, nothing resolved). */
    char abs[512];
    img_ok("disk.qcow2", "disk.qcow2");
    img_ok("./sub//deeper/d.img", "sub/deeper/d.img");
    snprintf(abs, sizeof abs, "%s/sub/deeper/d.img", mine);
    img_ok(abs, "sub/deeper/d.img");

    img_bad(mine, "../bob/disk.qcow2", "'..' is not allowed");
    img_bad(mine, "sub/../../bob/disk.qcow2", "'..' is not allowed");
    snprintf(abs, sizeof abs, "%s/disk.qcow2", theirs);
    img_bad(mine, abs, "is not inside your directory");
    img_bad(mine, "/etc/passwd", "is not inside your directory");
    snprintf(abs, sizeof abs, "%s-evil/disk.qcow2", mine); /* a sibling with my name as prefix */
    img_bad(mine, abs, "is not inside your directory");
    img_bad(mine, "theirs.img", "is a symlink");
    img_bad(mine, "rel-link.img", "is a symlink");
    img_bad(mine, "linkdir/disk.qcow2", "is a symlink");
    img_bad(mine, "sub", "is not a regular file");
    img_bad(mine, "sub/", "names a directory");
    img_bad(mine, "fifo.img", "is not a regular file");
    img_bad(mine, "nothere.img", "does not exist");
    img_bad(mine, "disk.qcow2/x", "is not a directory");
    img_bad(mine, "", "no image named");
    /* The images directory itself reached through a symlink. */
    char link[256];
    snprintf(link, sizeof link, "%s/alice-link", top);
    img_bad(link, "disk.qcow2", "is not a directory (or a symlink)");
    img_bad(NULL, "disk.qcow2", "no images directory");
}

Test(define, images_owned_by_the_user, .init = img_setup, .fini = img_teardown)
{
    char res[4096], err[300], p[512];
    if (geteuid() != 0)
        cr_skip_test("chown needs root");
    snprintf(p, sizeof p, "%s/disk.qcow2", mine);
    cr_assert_eq(chown(p, 4242, 4242), 0);
    cr_assert_eq(define_image_check(mine, "disk.qcow2", 4242, res, sizeof res, err, sizeof err), 0, "%s", err);
    cr_assert_eq(define_image_check(mine, "disk.qcow2", 4243, res, sizeof res, err, sizeof err), -1);
    cr_assert_str_eq(strstr(err, "is not yours"), "is not yours (owned by uid 4242)");
}

/* ---- templates ---- */

#define TEMPLATE                                                                                                       \
    "<domain type='test'>\n"                                                                                           \
    "  <name>tiny</name>\n"                                                                                            \
    "  <uuid>11111111-2222-4333-8444-555555555555</uuid>\n"                                                            \
    "  <genid>aaaaaaaa-2222-4333-8444-555555555555</genid>\n"                                                          \
    "  <metadata>\n"                                                                                                   \
    "    <virtmux:owner xmlns:virtmux='" DEFINE_OWNER_NS "' uid='1002' user='bob'/>\n"                                 \
    "    <lab:course xmlns:lab='https://lab.example/course'>os</lab:course>\n"                                         \
    "  </metadata>\n"                                                                                                  \
    "  <memory unit='MiB'>64</memory>\n"                                                                               \
    "  <sysinfo type='smbios'><system><entry name='uuid'>11111111-2222-4333-8444-555555555555</entry>"                 \
    "<entry name='product'>lab</entry></system></sysinfo>\n"                                                           \
    "  <os><type>hvm</type></os>\n"                                                                                    \
    "  <devices>\n"                                                                                                    \
    "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"                                           \
    "<source file='/srv/templates/base.qcow2'/><backingStore/><target dev='vda' bus='virtio'/></disk>\n"               \
    "    <disk type='file' device='cdrom'><source file='/srv/iso/lab.iso'/><target dev='hdc'/><readonly/></disk>\n"    \
    "    <interface type='network'><mac address='52:54:00:12:34:56'/><source network='default'/></interface>\n"        \
    "    <serial type='pty'/>\n"                                                                                       \
    "  </devices>\n"                                                                                                   \
    "</domain>\n"

static const unsigned char UUID[16] = {0x6f, 0x1c, 0x2d, 0x3e, 0, 0, 0x40, 0, 0x80, 0, 1, 0x23, 0x45, 0x67, 0x89, 0xab};

Test(define, template_check)
{
    char err[300];
    cr_assert_eq(define_template_check(TEMPLATE, err, sizeof err), 0, "%s", err);
    cr_assert_eq(
        define_template_check("<domain><devices><disk type='file'><source file='/x'/></disk></devices></domain>", err,
                              sizeof err),
        0, "device omitted is a disk: %s", err);
    struct {
        const char *xml, *why;
    } bad[] = {
        {"<domain><devices/></domain>", "exactly one <disk type='file' device='disk'> (it has 0)"},
        {"<domain><devices><disk type='file' device='disk'/><disk type='file'/></devices></domain>", "(it has 2)"},
        {"<domain><devices><disk type='block' device='disk'/></devices></domain>",
         "must be type='file' (this one is type='block')"},
        {"<domain><devices><disk type='file' device='disk'/><disk type='block' device='lun'/></devices></domain>",
         "may not have a disk of device='lun'"},
        {"<network><devices><disk type='file'/></devices></network>", "root element must be <domain>"},
        {"<domain><devices><disk type='file'>", "not well-formed"},
        {"<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/shadow'>]><domain>&x;</domain>", "DOCTYPE"},
        {NULL, "no template"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        cr_assert_eq(define_template_check(bad[i].xml, err, sizeof err), -1, "%zu accepted", i);
        cr_assert_not_null(strstr(err, bad[i].why), "%zu: '%s'", i, err);
    }
}

/* XPath on a result, with our namespace bound to "v". */
static char *xp(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    cr_assert_not_null(ctx);
    xmlXPathRegisterNs(ctx, BAD_CAST "v", BAD_CAST DEFINE_OWNER_NS);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    cr_assert_not_null(o, "%s", expr);
    xmlChar *s = xmlXPathCastToString(o);
    char *r = strdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return r;
}

static void xp_eq(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xp(doc, expr);
    cr_assert_str_eq(got, want, "%s", expr);
    free(got);
}

Test(define, xml_from_template_round_trip)
{
    char err[300], user[64];
    char *xml =
        define_xml_from_template(TEMPLATE, "alice", 1001, "vm1", UUID, "/srv/vm/alice/vm1.qcow2", err, sizeof err);
    cr_assert_not_null(xml, "%s", err);
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "out.xml", NULL, XML_PARSE_NONET);
    cr_assert_not_null(doc, "%s", xml);
    xp_eq(doc, "count(/domain/name)", "1");
    xp_eq(doc, "/domain/name", "alice-vm1");
    xp_eq(doc, "count(/domain/uuid)", "1");
    xp_eq(doc, "/domain/uuid", "6f1c2d3e-0000-4000-8000-0123456789ab");
    xp_eq(doc, "local-name(/domain/*[1])", "name");
    xp_eq(doc, "count(/domain/genid)", "0");
    xp_eq(doc, "count(//entry[@name='uuid'])", "0");
    xp_eq(doc, "//entry[@name='product']", "lab");
    xp_eq(doc, "/domain/devices/disk[@device='disk']/source/@file", "/srv/vm/alice/vm1.qcow2");
    xp_eq(doc, "count(/domain/devices/disk[@device='disk']/backingStore)", "0");
    xp_eq(doc, "/domain/devices/disk[@device='disk']/driver/@type", "qcow2");
    xp_eq(doc, "/domain/devices/disk[@device='cdrom']/source/@file", "/srv/iso/lab.iso");
    xp_eq(doc, "count(//mac)", "0");
    xp_eq(doc, "/domain/devices/interface/source/@network", "default");
    xp_eq(doc, "count(/domain/metadata/v:owner)", "1");
    xp_eq(doc, "/domain/metadata/v:owner/@uid", "1001");
    xp_eq(doc, "/domain/metadata/v:owner/@user", "alice");
    xp_eq(doc, "/domain/metadata/*[local-name()='course']", "os");
    xmlFreeDoc(doc);
    uid_t uid = 0;
    cr_assert_eq(define_owner_from_xml(xml, user, sizeof user, &uid), 0);
    cr_assert_str_eq(user, "alice");
    cr_assert_eq(uid, 1001);
    cr_assert(define_owner_consistent("alice-vm1", user));
    free(xml);

    /* A template without metadata, without a source, image kept when NULL. */
    xml = define_xml_from_template("<domain><devices><disk type='file'/></devices></domain>", "bob", 1002, "x", UUID,
                                   "/srv/vm/bob/x.img", err, sizeof err);
    cr_assert_not_null(xml, "%s", err);
    doc = xmlReadMemory(xml, (int)strlen(xml), "out.xml", NULL, XML_PARSE_NONET);
    xp_eq(doc, "/domain/devices/disk/source/@file", "/srv/vm/bob/x.img");
    xp_eq(doc, "/domain/metadata/v:owner/@user", "bob");
    xmlFreeDoc(doc);
    free(xml);
    xml = define_xml_from_template(TEMPLATE, "bob", 1002, "x", UUID, NULL, err, sizeof err);
    cr_assert_not_null(strstr(xml, "/srv/templates/base.qcow2"));
    free(xml);

    cr_assert_null(define_xml_from_template(TEMPLATE, "alice", 1001, "a/b", UUID, "/x", err, sizeof err));
    cr_assert_str_eq(err, "a name may not contain '/'");
    cr_assert_null(define_xml_from_template(TEMPLATE, "alice", 1001, "vm", UUID, "rel.img", err, sizeof err));
    cr_assert_null(define_xml_from_template("<domain/>", "alice", 1001, "vm", UUID, "/x", err, sizeof err));
    cr_assert_not_null(strstr(err, "exactly one"));
}

Test(define, owner_read_back)
{
    char user[64] = "", err[200];
    uid_t uid = 77;
    cr_assert_eq(define_owner_from_xml("<domain><name>x</name></domain>", user, sizeof user, &uid), 1);
    cr_assert_eq(define_owner_from_xml("<domain><metadata><owner uid='1' user='a'/></metadata></domain>", user,
                                       sizeof user, &uid),
                 1, "no namespace: not ours");
    cr_assert_eq(define_owner_from_xml("<domain><metadata><o:owner xmlns:o='https://other.example/' uid='1' user='a'/>"
                                       "</metadata></domain>",
                                       user, sizeof user, &uid),
                 1);
    cr_assert_eq(define_owner_from_xml("<domain><metadata>", user, sizeof user, &uid), -1);
    cr_assert_eq(define_owner_from_xml("<network/>", user, sizeof user, &uid), -1);
    const char *twice = "<domain><metadata><a:owner xmlns:a='" DEFINE_OWNER_NS "' uid='1' user='a'/>"
                        "<b:owner xmlns:b='" DEFINE_OWNER_NS "' uid='2' user='b'/></metadata></domain>";
    cr_assert_eq(define_owner_from_xml(twice, user, sizeof user, &uid), -1);
    const char *badattrs[] = {
        "uid='x' user='a'",       "uid='-1' user='a'",          "uid='' user='a'",  "uid='1'", "uid='1' user=''",
        "uid='1' user='a&#10;b'", "uid='99999999999' user='a'", "uid='1 ' user='a'"};
    for (size_t i = 0; i < sizeof badattrs / sizeof badattrs[0]; i++) {
        char x[300];
        snprintf(x, sizeof x, "<domain><metadata><v:owner xmlns:v='%s' %s/></metadata></domain>", DEFINE_OWNER_NS,
                 badattrs[i]);
        cr_assert_eq(define_owner_from_xml(x, user, sizeof user, &uid), -1, "%s", badattrs[i]);
    }
    cr_assert_eq(uid, 77, "untouched when not found");
    /* The element alone, as virDomainGetMetadata gives it, with any prefix. */
    char *el = define_owner_element("carol", 1003);
    cr_assert_not_null(el);
    cr_assert_eq(define_owner_from_xml(el, user, sizeof user, &uid), 0, "%s", el);
    cr_assert_str_eq(user, "carol");
    cr_assert_eq(uid, 1003);
    free(el);
    cr_assert_eq(
        define_owner_from_xml("<owner xmlns='" DEFINE_OWNER_NS "' uid='5' user='dan'/>", user, sizeof user, &uid), 0);
    cr_assert_str_eq(user, "dan");
    char tiny[3];
    cr_assert_eq(
        define_owner_from_xml("<owner xmlns='" DEFINE_OWNER_NS "' uid='5' user='dan'/>", tiny, sizeof tiny, &uid), -1,
        "a user that does not fit is not cut");
    (void)err;
}

Test(define, owner_consistent)
{
    cr_assert(define_owner_consistent("alice-vm1", "alice"));
    cr_assert_not(define_owner_consistent("alice-", "alice"));
    cr_assert_not(define_owner_consistent("alicevm1", "alice"));
    cr_assert_not(define_owner_consistent("alice2-vm1", "alice"));
    cr_assert_not(define_owner_consistent("bob-vm1", "alice"));
    cr_assert_not(define_owner_consistent("ali", "alice"));
    cr_assert_not(define_owner_consistent("alice-vm1", ""));
}

Test(define, domain_owner_decided)
{
    char user[64] = "", why[200] = "";
    uid_t uid = 0;
    cr_assert_eq(define_domain_owner("anything", NULL, user, sizeof user, &uid, why, sizeof why), 1);
    /* As libvirt hands it back: the namespace stripped. */
    cr_assert_eq(
        define_domain_owner("alice-vm1", "<owner uid='1001' user='alice'/>", user, sizeof user, &uid, why, sizeof why),
        0, "%s", why);
    cr_assert_str_eq(user, "alice");
    cr_assert_eq(uid, 1001);
    cr_assert_eq(
        define_domain_owner("bob-vm1", "<owner uid='1001' user='alice'/>", user, sizeof user, &uid, why, sizeof why),
        -1);
    cr_assert_str_eq(why, "domain bob-vm1 is named for another owner than alice");
    cr_assert_eq(
        define_domain_owner("alice-vm1", "<owner uid='x' user='alice'/>", user, sizeof user, &uid, why, sizeof why),
        -1);
    cr_assert_str_eq(why, "domain alice-vm1 has malformed owner metadata");
}

Test(define, uuids)
{
    unsigned char a[16], b[16];
    char s[37];
    cr_assert_eq(define_uuid_random(a), 0);
    cr_assert_eq(define_uuid_random(b), 0);
    cr_assert_neq(memcmp(a, b, 16), 0);
    define_uuid_format(a, s);
    cr_assert_eq(strlen(s), 36);
    cr_assert_eq(s[14], '4', "version 4: %s", s);
    cr_assert(strchr("89ab", s[19]), "variant: %s", s);
}

/* libvirt keeps our <metadata> element, and gives it back by namespace. */
Test(define, libvirt_keeps_the_owner)
{
    char err[300], user[64];
    uid_t uid = 0;
    test_virt_init();
    virConnectPtr c = virConnectOpen("test:///default");
    cr_assert_not_null(c);
    unsigned char u[16];
    cr_assert_eq(define_uuid_random(u), 0);
    char *xml = define_xml_from_template(TEMPLATE, "alice", 1001, "vm1", u, "/srv/vm/alice/vm1.qcow2", err, sizeof err);
    cr_assert_not_null(xml, "%s", err);
    virDomainPtr d = virDomainDefineXML(c, xml);
    cr_assert_not_null(d, "%s", virGetLastErrorMessage());
    cr_assert_str_eq(virDomainGetName(d), "alice-vm1");
    char us[37], got[VIR_UUID_STRING_BUFLEN];
    define_uuid_format(u, us);
    cr_assert_eq(virDomainGetUUIDString(d, got), 0);
    cr_assert_str_eq(got, us);
    char *md = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, DEFINE_OWNER_NS, VIR_DOMAIN_AFFECT_CONFIG);
    cr_assert_not_null(md, "%s", virGetLastErrorMessage());
    cr_assert_eq(define_owner_from_xml(md, user, sizeof user, &uid), 0, "%s", md);
    cr_assert_str_eq(user, "alice");
    cr_assert_eq(uid, 1001);
    free(md);
    char *dx = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
    cr_assert_not_null(dx);
    uid = 0;
    cr_assert_eq(define_owner_from_xml(dx, user, sizeof user, &uid), 0, "%s", dx);
    cr_assert_eq(uid, 1001);
    free(dx);
    /* Nothing of ours: libvirt says so. */
    cr_assert_null(
        virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "https://nobody.example/", VIR_DOMAIN_AFFECT_CONFIG));
    cr_assert_eq(virGetLastErrorCode(), VIR_ERR_NO_DOMAIN_METADATA);
    virDomainUndefine(d);
    virDomainFree(d);
    virConnectClose(c);
    free(xml);
}
