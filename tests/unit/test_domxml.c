/* test_domxml.c: unit tests for the console facts read from domain XML (backends/domxml.c). */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/domxml.h"

/* Parse and expect success; facts in *f. */
static void facts_ok(const char *xml, struct domxml_facts *f)
{
    char err[128] = "";

    /* Garbage in *f first: the parser must set every field. */
    memset(f, 0x5a, sizeof *f);
    cr_assert_eq(domxml_read_facts(xml, f, err, sizeof err), 0, "failed: %s\n%s", err, xml);
    cr_assert_str_empty(err);
}

static char why[256];

/* true when xml is refused as not parsing, with nothing half-filled. */
static bool facts_refused(const char *xml)
{
    struct domxml_facts f;
    char err[128] = "";

    memset(&f, 0x5a, sizeof f);
    if (domxml_read_facts(xml, &f, err, sizeof err) != -1) {
        snprintf(why, sizeof why, "parsed: %s", xml);
        return false;
    }
    if (strcmp(err, "domain XML does not parse") != 0) {
        snprintf(why, sizeof why, "reason '%s' for %s", err, xml);
        return false;
    }
    /* Nothing half-filled on failure. */
    if (f.has_serial || f.has_vnc || f.vnc_port != -1) {
        snprintf(why, sizeof why, "facts half-filled for %s", xml);
        return false;
    }
    return true;
}

#define DOM(devices) "<domain type='kvm'><name>vm</name><devices>" devices "</devices></domain>"

Test(domxml, serial_only)
{
    struct domxml_facts f;

    facts_ok(DOM("<serial type='pty'><target port='0'/></serial>"), &f);
    cr_assert(f.has_serial);
    cr_assert_not(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);
}

Test(domxml, console_only)
{
    struct domxml_facts f;

    facts_ok(DOM("<console type='pty'><target type='virtio' port='0'/></console>"), &f);
    cr_assert(f.has_serial);
    cr_assert_not(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);
}

Test(domxml, serial_and_console_as_libvirt_writes_them)
{
    struct domxml_facts f;

    facts_ok("<domain type='kvm' id='3'>\n"
             "  <name>vm</name>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
             "  <devices>\n"
             "    <disk type='file' device='disk'><source file='/x.img'/><target dev='vda'/></disk>\n"
             "    <serial type='pty'>\n      <source path='/dev/pts/3'/>\n"
             "      <target type='isa-serial' port='0'><model name='isa-serial'/></target>\n"
             "      <alias name='serial0'/>\n    </serial>\n"
             "    <console type='pty' tty='/dev/pts/3'>\n      <source path='/dev/pts/3'/>\n"
             "      <target type='serial' port='0'/>\n      <alias name='serial0'/>\n    </console>\n"
             "    <graphics type='vnc' port='5903' autoport='yes' listen='127.0.0.1'>\n"
             "      <listen type='address' address='127.0.0.1'/>\n    </graphics>\n"
             "  </devices>\n</domain>\n",
             &f);
    cr_assert(f.has_serial);
    cr_assert(f.has_vnc);
    cr_assert_eq(f.vnc_port, 5903);
}

Test(domxml, vnc_with_port)
{
    struct domxml_facts f;

    facts_ok(DOM("<graphics type='vnc' port='5901' autoport='no'/>"), &f);
    cr_assert_not(f.has_serial);
    cr_assert(f.has_vnc);
    cr_assert_eq(f.vnc_port, 5901);
}

Test(domxml, vnc_autoport_not_yet_assigned)
{
    struct domxml_facts f;

    facts_ok(DOM("<graphics type='vnc' port='-1' autoport='yes'/>"), &f);
    cr_assert(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);

    facts_ok(DOM("<graphics type='vnc' autoport='yes'/>"), &f);
    cr_assert(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);

    facts_ok(DOM("<graphics type='vnc' port='0'/>"), &f);
    cr_assert(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);

    facts_ok(DOM("<graphics type='vnc' port='65536'/>"), &f);
    cr_assert(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);

    facts_ok(DOM("<graphics type='vnc' port='59x1'/>"), &f);
    cr_assert(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);
}

