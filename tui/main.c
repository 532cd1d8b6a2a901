/* tui/main.c: options, config, start-up, the loop, and a clean terminal on the way out. */
#include "server/app.h"
#include "server/config.h"
#include "server/demo.h"
#include "server/statedir.h"
#include "tui/input.h"
#include "server/loop.h"
#include "tui/term.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#define MAX_URIS 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: virtmux [-c URI]... [-f CONFIG] [--demo] [--mono] [--no-mouse]\n"
            "       virtmux [options] attach [-r|--readonly] [--vnc] DOMAIN\n"
            "       virtmux [options] attach [-r] --vnc-address HOST:PORT|unix:PATH\n"
            "\n"
            "A terminal console multiplexer for libvirt virtual machines.\n"
            "\n"
            "  -c, --connect URI   a libvirt host (repeatable); default: $LIBVIRT_DEFAULT_URI,\n"
            "                      else libvirt's default (e.g. qemu:///system)\n"
            "  -f, --config FILE   config file (default $XDG_CONFIG_HOME/virtmux/config)\n"
            "      --demo          build and boot a tiny guest under qemu:///embed and open\n"
            "                      its serial console\n"
            "  -r, --readonly      with attach: watch the console, never type into it\n"
            "  attach DOMAIN       open straight into DOMAIN's serial console (NAME, UUID\n"
            "                      or HOST/NAME)\n"
            "      --vnc           with attach: its VNC display, shown as text\n"
            "      --vnc-address A the VNC server at A (HOST:PORT, [V6]:PORT or unix:PATH),\n"
            "                      no libvirt needed\n"
            "      --mono          no colours\n"
            "      --no-mouse      leave the mouse to the terminal\n"
            "  -h, --help          this help\n"
            "  -V, --version       the version\n"
            "\n"
            "Keys: ? shows every binding; : opens the command prompt; q quits.\n"
            "See virtmux(1).\n");
}

static void on_signal(int signo, void *opaque)
{
    struct app *a = opaque;
    switch (signo) {
    case SIGWINCH:
        term_resize();
        break;
    case SIGTSTP:
        term_suspend();
        break;
    case SIGCONT:
        term_resize();
        break;
    default: /* SIGTERM, SIGHUP (the ssh session dropped), SIGINT, SIGQUIT */
        a->quit = true;
        break;
    }
    term_size(&a->rows, &a->cols);
    a->dirty = true;
}

static void on_stdin(int watch, int fd, int events, void *opaque)
{
    struct app *a = opaque;
    if (events & (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)) {
        a->quit = true; /* the terminal is gone */
        return;
    }
    struct key_event ev[64];
    size_t n = input_read(ev, 64);
    for (size_t i = 0; i < n && !a->quit; i++) {
        a->mouse_y = ev[i].y;
        a->mouse_x = ev[i].x;
        app_key(a, ev[i].key);
    }
}

