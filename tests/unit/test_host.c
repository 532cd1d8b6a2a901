/* test_host.c: backends/host.c against libvirt's test driver: connecting, listing,
 * console facts, lifecycle events, actions, failures and freeing at any moment. */
#include "testutil.h"

#include <dirent.h>
#include <unistd.h>

#include "backends/domain.h"
#include "backends/host.h"

#define WAIT_MS 10000 /* generous: ASan and a loaded machine */

/* ---- what the host reports through its ops ---- */

#define MAX_MSGS 64

struct ctx {
    struct domreg *reg;
    struct host *h;
    int changed;
    int nmsg;
    char msg[MAX_MSGS][800];
    bool msg_error[MAX_MSGS];
    int asks;
    int attempts; /* changed() seen while connecting */
    int failures; /* changed() seen disconnected after an attempt */
    bool was_connecting;
};

static struct ctx C;

static void on_changed(struct host *h, void *opaque)
{
    struct ctx *c = opaque;

    cr_assert_eq(c, &C);
    c->changed++;
    if (host_state(h) == HOST_CONNECTING) {
        if (!c->was_connecting)
            c->attempts++;
        c->was_connecting = true;
    } else {
        if (c->was_connecting && host_state(h) == HOST_DISCONNECTED)
            c->failures++;
        c->was_connecting = false;
    }
}

static void on_message(struct host *h, bool error, const char *msg, void *opaque)
{
    struct ctx *c = opaque;

    if (c->nmsg < MAX_MSGS) {
        snprintf(c->msg[c->nmsg], sizeof c->msg[c->nmsg], "%s", msg);
        c->msg_error[c->nmsg] = error;
    }
    c->nmsg++;
}

static void on_ask(struct host *h, const char *prompt, bool secret, void *opaque)
{
    struct ctx *c = opaque;

    c->asks++;
    host_answer(h, NULL);
}

static const struct host_ops ops = {.changed = on_changed, .message = on_message, .ask = on_ask};

