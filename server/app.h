/* server/app.h: the server's state — hosts, the domain registry, key
 * bindings, options, the consoles it holds (sources), the sessions and the
 * clients attached to them — and which session and client the key or
 * command being handled is for (a->s, a->c). */
#ifndef VIRTMUX_APP_H
#define VIRTMUX_APP_H
#include <stdbool.h>
#include <stddef.h>
#include "backends/domain.h"
#include "backends/host.h"
#include "backends/linewatch.h"
#include "keymaps/keymap.h"
#include "views/dialog.h"
#include "views/messages.h"
#include "views/view.h"
#include "server/layout.h"
#include "server/source.h"

#define APP_MAX_DIALOGS 16
#define APP_MAX_MIGRATIONS 8

struct migration;
struct authz;
struct session;
struct client;

/* set OPTION VALUE */
struct options {
    bool mouse, colour;
    unsigned reconnect_max;    /* seconds */
    char log_dir[512];
    unsigned log_replay;       /* lines */
    unsigned scrollback;       /* lines */
    char console_device[64];
    char vnc_password[256];
    unsigned client_timeout;   /* seconds a client may leave a frame unacknowledged */
    char sort[16];             /* the domain list's order in new sessions ("": by name) */
};

/* A question waiting for an answer, shown to one client, or to every client
 * (to == NULL: a host's question) until one of them answers. */
struct ask {
    struct dialog *d;
    struct client *to;
};

struct app {
    struct domreg *reg;
    struct keymap *km;
    struct host **hosts;
    size_t nhosts;
    struct msglog *log;
    struct options opt;
    struct watch_patterns patterns;   /* set alarm, set settled: for the board */
    int source_depth;          /* config files being read inside each other */
    struct source **sources;
    size_t nsources;
    struct session **sessions;
    size_t nsessions;
    unsigned next_session;     /* the number of the next unnamed session */
    struct client **clients;
    size_t nclients;
    struct ask asks[APP_MAX_DIALOGS];
    size_t nasks;
    struct migration *migrations[APP_MAX_MIGRATIONS];
    size_t nmigrations;
    char migration_line[400];
    /* Who the key or command being handled is for: set around each one
     * (NULL: nobody, e.g. the config file or a host's event). */
    struct session *s;
    struct client *c;
    struct authz *authz;       /* a system server's policy (server/authz.h), else NULL */
    const char *cmdline;       /* the command line being run (for the audit log) */
    bool quit;                 /* the server stops after this loop turn */
    bool sessions_changed;     /* the saved layout is out of date */
    char notice[600];          /* for the first client that attaches */
};

struct app *app_new(char *err, size_t errlen);
void app_free(struct app *a);

/* A line for the status bar of the client a command runs for, else of
 * every client; kept in the message log. */
void app_message(struct app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* About a console: to the clients whose screen shows it, else as app_message. */
void app_source_message(struct app *a, struct source *s, bool error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Something every client shows changed (hosts, domains). */
void app_dirty(struct app *a);
/* A session's layout changed: its clients redraw; the saved layout is stale. */
void app_session_changed(struct app *a, struct session *s);
/* Guest output on s: paced frames for the clients showing it. */
void app_output(struct app *a, struct source *s);
/* s printed an alarm line: the boards showing it are drawn at once. */
void app_alarm(struct app *a, struct source *s);
/* The board's defaults for set alarm / set settled. */
#define DEFAULT_ALARM "Kernel panic|Oops|BUG:|end Kernel panic|emergency mode|Give root password"
#define DEFAULT_SETTLED "login:|\\$ $|# $"
/* set mouse / colour reach every client's screen. */
void app_apply_options(struct app *a);
/* The console area of the session being handled (24x80 without one). */
struct rect app_body(struct app *a);

/* Hosts: name must be unique. The host starts connecting at once. */
struct host *app_add_host(struct app *a, const char *name, const char *uri, char *err, size_t errlen);
int app_remove_host(struct app *a, const char *name, char *err, size_t errlen);
struct host *app_find_host(struct app *a, const char *name);
struct host *app_find_host_uri(struct app *a, const char *uri);
/* A host name derived from a URI ("qemu+ssh://lab1/system" -> "lab1"), made unique. */
void app_host_name_for_uri(struct app *a, const char *uri, char *out, size_t outlen);
/* true once every host has connected and listed, or failed, at least once */
bool app_settled(struct app *a);

/* Consoles. */
struct source *app_find_source(struct app *a, const unsigned char *uuid, enum source_kind kind, const char *addr);
int app_add_source(struct app *a, struct source *s);
void app_remove_source(struct app *a, struct source *s);

/* Sessions: a name, unique ("" picks the next number). */
struct session *app_new_session(struct app *a, const char *name, char *err, size_t errlen);
struct session *app_find_session(struct app *a, const char *name);
/* The session used most recently, or NULL. */
struct session *app_recent_session(struct app *a);
/* Its clients are told and let go; the server stops with its last session. */
void app_kill_session(struct app *a, struct session *s, const char *why);

/* A path as the client giving the command meant it: relative to its
 * working directory; without a client (the config file), to the server's. */
void app_path(struct app *a, const char *in, char *out, size_t outlen);

/* The client with this id (client.id), or NULL when it has gone. */
struct client *app_find_client(struct app *a, unsigned long id);

/* Questions: to one client (NULL: every client). Takes d. */
void app_push_dialog(struct app *a, struct client *to, struct dialog *d);
/* The question client c sees now, or NULL. */
struct dialog *app_dialog_for(struct app *a, struct client *c);
/* Client c answered (a key): true when the question is done. */
void app_dialog_key(struct app *a, struct client *c, key_code k);
/* Questions to c go (a client leaving): each answers "cancel". */
void app_drop_dialogs(struct app *a, struct client *c);

#endif