/* Library chatter (libvirt, QEMU's embed driver) must not land on the screen. */
static int divert_stderr(void)
{
    int saved = dup(STDERR_FILENO);
    char dir[512], path[600];
    statedir_path(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/virtmux.log", dir);
    /* A first run has no state directory yet: the log must not vanish. */
    statedir_mkdirs(dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    return saved;
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

static void restore_stderr(int saved)
{
    if (saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
}

static void pick_locale(void)
{
    setlocale(LC_ALL, "");
    /* Names and box drawing need UTF-8 even under LANG=C (e.g. a bare ssh). */
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "connect", required_argument, NULL, 'c' },
        { "config", required_argument, NULL, 'f' },
        { "demo", no_argument, NULL, 'D' },
        { "mono", no_argument, NULL, 'm' },
        { "no-mouse", no_argument, NULL, 'M' },
        { "exit-after-paint", no_argument, NULL, 'P' },  /* for bench/list */
        { "readonly", no_argument, NULL, 'r' },
        { "vnc", no_argument, NULL, 'v' },
        { "vnc-address", required_argument, NULL, 'A' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { 0 },
    };
    const char *uris[MAX_URIS];
    int nuris = 0;
    const char *config = NULL;
    bool demo = false, mono = false, no_mouse = false, exit_after_paint = false, readonly = false;
    bool vnc = false;
    const char *vnc_address = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "c:f:rhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (nuris == MAX_URIS) {
                fprintf(stderr, "virtmux: at most %d -c options\n", MAX_URIS);
                return 2;
            }
            uris[nuris++] = optarg;
            break;
        case 'f': config = optarg; break;
        case 'D': demo = true; break;
        case 'm': mono = true; break;
        case 'M': no_mouse = true; break;
        case 'P': exit_after_paint = true; break;
        case 'r': readonly = true; break;
        case 'v': vnc = true; break;
        case 'A': vnc_address = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("virtmux %s\n", VIRTMUX_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    const char *attach = NULL;
    if (optind < argc && strcmp(argv[optind], "attach") == 0 && vnc_address) {
        if (optind + 1 != argc) {
            fprintf(stderr, "virtmux: usage: virtmux [options] attach [-r] --vnc-address ADDR\n");
            return 2;
        }
    } else if (optind < argc && strcmp(argv[optind], "attach") == 0) {
        if (optind + 2 != argc) {
            fprintf(stderr, "virtmux: usage: virtmux [options] attach [-r] DOMAIN\n");
            return 2;
        }
        attach = argv[optind + 1];
    } else if (optind < argc) {
        fprintf(stderr, "virtmux: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (demo && !attach)
        attach = "demo1";
    pick_locale();

    char err[1024] = "";
    char demo_uri[600];
    char *demo_xml = NULL;
    if (demo && demo_prepare(argv[0], demo_uri, sizeof demo_uri, &demo_xml, err, sizeof err) < 0) {
        fprintf(stderr, "virtmux: %s\n", err);
        return 1;
    }

    /* libvirt logs warnings to stderr by default; keep only errors (and stderr
     * itself is diverted to a log file while the screen is ours). */
    setenv("LIBVIRT_LOG_OUTPUTS", "4:stderr", 0);
    struct app *a = app_new(err, sizeof err);
    if (!a || loop_init(on_signal, a, err, sizeof err) < 0) {
        fprintf(stderr, "virtmux: %s\n", err);
        app_free(a);
        free(demo_xml);
        return 1;
    }
    a->colour = !mono;
    a->mouse = !no_mouse;
    a->exit_after_paint = exit_after_paint;
    if (attach) {
        snprintf(a->pending_attach, sizeof a->pending_attach, "%s", attach);
        a->pending_readonly = readonly;
        a->pending_vnc = vnc;
        a->pending_patient = demo;
    }

    char path[1024];
    if (config)
        snprintf(path, sizeof path, "%s", config);
    else
        config_default_path(path, sizeof path);
    int config_errors = config_load(a, path, config == NULL);

    for (int i = 0; i < nuris; i++) {
        char name[128];
        app_host_name_for_uri(a, uris[i], name, sizeof name);
        if (!app_add_host(a, name, uris[i], err, sizeof err))
            app_message(a, true, "%s", err);
    }
    if (demo) {
        struct host *h = app_add_host(a, "demo", demo_uri, err, sizeof err);
        if (!h || host_define_and_start(h, demo_xml, err, sizeof err) < 0)
            app_message(a, true, "demo: %s", err);
        free(demo_xml);
    } else if (nuris == 0 && a->nhosts == 0 && !vnc_address) {
        /* libvirt's own default: $LIBVIRT_DEFAULT_URI, then its probing. */
        const char *env = getenv("LIBVIRT_DEFAULT_URI");
        char name[128];
        app_host_name_for_uri(a, env && *env ? env : NULL, name, sizeof name);
        if (!app_add_host(a, name, env && *env ? env : "", err, sizeof err))
            app_message(a, true, "%s", err);
    }
    if (config_errors > 0)
        app_message(a, true, "%s: %d bad line%s skipped (:show-messages lists them)", path,
                     config_errors, config_errors == 1 ? "" : "s");

    int saved_stderr = divert_stderr();
    if (term_init(a->colour, a->mouse, err, sizeof err) < 0) {
        restore_stderr(saved_stderr);
        fprintf(stderr, "virtmux: %s\n", err);
        app_free(a);
        return 1;
    }
    a->curses_up = true;
    term_size(&a->rows, &a->cols);
    int watch = virEventAddHandle(STDIN_FILENO, VIR_EVENT_HANDLE_READABLE, on_stdin, a, NULL);
    int rc = 0;
    if (watch < 0) {
        snprintf(err, sizeof err, "cannot watch the terminal");
        rc = 1;
    }
    if (vnc_address && app_attach_kind(a, NULL, vnc_address, PANE_VNC, readonly, 0, false, err, sizeof err) < 0)
        app_message(a, true, "%s", err);
    while (rc == 0 && !a->quit) {
        app_read_echo(a);
        app_frame(a);
        if (a->quit)
            break;
        if (loop_run_once(err, sizeof err) < 0)
            rc = 1;
    }
    if (watch >= 0)
        virEventRemoveHandle(watch);
    term_restore();
    a->curses_up = false;
    restore_stderr(saved_stderr);
    if (rc)
        fprintf(stderr, "virtmux: %s\n", err);
    if (demo)
        /* The embedded driver cannot autodestroy: say what is still running. */
        fprintf(stderr, "virtmux: the demo guest keeps running; 'make demo' opens it again, "
                "D in the list destroys it.\n");
    app_free(a);
    /* A worker still inside a libvirt call (a host that did not answer in
     * time) must not run into the libraries' exit-time teardown: leave
     * without it (seen as a crash at exit after a host's daemon restarted). */
    if (threads_alive() > 1) {
        fflush(NULL);
        _exit(rc);
    }
    return rc;
}
