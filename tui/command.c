/* tui/command.c: every command virtmux knows, as one const table (tmux cmd_entry style);
 * the config file, key bindings and the ':' prompt all come through here. */
#include "tui/command.h"
#include "tui/app.h"
#include "tui/config.h"
#include "tui/term.h"
#include "views/domlist.h"
#include "views/help.h"
#include "views/hostlist.h"
#include "views/messages.h"
#include "views/text.h"
#include "keymaps/cmdline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Leave a reason in err and fail. */
static int failf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- views and navigation ---- */

static int cmd_navigate(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    int rc = view_command(app_focus(a), argv[0], argc, argv, err, errlen);
    if (rc == 1)
        return failf(err, errlen, "%s: not available in the %s view", argv[0], app_focus(a)->ops->name);
    return rc;
}

static int cmd_select_mouse(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct view *v = app_focus(a);
    if (v->ops->click)
        v->ops->click(v, a->mouse_y, a->mouse_x);
    return 0;
}

static int cmd_show_help(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct view *v = help_new(a->km, a->main_view->ops->keytable);
    if (!v)
        return failf(err, errlen, "out of memory");
    app_set_overlay(a, v);
    return 0;
}

static int cmd_show_messages(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct view *v = messages_new(a->log);
    if (!v)
        return failf(err, errlen, "out of memory");
    app_set_overlay(a, v);
    return 0;
}

static int cmd_show_hosts(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    app_show(a, a->hostlist);
    return 0;
}

static int cmd_show_domains(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    app_show(a, a->domlist);
    return 0;
}

static int cmd_close_view(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (a->overlay)
        app_set_overlay(a, NULL);
    else if (a->main_view != a->domlist)
        app_show(a, a->domlist);
    return 0;
}

static int cmd_command_prompt(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    app_open_prompt(a, PROMPT_COMMAND, argc > 1 ? argv[1] : "");
    return 0;
}

static int cmd_filter(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (a->main_view != a->domlist)
        app_show(a, a->domlist);
    if (argc > 1)
        domlist_set_filter(a->domlist, argv[1]);
    else
        app_open_prompt(a, PROMPT_FILTER, domlist_filter(a->domlist));
    return 0;
}

static int cmd_filter_clear(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    domlist_set_filter(a->domlist, "");
    return 0;
}

static int cmd_sort(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (domlist_set_sort(a->domlist, argc > 1 ? argv[1] : "next", err, errlen) < 0)
        return -1;
    app_message(a, false, "sorted by %s", domlist_sort_name(a->domlist));
    return 0;
}

static int cmd_quit(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    a->quit = true;
    return 0;
}

static int cmd_refresh_client(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    term_redraw_all();
    a->dirty = true;
    return 0;
}

static int cmd_suspend_client(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (!a->curses_up)
        return failf(err, errlen, "suspend-client: no terminal to suspend");
    term_suspend();
    a->dirty = true;
    return 0;
}

static int cmd_display_message(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    char *text = cmdline_join(argc - 1, argv + 1);
    app_message(a, false, "%s", text ? text : "");
    free(text);
    return 0;
}

static int cmd_list_commands(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    for (size_t i = 0; i < command_count(); i++) {
        const struct cmd_entry *c = command_at(i);
        char line[300];
        snprintf(line, sizeof line, "%-16s %-26s %s", c->name, c->usage, c->help);
        msglog_add(a->log, false, line);
    }
    return cmd_show_messages(a, argc, argv, err, errlen);
}

/* ---- domains ---- */

/* [-y] [DOMAIN]: the named domain, or the selected one. */
static struct dom *target_domain(struct app *a, int argc, char **argv, bool *yes, char *err, size_t errlen)
{
    const char *spec = NULL;
    *yes = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-y") == 0)
            *yes = true;
        else if (argv[i][0] == '-' && argv[i][1])
            { failf(err, errlen, "%s: unknown flag %s", argv[0], argv[i]); return NULL; }
        else if (!spec)
            spec = argv[i];
        else
            { failf(err, errlen, "%s: too many arguments", argv[0]); return NULL; }
    }
    if (spec)
        return domreg_lookup(a->reg, spec, err, errlen);
    struct dom *d = a->main_view == a->domlist ? domlist_selected(a->domlist) : NULL;
    if (!d)
        failf(err, errlen, "%s: no domain selected", argv[0]);
    return d;
}

static enum dom_action action_of(const char *name)
{
    static const struct { const char *name; enum dom_action act; } map[] = {
        { "start", DOM_START }, { "shutdown", DOM_SHUTDOWN }, { "reboot", DOM_REBOOT },
        { "destroy", DOM_DESTROY }, { "suspend", DOM_SUSPEND }, { "resume", DOM_RESUME },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, name) == 0)
            return map[i].act;
    return DOM_START;
}

