/* test_command.c: the command language (server/command.c) run in a server
 * (an app and its loop, no terminal), for a client attached over a real
 * socket: argument checks, options, bindings, hosts and domain actions. */
#include "testutil.h"

#include <sys/socket.h>
#include <unistd.h>

#include "backends/domain.h"
#include "backends/host.h"
#include "keymaps/cmdline.h"
#include "keymaps/keymap.h"
#include "proto/msg.h"
#include "server/app.h"
#include "server/client.h"
#include "server/command.h"
#include "server/session.h"
#include "views/domlist.h"
#include "views/messages.h"

#define WAIT_MS 10000

static struct app *A;
static struct client *C; /* a client with a screen, attached to a session */
static int peer = -1;    /* its end of the socket */
/* Commands run for the client (its session, its status line), or for
 * nobody (as from a config file or a host's event). */
static bool as_client = true;

static bool attached(void *arg)
{
    (void)arg;
    return C->session != NULL;
}

static void setup(void)
{
    char err[256] = "";
    int sv[2];
    struct wbuf b = {0};
    struct msg_hello h = {
        .magic = PROTO_MAGIC, .version = PROTO_VERSION, .rows = 24, .cols = 80, .colours = 256, .ncmds = 1};
    char *attach[] = {"attach-session", NULL};

    test_virt_init();
    A = app_new(err, sizeof err);
    cr_assert_not_null(A, "app_new: %s", err);
    /* The built-in bindings load without complaint. */
    cr_assert_eq(msglog_count(A->log), 0, "app_new said something");
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    C = client_accept(A, sv[0]);
    cr_assert_not_null(C);
    peer = sv[1];
    h.argc[0] = 1;
    h.argv[0] = attach;
    cr_assert_eq(msg_put_hello(&b, &h), 0);
    cr_assert_eq(write(peer, b.data, b.len), (ssize_t)b.len);
    wbuf_free(&b);
    cr_assert(test_pump_until(attached, NULL, WAIT_MS), "the client never attached");
    as_client = true;
}

static void teardown(void)
{
    app_free(A);
    A = NULL;
    C = NULL;
    close(peer);
    peer = -1;
}

static int run(const char *line, char *err, size_t errlen)
{
    A->s = as_client ? C->session : NULL;
    A->c = as_client ? C : NULL;
    int rc = command_run_line(A, line, err, errlen);
    A->s = NULL;
    A->c = NULL;
    return rc;
}

/* Run a line; expect success. */
static void ok(const char *line)
{
    char err[768] = "";

    cr_assert_eq(run(line, err, sizeof err), 0, "'%s' failed: %s", line, err);
}

/* Run a line; expect failure with exactly this reason. */
static void fails(const char *line, const char *reason)
{
    char err[768] = "";

    cr_assert_eq(run(line, err, sizeof err), -1, "'%s' did not fail", line);
    cr_assert_str_eq(err, reason, "'%s'", line);
}

/* The domain list of the client's session. */
#define LIST (C->session->domlist)

/* Message i of the log without its "HH:MM:SS " stamp. */
static const char *log_msg(size_t i, bool *error)
{
    bool e = false;
    const char *t = msglog_text(A->log, i, &e);

    cr_assert_not_null(t);
    cr_assert_geq(strlen(t), 9, "%s", t);
    cr_assert(t[2] == ':' && t[5] == ':' && t[8] == ' ', "no time stamp: %s", t);
    if (error)
        *error = e;
    return t + 9;
}

/* ---- command_check ---- */

static int check(const char *line, char *err, size_t errlen)
{
    int argc, rc;
    char **argv;
    char serr[128];

    cr_assert_eq(cmdline_split(line, &argc, &argv, serr, sizeof serr), 0, "%s", serr);
    rc = command_check(argc, argv, err, errlen, NULL);
    cmdline_free(argc, argv);
    return rc;
}

/* Parse a line against its command's declaration. */
static int parse(const char *line, struct cmd_args *args, char ***argvp, int *argcp, char *err, size_t errlen)
{
    cr_assert_eq(cmdline_split(line, argcp, argvp, err, errlen), 0, "%s", err);
    const struct cmd_entry *c = command_find((*argvp)[0]);

    cr_assert_not_null(c, "%s", line);
    return command_parse(c, *argcp, *argvp, args, err, errlen);
}

