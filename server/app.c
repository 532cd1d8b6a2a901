/* server/app.c: the server's state: hosts and their questions, the consoles
 * it holds, sessions, and where messages and questions go. */
#include "server/app.h"
#include "server/authz.h"
#include "server/board.h"
#include "server/client.h"
#include "server/command.h"
#include "server/migrations.h"
#include "server/pane.h"
#include "server/session.h"
#include "backends/console.h"
#include "keymaps/keyfile.h"
#include "proto/msg.h"
#include "views/domlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const char default_keys_text[];

/* ---- host callbacks (loop thread) ---- */

static void on_host_changed(struct host *h, void *opaque)
{
    struct app *a = opaque;
    for (size_t i = 0; i < a->nsessions; i++)
        session_sync(a->sessions[i]);
    app_dirty(a);
}

static void on_host_message(struct host *h, bool error, const char *msg, void *opaque)
{
    app_message(opaque, error, "%s", msg);
}

/* A credential dialog remembers its host; removing the host disarms it. */
struct ask_ctx { struct app *app; struct host *host; };

static void ask_done(bool ok, const char *text, void *opaque)
{
    struct ask_ctx *c = opaque;
    if (c->host)
        host_answer(c->host, ok ? text : NULL);
    free(c);
}

/* Yes/no (an unknown SSH host key): y answers "y", anything else refuses. */
static void confirm_done(bool ok, const char *text, void *opaque)
{
    struct ask_ctx *c = opaque;
    if (c->host)
        host_answer(c->host, ok ? "y" : NULL);
    free(c);
}

/* A dialog that answers host h's question; no dialog means "no answer". */
static void push_host_dialog(struct app *a, struct host *h, enum dialog_kind kind, const char *title,
                             const char *text, dialog_done_fn done)
{
    struct ask_ctx *c = malloc(sizeof *c);
    struct dialog *d = c ? dialog_new(kind, title, text, done, c) : NULL;
    if (!d) {
        free(c);
        host_answer(h, NULL);
        return;
    }
    c->app = a;
    c->host = h;
    app_push_dialog(a, NULL, d);
}

static void on_host_ask(struct host *h, const char *prompt, bool secret, void *opaque)
{
    char title[200];
    snprintf(title, sizeof title, "host %s asks", host_name(h));
    push_host_dialog(opaque, h, secret ? DIALOG_SECRET : DIALOG_TEXT, title, prompt, ask_done);
}

static void on_host_confirm(struct host *h, const char *question, void *opaque)
{
    char title[200];
    snprintf(title, sizeof title, "host %s: SSH host key", host_name(h));
    push_host_dialog(opaque, h, DIALOG_HOSTKEY, title, question, confirm_done);
}

static void on_host_left(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN], const char *name, void *opaque)
{
    migrations_left(opaque, h, uuid, name);
}

static const struct host_ops app_host_ops = {
    .changed = on_host_changed,
    .message = on_host_message,
    .ask = on_host_ask,
    .confirm = on_host_confirm,
    .left = on_host_left,
};

/* ---- life cycle ---- */

static void report_keyfile(const char *msg, void *opaque)
{
    app_message(opaque, true, "%s", msg);
}

struct app *app_new(char *err, size_t errlen)
{
    struct app *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->opt = (struct options){
        .mouse = true, .colour = true, .reconnect_max = 60, .log_replay = 50, .scrollback = 10000,
        .client_timeout = 90,
    };
    a->reg = domreg_new();
    a->km = keymap_new();
    a->log = msglog_new(500);
    if (!a->reg || !a->km || !a->log) {
        snprintf(err, errlen, "out of memory");
        app_free(a);
        return NULL;
    }
    char perr[300];
    if (watch_patterns_add_alarm(&a->patterns, DEFAULT_ALARM, perr, sizeof perr) < 0 ||
        watch_patterns_set_settled(&a->patterns, DEFAULT_SETTLED, perr, sizeof perr) < 0) {
        snprintf(err, errlen, "the board's patterns: %s", perr);
        app_free(a);
        return NULL;
    }
    keymap_set_command_check(a->km, command_check, a);
    if (keyfile_load_text(a->km, "default.keys", default_keys_text, report_keyfile, a) != 0)
        app_message(a, true, "the built-in key bindings have errors (see :show-messages)");
    return a;
}

