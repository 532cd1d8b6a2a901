/* server/command.c: every command virtmux knows, as one const table (tmux's
 * cmd_entry style), and the one parser of their flags. The config file, key
 * bindings, the ':' prompt and the command line all come through here; the
 * commands themselves live in server/cmd_*.c. */
#include "server/command.h"
#include "server/commands.h"
#include "server/app.h"
#include "server/authz.h"
#include "server/client.h"
#include "keymaps/cmdline.h"
#include "util/errf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cmd_long attach_longs[] = {
    { "vnc", 'V' }, { "serial", 'S' }, { "vnc-address", 'A' }, { NULL, 0 },
};
static const struct cmd_long vnc_long[] = { { "vnc", 'V' }, { NULL, 0 } };
static const struct cmd_long define_longs[] = {
    { "template", 't' }, { "host", 'H' }, { "image", 'I' }, { NULL, 0 },
};
static const struct cmd_long all_long[] = { { "all", 'a' }, { NULL, 0 } };

#define NAV(n, h) { n, "", NULL, 0, 0, "", h, cmd_navigate, CMD_SESSION | CMD_ALL }
#define ACT(n, h) { n, "y", NULL, 0, 1, "[-y] [DOMAIN]", h, cmd_domain_action, CMD_STUDENT }
#define VIEW(n, fn, h) { n, "", NULL, 0, 0, "", h, fn, CMD_SESSION | CMD_ALL }

