/* server/cmd_views.c: commands for what a client sees: views, lists,
 * prompts, messages, redrawing and leaving. */
#include "server/commands.h"
#include "server/authz.h"
#include "server/app.h"
#include "server/board.h"
#include "server/client.h"
#include "server/options.h"
#include "server/session.h"
#include "keymaps/cmdline.h"
#include "util/errf.h"
#include "proto/msg.h"
#include "views/board.h"
#include "views/domlist.h"
#include "views/help.h"
#include "views/messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void show_main(struct app *a, struct view *v)
{
    client_set_overlay(a->c, NULL);
    session_show(a->s, v);
}

int cmd_navigate(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct view *v = client_focus(a->c);
    int rc = view_command(v, args->name, args->argc, args->argv, err, errlen);
    if (rc == 1)
        return errf(err, errlen, "%s: not available in the %s view", args->name, v->ops->name);
    return rc;
}

int cmd_select_mouse(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct view *v = client_focus(a->c);
    if (v->ops->click)
        v->ops->click(v, a->c->mouse_y, a->c->mouse_x);
    return 0;
}

int cmd_show_help(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    struct view *v = help_new(a->km, a->s->main_view->ops->keytable);
    if (!v)
        return errf(err, errlen, "out of memory");
    client_set_overlay(a->c, v);
    return 0;
}

int cmd_show_messages(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    /* On a system server a student reviews what they were told, not the
     * server's whole log (other students' domains are in it). */
    bool own = authz_system(a) && a->c->role == ROLE_STUDENT;
    struct view *v = messages_new(own ? a->s->log : a->log);
    if (!v)
        return errf(err, errlen, "out of memory");
    client_set_overlay(a->c, v);
    return 0;
}

int cmd_show_hosts(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    show_main(a, a->s->hostlist);
    return 0;
}

int cmd_show_domains(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    show_main(a, a->s->domlist);
    return 0;
}

int cmd_close_view(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (a->c->overlay)
        client_set_overlay(a->c, NULL);
    else if (a->s->main_view != a->s->domlist)
        show_main(a, a->s->domlist);
    return 0;
}

int cmd_command_prompt(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    client_open_prompt(a->c, PROMPT_COMMAND, args->argc ? args->argv[0] : "");
    return 0;
}

/* The filter of the list shown: the domain list, or the board. */
int cmd_filter(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (!board_shown(a->s) && a->s->main_view != a->s->domlist)
        show_main(a, a->s->domlist);
    if (args->argc)
        session_set_filter(a->s, args->argv[0]);
    else
        client_open_prompt(a->c, PROMPT_FILTER, session_filter(a->s));
    return 0;
}

int cmd_filter_clear(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    session_set_filter(a->s, "");
    return 0;
}

int cmd_board(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    client_set_overlay(a->c, NULL);
    if (session_show_board(a->s) < 0)
        return errf(err, errlen, "out of memory");
    return 0;
}

int cmd_sort(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (domlist_set_sort(a->s->domlist, args->argc ? args->argv[0] : "next", err, errlen) < 0)
        return -1;
    app_message(a, false, "sorted by %s", domlist_sort_name(a->s->domlist));
    return 0;
}

/* q: this session ends (the server with its last one); C-] d only detaches. */
int cmd_quit(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    app_kill_session(a, a->s, "");
    return 0;
}

int cmd_refresh_client(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    client_term(a->c, TERM_REDRAW, 0);
    client_redraw_all(a->c);
    return 0;
}

int cmd_suspend_client(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    client_term(a->c, TERM_SUSPEND, 0);
    return 0;
}

int cmd_display_message(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    char *text = cmdline_join(args->argc, args->argv);
    app_message(a, false, "%s", text ? text : "");
    free(text);
    return 0;
}

/* On a screen: into the message log, shown; from the command line: printed. */
static void say_lines(struct app *a, size_t n, void (*line)(struct app *a, size_t i, char *out, size_t len))
{
    bool screen = a->c && !a->c->command_mode;
    for (size_t i = 0; i < n; i++) {
        char text[400];
        line(a, i, text, sizeof text);
        if (screen)
            msglog_add(a->log, false, text);
        else
            app_message(a, false, "%s", text);
    }
    if (screen) {
        struct view *v = messages_new(a->log);
        if (v)
            client_set_overlay(a->c, v);
    }
}

static void command_line(struct app *a, size_t i, char *out, size_t len)
{
    const struct cmd_entry *c = command_at(i);
    snprintf(out, len, "%-16s %-30s %s", c->name, c->usage, c->help);
}

int cmd_list_commands(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    say_lines(a, command_count(), command_line);
    return 0;
}

static void option_line(struct app *a, size_t i, char *out, size_t len)
{
    char value[200], range[120];
    option_value(a, i, value, sizeof value);
    option_range(i, range, sizeof range);
    snprintf(out, len, "%-15s %-22s %-24s %s", option_at(i)->name, value, range, option_at(i)->help);
}

/* show-options: every option, its value, range and what it is for. */
int cmd_show_options(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    say_lines(a, option_count(), option_line);
    return 0;
}