void app_free(struct app *a)
{
    if (!a)
        return;
    while (a->nclients)
        client_free(a->clients[a->nclients - 1]);
    for (size_t i = 0; i < a->nasks; i++)
        dialog_free(a->asks[i].d);
    migrations_free_all(a);
    while (a->nsessions)
        app_kill_session(a, a->sessions[a->nsessions - 1], NULL);
    /* The app is freed on the way out: let workers finish (bounded). */
    for (size_t i = 0; i < a->nhosts; i++)
        host_free_wait(a->hosts[i], 1000);
    free(a->hosts);
    free(a->sessions);
    free(a->sources);
    free(a->clients);
    keymap_free(a->km);
    authz_free(a);
    watch_patterns_clear(&a->patterns);
    domreg_free(a->reg);
    msglog_free(a->log);
    free(a);
}

/* ---- messages and redrawing ---- */

void app_dirty(struct app *a)
{
    for (size_t i = 0; i < a->nclients; i++)
        a->clients[i]->dirty = true;
}

void app_session_changed(struct app *a, struct session *s)
{
    /* Every client: which consoles a session shows changes the viewer
     * counts in other sessions' badges too. */
    app_dirty(a);
    a->sessions_changed = true;
}

static void vmessage(struct app *a, struct source *s, bool error, const char *fmt, va_list ap)
{
    char text[768];
    vsnprintf(text, sizeof text, fmt, ap);
    msglog_add(a->log, error, text);
    if (a->c) {
        if (a->c->session)
            msglog_add(a->c->session->log, error, text);
        client_message(a->c, error, text);
        return;
    }
    /* A system server tells a student only what is about their domains. */
    for (size_t i = 0; i < a->nclients; i++) {
        struct client *c = a->clients[i];
        if ((!s && authz_message_for(a, c, text)) || (s && c->session && session_shows(c->session, s))) {
            if (c->session && authz_system(a))
                msglog_add(c->session->log, error, text);
            client_message(c, error, text);
        }
    }
}

void app_message(struct app *a, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(a, NULL, error, fmt, ap);
    va_end(ap);
}

void app_source_message(struct app *a, struct source *s, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(a, s, error, fmt, ap);
    va_end(ap);
}

void app_output(struct app *a, struct source *s)
{
    for (size_t i = 0; i < a->nclients; i++) {
        struct client *c = a->clients[i];
        if (c->session && session_shows(c->session, s))
            client_output(c);
    }
}

void app_alarm(struct app *a, struct source *s)
{
    /* The log says when (wall clock): bench/scale measures print -> mark. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(stderr, "alarm %lld.%06ld %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000, s->label);
    /* Not paced: the moment it is printed is the moment a TA needs it. */
    for (size_t i = 0; i < a->nclients; i++) {
        struct client *c = a->clients[i];
        if (c->session && board_shown(c->session) && board_holds(c->session->board, s))
            c->dirty = true;
    }
}

void app_apply_options(struct app *a)
{
    for (size_t i = 0; i < a->nclients; i++) {
        struct client *c = a->clients[i];
        canvas_set_colour(c->screen, c->colours > 0 && a->opt.colour);
        client_term(c, TERM_MOUSE, a->opt.mouse && !c->no_mouse);
        client_redraw_all(c);
    }
}

struct rect app_body(struct app *a)
{
    if (a->s)
        return session_body(a->s);
    return (struct rect){ 1, 0, 22, 80 };
}

/* ---- hosts ---- */

struct host *app_find_host(struct app *a, const char *name)
{
    for (size_t i = 0; i < a->nhosts; i++)
        if (strcmp(host_name(a->hosts[i]), name) == 0)
            return a->hosts[i];
    return NULL;
}

struct host *app_find_host_uri(struct app *a, const char *uri)
{
    for (size_t i = 0; i < a->nhosts; i++)
        if (strcmp(host_uri(a->hosts[i]), uri) == 0)
            return a->hosts[i];
    return NULL;
}