static int run_domain_action(struct app *a, struct dom *d, enum dom_action act, char *err, size_t errlen)
{
    char label[300];
    snprintf(label, sizeof label, "%s/%s", host_name(d->host), d->name);
    if (host_domain_action(d->host, d->uuid, label, act, err, errlen) < 0)
        return -1;
    app_message(a, false, "%s %s ...", dom_action_name(act), label);
    return 0;
}

/* The confirmation carries the UUID, not a pointer: the row may vanish meanwhile. */
struct confirm_ctx { struct app *app; unsigned char uuid[VIR_UUID_BUFLEN]; enum dom_action act; };

static void confirm_done(bool ok, const char *text, void *opaque)
{
    struct confirm_ctx *c = opaque;
    struct app *a = c->app;
    if (ok) {
        struct dom *d = domreg_find(a->reg, c->uuid);
        char err[600];
        if (!d)
            app_message(a, true, "%s: the domain is gone", dom_action_name(c->act));
        else if (run_domain_action(a, d, c->act, err, sizeof err) < 0)
            app_message(a, true, "%s", err);
    } else {
        app_message(a, false, "%s cancelled", dom_action_name(c->act));
    }
    free(c);
}

static int cmd_domain_action(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    bool yes;
    struct dom *d = target_domain(a, argc, argv, &yes, err, errlen);
    if (!d)
        return -1;
    enum dom_action act = action_of(argv[0]);
    if (act != DOM_DESTROY || yes || !a->curses_up)
        return run_domain_action(a, d, act, err, errlen);
    struct confirm_ctx *c = malloc(sizeof *c);
    if (!c)
        return failf(err, errlen, "out of memory");
    c->app = a;
    c->act = act;
    memcpy(c->uuid, d->uuid, VIR_UUID_BUFLEN);
    char q[600], name[300];
    text_escape(d->name, name, sizeof name);
    snprintf(q, sizeof q, "Destroy '%s' on %s? It is powered off at once, unsaved data is lost.",
             name, host_name(d->host));
    struct dialog *dlg = dialog_new(DIALOG_CONFIRM, "destroy", q, confirm_done, c);
    if (!dlg) {
        free(c);
        return failf(err, errlen, "out of memory");
    }
    app_push_dialog(a, dlg);
    return 0;
}

static int cmd_attach(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    bool yes;
    struct dom *d = target_domain(a, argc, argv, &yes, err, errlen);
    if (!d)
        return -1;
    return failf(err, errlen, "attach %s: consoles are not available in this version yet", d->name);
}

/* ---- hosts ---- */

static int cmd_host(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (!app_add_host(a, argv[1], argv[2], err, errlen))
        return -1;
    app_message(a, false, "host %s: connecting to %s", argv[1], argv[2]);
    return 0;
}

static struct host *target_host(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct host *h = NULL;
    if (argc > 1)
        h = app_find_host(a, argv[1]);
    else if (a->main_view == a->hostlist)
        h = hostlist_selected(a->hostlist);
    else if (a->main_view == a->domlist && domlist_selected(a->domlist))
        h = domlist_selected(a->domlist)->host;
    if (!h)
        failf(err, errlen, argc > 1 ? "%s: no host '%s'" : "%s: no host selected", argv[0], argc > 1 ? argv[1] : "");
    return h;
}

static int cmd_host_remove(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct host *h = target_host(a, argc, argv, err, errlen);
    if (!h)
        return -1;
    char name[200];
    snprintf(name, sizeof name, "%s", host_name(h));
    if (app_remove_host(a, name, err, errlen) < 0)
        return -1;
    app_message(a, false, "host %s removed", name);
    return 0;
}

static int cmd_host_reconnect(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    struct host *h = target_host(a, argc, argv, err, errlen);
    if (!h)
        return -1;
    host_connect(h);
    app_message(a, false, "host %s: connecting", host_name(h));
    return 0;
}

/* ---- configuration ---- */

static int cmd_bind_key(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    return keymap_bind_argv(a->km, argc, argv, err, errlen);
}

static int cmd_unbind_key(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    return keymap_unbind_argv(a->km, argc, argv, err, errlen);
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        return *out = true, 0;
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        return *out = false, 0;
    return -1;
}

static int cmd_set(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    const char *opt = argv[1], *val = argv[2];
    if (strcmp(opt, "sort") == 0)
        return domlist_set_sort(a->domlist, val, err, errlen);
    if (strcmp(opt, "mouse") == 0 || strcmp(opt, "colour") == 0 || strcmp(opt, "color") == 0) {
        bool b;
        if (parse_bool(val, &b) < 0)
            return failf(err, errlen, "set %s: '%s' is not on or off", opt, val);
        if (opt[0] == 'm')
            a->mouse = b;
        else
            a->colour = b;
        if (a->curses_up)
            term_apply_options(a->colour, a->mouse);
        a->dirty = true;
        return 0;
    }
    if (strcmp(opt, "reconnect-max") == 0) {
        char *end;
        long s = strtol(val, &end, 10);
        if (*end || s < 1 || s > 3600)
            return failf(err, errlen, "set reconnect-max: '%s' is not a number of seconds from 1 to 3600", val);
        a->backoff_max = (unsigned)s;
        for (size_t i = 0; i < a->nhosts; i++)
            host_set_backoff_max(a->hosts[i], a->backoff_max);
        return 0;
    }
    return failf(err, errlen, "set: unknown option '%s' (sort, mouse, colour, reconnect-max)", opt);
}