Test(domxml, spice_is_not_vnc)
{
    struct domxml_facts f;

    facts_ok(DOM("<graphics type='spice' port='5930'/>"), &f);
    cr_assert_not(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);

    /* The VNC port is the VNC one, wherever it is in the list. */
    facts_ok(DOM("<graphics type='spice' port='5930'/><graphics type='vnc' port='5907'/>"), &f);
    cr_assert(f.has_vnc);
    cr_assert_eq(f.vnc_port, 5907);
}

Test(domxml, no_devices)
{
    struct domxml_facts f;

    facts_ok("<domain type='kvm'><name>vm</name></domain>", &f);
    cr_assert_not(f.has_serial);
    cr_assert_not(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);

    facts_ok(DOM(""), &f);
    cr_assert_not(f.has_serial);
    cr_assert_not(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);

    facts_ok(DOM("<disk type='file' device='disk'/><interface type='network'/>"), &f);
    cr_assert_not(f.has_serial);
    cr_assert_not(f.has_vnc);
}

Test(domxml, devices_outside_domain_devices_do_not_count)
{
    struct domxml_facts f;

    /* Only /domain/devices/...: a <serial> in metadata is not a console. */
    facts_ok("<domain><metadata><serial/><graphics type='vnc' port='5900'/></metadata>"
             "<devices/></domain>",
             &f);
    cr_assert_not(f.has_serial);
    cr_assert_not(f.has_vnc);
    cr_assert_eq(f.vnc_port, -1);
}

Test(domxml, malformed)
{
    cr_assert(facts_refused(""), "%s", why);
    cr_assert(facts_refused("not xml at all"), "%s", why);
    cr_assert(facts_refused("<domain><devices><serial type='pty'></devices></domain>"), "%s", why);
    cr_assert(facts_refused("<domain><devices><serial type='pty'/></devices>"), "%s", why); /* unclosed */
    cr_assert(facts_refused("<domain type='kvm><name>vm</name></domain>"), "%s", why);      /* quote */
    cr_assert(facts_refused("<domain/><domain/>"), "%s", why);                              /* two roots */
    cr_assert(facts_refused("<domain>&undefined;</domain>"), "%s", why);
}

Test(domxml, tiny_error_buffer)
{
    struct domxml_facts f;
    char err[5];

    cr_assert_eq(domxml_read_facts("<", &f, err, sizeof err), -1);
    cr_assert_str_eq(err, "doma");
}

