/* server/persist.c: one line per host, session, pane and focus, in the
 * command language's quoting:
 *     host NAME URI
 *     session NAME
 *     pane serial|vnc ro|rw tab|h|v|g domain|address SPEC
 *     focus TAB PANE
 * A pane's console is named by its domain's UUID (the same domain on any
 * host), by what `attach` was given while it waited, or by a bare VNC
 * address. */
#include "server/persist.h"
#include "server/app.h"
#include "server/board.h"
#include "server/pane.h"
#include "server/session.h"
#include "server/statedir.h"
#include "keymaps/cmdline.h"
#include "views/board.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void persist_path(const char *socket_path, char *out, size_t outlen)
{
    char dir[512];
    statedir_path(dir, sizeof dir);
    const char *base = strrchr(socket_path, '/');
    snprintf(out, outlen, "%s/sessions-%s", dir, base ? base + 1 : socket_path);
}

static void put_words(FILE *f, int argc, char **argv)
{
    char *line = cmdline_join(argc, argv);
    if (line)
        fprintf(f, "%s\n", line);
    free(line);
}

static void save_pane(FILE *f, struct tab *t, size_t i)
{
    struct pane *p = t->panes[i];
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *spec = p->want, *what = "domain";
    if (p->src && p->src->addr[0]) {
        spec = p->src->addr;
        what = "address";
    } else if (p->src) {
        const unsigned char *u = p->src->uuid;
        snprintf(uuid, sizeof uuid, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
        spec = uuid;
    }
    const char *join = i == 0 ? "tab" : t->kind == LAYOUT_STACKED ? "v" : t->kind == LAYOUT_GRID ? "g" : "h";
    char *w[] = { "pane", (char *)source_kind_name(pane_kind(p)), p->readonly ? "ro" : "rw", (char *)join,
                  (char *)what, (char *)spec, NULL };
    put_words(f, 6, w);
}

int persist_save(struct app *a, const char *file)
{
    if (!a->nsessions) {
        unlink(file);
        return 0;
    }
    char dir[512], tmp[700];
    statedir_path(dir, sizeof dir);
    statedir_mkdirs(dir);
    snprintf(tmp, sizeof tmp, "%s.new", file);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "# virtmux: the sessions of the server on this socket, brought back if it dies\n");
    for (size_t i = 0; i < a->nhosts; i++) {
        char *w[] = { "host", (char *)host_name(a->hosts[i]), (char *)host_uri(a->hosts[i]), NULL };
        put_words(f, 3, w);
    }
    for (size_t k = 0; k < a->nsessions; k++) {
        struct session *s = a->sessions[k];
        char *w[] = { "session", s->name, NULL };
        put_words(f, 2, w);
        for (size_t t = 0; t < s->ntabs; t++)
            for (size_t i = 0; i < s->tabs[t]->n; i++)
                save_pane(f, s->tabs[t], i);
        if (s->board) {
            char *b[] = { "board", (char *)board_filter(s->board->view), NULL };
            put_words(f, 2, b);
        }
        struct tab *cur = session_current_tab(s);
        fprintf(f, "focus %d %zu\n", s->cur_tab, cur ? cur->focus : 0);
    }
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, file) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void restore_line(struct app *a, int argc, char **argv, struct session **s)
{
    char err[600];
    if (argc == 3 && !strcmp(argv[0], "host")) {
        if (!app_find_host(a, argv[1]) && !app_find_host_uri(a, argv[2]))
            app_add_host(a, argv[1], argv[2], err, sizeof err);
    } else if (argc == 2 && !strcmp(argv[0], "session")) {
        *s = app_find_session(a, argv[1]);
        if (!*s)
            *s = app_new_session(a, argv[1], err, sizeof err);
    } else if (argc == 6 && !strcmp(argv[0], "pane") && *s) {
        enum source_kind kind = !strcmp(argv[1], "vnc") ? SOURCE_VNC : SOURCE_SERIAL;
        bool ro = !strcmp(argv[2], "ro");
        char join = !strcmp(argv[3], "tab") ? 0 : argv[3][0];
        if (!strcmp(argv[4], "address"))
            session_attach(*s, NULL, argv[5], SOURCE_VNC, ro, join, false, err, sizeof err);
        else
            session_attach_waiting(*s, argv[5], kind, ro, join, false, err, sizeof err);
    } else if (argc == 2 && !strcmp(argv[0], "board") && *s) {
        if (session_show_board(*s) == 0) {
            board_set_filter((*s)->board->view, argv[1]);
            board_sync((*s)->board);
        }
    } else if (argc == 3 && !strcmp(argv[0], "focus") && *s) {
        int tab = atoi(argv[1]);
        size_t pane = (size_t)atol(argv[2]);
        if (tab >= 0 && (size_t)tab < (*s)->ntabs && pane < (*s)->tabs[tab]->n)
            (*s)->tabs[tab]->focus = pane;
        session_select_tab(*s, tab >= 0 && (size_t)tab < (*s)->ntabs ? tab : -1);
    }
}

int persist_restore(struct app *a, const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    struct session *s = NULL;
    size_t before = a->nsessions;
    while (getline(&line, &cap, f) >= 0) {
        line[strcspn(line, "\r\n")] = '\0';
        int argc;
        char **argv;
        char err[200];
        if (cmdline_split(line, &argc, &argv, err, sizeof err) < 0)
            continue;
        restore_line(a, argc, argv, &s);
        cmdline_free(argc, argv);
    }
    free(line);
    fclose(f);
    int n = (int)(a->nsessions - before);
    if (n > 0)
        snprintf(a->notice, sizeof a->notice,
                 "the server before this one stopped unexpectedly; %d session%s restored from %s", n,
                 n == 1 ? "" : "s", file);
    return n;
}
