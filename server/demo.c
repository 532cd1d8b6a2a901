/* server/demo.c: finds and runs the guest builder, then hands back what to define where. */
#include "server/demo.h"
#include "server/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Next to the binary (build tree) first, then the installed copy. */
static int find_script(char *out, size_t outlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(out, outlen, "%s/demo/mkguest.sh", exe);
            if (access(out, R_OK) == 0)
                return 0;
        }
    }
    snprintf(out, outlen, "%s/demo/mkguest.sh", VIRTMUX_DATADIR);
    return access(out, R_OK) == 0 ? 0 : -1;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0;
    if (f && getdelim(&buf, &cap, '\0', f) < 0) {
        free(buf);
        buf = NULL;
    }
    if (f)
        fclose(f);
    return buf;
}

static int run_script(const char *script, const char *arg1, const char *arg2)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* Their stdout is a path for scripts; errors still reach stderr. */
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
        execl("/bin/sh", "sh", script, arg1, arg2, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

int demo_prepare(const char *argv0, char *uri, size_t urilen, char **xml, char *err, size_t errlen)
{
    char state[PATH_MAX - 64], guest[PATH_MAX], root[PATH_MAX], script[PATH_MAX], xmlpath[PATH_MAX];
    statedir_path(state, sizeof state);
    snprintf(guest, sizeof guest, "%s/guest", state);
    snprintf(root, sizeof root, "%s/demo", state);
    /* The embedded driver puts sockets under root; sun_path holds 108 bytes. */
    if (strlen(root) > 50) {
        snprintf(err, errlen, "demo: state dir %s is too long for the embedded driver's sockets; "
                 "set XDG_STATE_HOME to a shorter path", state);
        return -1;
    }
    if (statedir_mkdirs(guest) < 0 || statedir_mkdirs(root) < 0) {
        snprintf(err, errlen, "demo: cannot create %s: %s", state, strerror(errno));
        return -1;
    }
    if (find_script(script, sizeof script) < 0) {
        snprintf(err, errlen, "demo: demo/mkguest.sh not found next to %s nor in %s", argv0, VIRTMUX_DATADIR);
        return -1;
    }
    fprintf(stderr, "virtmux: preparing the demo guest in %s ...\n", guest);
    if (run_script(script, guest, "demo1") < 0) {
        snprintf(err, errlen, "demo: %s failed (see above)", script);
        return -1;
    }
    /* The embedded driver reads ROOT/etc/qemu.conf: no virtlogd, no labels. */
    char *slash = strrchr(script, '/');
    snprintf(slash + 1, sizeof script - (size_t)(slash + 1 - script), "embed-root.sh");
    if (run_script(script, root, NULL) < 0) {
        snprintf(err, errlen, "demo: %s failed (see above)", script);
        return -1;
    }
    snprintf(xmlpath, sizeof xmlpath, "%s/demo1.xml", guest);
    *xml = read_file(xmlpath);
    if (!*xml) {
        snprintf(err, errlen, "demo: cannot read %s: %s", xmlpath, strerror(errno));
        return -1;
    }
    snprintf(uri, urilen, "qemu:///embed?root=%s", root);
    return 0;
}