/* A local TCP listener: after parsing, nothing may have connected to it. */
static int listen_local(int *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    cr_assert(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(fd, 4), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void assert_nobody_connected(int fd)
{
    int c = accept(fd, NULL, NULL);

    if (c >= 0)
        close(c);
    cr_assert_lt(c, 0, "the parser connected to the network");
    cr_assert(errno == EAGAIN || errno == EWOULDBLOCK);
}

Test(domxml, external_dtd_and_entities_are_not_fetched, .timeout = 20)
{
    int port, fd = listen_local(&port);
    char xml[2048];
    struct domxml_facts f;
    char err[128] = "";
    int rc;

    /* A file the entities point at: if it were read, a serial console would
	   appear in the document. */
    static const char dev[] = "<serial type='pty'/><graphics type='vnc' port='5999'/>";
    char *path = test_write_tmp(dev, strlen(dev));

    snprintf(xml, sizeof xml,
             "<?xml version='1.0'?>\n"
             "<!DOCTYPE domain SYSTEM 'http://127.0.0.1:%d/domain.dtd' [\n"
             "  <!ENTITY net SYSTEM 'http://127.0.0.1:%d/devices.xml'>\n"
             "  <!ENTITY file SYSTEM 'file://%s'>\n"
             "  <!ENTITY %% pe SYSTEM 'http://127.0.0.1:%d/pe.dtd'>\n"
             "  %%pe;\n"
             "]>\n"
             "<domain><name>vm</name><devices>&net;&file;</devices></domain>\n",
             port, port, path, port);

    memset(&f, 0x5a, sizeof f);
    rc = domxml_read_facts(xml, &f, err, sizeof err);
    /* Either it parses without the external content, or it fails cleanly. */
    if (rc == 0) {
        cr_assert_not(f.has_serial, "an external entity was loaded from %s", path);
        cr_assert_not(f.has_vnc, "an external entity was loaded from %s", path);
        cr_assert_eq(f.vnc_port, -1);
    } else {
        cr_assert_eq(rc, -1);
        cr_assert_str_eq(err, "domain XML does not parse");
    }
    assert_nobody_connected(fd);
    close(fd);
    unlink(path);
    free(path);
}

Test(domxml, entity_expansion_bomb_is_bounded, .timeout = 20)
{
    /* "Billion laughs": must not hang or eat memory; either result is fine,
	   but a <serial> in the expansion must not be counted. */
    static const char xml[] =
        "<?xml version='1.0'?>\n<!DOCTYPE domain [\n"
        " <!ENTITY a '<serial/><serial/><serial/><serial/><serial/><serial/><serial/><serial/>'>\n"
        " <!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n"
        " <!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>\n"
        " <!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>\n"
        " <!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>\n"
        " <!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>\n"
        " <!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>\n"
        " <!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'>\n"
        " <!ENTITY i '&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;'>\n"
        "]>\n<domain><devices>&i;</devices></domain>\n";
    struct domxml_facts f;
    char err[128] = "";
    int rc = domxml_read_facts(xml, &f, err, sizeof err);

    cr_assert(rc == 0 || rc == -1);
    if (rc == 0)
        cr_assert_not(f.has_serial, "entities were expanded into the document");
}

Test(domxml, many_calls_do_not_leak_or_share_state)
{
    struct domxml_facts f;

    /* Alternate results so that state kept between calls would show. */
    for (int i = 0; i < 200; i++) {
        if (i % 2)
            facts_ok(DOM("<serial type='pty'/>"), &f);
        else
            facts_ok(DOM("<graphics type='vnc' port='5910'/>"), &f);
        cr_assert_eq(f.has_serial, i % 2 == 1);
        cr_assert_eq(f.has_vnc, i % 2 == 0);
        cr_assert_eq(f.vnc_port, i % 2 ? -1 : 5910);
    }
}

/* The classroom owner the system server writes into <metadata>. */
#define OWNER_META(x) "<domain type='qemu'><name>alice-vm1</name><metadata>" x "</metadata><devices/></domain>"

Test(domxml, owner_from_metadata)
{
    struct domxml_facts f;

    facts_ok(OWNER_META("<virtmux:owner xmlns:virtmux='" VIRTMUX_OWNER_NS "' uid='1001' user='alice'/>"), &f);
    cr_assert_eq(f.owner_uid, 1001);
    cr_assert_str_eq(f.owner, "alice");
    /* Any prefix: the namespace is what counts. */
    facts_ok(OWNER_META("<x:owner xmlns:x='" VIRTMUX_OWNER_NS "' uid='7' user='bob'/>"), &f);
    cr_assert_eq(f.owner_uid, 7);
    cr_assert_str_eq(f.owner, "bob");
}

Test(domxml, owner_absent_or_malformed_is_nobody)
{
    struct domxml_facts f;
    static const char *const bad[] = {
        OWNER_META(""),
        /* another namespace */
        OWNER_META("<v:owner xmlns:v='https://example.org/other' uid='1001' user='alice'/>"),
        /* no namespace at all */
        OWNER_META("<owner uid='1001' user='alice'/>"),
        /* two owners */
        OWNER_META("<v:owner xmlns:v='" VIRTMUX_OWNER_NS "' uid='1' user='a'/><w:owner xmlns:w='" VIRTMUX_OWNER_NS
                   "' uid='2' user='b'/>"),
        OWNER_META("<v:owner xmlns:v='" VIRTMUX_OWNER_NS "' uid='x1' user='alice'/>"),
        OWNER_META("<v:owner xmlns:v='" VIRTMUX_OWNER_NS "' uid='-5' user='alice'/>"),
        OWNER_META("<v:owner xmlns:v='" VIRTMUX_OWNER_NS "' uid='1001' user=''/>"),
        OWNER_META("<v:owner xmlns:v='" VIRTMUX_OWNER_NS "' uid='1001' user='al ice'/>"),
        OWNER_META("<v:owner xmlns:v='" VIRTMUX_OWNER_NS "' user='alice'/>"),
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        facts_ok(bad[i], &f);
        cr_assert_eq(f.owner_uid, -1, "case %zu gave uid %ld", i, f.owner_uid);
        cr_assert_str_empty(f.owner, "case %zu gave owner %s", i, f.owner);
    }
}