static int cmd_source_file(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    int bad = config_load(a, argv[1], false);
    if (bad < 0)
        return failf(err, errlen, "source-file: cannot read %s", argv[1]);
    return 0;
}

/* ---- the table ---- */

#define NAV(n, h) { n, "", h, 0, 0, cmd_navigate }
#define ACT(n, h) { n, "[-y] [DOMAIN]", h, 0, 2, cmd_domain_action }

static const struct cmd_entry commands[] = {
    ACT("start", "start a domain"),
    ACT("shutdown", "ask a domain to shut down (ACPI)"),
    ACT("reboot", "ask a domain to reboot"),
    ACT("destroy", "power a domain off at once (asks unless -y)"),
    ACT("suspend", "pause a domain"),
    ACT("resume", "resume a paused domain"),
    { "attach", "[DOMAIN]", "attach to a domain's console", 0, 1, cmd_attach },
    { "host", "NAME URI", "add a libvirt host and connect", 2, 2, cmd_host },
    { "host-remove", "[NAME]", "disconnect and forget a host", 0, 1, cmd_host_remove },
    { "host-reconnect", "[NAME]", "reconnect a host now", 0, 1, cmd_host_reconnect },
    { "bind-key", "[-T table] [-N note] KEY COMMAND...", "bind a key", 2, -1, cmd_bind_key },
    { "unbind-key", "[-T table] KEY", "remove a key binding", 1, 3, cmd_unbind_key },
    { "set", "OPTION VALUE", "set an option (sort, mouse, colour, reconnect-max)", 2, 2, cmd_set },
    { "source-file", "PATH", "run the commands in a file", 1, 1, cmd_source_file },
    { "filter", "[TEXT]", "filter the domain list (prompt without TEXT)", 0, 1, cmd_filter },
    { "filter-clear", "", "show all domains again", 0, 0, cmd_filter_clear },
    { "sort", "name|host|state|next", "sort the domain list", 0, 1, cmd_sort },
    { "sort-next", "", "cycle the sort order", 0, 0, cmd_sort },
    { "command-prompt", "[TEXT]", "open the : prompt", 0, 1, cmd_command_prompt },
    { "show-help", "", "show the key bindings", 0, 0, cmd_show_help },
    { "show-hosts", "", "show the host list", 0, 0, cmd_show_hosts },
    { "show-domains", "", "show the domain list", 0, 0, cmd_show_domains },
    { "show-messages", "", "show earlier messages", 0, 0, cmd_show_messages },
    { "list-commands", "", "list every command", 0, 0, cmd_list_commands },
    { "close-view", "", "close help/messages, back to the list", 0, 0, cmd_close_view },
    { "display-message", "TEXT...", "show a message in the status line", 0, -1, cmd_display_message },
    { "refresh-client", "", "redraw the whole screen", 0, 0, cmd_refresh_client },
    { "suspend-client", "", "suspend virtmux (fg resumes)", 0, 0, cmd_suspend_client },
    { "quit", "", "quit virtmux", 0, 0, cmd_quit },
    NAV("cursor-up", "move up"),
    NAV("cursor-down", "move down"),
    NAV("page-up", "move a page up"),
    NAV("page-down", "move a page down"),
    NAV("cursor-top", "go to the first row"),
    NAV("cursor-bottom", "go to the last row"),
    NAV("scroll-up", "scroll up"),
    NAV("scroll-down", "scroll down"),
    { "select-mouse", "", "select the row under the mouse", 0, 0, cmd_select_mouse },
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

int command_check(int argc, char **argv, char *err, size_t errlen, void *opaque)
{
    if (argc < 1)
        return failf(err, errlen, "missing command");
    const struct cmd_entry *c = command_find(argv[0]);
    if (!c)
        return failf(err, errlen, "unknown command '%s'", argv[0]);
    int n = argc - 1;
    if (n < c->min_args || (c->max_args >= 0 && n > c->max_args))
        return failf(err, errlen, "usage: %s %s", c->name, c->usage);
    return 0;
}

int command_run_argv(struct app *a, int argc, char **argv, char *err, size_t errlen)
{
    if (argc == 0)
        return 0;
    if (command_check(argc, argv, err, errlen, NULL) < 0)
        return -1;
    return command_find(argv[0])->exec(a, argc, argv, err, errlen);
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