Test(command, flags_declared_in_the_table)
{
    struct cmd_args args;
    char **argv, err[256] = "";
    int argc;

    /* a cluster, a value in the next word, then the argument */
    cr_assert_eq(parse("attach -rw --vnc vm1", &args, &argv, &argc, err, sizeof err), 0, "%s", err);
    cr_assert(args_has(&args, 'r') && args_has(&args, 'w') && args_has(&args, 'V'));
    cr_assert_not(args_has(&args, 'f'));
    cr_assert_eq(args.argc, 1);
    cr_assert_str_eq(args.argv[0], "vm1");
    cmdline_free(argc, argv);

    /* --long=value and -SVALUE; tmux's negative line count is a value */
    cr_assert_eq(parse("attach --vnc-address=127.0.0.1:5900", &args, &argv, &argc, err, sizeof err), 0);
    cr_assert_str_eq(args_get(&args, 'A'), "127.0.0.1:5900");
    cr_assert_eq(args.argc, 0);
    cmdline_free(argc, argv);
    cr_assert_eq(parse("capture-pane -S -20 -tmain", &args, &argv, &argc, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(args_get(&args, 'S'), "-20");
    cr_assert_str_eq(args_get(&args, 't'), "main");
    cmdline_free(argc, argv);

    /* "--" ends the flags: a text may start with '-' */
    cr_assert_eq(parse("display-message -- -x marks", &args, &argv, &argc, err, sizeof err), 0, "%s", err);
    cr_assert_eq(args.argc, 2);
    cr_assert_str_eq(args.argv[0], "-x");
    cmdline_free(argc, argv);

    /* flags come first: after the first argument a '-' word is an argument */
    cr_assert_eq(parse("migrate hostb -p", &args, &argv, &argc, err, sizeof err), -1);
    cr_assert_str_eq(err, "usage: migrate [-p] [-d DOMAIN] HOST");
    cmdline_free(argc, argv);

    cr_assert_eq(parse("capture-pane -S", &args, &argv, &argc, err, sizeof err), -1);
    cr_assert_str_eq(err, "capture-pane: -S needs a value (usage: capture-pane [-S LINES] [-t SESSION])");
    cmdline_free(argc, argv);
    cr_assert_eq(parse("attach --vnc=yes vm", &args, &argv, &argc, err, sizeof err), -1);
    cr_assert_str_eq(err, "attach: --vnc takes no value");
    cmdline_free(argc, argv);
    cr_assert_eq(parse("watch-all --serial", &args, &argv, &argc, err, sizeof err), -1);
    cr_assert_str_eq(err, "watch-all: unknown flag --serial (usage: watch-all [--vnc])");
    cmdline_free(argc, argv);
    cr_assert_eq(parse("quit -y", &args, &argv, &argc, err, sizeof err), -1);
    cr_assert_str_eq(err, "quit: unknown flag -y (usage: quit)");
    cmdline_free(argc, argv);
}

Test(command, check_names_and_argument_counts)
{
    char err[256];

    cr_assert_eq(check("start", err, sizeof err), 0);
    cr_assert_eq(check("start vm", err, sizeof err), 0);
    cr_assert_eq(check("start -y vm", err, sizeof err), 0);
    cr_assert_eq(check("quit", err, sizeof err), 0);
    cr_assert_eq(check("host a test:///default", err, sizeof err), 0);
    cr_assert_eq(check("display-message", err, sizeof err), 0);
    cr_assert_eq(check("display-message a b c d e f g h", err, sizeof err), 0);
    cr_assert_eq(check("bind-key x quit", err, sizeof err), 0);

    cr_assert_eq(check("start -y vm extra", err, sizeof err), -1);
    cr_assert_str_eq(err, "usage: start [-y] [DOMAIN]");
    cr_assert_eq(check("quit now", err, sizeof err), -1);
    cr_assert_str_eq(err, "usage: quit");
    cr_assert_eq(check("host a", err, sizeof err), -1);
    cr_assert_str_eq(err, "usage: host NAME URI");
    cr_assert_eq(check("host a b c", err, sizeof err), -1);
    cr_assert_str_eq(err, "usage: host NAME URI");
    cr_assert_eq(check("set sort", err, sizeof err), -1);
    cr_assert_str_eq(err, "usage: set OPTION VALUE");
    cr_assert_eq(check("bind-key x", err, sizeof err), -1);
    cr_assert_str_eq(err, "usage: bind-key [-N NOTE] [-T TABLE] KEY COMMAND...");

    cr_assert_eq(check("frobnicate", err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown command 'frobnicate'");
    /* Names are exact. */
    cr_assert_eq(check("Quit", err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown command 'Quit'");
    cr_assert_eq(check("star", err, sizeof err), -1);

    cr_assert_eq(command_check(0, NULL, err, sizeof err, NULL), -1);
    cr_assert_str_eq(err, "missing command");
}

Test(command, table_is_consistent)
{
    cr_assert_gt(command_count(), 20);
    cr_assert_null(command_at(command_count()));
    for (size_t i = 0; i < command_count(); i++) {
        const struct cmd_entry *c = command_at(i);

        cr_assert_not_null(c);
        cr_assert_not_null(c->name);
        cr_assert_not_null(c->usage, "%s", c->name);
        cr_assert_not_null(c->help, "%s", c->name);
        cr_assert_not_null(c->exec, "%s", c->name);
        cr_assert_geq(c->min_args, 0, "%s", c->name);
        cr_assert(c->max_args < 0 || c->max_args >= c->min_args, "%s", c->name);
        /* Unique names: command_find gets this very entry. */
        cr_assert_eq(command_find(c->name), c, "duplicate command %s", c->name);
    }
    cr_assert_null(command_find("nosuch"));
    cr_assert_null(command_find(""));
}

/* ---- lines: blank, comments, tokenizer errors, unknown commands ---- */

Test(command, blank_comment_and_bad_lines, .init = setup, .fini = teardown)
{
    ok("");
    ok("   ");
    ok("# a comment");
    ok("   # indented comment");
    fails("frobnicate now", "unknown command 'frobnicate'");
    fails("display-message \"abc", "unterminated quote (\")");
    fails("display-message 'abc", "unterminated quote (')");
    fails("display-message abc\\", "backslash at end of line");
    fails("quit now", "usage: quit");
    cr_assert_not(A->quit);
    ok("quit # comment after");
    cr_assert(A->quit);
}

Test(command, display_message_joins_words, .init = setup, .fini = teardown)
{
    ok("display-message hello   world");
    cr_assert_str_eq(C->status, "hello world");
    cr_assert_not(C->status_error);
    ok("display-message 'two  spaces' kept");
    cr_assert_str_eq(C->status, "'two  spaces' kept");
    cr_assert_eq(msglog_count(A->log), 2);
    cr_assert_str_eq(log_msg(0, NULL), "hello world");
}

/* ---- set ---- */

Test(command, set_options, .init = setup, .fini = teardown)
{
    ok("set sort state");
    cr_assert_str_eq(domlist_sort_name(LIST), "state");
    ok("set sort host");
    cr_assert_str_eq(domlist_sort_name(LIST), "host");
    fails("set sort size", "set sort: 'size' is not one of name|host|state|owner");
    cr_assert_str_eq(domlist_sort_name(LIST), "host");

    cr_assert(A->opt.mouse);
    fails("set mouse maybe", "set mouse: 'maybe' is not on or off");
    cr_assert(A->opt.mouse);
    ok("set mouse off");
    cr_assert_not(A->opt.mouse);
    ok("set mouse on");
    cr_assert(A->opt.mouse);
    ok("set colour no");
    cr_assert_not(A->opt.colour);
    ok("set color yes");
    cr_assert(A->opt.colour);
    fails("set colour ''", "set colour: '' is not on or off");

    cr_assert_eq(A->opt.reconnect_max, 60);
    fails("set reconnect-max 0", "set reconnect-max: '0' is not a number of seconds from 1 to 3600");
    fails("set reconnect-max 3601", "set reconnect-max: '3601' is not a number of seconds from 1 to 3600");
    fails("set reconnect-max 12x", "set reconnect-max: '12x' is not a number of seconds from 1 to 3600");
    fails("set reconnect-max -5", "set reconnect-max: '-5' is not a number of seconds from 1 to 3600");
    fails("set reconnect-max ''", "set reconnect-max: '' is not a number of seconds from 1 to 3600");
    cr_assert_eq(A->opt.reconnect_max, 60);
    ok("set reconnect-max 120");
    cr_assert_eq(A->opt.reconnect_max, 120);

    char err[768] = "";
    cr_assert_eq(command_run_line(A, "set nosuch 1", err, sizeof err), -1);
    cr_assert(strncmp(err, "set: unknown option 'nosuch' (", 30) == 0, "%s", err);
    /* set never posts messages: a config file full of them stays quiet. */
    cr_assert_eq(msglog_count(A->log), 0);
}

Test(command, sort_command_cycles_and_reports, .init = setup, .fini = teardown)
{
    cr_assert_str_eq(domlist_sort_name(LIST), "name");
    ok("sort");
    cr_assert_str_eq(domlist_sort_name(LIST), "host");
    cr_assert_str_eq(C->status, "sorted by host");
    ok("sort-next");
    cr_assert_str_eq(domlist_sort_name(LIST), "state");
    ok("sort next");
    cr_assert_str_eq(domlist_sort_name(LIST), "owner");
    ok("sort next");
    cr_assert_str_eq(domlist_sort_name(LIST), "name");
    ok("sort state");
    cr_assert_str_eq(domlist_sort_name(LIST), "state");
    fails("sort bogus", "sort: 'bogus' is not one of name, host, state, owner, next");
}

/* ---- bind-key ---- */

Test(command, bind_key, .init = setup, .fini = teardown)
{
    const struct binding *b;

    ok("bind-key -T list x quit");
    b = keymap_lookup(A->km, "list", 'x');
    cr_assert_not_null(b);
    cr_assert_str_eq(b->command, "quit");

    ok("bind-key -N 'say hi' M-h display-message 'hello there'");
    b = keymap_lookup(A->km, "list", 'h' | KEYC_META);
    cr_assert_not_null(b);
    cr_assert_str_eq(b->command, "display-message 'hello there'");
    cr_assert_str_eq(b->note, "say hi");

    /* What is bound must be a command that would run. */
    fails("bind-key y nosuchcommand", "unknown command 'nosuchcommand'");
    cr_assert_null(keymap_lookup(A->km, "list", 'y'));
    fails("bind-key y quit now", "usage: quit");
    cr_assert_null(keymap_lookup(A->km, "list", 'y'));
    fails("bind-key NoSuchKey quit", "unknown key 'NoSuchKey'");
    fails("bind-key -Z x quit", "bind-key: unknown flag -Z (usage: bind-key [-N NOTE] [-T TABLE] KEY COMMAND...)");

    /* unbind-key */
    ok("unbind-key x");
    b = keymap_lookup(A->km, "list", 'x');
    cr_assert(b == NULL || strcmp(b->command, "quit") != 0);
    fails("unbind-key -T list F12", "key F12 is not bound in table list");

    /* A bound key runs its command through client_key. */
    ok("bind-key z display-message zapped");
    client_key(C, 'z');
    cr_assert_str_eq(C->status, "zapped");
}

/* ---- hosts (no connection needed) ---- */

Test(command, host_names_for_uris, .init = setup, .fini = teardown)
{
    char name[64];

    app_host_name_for_uri(A, "qemu+ssh://root@lab1:22/system", name, sizeof name);
    cr_assert_str_eq(name, "lab1");
    app_host_name_for_uri(A, "qemu+ssh://lab2/system", name, sizeof name);
    cr_assert_str_eq(name, "lab2");
    app_host_name_for_uri(A, "qemu+tls://lab3.example.org/system?no_verify=1", name, sizeof name);
    cr_assert_str_eq(name, "lab3.example.org");
    app_host_name_for_uri(A, "test:///default", name, sizeof name);
    cr_assert_str_eq(name, "test");
    app_host_name_for_uri(A, "qemu:///system", name, sizeof name);
    cr_assert_str_eq(name, "qemu");
    app_host_name_for_uri(A, "qemu+unix:///system", name, sizeof name);
    cr_assert_str_eq(name, "qemu");

    /* Taken names get -2, -3, ... */
    ok("host test nosuch:///a");
    app_host_name_for_uri(A, "test:///default", name, sizeof name);
    cr_assert_str_eq(name, "test-2");
    ok("host test-2 nosuch:///b");
    app_host_name_for_uri(A, "test:///default", name, sizeof name);
    cr_assert_str_eq(name, "test-3");
    app_host_name_for_uri(A, "qemu+ssh://root@test:22/system", name, sizeof name);
    cr_assert_str_eq(name, "test-3");
}

Test(command, host_add_and_remove, .init = setup, .fini = teardown, .timeout = 30)
{
    ok("host a test:///default");
    cr_assert_eq(A->nhosts, 1);
    cr_assert_not_null(app_find_host(A, "a"));
    cr_assert_str_eq(host_uri(app_find_host(A, "a")), "test:///default");
    cr_assert_str_eq(C->status, "host a: connecting to test:///default");
    fails("host a nosuch:///x", "host: there is already a host named 'a'");
    cr_assert_str_eq(host_uri(app_find_host(A, "a")), "test:///default");
    cr_assert_eq(A->nhosts, 1);
    fails("host a/b test:///default", "host: name 'a/b' must be non-empty and without '/'");
    fails("host '' test:///default", "host: name '' must be non-empty and without '/'");
    cr_assert_eq(A->nhosts, 1);

    /* The reconnect cap reaches existing and new hosts (no crash, no message). */
    ok("set reconnect-max 5");

    fails("host-remove nosuch", "host-remove: no host 'nosuch'");
    fails("host-reconnect nosuch", "host-reconnect: no host 'nosuch'");
    ok("host-reconnect a");
    cr_assert_str_eq(C->status, "host a: connecting");
    ok("host-remove a");
    cr_assert_eq(A->nhosts, 0);
    cr_assert_null(app_find_host(A, "a"));
    cr_assert_str_eq(C->status, "host a removed");
    /* With nothing selected and no host named. */
    fails("host-remove", "host-remove: no host selected");
    test_pump_for(50);
}

/* ---- domains on test:///default ---- */

static bool row_state_is(void *arg)
{
    int want = *(int *)arg;
    char err[128];
    struct dom *d = domreg_lookup(A->reg, "test", err, sizeof err);

    return d && d->state == want;
}

static void wait_row(int state)
{
    char err[128] = "";
    struct dom *d;

    if (test_pump_until(row_state_is, &state, WAIT_MS))
        return;
    d = domreg_lookup(A->reg, "test", err, sizeof err);
    cr_assert_fail("expected %s, have %s", dom_state_name(state), d ? dom_state_name(d->state) : err);
}

static const char *want_status;

static bool status_is(void *arg)
{
    (void)arg;
    return strcmp(C->status, want_status) == 0;
}

static void wait_status(const char *s)
{
    want_status = s;
    cr_assert(test_pump_until(status_is, NULL, WAIT_MS), "status '%s', expected '%s'", C->status, s);
}

/* The status line moved on from "start t/test ..." to the outcome. */
static bool status_answered(void *arg)
{
    (void)arg;
    return strncmp(C->status, "start t/test: ", 14) == 0;
}

static bool all_settled(void *arg)
{
    (void)arg;
    return app_settled(A) && domreg_count(A->reg) > 0;
}

Test(command, actions_round_trip_on_test_driver, .init = setup, .fini = teardown, .timeout = 60)
{
    ok("host t test:///default");
    cr_assert(test_pump_until(all_settled, NULL, WAIT_MS), "host never settled");
    cr_assert_eq(host_state(app_find_host(A, "t")), HOST_CONNECTED);
    wait_row(VIR_DOMAIN_RUNNING);

    /* Nobody to ask (as from a config file): destroy runs at once. */
    as_client = false;
    ok("destroy test");
    cr_assert_str_eq(C->status, "destroy t/test ...");
    cr_assert_eq(A->nasks, 0);
    wait_row(VIR_DOMAIN_SHUTOFF);
    wait_status("destroy t/test: done");
    cr_assert_not(C->status_error);
    as_client = true;

    ok("start t/test");
    wait_row(VIR_DOMAIN_RUNNING);
    wait_status("start t/test: done");

    /* By UUID, and with -y. */
    ok("suspend -y 6695eb01-f6a4-8304-79aa-97f2502e193f");
    wait_row(VIR_DOMAIN_PAUSED);
    wait_status("suspend t/test: done");

    /* No argument: the selected row, which is the only one. */
    cr_assert_not_null(domlist_selected(LIST));
    cr_assert_str_eq(domlist_selected(LIST)->name, "test");
    ok("resume");
    wait_row(VIR_DOMAIN_RUNNING);
    wait_status("resume t/test: done");

    /* libvirt's refusal reaches the status line as an error. */
    ok("start test");
    cr_assert_str_eq(C->status, "start t/test ...");
    cr_assert(test_pump_until(status_answered, NULL, WAIT_MS), "no answer to start: %s", C->status);
    cr_assert(C->status_error, "%s", C->status);
    cr_assert(strstr(C->status, "already running"), "%s", C->status);

    /* Errors that never reach libvirt. */
    fails("start nosuch", "no domain 'nosuch'");
    fails("start nosuch/test", "no domain 'nosuch/test'");
    fails("destroy -x test", "destroy: unknown flag -x (usage: destroy [-y] [DOMAIN])");
    fails("start test test", "usage: start [-y] [DOMAIN]");
    fails("attach -q test",
          "attach: unknown flag -q (usage: attach [-frw] [--vnc|--serial] [DOMAIN | --vnc-address ADDR])");

    /* The list view works without curses. */
    cr_assert_eq(domlist_shown(LIST), 1);
    domlist_set_filter(LIST, "TES");
    cr_assert_eq(domlist_shown(LIST), 1);
    domlist_set_filter(LIST, "zzz");
    cr_assert_eq(domlist_shown(LIST), 0);
    cr_assert_null(domlist_selected(LIST));
    fails("resume", "resume: no domain selected");
    ok("filter-clear");
    cr_assert_eq(domlist_shown(LIST), 1);
    ok("filter running");
    cr_assert_str_eq(domlist_filter(LIST), "running");
    cr_assert_eq(domlist_shown(LIST), 1);

    /* Removing the host takes its domains along. */
    ok("filter-clear");
    ok("host-remove t");
    cr_assert_eq(domreg_count(A->reg), 0);
    cr_assert_eq(domlist_shown(LIST), 0);
    fails("start test", "no domain 'test'");
    test_pump_for(100);
}

Test(command, destroy_asks_first_when_the_screen_is_up, .init = setup, .fini = teardown, .timeout = 60)
{
    ok("host t test:///default");
    cr_assert(test_pump_until(all_settled, NULL, WAIT_MS), "host never settled");
    wait_row(VIR_DOMAIN_RUNNING);

    /* For a client with a screen: it asks first. */
    ok("destroy test");
    cr_assert_eq(A->nasks, 1);
    client_key(C, 'n');
    cr_assert_eq(A->nasks, 0);
    cr_assert_str_eq(C->status, "destroy cancelled");
    test_pump_for(100);
    wait_row(VIR_DOMAIN_RUNNING);

    /* Enter is "no" too. */
    ok("destroy test");
    client_key(C, '\r');
    cr_assert_eq(A->nasks, 0);
    cr_assert_str_eq(C->status, "destroy cancelled");

    ok("destroy test");
    cr_assert_eq(A->nasks, 1);
    client_key(C, 'y');
    cr_assert_eq(A->nasks, 0);
    cr_assert_str_eq(C->status, "destroy t/test ...");
    wait_row(VIR_DOMAIN_SHUTOFF);
    wait_status("destroy t/test: done");

    /* -y skips the question. */
    ok("start test");
    wait_row(VIR_DOMAIN_RUNNING);
    ok("destroy -y test");
    cr_assert_eq(A->nasks, 0);
    wait_row(VIR_DOMAIN_SHUTOFF);

    /* The question outlives the row: answering yes then is harmless. */
    ok("start test");
    wait_row(VIR_DOMAIN_RUNNING);
    ok("destroy test");
    cr_assert_eq(A->nasks, 1);
    ok("host-remove t");
    cr_assert_eq(domreg_count(A->reg), 0);
    client_key(C, 'y');
    cr_assert_eq(A->nasks, 0);
    cr_assert_str_eq(C->status, "destroy: the domain is gone");
    cr_assert(C->status_error);
    test_pump_for(100);
}

Test(command, two_hosts_same_name_is_ambiguous, .init = setup, .fini = teardown, .timeout = 60)
{
    static const char node[] = "<node><domain type='test'><name>test</name><memory>65536</memory>"
                               "<os><type>hvm</type></os></domain></node>";
    char *path = test_write_tmp(node, strlen(node));
    char line[256];

    ok("host a test:///default");
    snprintf(line, sizeof line, "host b test://%s", path);
    ok(line);
    {
        long long end = test_now_ms() + WAIT_MS;

        while (!(app_settled(A) && domreg_count(A->reg) == 2)) {
            cr_assert_lt(test_now_ms(), end, "%zu domains", domreg_count(A->reg));
            test_pump_for(20);
        }
    }
    fails("destroy test", "'test' is on 2 hosts: say HOST/test");
    ok("suspend b/test");
    {
        long long end = test_now_ms() + WAIT_MS;
        char err[128];

        while (domreg_lookup(A->reg, "b/test", err, sizeof err)->state != VIR_DOMAIN_PAUSED) {
            cr_assert_lt(test_now_ms(), end, "b/test never paused");
            test_pump_for(20);
        }
        cr_assert_eq(domreg_lookup(A->reg, "a/test", err, sizeof err)->state, VIR_DOMAIN_RUNNING);
    }
    unlink(path);
    free(path);
}