struct host *app_add_host(struct app *a, const char *name, const char *uri, char *err, size_t errlen)
{
    if (!*name || strchr(name, '/')) {
        snprintf(err, errlen, "host: name '%s' must be non-empty and without '/'", name);
        return NULL;
    }
    if (app_find_host(a, name)) {
        snprintf(err, errlen, "host: there is already a host named '%s'", name);
        return NULL;
    }
    struct host **n = realloc(a->hosts, (a->nhosts + 1) * sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->hosts = n;
    struct host *h = host_new(name, uri, a->reg, &app_host_ops, a, err, errlen);
    if (!h)
        return NULL;
    host_set_backoff_max(h, a->opt.reconnect_max);
    a->hosts[a->nhosts++] = h;
    host_connect(h);
    a->sessions_changed = true;
    app_dirty(a);
    return h;
}

/* A host's consoles go with it: they hold its connection and session. */
static void close_panes_of(struct app *a, struct session *s, struct host *h)
{
    for (size_t t = s->ntabs; t-- > 0;) {
        struct tab *tab = s->tabs[t];
        for (size_t k = tab->n; k-- > 0;) {
            if (pane_host(tab->panes[k]) == h) {
                app_message(a, false, "%s: closed with its host", tab->panes[k]->label);
                session_close_pane(s, tab, k);
                if (t >= s->ntabs || s->tabs[t] != tab)
                    break;   /* the tab went with its last pane */
            }
        }
    }
}

int app_remove_host(struct app *a, const char *name, char *err, size_t errlen)
{
    for (size_t i = 0; i < a->nhosts; i++) {
        struct host *h = a->hosts[i];
        if (strcmp(host_name(h), name) != 0)
            continue;
        /* Its open questions now answer into nothing. */
        for (size_t k = 0; k < a->nasks; k++) {
            struct ask_ctx *c = dialog_opaque_if(a->asks[k].d, ask_done);
            if (!c)
                c = dialog_opaque_if(a->asks[k].d, confirm_done);
            if (c && c->host == h)
                c->host = NULL;
        }
        migrations_forget_host(a, h);
        for (size_t k = 0; k < a->nsessions; k++)
            close_panes_of(a, a->sessions[k], h);
        memmove(&a->hosts[i], &a->hosts[i + 1], (a->nhosts - i - 1) * sizeof *a->hosts);
        a->nhosts--;
        host_free(h);
        /* A migration on its way to h is not any more. */
        for (size_t k = 0; k < a->nsessions; k++)
            session_sync(a->sessions[k]);
        a->sessions_changed = true;
        app_dirty(a);
        return 0;
    }
    snprintf(err, errlen, "no host '%s'", name);
    return -1;
}

void app_host_name_for_uri(struct app *a, const char *uri, char *out, size_t outlen)
{
    char base[128] = "default";
    const char *p = uri ? strstr(uri, "://") : NULL;
    if (p) {
        const char *host = p + 3;
        const char *at = strchr(host, '@'), *end = host + strcspn(host, "/:?");
        if (at && at < end)
            host = at + 1;
        end = host + strcspn(host, "/:?");
        if (end > host)
            snprintf(base, sizeof base, "%.*s", (int)(end - host), host);
        else
            snprintf(base, sizeof base, "%.*s", (int)strcspn(uri, ":+"), uri);
        if (strstr(uri, "/embed"))
            snprintf(base, sizeof base, "embed");
    }
    snprintf(out, outlen, "%s", base);
    for (int n = 2; app_find_host(a, out) && n < 1000; n++)
        snprintf(out, outlen, "%s-%d", base, n);
}

bool app_settled(struct app *a)
{
    for (size_t i = 0; i < a->nhosts; i++)
        if (!host_settled(a->hosts[i]))
            return false;
    return true;
}

/* ---- consoles ---- */

struct source *app_find_source(struct app *a, const unsigned char *uuid, enum source_kind kind, const char *addr)
{
    for (size_t i = 0; i < a->nsources; i++)
        if (source_is(a->sources[i], uuid, kind, addr))
            return a->sources[i];
    return NULL;
}

int app_add_source(struct app *a, struct source *s)
{
    struct source **n = realloc(a->sources, (a->nsources + 1) * sizeof *n);
    if (!n)
        return -1;
    a->sources = n;
    a->sources[a->nsources++] = s;
    return 0;
}

void app_remove_source(struct app *a, struct source *s)
{
    for (size_t i = 0; i < a->nsources; i++)
        if (a->sources[i] == s) {
            memmove(&a->sources[i], &a->sources[i + 1], (a->nsources - i - 1) * sizeof *a->sources);
            a->nsources--;
            return;
        }
}

/* ---- sessions ---- */

struct client *app_find_client(struct app *a, unsigned long id)
{
    for (size_t i = 0; id && i < a->nclients; i++)
        if (a->clients[i]->id == id && !a->clients[i]->closing)
            return a->clients[i];
    return NULL;
}

/* A system server's sessions are each one user's: the others' are not there. */
static bool session_mine(struct app *a, const struct session *s)
{
    return !a->authz || !a->c || s->uid == a->c->peer.uid;
}

struct session *app_find_session(struct app *a, const char *name)
{
    for (size_t i = 0; i < a->nsessions; i++)
        if (strcmp(a->sessions[i]->name, name) == 0 && session_mine(a, a->sessions[i]))
            return a->sessions[i];
    return NULL;
}

struct session *app_new_session(struct app *a, const char *name, char *err, size_t errlen)
{
    char num[32];
    if (!*name) {
        do
            snprintf(num, sizeof num, "%u", a->next_session++);
        while (app_find_session(a, num));
        name = num;
    }
    if (strlen(name) >= SESSION_NAME_MAX || strpbrk(name, ":./ \t\n")) {
        snprintf(err, errlen, "new-session: '%s' is not a session name (no ':', '.', '/' or spaces; at most %d bytes)",
                 name, SESSION_NAME_MAX - 1);
        return NULL;
    }
    if (app_find_session(a, name)) {
        snprintf(err, errlen, "new-session: there is already a session '%s'", name);
        return NULL;
    }
    struct session **n = realloc(a->sessions, (a->nsessions + 1) * sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->sessions = n;
    struct session *s = session_new(a, name, err, errlen);
    if (!s)
        return NULL;
    authz_session_owner(a, s);
    if (*a->opt.sort)
        domlist_set_sort(s->domlist, a->opt.sort, err, errlen);
    a->sessions[a->nsessions++] = s;
    a->sessions_changed = true;
    return s;
}

struct session *app_recent_session(struct app *a)
{
    struct session *best = NULL;
    for (size_t i = 0; i < a->nsessions; i++)
        if (session_mine(a, a->sessions[i]) && (!best || a->sessions[i]->used_ms > best->used_ms))
            best = a->sessions[i];
    return best;
}

void app_path(struct app *a, const char *in, char *out, size_t outlen)
{
    if (*in == '/' || !a->c || !*a->c->cwd)
        snprintf(out, outlen, "%s", in);
    else
        snprintf(out, outlen, "%s%s%s", a->c->cwd, a->c->cwd[strlen(a->c->cwd) - 1] == '/' ? "" : "/", in);
}

void app_kill_session(struct app *a, struct session *s, const char *why)
{
    for (size_t i = a->nclients; i-- > 0;) {
        struct client *c = a->clients[i];
        if (c->session != s)
            continue;
        c->session = NULL;
        if (why)
            client_exit(c, 0, why);
    }
    if (a->s == s)
        a->s = NULL;
    for (size_t i = 0; i < a->nsessions; i++)
        if (a->sessions[i] == s) {
            memmove(&a->sessions[i], &a->sessions[i + 1], (a->nsessions - i - 1) * sizeof *a->sessions);
            a->nsessions--;
            break;
        }
    session_free(s);
    a->sessions_changed = true;
    /* tmux's rule: the server ends with its last session (not a system
     * server: it serves a whole class, and ends when it is stopped). */
    if (why && !a->nsessions && !authz_system(a))
        a->quit = true;
}

/* ---- questions ---- */

void app_push_dialog(struct app *a, struct client *to, struct dialog *d)
{
    if (a->nasks == APP_MAX_DIALOGS) {
        dialog_free(d); /* answers "cancel" */
        app_message(a, true, "too many questions at once; one was cancelled");
        return;
    }
    a->asks[a->nasks++] = (struct ask){ d, to };
    if (to)
        to->dirty = true;
    else
        app_dirty(a);
}

static int ask_index(struct app *a, struct client *c)
{
    for (size_t i = 0; i < a->nasks; i++)
        if (!a->asks[i].to || a->asks[i].to == c)
            return (int)i;
    return -1;
}

struct dialog *app_dialog_for(struct app *a, struct client *c)
{
    int i = ask_index(a, c);
    return i < 0 ? NULL : a->asks[i].d;
}

static void drop_ask(struct app *a, size_t i)
{
    struct dialog *d = a->asks[i].d;
    memmove(&a->asks[i], &a->asks[i + 1], (a->nasks - i - 1) * sizeof *a->asks);
    a->nasks--;
    dialog_free(d);
    app_dirty(a);
}

void app_dialog_key(struct app *a, struct client *c, key_code k)
{
    int i = ask_index(a, c);
    if (i < 0)
        return;
    struct dialog *d = a->asks[i].d;
    if (dialog_key(d, k)) {
        /* The answer may have pushed or dropped questions: find it again. */
        for (size_t j = 0; j < a->nasks; j++)
            if (a->asks[j].d == d) {
                drop_ask(a, j);
                break;
            }
    }
}

void app_drop_dialogs(struct app *a, struct client *c)
{
    for (size_t i = a->nasks; i-- > 0;)
        if (a->asks[i].to == c)
            drop_ask(a, i);
}
