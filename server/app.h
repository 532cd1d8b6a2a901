/* server/app.h: the application object — hosts, registry, keymap, views, prompt, status. */
#ifndef VIRTMUX_APP_H
#define VIRTMUX_APP_H
#include <stdbool.h>
#include <stddef.h>
#include "backends/domain.h"
#include "backends/host.h"
#include "keymaps/keymap.h"
#include "views/dialog.h"
#include "views/lineedit.h"
#include "views/messages.h"
#include "views/view.h"
#include "server/layout.h"
#include "server/pace.h"
#include "server/pane.h"

enum prompt_mode { PROMPT_NONE, PROMPT_COMMAND, PROMPT_FILTER, PROMPT_SEARCH };

#define APP_MAX_DIALOGS 8
#define APP_MAX_TABS 32

#define APP_MAX_MIGRATIONS 8
struct migration;

struct app {
    struct domreg *reg;
    struct keymap *km;
    struct host **hosts;
    size_t nhosts;
    struct msglog *log;
    struct view *domlist, *hostlist;
    struct view *main_view;        /* domlist or hostlist */
    struct view *overlay;          /* help or messages over the main view, or NULL */
    struct dialog *dialogs[APP_MAX_DIALOGS];  /* [0] is shown; the rest wait */
    size_t ndialogs;
    enum prompt_mode prompt;
    struct lineedit edit;
    char status[768];
    bool status_error;
    bool quit, dirty;
    /* Frame pacing (app_frame): console output alone draws on a ramp. */
    bool output_dirty, echo_wanted;
    unsigned long long echo_until_ms;
    struct pace pace;
    int pace_timer;
    bool colour, mouse;
    bool exit_after_paint;
    bool curses_up;
    struct canvas *screen;     /* what the terminal shows */
    int rows, cols;
    unsigned backoff_max;
    int source_depth;          /* config files being read inside each other */
    int mouse_y, mouse_x;

    /* Consoles: tabs of panes; cur_tab -1 shows main_view (list or hosts). */
    struct tab *tabs[APP_MAX_TABS];
    size_t ntabs;
    int cur_tab, last_tab;
    bool prefix_pending;
    unsigned long layout_sig;  /* what the screen around the panes looked like */
    /* The title and status text curses holds, to skip drawing them again. */
    char title_drawn[1200], status_drawn[800];
    bool title_valid, status_valid;
    ui_attr status_attr;
    char search[256];
    /* Console settings (set ...). */
    char log_dir[512];
    unsigned log_replay;
    unsigned scrollback;
    char console_device[64];
    char vnc_password[256];    /* set vnc-password: tried before asking */
    /* `virtmux attach DOMAIN`: attach once the domain shows up. */
    char pending_attach[256];
    bool pending_readonly;
    bool pending_vnc;          /* attach --vnc */
    bool pending_patient;      /* --demo: the domain is defined after the listing */
    /* Migrations started here (tui/migrations.c). */
    struct migration *migrations[APP_MAX_MIGRATIONS];
    size_t nmigrations;
    char migration_line[400];
};

struct app *app_new(char *err, size_t errlen);
void app_free(struct app *a);

/* A line for the status bar (and the message log). */
void app_message(struct app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void app_dirty(struct app *a);

/* Hosts: name must be unique. The host starts connecting at once. */
struct host *app_add_host(struct app *a, const char *name, const char *uri, char *err, size_t errlen);
int app_remove_host(struct app *a, const char *name, char *err, size_t errlen);
struct host *app_find_host(struct app *a, const char *name);
/* A host name derived from a URI ("qemu+ssh://lab1/system" -> "lab1"), made unique. */
void app_host_name_for_uri(struct app *a, const char *uri, char *out, size_t outlen);

/* Which view has the keys now. */
struct view *app_focus(struct app *a);
void app_show(struct app *a, struct view *main_view);
void app_set_overlay(struct app *a, struct view *overlay);   /* takes ownership; NULL closes */

void app_push_dialog(struct app *a, struct dialog *d);
void app_open_prompt(struct app *a, enum prompt_mode mode, const char *initial);

/* Consoles. where: 0 new tab, 'h' split side by side, 'v' stacked, 'g' grid. */
struct pane *app_find_pane(struct app *a, const unsigned char *uuid);
/* force: a console opened here takes over from another session (attach -f). */
int app_attach(struct app *a, const struct dom *d, bool readonly, char where, bool force,
               char *err, size_t errlen);
/* The same for a console of either kind: d's, or (d NULL, PANE_VNC) the VNC
 * server at addr. An open pane of the same console is focused instead. */
int app_attach_kind(struct app *a, const struct dom *d, const char *addr, enum pane_kind kind,
                    bool readonly, char where, bool force, char *err, size_t errlen);
struct pane *app_find_pane_kind(struct app *a, const unsigned char *uuid, enum pane_kind kind);
struct tab *app_current_tab(struct app *a);
struct pane *app_focused_pane(struct app *a);
void app_select_tab(struct app *a, int index);   /* -1: the list */
void app_close_pane(struct app *a, struct tab *t, size_t i);
/* The console area (between title bar and status line). */
struct rect app_body(struct app *a);

/* Input and output. */
void app_key(struct app *a, key_code k);
void app_redraw(struct app *a);
/* Console output arrived: draw it, paced (see app_frame). */
void app_output(struct app *a);
/* Draw now if something other than console output changed, or if the pacing
 * says console output is due; else arm a timer for when it is. */
void app_frame(struct app *a);
/* After a loop turn, before app_frame: the echo of a key just typed, if
 * libvirt already holds it (see serial_read_now). */
void app_read_echo(struct app *a);
/* true once every host has connected and listed, or failed, at least once */
bool app_settled(struct app *a);

#endif