static const struct cmd_entry commands[] = {
    /* sessions and the server */
    { "attach-session", "rt:", NULL, 0, 0, "[-r] [-t NAME]", "show a session in this client (-r: a read-only client)",
      cmd_attach_session, CMD_ALL },
    { "new-session", "ds:", NULL, 0, 0, "[-d] [-s NAME]", "a new session (-d: not shown here)", cmd_new_session, CMD_ALL },
    { "list-sessions", "", NULL, 0, 0, "", "the sessions of this server", cmd_list_sessions, CMD_ALL },
    { "kill-session", "t:", NULL, 0, 0, "[-t NAME]", "close a session and its consoles", cmd_kill_session, CMD_ALL },
    { "kill-server", "", NULL, 0, 0, "", "stop the server: every session and console closes", cmd_kill_server, 0 },
    VIEW("detach-client", cmd_detach_client, "leave: the session and its consoles stay in the server"),
    { "capture-pane", "S:t:", NULL, 0, 0, "[-S LINES] [-t SESSION]", "print the focused console's scrollback and screen",
      cmd_capture_pane, CMD_ALL },
    { "server-info", "", NULL, 0, 0, "", "the server's version, pid, sessions, clients and consoles", cmd_server_info, CMD_ALL },
    /* hosts */
    { "connect", "", NULL, 1, 1, "URI", "add the host at URI unless the server has it", cmd_connect, 0 },
    { "connect-default", "", NULL, 0, 1, "[URI]", "with no host yet: libvirt's default host", cmd_connect_default, CMD_ALL },
    { "demo", "", NULL, 0, 0, "", "build and boot the tiny demo guest (qemu:///embed)", cmd_demo, 0 },
    { "host", "", NULL, 2, 2, "NAME URI", "add a libvirt host and connect", cmd_host, 0 },
    { "host-remove", "", NULL, 0, 1, "[NAME]", "disconnect and forget a host", cmd_host_remove, 0 },
    { "host-reconnect", "", NULL, 0, 1, "[NAME]", "reconnect a host now", cmd_host_reconnect, 0 },
    /* domains */
    ACT("start", "start a domain"),
    ACT("shutdown", "ask a domain to shut down (ACPI)"),
    ACT("reboot", "ask a domain to reboot"),
    ACT("destroy", "power a domain off at once (asks unless -y)"),
    ACT("suspend", "pause a domain"),
    ACT("resume", "resume a paused domain"),
    { "migrate", "pd:", NULL, 1, 1, "[-p] [-d DOMAIN] HOST",
      "live-migrate the focused or selected domain to HOST (-p peer to peer)", cmd_migrate, 0 },
    { "migrate-cancel", "", NULL, 0, 1, "[DOMAIN]", "abort a migration started here", cmd_migrate_cancel, 0 },
    { "create", "H:", NULL, 1, 1, "[-H HOST] FILE", "define a domain from an XML file and start it", cmd_create, 0 },
    /* a class (a system server: server/authz.h, policy/) */
    { "define", "t:H:I:", define_longs, 1, 1, "-t TEMPLATE [-H HOST] [--image FILE] NAME",
      "define your domain NAME from a template of the policy (a system server)", cmd_define, CMD_STUDENT },
    { "undefine", "", NULL, 0, 1, "[DOMAIN]", "remove a shut-off domain's definition (a system server: yours)",
      cmd_undefine, CMD_STUDENT },
    { "dumpxml", "", NULL, 0, 1, "[DOMAIN]", "print a domain's XML", cmd_dumpxml, CMD_ALL },
    { "list", "a", all_long, 0, 0, "[--all]", "print the domains you may see, with their state", cmd_list, CMD_ALL },
    { "whoami", "", NULL, 0, 0, "", "who the server takes you for, your role and quota", cmd_whoami, CMD_ALL },
    { "reload-policy", "", NULL, 0, 0, "", "read the policy file again (a system server; also on SIGHUP)",
      cmd_reload_policy, 0 },
    /* consoles */
    { "attach", "frwVSA:", attach_longs, 0, 1, "[-frw] [--vnc|--serial] [DOMAIN | --vnc-address ADDR]",
      "open a domain's console (-f take over/reconnect, -r read-only, -w wait for it, --vnc its VNC display as text)",
      cmd_attach, CMD_SESSION | CMD_ALL },
    { "split-window", "hvrV", vnc_long, 0, 1, "[-h|-v] [-r] [--vnc] [DOMAIN]",
      "a console beside (-h) or below (-v) the current one", cmd_split_window, CMD_SESSION | CMD_ALL },
    VIEW("switch-console", cmd_switch_console, "switch this pane between the domain's serial and VNC console"),
    { "send-key", "", NULL, 1, -1, "COMBO...", "send key combinations to a VNC console (C-A-Delete, C-A-F2, A-SysRq-h)",
      cmd_send_key, CMD_SESSION | CMD_ALL },
    { "watch-all", "V", vnc_long, 0, 0, "[--vnc]",
      "every running console in a read-only grid (--vnc: their VNC displays)", cmd_watch_all, CMD_SESSION | CMD_ALL },
    { "select-layout", "", NULL, 1, 1, "grid|side-by-side|stacked", "arrange the panes of this tab", cmd_select_layout, CMD_SESSION | CMD_ALL },
    VIEW("next-window", cmd_select_window, "the next tab"),
    VIEW("previous-window", cmd_select_window, "the previous tab"),
    VIEW("last-window", cmd_select_window, "the tab shown before"),
    { "select-window", "", NULL, 1, 1, "N", "tab N (0 is the list)", cmd_select_window, CMD_SESSION | CMD_ALL },
    { "select-pane", "LRUD", NULL, 0, 0, "-L|-R|-U|-D", "focus the pane in that direction", cmd_select_pane, CMD_SESSION | CMD_ALL },
    VIEW("next-pane", cmd_select_pane, "focus the next pane"),
    { "select-page", "", NULL, 1, 1, "next|previous|N", "the next, previous or Nth page of a grid too large for the screen",
      cmd_select_page, CMD_SESSION | CMD_ALL },
    VIEW("kill-pane", cmd_kill_pane, "close the focused console"),
    VIEW("kill-window", cmd_kill_window, "close every console of this tab"),
    VIEW("prefix", cmd_prefix, "the next key is a virtmux command"),
    { "send-prefix", "", NULL, 0, 1, "[KEY]", "send the prefix key to the guest", cmd_send_prefix, CMD_SESSION | CMD_ALL },
    { "copy-mode", "u", NULL, 0, 0, "[-u]", "scroll back through the console (-u: a page up)", cmd_copy_mode, CMD_SESSION | CMD_ALL },
    VIEW("scroll-exit", cmd_copy_mode, "back to live output"),
    VIEW("search", cmd_search, "search back in the scrollback"),
    VIEW("search-again", cmd_search, "find the previous match"),
    VIEW("resize-guest", cmd_resize_guest, "send 'stty rows R cols C' for the pane's size"),
    /* configuration */
    { "bind-key", "N:T:", NULL, 2, -1, "[-N NOTE] [-T TABLE] KEY COMMAND...", "bind a key", cmd_bind_key, 0 },
    { "unbind-key", "T:", NULL, 1, 1, "[-T TABLE] KEY", "remove a key binding", cmd_unbind_key, 0 },
    { "set", "", NULL, 2, 2, "OPTION VALUE", "set an option (show-options lists them)", cmd_set, 0 },
    { "show-options", "", NULL, 0, 0, "", "every option, its value and what it takes", cmd_show_options, CMD_ALL },
    { "source-file", "", NULL, 1, 1, "PATH", "run the commands in a file", cmd_source_file, 0 },
    { "source-keys", "", NULL, 1, 1, "PATH", "load a binding file (keymaps/*.keys syntax)", cmd_source_keys, 0 },
    /* views */
    { "filter", "", NULL, 0, 1, "[TEXT]", "filter the domain list or the board (prompt without TEXT)", cmd_filter, CMD_SESSION | CMD_ALL },
    VIEW("filter-clear", cmd_filter_clear, "show all domains again"),
    VIEW("board", cmd_board, "every console on one board: alarms, booting, at a prompt, stopped"),
    { "sort", "", NULL, 0, 1, "name|host|state|owner|next", "sort the domain list", cmd_sort, CMD_SESSION | CMD_ALL },
    VIEW("sort-next", cmd_sort, "cycle the sort order"),
    { "command-prompt", "", NULL, 0, 1, "[TEXT]", "open the : prompt", cmd_command_prompt, CMD_SESSION | CMD_ALL },
    VIEW("show-help", cmd_show_help, "show the key bindings"),
    VIEW("show-hosts", cmd_show_hosts, "show the host list"),
    VIEW("show-domains", cmd_show_domains, "show the domain list"),
    VIEW("show-messages", cmd_show_messages, "show earlier messages"),
    { "list-commands", "", NULL, 0, 0, "", "list every command", cmd_list_commands, CMD_ALL },
    VIEW("close-view", cmd_close_view, "close help/messages, back to the list"),
    { "display-message", "", NULL, 0, -1, "TEXT...", "show a message in the status line", cmd_display_message, CMD_ALL },
    VIEW("refresh-client", cmd_refresh_client, "redraw the whole screen"),
    VIEW("suspend-client", cmd_suspend_client, "suspend virtmux (fg resumes)"),
    VIEW("quit", cmd_quit, "close this session and its consoles (the server ends with its last session)"),
    NAV("cursor-up", "move up"),
    NAV("cursor-down", "move down"),
    NAV("page-up", "move a page up"),
    NAV("page-down", "move a page down"),
    NAV("cursor-top", "go to the first row"),
    NAV("cursor-bottom", "go to the last row"),
    NAV("scroll-up", "scroll up"),
    NAV("scroll-down", "scroll down"),
    NAV("scroll-reset", "back to live output"),
    VIEW("select-mouse", cmd_select_mouse, "select the row under the mouse"),
};

