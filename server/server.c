/* server/server.c: the server's start, loop and end. */
#include "server/server.h"
#include "server/app.h"
#include "server/authz.h"
#include "server/board.h"
#include "server/client.h"
#include "server/config.h"
#include "server/listen.h"
#include "server/loop.h"
#include "server/persist.h"
#include "server/source.h"
#include "server/statedir.h"
#include "backends/console.h"
#include "util/monotime.h"
#include "proto/sockpath.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

static void on_signal(int signo, void *opaque)
{
    struct app *a = opaque;
    if (signo == SIGHUP) {
        /* No terminal to lose; a system server reads its policy again. */
        char err[800];
        if (authz_system(a) && authz_reload(a, err, sizeof err) < 0)
            fprintf(stderr, "virtmux server: %s\n", err);
        return;
    }
    a->quit = true;
}

/* stdin and stdout go nowhere; stderr (library chatter) to the log file. */
static void detach_stdio(void)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        close(null);
    }
    char dir[512], path[600];
    statedir_path(dir, sizeof dir);
    statedir_mkdirs(dir);
    snprintf(path, sizeof path, "%s/virtmux.log", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
}

/* Every console is a stream, every client a socket: more than 1024 files. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void ready(int fd, const char *msg)
{
    if (fd < 0)
        return;
    char line[1200];
    int n = snprintf(line, sizeof line, "%s\n", msg);
    if (write(fd, line, (size_t)n) < 0) {
        /* the starter is gone: nobody to tell */
    }
    close(fd);
}

