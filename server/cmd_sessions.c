/* server/cmd_sessions.c: sessions (attach, new, list, kill), detaching,
 * and the server itself (kill-server, server-info). */
#include "server/commands.h"
#include "server/app.h"
#include "server/client.h"
#include "server/session.h"
#include "server/source.h"
#include "util/errf.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* -t NAME: that session; none: the one used last (created if none). */
int cmd_attach_session(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    const char *name = args_get(args, 't');
    bool readonly = args_has(args, 'r');
    if (!a->c || a->c->command_mode)
        return errf(err, errlen, "attach-session: needs a terminal (run virtmux attach-session)");
    struct session *s = name ? app_find_session(a, name) : app_recent_session(a);
    if (!s && name)
        return errf(err, errlen, "attach-session: no session '%s' (list-sessions shows them)", name);
    if (!s && !(s = app_new_session(a, "", err, errlen)))
        return -1;
    a->c->readonly |= readonly;
    client_attach(a->c, s);
    return 0;
}

int cmd_new_session(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    const char *name = args_has(args, 's') ? args_get(args, 's') : "";
    bool detached = args_has(args, 'd');
    struct session *s = app_new_session(a, name, err, errlen);
    if (!s)
        return -1;
    if (!detached && a->c && !a->c->command_mode)
        client_attach(a->c, s);
    else
        app_message(a, false, "session %s created", s->name);
    return 0;
}

static int count_clients(struct app *a, struct session *s)
{
    int n = 0;
    for (size_t i = 0; i < a->nclients; i++)
        n += a->clients[i]->session == s && !a->clients[i]->closing;
    return n;
}

int cmd_list_sessions(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    if (!a->nsessions)
        return errf(err, errlen, "no sessions");
    for (size_t i = 0; i < a->nsessions; i++) {
        struct session *s = a->sessions[i];
        size_t panes = 0;
        for (size_t t = 0; t < s->ntabs; t++)
            panes += s->tabs[t]->n;
        int n = count_clients(a, s);
        app_message(a, false, "%s: %zu tab%s, %zu console%s%s%s", s->name, s->ntabs, s->ntabs == 1 ? "" : "s", panes,
                    panes == 1 ? "" : "s", n ? " (attached)" : "", s == a->s ? " (this one)" : "");
    }
    return 0;
}

int cmd_kill_session(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    const char *target = args_get(args, 't');
    struct session *s = target ? app_find_session(a, target) : a->s;
    if (!s)
        return errf(err, errlen, target ? "kill-session: no session '%s'" : "kill-session: which session? (-t NAME)%s",
                    target ? target : "");
    char name[SESSION_NAME_MAX], why[128];
    snprintf(name, sizeof name, "%s", s->name);
    snprintf(why, sizeof why, "session %s was closed", name);
    app_kill_session(a, s, why);
    if (a->c && a->c->command_mode)
        app_message(a, false, "session %s closed", name);
    return 0;
}

int cmd_kill_server(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    a->quit = true;
    return 0;
}

int cmd_detach_client(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    char why[128];
    snprintf(why, sizeof why, "[detached (from session %s)]", a->s->name);
    client_exit(a->c, 0, why);
    return 0;
}

int cmd_server_info(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    size_t attached = 0;
    for (size_t i = 0; i < a->nclients; i++)
        attached += a->clients[i]->session && !a->clients[i]->command_mode && !a->clients[i]->closing;
    /* Consoles that printed something: open and flowing (bench/scale waits for all). */
    size_t heard = 0;
    for (size_t i = 0; i < a->nsources; i++)
        heard += a->sources[i]->lines.last_ms != 0;
    app_message(a, false, "virtmux %s server pid %d: %zu session%s, %zu client%s attached, %zu console%s "
                "(%zu with output), %zu host%s",
                VIRTMUX_VERSION, (int)getpid(), a->nsessions, a->nsessions == 1 ? "" : "s", attached,
                attached == 1 ? "" : "s", a->nsources, a->nsources == 1 ? "" : "s", heard, a->nhosts,
                a->nhosts == 1 ? "" : "s");
    return 0;
}
