/* tui/main.c: the command line: which server, which commands to run there,
 * and whether this process shows a screen, prints, or is the server itself. */
#include "tui/client.h"

#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: virtmux [options]                          the last session (or a new one)\n"
            "       virtmux [options] attach [-r] [--vnc] DOMAIN   ... showing DOMAIN's console\n"
            "       virtmux [options] attach [-r] --vnc-address HOST:PORT|unix:PATH\n"
            "       virtmux [options] attach-session [-t NAME] [-r]\n"
            "       virtmux [options] new-session [-s NAME] [-d]\n"
            "       virtmux [options] list-sessions | kill-session [-t NAME] | kill-server\n"
            "       virtmux [options] COMMAND [ARG]...          any command (start DOMAIN, ...)\n"
            "\n"
            "A terminal console multiplexer for libvirt virtual machines. The consoles\n"
            "live in a server (started by the first virtmux); closing the terminal\n"
            "detaches, and virtmux brings the session back.\n"
            "\n"
            "  -c, --connect URI   a libvirt host (repeatable); default: $LIBVIRT_DEFAULT_URI,\n"
            "                      else libvirt's default (e.g. qemu:///system)\n"
            "  -f, --config FILE   config file of a server this starts\n"
            "                      (default $XDG_CONFIG_HOME/virtmux/config)\n"
            "  -L NAME             the server named NAME (default: default)\n"
            "  -S PATH             the server on socket PATH\n"
            "      --demo          build and boot a tiny guest under qemu:///embed and open\n"
            "                      its serial console\n"
            "  -r, --readonly      with attach: watch the console, never type into it\n"
            "      --vnc           with attach: its VNC display, shown as text\n"
            "      --vnc-address A the VNC server at A (HOST:PORT, [V6]:PORT or unix:PATH),\n"
            "                      no libvirt needed\n"
            "      --mono          no colours\n"
            "      --no-mouse      leave the mouse to the terminal\n"
            "  -h, --help          this help\n"
            "  -V, --version       the version\n"
            "\n"
            "Keys: ? shows every binding; : opens the command prompt; C-] d detaches;\n"
            "q closes the session. See virtmux(1).\n");
}

static void pick_locale(void)
{
    setlocale(LC_ALL, "");
    /* Names and box drawing need UTF-8 even under LANG=C (e.g. a bare ssh). */
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
}

static int add_cmd(struct client_opts *o, int argc, char **argv)
{
    if (o->ncmds == HELLO_MAX_CMDS || argc > HELLO_MAX_ARGS) {
        fprintf(stderr, "virtmux: too many commands or arguments\n");
        return -1;
    }
    char **copy = calloc((size_t)argc + 1, sizeof *copy);
    if (!copy)
        return -1;
    for (int i = 0; i < argc; i++)
        copy[i] = argv[i];
    o->argc[o->ncmds] = argc;
    o->argv[o->ncmds++] = copy;
    return 0;
}

#define CMD(...) do { char *v_[] = { __VA_ARGS__ }; \
        if (add_cmd(&o, (int)(sizeof v_ / sizeof v_[0]), v_) < 0) return 2; } while (0)

/* Commands whose client shows a screen. */
static bool interactive(const char *cmd)
{
    return !cmd || !strcmp(cmd, "attach") || !strcmp(cmd, "attach-session") || !strcmp(cmd, "new-session");
}

int main(int argc, char **argv)
{
    pick_locale();
    if (argc > 1 && strcmp(argv[1], "server") == 0)
        return client_exec_server(argc - 1, argv + 1);
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
    struct client_opts o = { 0 };
    char *uris[HELLO_MAX_CMDS];
    int nuris = 0, c;
    bool demo = false, readonly = false, vnc = false;
    char *vnc_address = NULL;
    /* '+': options stop at the command; its own flags are the server's to read. */
    while ((c = getopt_long(argc, argv, "+c:f:L:S:rhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (nuris == HELLO_MAX_CMDS - 8) {
                fprintf(stderr, "virtmux: too many -c options\n");
                return 2;
            }
            uris[nuris++] = optarg;
            break;
        case 'f': o.config = optarg; break;
        case 'L': o.socket_name = optarg; break;
        case 'S': o.socket_path = optarg; break;
        case 'D': demo = true; break;
        case 'm': o.mono = true; break;
        case 'M': o.no_mouse = true; break;
        case 'P': o.exit_after_paint = true; break;
        case 'r': readonly = true; break;
        case 'v': vnc = true; break;
        case 'A': vnc_address = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("virtmux %s\n", VIRTMUX_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    const char *cmd = optind < argc ? argv[optind] : NULL;
    /* attach [-r] [--vnc] DOMAIN | attach [-r] --vnc-address A: the flags may
     * come after the word too, as they always could. */
    if (cmd && !strcmp(cmd, "attach")) {
        int i = optind + 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
            if (!strcmp(argv[i], "-r") || !strcmp(argv[i], "--readonly"))
                readonly = true;
            else if (!strcmp(argv[i], "--vnc"))
                vnc = true;
            else if (!strcmp(argv[i], "--vnc-address") && i + 1 < argc)
                vnc_address = argv[++i];
            else
                break;
        }
        if ((vnc_address && i != argc) || (!vnc_address && i + 1 != argc)) {
            fprintf(stderr, "virtmux: usage: virtmux [options] attach [-r] [--vnc] DOMAIN\n"
                            "                virtmux [options] attach [-r] --vnc-address ADDR\n");
            return 2;
        }
        optind = vnc_address ? argc : i;
    } else if (!cmd && vnc_address) {
        cmd = "attach";
    }
    o.command_mode = !interactive(cmd) && !demo;
    o.start_server = interactive(cmd) || demo || (cmd && !strcmp(cmd, "new-session"));
    for (int i = 0; i < nuris; i++)
        CMD("connect", uris[i]);
    if (!nuris && !demo && !vnc_address) {
        const char *env = getenv("LIBVIRT_DEFAULT_URI");
        if (env && *env)
            CMD("connect-default", (char *)env);
        else
            CMD("connect-default");
    }
    if (o.command_mode) {
        if (add_cmd(&o, argc - optind, argv + optind) < 0)
            return 2;
        return client_run(&o);
    }
    if (cmd && !strcmp(cmd, "new-session")) {
        if (add_cmd(&o, argc - optind, argv + optind) < 0)
            return 2;
        for (int i = optind + 1; i < argc; i++)
            if (!strcmp(argv[i], "-d"))
                o.command_mode = true;   /* created, not shown */
        return client_run(&o);
    }
    if (cmd && !strcmp(cmd, "attach-session")) {
        if (add_cmd(&o, argc - optind, argv + optind) < 0)
            return 2;
    } else {
        CMD("attach-session");
    }
    if (demo)
        CMD("demo");
    char *a[8];
    int n = 0;
    a[n++] = "attach";
    if (readonly)
        a[n++] = "-r";
    if (vnc_address) {
        a[n++] = "--vnc-address";
        a[n++] = vnc_address;
    } else if (cmd && !strcmp(cmd, "attach")) {
        if (vnc)
            a[n++] = "--vnc";
        a[n++] = argv[optind];
    } else if (demo) {
        if (vnc)
            a[n++] = "--vnc";
        a[n++] = "-w";
        a[n++] = "demo1";
    }
    if (n > 1 && add_cmd(&o, n, a) < 0)
        return 2;
    return client_run(&o);
}