/* Threads of this process, from /proc (0 when it cannot tell). */
static int threads_alive(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void on_unused(int timer, void *opaque)
{
    struct app *a = opaque;
    virEventUpdateTimeout(timer, -1);
    if (!a->nsessions && !a->nclients)
        a->quit = true;
}

/* A board shows how long each console has been quiet: once a second while
 * one is on a screen, and no timer at all otherwise. */
static int board_timer = -1;

static void on_board_tick(int timer, void *opaque)
{
    struct app *a = opaque;
    for (size_t i = 0; i < a->nclients; i++)
        if (a->clients[i]->session && board_shown(a->clients[i]->session))
            a->clients[i]->dirty = true;
}

static void board_clock(struct app *a)
{
    bool shown = false;
    for (size_t i = 0; i < a->nclients && !shown; i++)
        shown = a->clients[i]->session && board_shown(a->clients[i]->session) && !a->clients[i]->command_mode;
    if (shown && board_timer < 0)
        board_timer = virEventAddTimeout(1000, on_board_tick, a, NULL);
    else if (!shown && board_timer >= 0) {
        virEventRemoveTimeout(board_timer);
        board_timer = -1;
    }
}

/* A screen scrolled back (a console's "past": libtsm cells for its whole
 * scrollback, ~30 MiB for 10,000 lines of 120 columns) goes once nobody has
 * looked back for a while; the console lets it go on its next output, and
 * this clock, running only while one exists, when it has none. */
static int past_timer = -1;

static bool any_past(struct app *a)
{
    for (size_t i = 0; i < a->nsources; i++)
        if (console_has_past(a->sources[i]->model))
            return true;
    return false;
}

static void on_past_tick(int timer, void *opaque)
{
    struct app *a = opaque;
    for (size_t i = 0; i < a->nsources; i++)
        console_expire_past(a->sources[i]->model);
}

static void past_clock(struct app *a)
{
    bool any = any_past(a);
    if (any && past_timer < 0)
        past_timer = virEventAddTimeout(5000, on_past_tick, a, NULL);
    else if (!any && past_timer >= 0) {
        virEventRemoveTimeout(past_timer);
        past_timer = -1;
    }
}

/* Clients that are done go; the others get their frames. */
static void serve_clients(struct app *a)
{
    for (size_t i = a->nclients; i-- > 0;) {
        struct client *c = a->clients[i];
        if (client_done(c)) {
            client_free(c);
            continue;
        }
        client_read_echo(c);
        client_frame(c);
    }
    board_clock(a);
    past_clock(a);
}

/* Tell every client, and give them a moment to read it. */
static void farewell(struct app *a, const char *why)
{
    for (size_t i = 0; i < a->nclients; i++)
        client_exit(a->clients[i], 0, why);
    unsigned long long end = mono_ms() + 1000;
    char err[200];
    while (a->nclients && mono_ms() < end) {
        serve_clients(a);
        if (!a->nclients || loop_run_once(err, sizeof err) < 0)
            break;
    }
}

int server_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "socket", required_argument, NULL, 'S' },
        { "name", required_argument, NULL, 'L' },
        { "config", required_argument, NULL, 'f' },
        { "ready-fd", required_argument, NULL, 'R' },
        { "system", no_argument, NULL, 'Y' },
        { "policy", required_argument, NULL, 'P' },
        { 0 },
    };
    const char *sock = NULL, *name = NULL, *config = NULL, *policy = NULL;
    int ready_fd = -1, c;
    bool system = false;
    optind = 1;
    while ((c = getopt_long(argc, argv, "S:L:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'S': sock = optarg; break;
        case 'L': name = optarg; break;
        case 'f': config = optarg; break;
        case 'R': ready_fd = atoi(optarg); break;
        case 'Y': system = true; break;
        case 'P': policy = optarg; break;
        default:
            fprintf(stderr, "usage: virtmux server [-S PATH] [-L NAME] [-f CONFIG]\n"
                            "       virtmux server --system [-S PATH] [--policy FILE]\n");
            return 2;
        }
    }
    char path[SOCKPATH_MAX + 1], err[1024] = "";
    if (system ? sockpath_system(sock, path, sizeof path, err, sizeof err) < 0
               : sockpath_resolve(sock, name, path, sizeof path, err, sizeof err) < 0) {
        ready(ready_fd, err);
        fprintf(stderr, "virtmux server: %s\n", err);
        return 1;
    }
    detach_stdio();
    /* A process group of its own: whoever stops the server by its pid can
     * stop the helpers it runs with it (kill -- -PID). */
    setpgid(0, 0);
    raise_fd_limit();
    signal(SIGTSTP, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    /* libvirt logs warnings to stderr by default; keep only errors. */
    setenv("LIBVIRT_LOG_OUTPUTS", "4:stderr", 0);
    struct app *a = app_new(err, sizeof err);
    /* A system server: every user may connect (0666); the policy decides
     * what each may do, on the peer's credentials. */
    if (!a || loop_init(on_signal, a, err, sizeof err) < 0 ||
        (system && authz_system_start(a, policy, err, sizeof err) < 0) ||
        listen_open(a, path, system ? 0666 : 0600, err, sizeof err) < 0) {
        ready(ready_fd, err);
        fprintf(stderr, "virtmux server: %s\n", err);
        app_free(a);
        return 1;
    }
    fprintf(stderr, "virtmux server %s: pid %d listening on %s\n", VIRTMUX_VERSION, (int)getpid(), path);
    /* Beside the socket, for whoever must stop this very process. */
    char pidfile[SOCKPATH_MAX + 8];
    snprintf(pidfile, sizeof pidfile, "%s.pid", path);
    FILE *pf = fopen(pidfile, "w");
    if (pf) {
        fprintf(pf, "%d\n", (int)getpid());
        fclose(pf);
    }
    char cfg[1024];
    if (config)
        snprintf(cfg, sizeof cfg, "%s", config);
    else
        config_default_path(cfg, sizeof cfg);
    /* A system server's commands come from its policy, not a user's config. */
    int bad = system && !config ? 0 : config_load(a, cfg, config == NULL);
    if (bad > 0)
        app_message(a, true, "%s: %d bad line%s skipped (:show-messages lists them)", cfg, bad, bad == 1 ? "" : "s");
    char saved[1024];
    persist_path(path, saved, sizeof saved);
    /* A system server's sessions belong to users the layout file does not
     * record: they are not brought back after a crash. */
    if (!system)
        persist_restore(a, saved);
    a->sessions_changed = false;
    ready(ready_fd, "ok");

    int rc = 0;
    /* A server nobody comes to (its starter died) does not linger. */
    int idle = system ? -1 : virEventAddTimeout(30000, on_unused, a, NULL);
    while (!a->quit) {
        serve_clients(a);
        if (a->sessions_changed && system)
            a->sessions_changed = false;
        if (a->sessions_changed) {
            a->sessions_changed = false;
            if (persist_save(a, saved) < 0)
                msglog_add(a->log, true, "cannot save the sessions' layout");
        }
        if (a->quit || loop_run_once(err, sizeof err) < 0)
            break;
    }
    if (idle >= 0)
        virEventRemoveTimeout(idle);
    if (board_timer >= 0)
        virEventRemoveTimeout(board_timer);
    if (past_timer >= 0)
        virEventRemoveTimeout(past_timer);
    farewell(a, a->nsessions ? "the virtmux server was stopped" : "");
    /* On purpose: nothing to bring back. */
    unlink(saved);
    listen_close();
    unlink(pidfile);
    fprintf(stderr, "virtmux server %d: stopped\n", (int)getpid());
    app_free(a);
    /* A worker still inside a libvirt call must not run into the libraries'
     * exit-time teardown. */
    if (threads_alive() > 1) {
        fflush(NULL);
        _exit(rc);
    }
    return rc;
}
