/* server/session.h: a session — console tabs of panes in splits or a grid,
 * which tab and pane have focus, the domain and host lists with their
 * cursor, filter and sort — kept in the server while clients come and go. */
#ifndef VIRTMUX_SESSION_H
#define VIRTMUX_SESSION_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "server/layout.h"
#include "server/source.h"
#include "views/view.h"

struct app;
struct dom;

#define SESSION_MAX_TABS 32
#define SESSION_NAME_MAX 64

struct session {
    struct app *app;
    char name[SESSION_NAME_MAX];
    struct tab *tabs[SESSION_MAX_TABS];
    size_t ntabs;
    int cur_tab, last_tab;       /* -1: the list */
    struct view *domlist, *hostlist;
    struct view *main_view;      /* domlist, hostlist or the board's view */
    struct board *board;         /* opened by `board`, kept with the session */
    int rows, cols;              /* the size of the client that used it last */
    unsigned long long used_ms;  /* when a client last used it */
    /* Whose it is (a system server: server/authz.h); its list and board
     * show what that user may see. */
    uid_t uid;
    char user[64];
    int role;                    /* enum user_role */
    struct msglog *log;          /* what its clients were told (a system server) */
};

struct session *session_new(struct app *a, const char *name, char *err, size_t errlen);
void session_free(struct session *s);

struct tab *session_current_tab(struct session *s);
struct pane *session_focused_pane(struct session *s);
void session_select_tab(struct session *s, int index);   /* -1: the list */
void session_show(struct session *s, struct view *main_view);
/* The console area (between title bar and status line) at the session's size. */
struct rect session_body(const struct session *s);

/* Open a console in this session. where: 0 new tab, 'h' side by side, 'v'
 * stacked, 'g' grid. An open pane of the same console is focused instead. */
int session_attach(struct session *s, const struct dom *d, const char *addr, enum source_kind kind,
                   bool readonly, char where, bool force, char *err, size_t errlen);
/* attach DOMAIN before the hosts have listed it: a pane that waits for it
 * (patient: even after every host has listed, for a domain being defined). */
int session_attach_waiting(struct session *s, const char *spec, enum source_kind kind, bool readonly, char where,
                           bool patient, char *err, size_t errlen);
struct pane *session_find_pane(struct session *s, const unsigned char *uuid, enum source_kind kind);
bool session_has_uuid(struct session *s, const unsigned char *uuid);
void session_close_pane(struct session *s, struct tab *t, size_t i);
/* Every pane follows the registry. */
void session_sync(struct session *s);
/* The filter of the list shown (the domain list, or the board). */
void session_set_filter(struct session *s, const char *filter);
const char *session_filter(struct session *s);
/* Show the board (made on first use). -1 when out of memory. */
int session_show_board(struct session *s);
/* Does a client of this session show src now? */
bool session_shows(struct session *s, const struct source *src);

#endif