size_t command_count(void)
{
    return sizeof commands / sizeof commands[0];
}

const struct cmd_entry *command_at(size_t i)
{
    return i < command_count() ? &commands[i] : NULL;
}

const struct cmd_entry *command_find(const char *name)
{
    for (size_t i = 0; i < command_count(); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Where letter f sits in c->flags, or NULL; *takes_value if "f:". */
static const char *flag_spec(const struct cmd_entry *c, char f, bool *takes_value)
{
    const char *p = f && f != ':' ? strchr(c->flags, f) : NULL;
    if (p)
        *takes_value = p[1] == ':';
    return p;
}

static char long_letter(const struct cmd_entry *c, const char *name)
{
    for (const struct cmd_long *l = c->longs; l && l->name; l++)
        if (!strcmp(l->name, name))
            return l->letter;
    return 0;
}

static int usage(const struct cmd_entry *c, char *err, size_t errlen)
{
    return errf(err, errlen, "usage: %s%s%s", c->name, *c->usage ? " " : "", c->usage);
}

/* A flag given with its value (or "" without one): from the same word
 * ("-S100"), the next word, or for a long one "--name=value". */
static int take_flag(const struct cmd_entry *c, char f, const char *inline_value, int *i, int argc, char **argv,
                     struct cmd_args *args, char *err, size_t errlen)
{
    bool value = false;
    if (!flag_spec(c, f, &value))
        return -1;
    if (!value) {
        if (inline_value)
            return errf(err, errlen, "%s: -%c takes no value", c->name, f);
        args->flag[(unsigned char)f] = "";
    } else if (inline_value) {
        args->flag[(unsigned char)f] = inline_value;
    } else if (*i + 1 < argc) {
        args->flag[(unsigned char)f] = argv[++*i];
    } else {
        return errf(err, errlen, "%s: -%c needs a value (usage: %s %s)", c->name, f, c->name, c->usage);
    }
    return 0;
}

int command_parse(const struct cmd_entry *c, int argc, char **argv, struct cmd_args *args, char *err,
                  size_t errlen)
{
    memset(args, 0, sizeof *args);
    args->name = c->name;
    int i = 1;
    for (; i < argc; i++) {
        const char *w = argv[i];
        if (w[0] != '-' || !w[1])
            break;   /* the first argument: flags come first */
        if (!strcmp(w, "--")) {
            i++;
            break;
        }
        if (w[1] == '-') {
            char name[64];
            const char *eq = strchr(w + 2, '=');
            size_t n = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
            snprintf(name, sizeof name, "%.*s", (int)n, w + 2);
            char f = long_letter(c, name);
            if (!f)
                return errf(err, errlen, "%s: unknown flag --%s (usage: %s %s)", c->name, name, c->name, c->usage);
            bool value = false;
            flag_spec(c, f, &value);
            if (!value && eq)
                return errf(err, errlen, "%s: --%s takes no value", c->name, name);
            if (value && !eq && i + 1 >= argc)
                return errf(err, errlen, "%s: --%s needs a value (usage: %s %s)", c->name, name, c->name, c->usage);
            if (take_flag(c, f, eq ? eq + 1 : NULL, &i, argc, argv, args, err, errlen) < 0)
                return -1;
            continue;
        }
        /* A cluster: -frw, or -S100 (a value flag takes the rest). */
        for (const char *p = w + 1; *p; p++) {
            bool value = false;
            if (!flag_spec(c, *p, &value))
                return errf(err, errlen, "%s: unknown flag -%c (usage: %s%s%s)", c->name, *p, c->name,
                            *c->usage ? " " : "", c->usage);
            if (take_flag(c, *p, value && p[1] ? p + 1 : NULL, &i, argc, argv, args, err, errlen) < 0)
                return -1;
            if (value)
                break;
        }
    }
    args->argc = argc - i;
    args->argv = argv + i;
    if (args->argc < c->min_args || (c->max_args >= 0 && args->argc > c->max_args))
        return usage(c, err, errlen);
    return 0;
}

int command_check(int argc, char **argv, char *err, size_t errlen, void *opaque)
{
    (void)opaque;
    if (argc < 1)
        return errf(err, errlen, "missing command");
    const struct cmd_entry *c = command_find(argv[0]);
    if (!c)
        return errf(err, errlen, "unknown command '%s'", argv[0]);
    struct cmd_args args;
    return command_parse(c, argc, argv, &args, err, errlen);
}

int command_run_argv(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (argc == 0)
        return 0;
    const struct cmd_entry *c = command_find(argv[0]);
    if (!c)
        return errf(err, errlen, "unknown command '%s'", argv[0]);
    struct cmd_args args;
    if (command_parse(c, argc, argv, &args, err, errlen) < 0)
        return -1;
    if ((c->needs & CMD_SESSION) && (!a->s || !a->c || a->c->command_mode))
        return errf(err, errlen, "%s: only inside a session (type it at virtmux's : prompt, or bind it to a key)",
                    c->name);
    /* The audit log quotes the command as it was given. */
    char *line = authz_system(a) ? cmdline_join(argc, argv) : NULL;
    const char *saved = a->cmdline;
    a->cmdline = line ? line : argv[0];
    int rc = authz_command(a, c, argc, argv, err, errlen);
    if (rc == 0)
        rc = c->exec(a, &args, err, errlen);
    a->cmdline = saved;
    free(line);
    return rc;
}

int command_run_line(struct app *a, const char *line, char *err, size_t errlen)
{
    int argc;
    char **argv;
    if (cmdline_split(line, &argc, &argv, err, errlen) < 0)
        return -1;
    int rc = command_run_argv(a, argc, argv, err, errlen);
    cmdline_free(argc, argv);
    return rc;
}