/* Threads of this process, from /proc: the worker threads must go away. */
static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    cr_assert_not_null(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int base_threads;

static void setup(void)
{
    test_virt_init();
    memset(&C, 0, sizeof C);
    C.reg = domreg_new();
    cr_assert_not_null(C.reg);
    base_threads = thread_count();
}

static void teardown(void)
{
    host_free(C.h);
    C.h = NULL;
    domreg_free(C.reg);
    C.reg = NULL;
}

static struct host *new_host(const char *name, const char *uri)
{
    char err[256] = "";
    struct host *h = host_new(name, uri, C.reg, &ops, &C, err, sizeof err);

    cr_assert_not_null(h, "host_new: %s", err);
    cr_assert_str_eq(host_name(h), name);
    cr_assert_str_eq(host_uri(h), uri);
    return h;
}

/* ---- conditions to pump for ---- */

static bool is_connected(void *arg)
{
    struct host *h = arg;

    return host_state(h) == HOST_CONNECTED && host_settled(h);
}

static bool is_settled(void *arg)
{
    return host_settled(arg);
}

static void connect_and_wait(struct host *h)
{
    host_connect(h);
    cr_assert_eq(host_state(h), HOST_CONNECTING);
    cr_assert(test_pump_until(is_connected, h, WAIT_MS), "not connected: state %s, error '%s'",
              host_state_name(host_state(h)), host_error(h));
}

static struct dom *dom_named(const char *name)
{
    char err[256];

    return domreg_lookup(C.reg, name, err, sizeof err);
}

struct state_wait {
    const char *name;
    int state;
};

static bool has_state(void *arg)
{
    struct state_wait *w = arg;
    struct dom *d = dom_named(w->name);

    return d && d->state == w->state;
}

static void wait_state(const char *name, int state)
{
    struct state_wait w = {name, state};
    struct dom *d;

    if (test_pump_until(has_state, &w, WAIT_MS))
        return;
    d = dom_named(name);
    cr_assert_fail("%s: expected %s, have %s", name, dom_state_name(state), d ? dom_state_name(d->state) : "(no row)");
}

static bool is_absent(void *arg)
{
    return dom_named(arg) == NULL;
}

static bool is_present(void *arg)
{
    return dom_named(arg) != NULL;
}

static bool all_facts_known(void *arg)
{
    struct dom *rows[64];
    size_t n = domreg_list(C.reg, rows, 64);

    (void)arg;
    for (size_t i = 0; i < n; i++)
        if (!rows[i]->facts_known)
            return false;
    return n > 0;
}

static int want_msgs;

static bool have_msgs(void *arg)
{
    (void)arg;
    return C.nmsg >= want_msgs;
}

/* Wait for message number n (1-based) and return it. */
static const char *wait_msg(int n, bool *error)
{
    want_msgs = n;
    cr_assert(test_pump_until(have_msgs, NULL, WAIT_MS), "message %d never came (%d so far: '%s')", n, C.nmsg,
              C.nmsg ? C.msg[C.nmsg - 1] : "");
    if (error)
        *error = C.msg_error[n - 1];
    return C.msg[n - 1];
}

static bool threads_back(void *arg)
{
    (void)arg;
    return thread_count() <= base_threads;
}

/* ---- (a) test:///default ---- */

Test(host, default_test_driver_lists_its_one_domain, .init = setup, .fini = teardown, .timeout = 60)
{
    struct dom *d;

    C.h = new_host("t", "test:///default");
    cr_assert_eq(host_state(C.h), HOST_DISCONNECTED);
    cr_assert_not(host_settled(C.h));
    cr_assert_str_empty(host_error(C.h));

    connect_and_wait(C.h);
    cr_assert_str_empty(host_error(C.h));
    cr_assert_eq(host_retry_seconds(C.h), 0);
    cr_assert_gt(C.changed, 0);

    cr_assert_eq(domreg_count(C.reg), 1);
    cr_assert_eq(domreg_count_host(C.reg, C.h), 1);
    d = dom_named("test");
    cr_assert_not_null(d);
    cr_assert_eq(d->host, C.h);
    cr_assert_str_eq(d->uuid_str, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    cr_assert_eq(d->state, VIR_DOMAIN_RUNNING);
    cr_assert_eq(d->id, 1);
    cr_assert(d->persistent);
    cr_assert_eq(d->autostart, 0);
    cr_assert_eq(dom_named("t/test"), d);
    cr_assert_eq(dom_named("6695eb01-f6a4-8304-79aa-97f2502e193f"), d);

    /* Sizes and console facts follow from the XML in a second step (the
	   listing takes states in bulk); the default domain has no consoles. */
    cr_assert(test_pump_until(all_facts_known, NULL, WAIT_MS));
    d = dom_named("test");
    cr_assert(d->sizes_known);
    cr_assert_eq(d->vcpus, 2);
    cr_assert_eq(d->mem_kib, 2097152); /* current memory, not the 8 GiB maximum */
    cr_assert_not(d->has_serial);
    cr_assert_not(d->has_vnc);

    /* The test driver has events: no "will not update" warning, no other message. */
    cr_assert_eq(C.nmsg, 0, "unexpected message: %s", C.msg[0]);
    cr_assert_eq(C.asks, 0);
}

/* ---- (b) a custom node file ---- */

#define TESTNS "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'"

#define RUN1_UUID "0c1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"

static const char *const node_xml_fmt =
    "<node>\n"
    /* running, serial + VNC on a fixed port */
    "<domain type='test' " TESTNS "><name>run1</name><uuid>" RUN1_UUID "</uuid>\n"
    "  <memory>524288</memory><vcpu>4</vcpu>\n"
    "  <os><type>hvm</type></os>\n"
    "  <devices><serial type='pty'/><graphics type='vnc' port='5901' autoport='no'/></devices>\n"
    "</domain>\n"
    /* paused: console only */
    "<domain type='test' " TESTNS "><name>pause1</name><memory>262144</memory><vcpu>1</vcpu>\n"
    "  <os><type>hvm</type></os><devices><console type='pty'/></devices>\n"
    "  <test:runstate>3</test:runstate></domain>\n"
    /* paused: VNC with autoport */
    "<domain type='test' " TESTNS "><name>pause2</name><memory>262144</memory><vcpu>1</vcpu>\n"
    "  <os><type>hvm</type></os><devices><graphics type='vnc' autoport='yes'/></devices>\n"
    "  <test:runstate>3</test:runstate></domain>\n"
    /* paused: no consoles, transient */
    "<domain type='test' " TESTNS "><name>pause3</name><memory>262144</memory><vcpu>1</vcpu>\n"
    "  <os><type>hvm</type></os><test:runstate>3</test:runstate><test:transient/></domain>\n"
    /* shut off: one with a serial console, the rest bare */
    "<domain type='test' " TESTNS "><name>off1</name><memory>131072</memory><vcpu>2</vcpu>\n"
    "  <os><type>hvm</type></os><devices><serial type='pty'/></devices>\n"
    "  <test:runstate>5</test:runstate></domain>\n"
    "<domain type='test' " TESTNS "><name>off2</name><memory>131072</memory><vcpu>1</vcpu>\n"
    "  <os><type>hvm</type></os><test:runstate>5</test:runstate></domain>\n"
    "<domain type='test' " TESTNS "><name>off3</name><memory>131072</memory><vcpu>1</vcpu>\n"
    "  <os><type>hvm</type></os><test:runstate>5</test:runstate></domain>\n"
    "<domain type='test' " TESTNS "><name>off4</name><memory>131072</memory><vcpu>1</vcpu>\n"
    "  <os><type>hvm</type></os><test:runstate>5</test:runstate></domain>\n"
    "<domain type='test' " TESTNS "><name>off5</name><memory>131072</memory><vcpu>1</vcpu>\n"
    "  <os><type>hvm</type></os><test:runstate>5</test:runstate></domain>\n"
    "</node>\n";

static char node_dir[64], node_path[128], node_uri[160];

static void write_node_file(void)
{
    FILE *f;

    snprintf(node_dir, sizeof node_dir, "/tmp/virtmux-node-XXXXXX");
    cr_assert_not_null(mkdtemp(node_dir));
    snprintf(node_path, sizeof node_path, "%s/node.xml", node_dir);
    snprintf(node_uri, sizeof node_uri, "test://%s", node_path);
    f = fopen(node_path, "w");
    cr_assert_not_null(f);
    fputs(node_xml_fmt, f);
    cr_assert_eq(fclose(f), 0);
}

static void remove_node_file(void)
{
    unlink(node_path);
    rmdir(node_dir);
}

static void setup_node(void)
{
    setup();
    write_node_file();
}

static void teardown_node(void)
{
    teardown();
    remove_node_file();
}

struct expect {
    const char *name;
    int state;
    unsigned vcpus;
    unsigned long mem_kib;
    bool persistent, serial, vnc;
};

Test(host, custom_node_states_and_consoles, .init = setup_node, .fini = teardown_node, .timeout = 60)
{
    static const struct expect want[] = {
        {"run1", VIR_DOMAIN_RUNNING, 4, 524288, true, true, true},
        {"pause1", VIR_DOMAIN_PAUSED, 1, 262144, true, true, false},
        {"pause2", VIR_DOMAIN_PAUSED, 1, 262144, true, false, true},
        {"pause3", VIR_DOMAIN_PAUSED, 1, 262144, false, false, false},
        {"off1", VIR_DOMAIN_SHUTOFF, 2, 131072, true, true, false},
        {"off2", VIR_DOMAIN_SHUTOFF, 1, 131072, true, false, false},
        {"off3", VIR_DOMAIN_SHUTOFF, 1, 131072, true, false, false},
        {"off4", VIR_DOMAIN_SHUTOFF, 1, 131072, true, false, false},
        {"off5", VIR_DOMAIN_SHUTOFF, 1, 131072, true, false, false},
    };
    size_t nwant = sizeof want / sizeof want[0];
    int by_state[8] = {0};
    struct dom *rows[32];
    size_t n;

    C.h = new_host("node", node_uri);
    connect_and_wait(C.h);
    cr_assert_eq(domreg_count(C.reg), nwant);
    cr_assert_eq(domreg_count_host(C.reg, C.h), nwant);

    n = domreg_list(C.reg, rows, 32);
    cr_assert_eq(n, nwant);
    for (size_t i = 0; i < n; i++)
        if (rows[i]->state >= 0 && rows[i]->state < 8)
            by_state[rows[i]->state]++;
    cr_assert_eq(by_state[VIR_DOMAIN_RUNNING], 1);
    cr_assert_eq(by_state[VIR_DOMAIN_PAUSED], 3);
    cr_assert_eq(by_state[VIR_DOMAIN_SHUTOFF], 5);

    for (size_t i = 0; i < nwant; i++) {
        struct dom *d = dom_named(want[i].name);

        cr_assert_not_null(d, "%s missing", want[i].name);
        cr_assert_eq(d->host, C.h);
        cr_assert_eq(d->state, want[i].state, "%s: state %d", want[i].name, d->state);
        cr_assert_eq(d->persistent, want[i].persistent, "%s: persistent", want[i].name);
        cr_assert_eq(d->autostart, want[i].persistent ? 0 : -1, "%s: autostart %d", want[i].name, d->autostart);
        if (want[i].state == VIR_DOMAIN_SHUTOFF)
            cr_assert_eq(d->id, -1, "%s: id %d", want[i].name, d->id);
        else
            cr_assert_geq(d->id, 1, "%s: id %d", want[i].name, d->id);
    }

    /* Facts arrive in a second step. */
    cr_assert(test_pump_until(all_facts_known, NULL, WAIT_MS), "console facts never arrived");
    for (size_t i = 0; i < nwant; i++) {
        struct dom *d = dom_named(want[i].name);

        cr_assert_not_null(d);
        cr_assert(d->facts_known);
        cr_assert(d->sizes_known);
        cr_assert_eq(d->vcpus, want[i].vcpus, "%s: vcpus %u", want[i].name, d->vcpus);
        cr_assert_eq(d->mem_kib, want[i].mem_kib, "%s: mem %lu", want[i].name, d->mem_kib);
        cr_assert_eq(d->has_serial, want[i].serial, "%s: serial %d", want[i].name, d->has_serial);
        cr_assert_eq(d->has_vnc, want[i].vnc, "%s: vnc %d", want[i].name, d->has_vnc);
    }
    cr_assert_eq(C.nmsg, 0, "unexpected message: %s", C.msg[0]);

    /* Reconnecting (host_connect while connected) lists again: no
	   duplicates, still connected, and the domain with a fixed UUID keeps
	   its entry (the others get new random UUIDs from the re-read file and
	   replace the old ones). */
    struct dom *run1 = dom_named("run1");
    cr_assert_str_eq(run1->uuid_str, RUN1_UUID);
    connect_and_wait(C.h);
    cr_assert_eq(domreg_count(C.reg), nwant);
    cr_assert_eq(dom_named("run1"), run1);
    cr_assert_eq(dom_named(RUN1_UUID), run1);
    cr_assert_eq(run1->state, VIR_DOMAIN_RUNNING);
    cr_assert(test_pump_until(all_facts_known, NULL, WAIT_MS));
    cr_assert(run1->has_serial);
    cr_assert(run1->has_vnc);
    cr_assert_eq(C.nmsg, 0, "unexpected message: %s", C.msg[0]);
}

/* ---- (c) actions ---- */

static void action(const char *name, enum dom_action act)
{
    struct dom *d = dom_named(name);
    char err[256] = "";

    cr_assert_not_null(d, "%s missing", name);
    cr_assert_eq(host_domain_action(C.h, d->uuid, name, act, err, sizeof err), 0, "%s %s: %s", dom_action_name(act),
                 name, err);
}

/* Run an action and wait for its message, which must say "done". */
static void action_ok(const char *name, enum dom_action act)
{
    int n = C.nmsg + 1;
    bool error;
    const char *m;
    char want[128];

    action(name, act);
    m = wait_msg(n, &error);
    snprintf(want, sizeof want, "%s %s: done", dom_action_name(act), name);
    cr_assert_not(error, "%s", m);
    cr_assert_str_eq(m, want);
}

Test(host, actions_follow_events, .init = setup, .fini = teardown, .timeout = 90)
{
    C.h = new_host("t", "test:///default");
    connect_and_wait(C.h);
    wait_state("test", VIR_DOMAIN_RUNNING);

    action_ok("test", DOM_DESTROY);
    wait_state("test", VIR_DOMAIN_SHUTOFF);
    cr_assert_eq(dom_named("test")->id, -1);

    action_ok("test", DOM_START);
    wait_state("test", VIR_DOMAIN_RUNNING);
    cr_assert_geq(dom_named("test")->id, 1);

    action_ok("test", DOM_SUSPEND);
    wait_state("test", VIR_DOMAIN_PAUSED);

    action_ok("test", DOM_RESUME);
    wait_state("test", VIR_DOMAIN_RUNNING);

    action_ok("test", DOM_SHUTDOWN);
    wait_state("test", VIR_DOMAIN_SHUTOFF);

    action_ok("test", DOM_START);
    wait_state("test", VIR_DOMAIN_RUNNING);

    action_ok("test", DOM_REBOOT);
    /* Rebooting ends up running again. */
    test_pump_for(200);
    wait_state("test", VIR_DOMAIN_RUNNING);

    /* Still one row, facts intact after all those refreshes. */
    cr_assert_eq(domreg_count(C.reg), 1);
    cr_assert(dom_named("test")->facts_known);
}

Test(host, action_that_libvirt_refuses_reports_its_error, .init = setup, .fini = teardown, .timeout = 60)
{
    bool error;
    const char *m;

    C.h = new_host("t", "test:///default");
    connect_and_wait(C.h);

    /* Starting a running domain: libvirt says why not. */
    action("test", DOM_START);
    m = wait_msg(1, &error);
    cr_assert(error, "%s", m);
    cr_assert(strncmp(m, "start test: ", 12) == 0, "%s", m);
    cr_assert(strstr(m, "already running"), "libvirt's text missing: %s", m);
    /* Resuming a running domain. */
    action("test", DOM_RESUME);
    m = wait_msg(2, &error);
    cr_assert(error, "%s", m);
    cr_assert(strncmp(m, "resume test: ", 13) == 0, "%s", m);
    cr_assert_gt(strlen(m), 13);
    wait_state("test", VIR_DOMAIN_RUNNING);
}

Test(host, action_on_a_domain_that_is_gone, .init = setup, .fini = teardown, .timeout = 60)
{
    static const char ghost_xml[] = "<domain type='test'><name>ghost</name><memory>65536</memory><vcpu>1</vcpu>"
                                    "<os><type>hvm</type></os><devices><serial type='pty'/></devices></domain>";
    virConnectPtr other;
    virDomainPtr g;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char err[256] = "";
    bool error;
    const char *m;

    C.h = new_host("t", "test:///default");
    connect_and_wait(C.h);

    /* A second connection to test:///default shares the driver's state
	   within this process: what it defines, virtmux sees. */
    other = virConnectOpen("test:///default");
    cr_assert_not_null(other);
    g = virDomainDefineXML(other, ghost_xml);
    cr_assert_not_null(g);
    cr_assert(test_pump_until(is_present, "ghost", WAIT_MS), "the defined domain never showed up");
    cr_assert_eq(dom_named("ghost")->state, VIR_DOMAIN_SHUTOFF);
    cr_assert(dom_named("ghost")->facts_known);
    cr_assert(dom_named("ghost")->has_serial);
    memcpy(uuid, dom_named("ghost")->uuid, VIR_UUID_BUFLEN);

    /* Undefine it behind virtmux's back, then act before the event is seen. */
    cr_assert_eq(virDomainUndefine(g), 0);
    cr_assert_eq(host_domain_action(C.h, uuid, "ghost", DOM_START, err, sizeof err), 0, "%s", err);
    m = wait_msg(1, &error);
    cr_assert(error, "%s", m);
    cr_assert(strncmp(m, "start ghost: ", 13) == 0, "%s", m);
    cr_assert(strstr(m, "Domain not found"), "libvirt's text missing: %s", m);

    /* And the row goes away with the undefine event. */
    cr_assert(test_pump_until(is_absent, "ghost", WAIT_MS), "the undefined domain stayed");
    cr_assert_eq(domreg_count(C.reg), 1);

    virDomainFree(g);
    virConnectClose(other);
}

Test(host, action_needs_a_connection, .init = setup, .fini = teardown)
{
    unsigned char uuid[VIR_UUID_BUFLEN] = {1, 2, 3};
    char err[256] = "";

    C.h = new_host("lab", "test:///default");
    cr_assert_eq(host_domain_action(C.h, uuid, "lab/vm", DOM_DESTROY, err, sizeof err), -1);
    cr_assert_str_eq(err, "destroy lab/vm: host lab is disconnected");
    cr_assert_eq(host_define_and_start(C.h, "<domain/>", err, sizeof err), -1);
    cr_assert_str_eq(err, "host lab is disconnected");
    cr_assert_eq(C.nmsg, 0);
}

Test(host, define_and_start_queued_behind_connect, .init = setup, .fini = teardown, .timeout = 60)
{
    static const char xml[] = "<domain type='test'><name>fresh</name><uuid>3c7a2f64-0d55-4bb8-9f0e-2d2e1c1f0a01</uuid>"
                              "<memory>65536</memory><vcpu>1</vcpu>"
                              "<os><type>hvm</type></os><devices><console type='pty'/></devices></domain>";
    char err[256] = "";
    bool error;
    const char *m;

    C.h = new_host("t", "test:///default");
    host_connect(C.h);
    cr_assert_eq(host_define_and_start(C.h, xml, err, sizeof err), 0, "%s", err);
    m = wait_msg(1, &error);
    cr_assert_not(error, "%s", m);
    cr_assert_str_eq(m, "fresh on t: started");
    wait_state("fresh", VIR_DOMAIN_RUNNING);
    cr_assert_eq(domreg_count(C.reg), 2);
    cr_assert_str_eq(dom_named("fresh")->uuid_str, "3c7a2f64-0d55-4bb8-9f0e-2d2e1c1f0a01");

    /* Again: it runs already. */
    cr_assert_eq(host_define_and_start(C.h, xml, err, sizeof err), 0, "%s", err);
    m = wait_msg(2, &error);
    cr_assert_not(error, "%s", m);
    cr_assert_str_eq(m, "fresh on t: already running");

    /* XML libvirt rejects. */
    cr_assert_eq(host_define_and_start(C.h, "<domain type='test'><name>x</name></domain>", err, sizeof err), 0, "%s",
                 err);
    m = wait_msg(3, &error);
    cr_assert(error, "%s", m);
    cr_assert(strncmp(m, "define/start domain on t: ", 26) == 0, "%s", m);
    cr_assert_gt(strlen(m), 26);
}

/* ---- (d) a URI that cannot work ---- */

static int want_failures;

static bool have_failures(void *arg)
{
    (void)arg;
    return C.failures >= want_failures;
}

static void wait_failures(int n)
{
    want_failures = n;
    cr_assert(test_pump_until(have_failures, NULL, WAIT_MS), "attempt %d never failed (%d so far)", n, C.failures);
}

Test(host, bad_uri_fails_and_retries, .init = setup, .fini = teardown, .timeout = 60)
{
    bool error;
    const char *m;
    char want[700], first[512];

    C.h = new_host("bad", "nosuch:///x");
    host_connect(C.h);
    cr_assert_eq(host_state(C.h), HOST_CONNECTING);
    cr_assert_not(host_settled(C.h));
    cr_assert(test_pump_until(is_settled, C.h, WAIT_MS));

    cr_assert_eq(C.attempts, 1);
    cr_assert_eq(C.failures, 1);
    cr_assert_eq(host_state(C.h), HOST_DISCONNECTED);
    cr_assert_str_neq(host_error(C.h), "");
    snprintf(first, sizeof first, "%s", host_error(C.h));
    cr_assert(host_settled(C.h));
    cr_assert_eq(domreg_count(C.reg), 0);
    /* First retry after 1 s. */
    cr_assert_eq(host_retry_seconds(C.h), 1);
    m = wait_msg(1, &error);
    cr_assert(error);
    snprintf(want, sizeof want, "host bad: %s", first);
    cr_assert_str_eq(m, want);

    /* The retry comes by itself and fails the same way: not news, so no
	   second message; the next wait doubles. */
    wait_failures(2);
    cr_assert_eq(C.attempts, 2);
    cr_assert_eq(host_state(C.h), HOST_DISCONNECTED);
    cr_assert_str_eq(host_error(C.h), first);
    cr_assert_eq(C.nmsg, 1, "repeated: %s", C.msg[C.nmsg - 1]);
    cr_assert_eq(host_retry_seconds(C.h), 2);

    /* host_connect skips the wait. */
    host_connect(C.h);
    cr_assert_eq(host_state(C.h), HOST_CONNECTING);
    cr_assert_eq(host_retry_seconds(C.h), 0);
    wait_failures(3);
    cr_assert_eq(C.attempts, 3);
    cr_assert_eq(host_retry_seconds(C.h), 4);
    cr_assert_eq(C.nmsg, 1);
}

/* A lowered cap applies to the very next retry, not after one more wait at
   the old backoff. */
Test(host, backoff_cap_applies_to_the_next_retry, .init = setup, .fini = teardown, .timeout = 60)
{
    C.h = new_host("bad", "nosuch:///x");
    host_connect(C.h);
    wait_failures(1);
    host_connect(C.h);
    wait_failures(2);
    host_connect(C.h);
    wait_failures(3);
    cr_assert_eq(host_retry_seconds(C.h), 4);
    host_set_backoff_max(C.h, 1);
    host_connect(C.h);
    wait_failures(4);
    cr_assert_eq(host_retry_seconds(C.h), 1, "retry in %u s with a 1 s cap", host_retry_seconds(C.h));
    /* And the automatic retry comes within the cap. */
    long long t0 = test_now_ms();
    wait_failures(5);
    cr_assert_lt(test_now_ms() - t0, 1900);
}

Test(host, state_names)
{
    cr_assert_str_eq(host_state_name(HOST_CONNECTING), "connecting");
    cr_assert_str_eq(host_state_name(HOST_CONNECTED), "connected");
    cr_assert_str_eq(host_state_name(HOST_DISCONNECTED), "disconnected");
    cr_assert_str_eq(host_state_name(HOST_AUTH_NEEDED), "auth needed");
    cr_assert_str_eq(dom_action_name(DOM_START), "start");
    cr_assert_str_eq(dom_action_name(DOM_SHUTDOWN), "shutdown");
    cr_assert_str_eq(dom_action_name(DOM_REBOOT), "reboot");
    cr_assert_str_eq(dom_action_name(DOM_DESTROY), "destroy");
    cr_assert_str_eq(dom_action_name(DOM_SUSPEND), "suspend");
    cr_assert_str_eq(dom_action_name(DOM_RESUME), "resume");
    cr_assert_str_eq(dom_action_name((enum dom_action)42), "?");
}

/* ---- (e) events from changes made elsewhere ---- */

static const char other_xml[] =
    "<domain type='test'><name>other</name><memory>65536</memory><vcpu>3</vcpu>"
    "<os><type>hvm</type></os><devices><graphics type='vnc' port='5905'/></devices></domain>";

Test(host, events_update_rows_without_refresh, .init = setup, .fini = teardown, .timeout = 60)
{
    virConnectPtr other;
    virDomainPtr d, o;
    unsigned long gen;
    struct dom *row;

    C.h = new_host("t", "test:///default");
    connect_and_wait(C.h);
    cr_assert(test_pump_until(all_facts_known, NULL, WAIT_MS));

    other = virConnectOpen("test:///default");
    cr_assert_not_null(other);
    d = virDomainLookupByName(other, "test");
    cr_assert_not_null(d);

    gen = domreg_generation(C.reg);
    cr_assert_eq(virDomainSuspend(d), 0);
    wait_state("test", VIR_DOMAIN_PAUSED);
    cr_assert_gt(domreg_generation(C.reg), gen);

    cr_assert_eq(virDomainResume(d), 0);
    wait_state("test", VIR_DOMAIN_RUNNING);

    cr_assert_eq(virDomainDestroy(d), 0);
    wait_state("test", VIR_DOMAIN_SHUTOFF);
    cr_assert_eq(dom_named("test")->id, -1);

    /* A new domain appears, with its facts, and starts. */
    o = virDomainDefineXML(other, other_xml);
    cr_assert_not_null(o);
    cr_assert(test_pump_until(is_present, "other", WAIT_MS));
    row = dom_named("other");
    cr_assert_eq(row->host, C.h);
    cr_assert_eq(row->state, VIR_DOMAIN_SHUTOFF);
    cr_assert_eq(row->vcpus, 3);
    cr_assert(row->persistent);
    cr_assert(row->facts_known);
    cr_assert_not(row->has_serial);
    cr_assert(row->has_vnc);
    cr_assert_eq(virDomainCreate(o), 0);
    wait_state("other", VIR_DOMAIN_RUNNING);
    cr_assert_eq(domreg_count(C.reg), 2);

    /* Stopped and undefined: the row goes. */
    cr_assert_eq(virDomainDestroy(o), 0);
    wait_state("other", VIR_DOMAIN_SHUTOFF);
    cr_assert_eq(virDomainUndefine(o), 0);
    cr_assert(test_pump_until(is_absent, "other", WAIT_MS), "an undefined domain stayed");
    cr_assert_eq(domreg_count(C.reg), 1);

    virDomainFree(o);
    virDomainFree(d);
    virConnectClose(other);
    /* No action of ours, so no messages. */
    cr_assert_eq(C.nmsg, 0, "unexpected message: %s", C.msg[0]);
}

/* ---- (f) freeing at any moment ---- */

Test(host, free_while_connected, .init = setup, .fini = teardown, .timeout = 60)
{
    C.h = new_host("t", "test:///default");
    connect_and_wait(C.h);
    cr_assert_eq(domreg_count(C.reg), 1);
    host_free(C.h);
    C.h = NULL;
    cr_assert_eq(domreg_count(C.reg), 0);
    /* Nothing arrives for the freed host (ASan would see a use after free). */
    test_pump_for(200);
    cr_assert(test_pump_until(threads_back, NULL, WAIT_MS), "worker thread still running: %d > %d", thread_count(),
              base_threads);
}

Test(host, free_right_after_connect, .init = setup, .fini = teardown, .timeout = 60)
{
    C.h = new_host("t", "test:///default");
    host_connect(C.h);
    host_free(C.h);
    C.h = NULL;
    /* The connect job has ended (so it could have called back) and the loop
	   ran on after it: no row came for the freed host. */
    cr_assert(test_pump_until(threads_back, NULL, WAIT_MS), "worker thread still running");
    test_pump_for(50);
    cr_assert_eq(domreg_count(C.reg), 0);
}

Test(host, free_while_connecting_many_times, .init = setup, .fini = teardown, .timeout = 90)
{
    /* Different moments: before the job ran, while it runs, after it
	   finished but before done() was delivered. */
    for (int i = 0; i < 20; i++) {
        C.h = new_host("t", (i % 2) ? "test:///default" : "nosuch:///x");
        host_connect(C.h);
        if (i % 4 >= 2)
            usleep((useconds_t)(i * 500));
        if (i % 5 == 0)
            test_pump_for(5);
        host_free(C.h);
        C.h = NULL;
    }
    /* Every job has ended, then the loop ran on: no row for a freed host. */
    cr_assert(test_pump_until(threads_back, NULL, WAIT_MS), "worker threads still running: %d > %d", thread_count(),
              base_threads);
    test_pump_for(50);
    cr_assert_eq(domreg_count(C.reg), 0);
}

Test(host, free_with_work_in_flight, .init = setup, .fini = teardown, .timeout = 60)
{
    virConnectPtr other;
    virDomainPtr d;

    C.h = new_host("t", "test:///default");
    connect_and_wait(C.h);
    other = virConnectOpen("test:///default");
    cr_assert_not_null(other);
    d = virDomainLookupByName(other, "test");
    cr_assert_not_null(d);

    /* An action queued, events pending, facts maybe still queued. */
    action("test", DOM_SUSPEND);
    cr_assert_eq(virDomainDestroy(d), 0);
    test_pump_for(1);
    /* Whatever was delivered so far is fine; nothing may come after the free. */
    int before = C.nmsg, changed = C.changed;
    host_free(C.h);
    C.h = NULL;
    /* The jobs in flight have ended, then the loop ran on: nothing came. */
    cr_assert(test_pump_until(threads_back, NULL, WAIT_MS), "worker thread still running");
    test_pump_for(50);
    cr_assert_eq(C.nmsg, before, "a message for a freed host: %s", C.msg[C.nmsg - 1]);
    cr_assert_eq(C.changed, changed);
    cr_assert_eq(domreg_count(C.reg), 0);

    virDomainFree(d);
    virConnectClose(other);
}

Test(host, two_hosts_same_driver_share_uuid, .init = setup, .fini = teardown, .timeout = 60)
{
    /* Two hosts on the same test driver see the same UUID: the registry keeps
	   one row, owned by whichever listed it last, as after a migration. */
    struct host *h2;

    C.h = new_host("a", "test:///default");
    connect_and_wait(C.h);
    cr_assert_eq(dom_named("test")->host, C.h);

    h2 = new_host("b", "test:///default");
    connect_and_wait(h2);
    cr_assert_eq(domreg_count(C.reg), 1);
    cr_assert_eq(dom_named("test")->host, h2);
    cr_assert_eq(domreg_count_host(C.reg, C.h), 0);
    cr_assert_eq(domreg_count_host(C.reg, h2), 1);

    host_free(h2);
    cr_assert_eq(domreg_count(C.reg), 0);
    test_pump_for(100);
}

/* BUG (backends/host.c refresh_run): VIR_DOMAIN_EVENT_UNDEFINED on a running
   domain only makes it transient, but the row is removed as if the domain
   were gone. Enable when fixed. */
Test(host, undefine_while_running_keeps_the_row, .init = setup, .fini = teardown, .timeout = 60)
{
    virConnectPtr other;
    virDomainPtr o;
    struct dom *row;

    C.h = new_host("t", "test:///default");
    connect_and_wait(C.h);
    other = virConnectOpen("test:///default");
    cr_assert_not_null(other);
    o = virDomainDefineXML(other, other_xml);
    cr_assert_not_null(o);
    cr_assert_eq(virDomainCreate(o), 0);
    wait_state("other", VIR_DOMAIN_RUNNING);
    cr_assert(dom_named("other")->persistent);

    /* Transient now: stays while running, goes when destroyed. */
    cr_assert_eq(virDomainUndefine(o), 0);
    test_pump_for(300);
    row = dom_named("other");
    cr_assert_not_null(row, "a running domain vanished from the list when it was undefined");
    cr_assert_eq(row->state, VIR_DOMAIN_RUNNING);
    cr_assert_not(row->persistent);
    cr_assert_eq(row->autostart, -1);
    cr_assert_eq(virDomainDestroy(o), 0);
    cr_assert(test_pump_until(is_absent, "other", WAIT_MS), "a destroyed transient domain stayed");

    virDomainFree(o);
    virConnectClose(other);
}
