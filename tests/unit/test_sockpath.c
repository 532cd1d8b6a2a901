/* test_sockpath.c: where the server's socket lives, and the directories refused. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "proto/sockpath.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/vmx-sockpath-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("XDG_RUNTIME_DIR", dir, 1);
}

static void teardown(void)
{
    char sub[128];
    snprintf(sub, sizeof sub, "%s/virtmux", dir);
    chown(sub, getuid(), getgid());
    rmdir(sub);
    rmdir(dir);
}

Test(sockpath, names_and_paths, .init = setup, .fini = teardown)
{
    char out[SOCKPATH_MAX + 1], err[300], want[200];
    cr_assert_eq(sockpath_resolve(NULL, NULL, out, sizeof out, err, sizeof err), 0, "%s", err);
    snprintf(want, sizeof want, "%s/virtmux/default", dir);
    cr_assert_str_eq(out, want);
    struct stat st;
    cr_assert_eq(stat(dir, &st), 0);
    snprintf(want, sizeof want, "%s/virtmux", dir);
    cr_assert_eq(stat(want, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700, "created private");
    cr_assert_eq(sockpath_resolve(NULL, "lab", out, sizeof out, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s/virtmux/lab", dir);
    cr_assert_str_eq(out, want);
    cr_assert_eq(sockpath_resolve("/run/x/sock", "ignored", out, sizeof out, err, sizeof err), 0);
    cr_assert_str_eq(out, "/run/x/sock", "-S wins");
    cr_assert_eq(sockpath_resolve(NULL, "../etc", out, sizeof out, err, sizeof err), -1);
    cr_assert_str_eq(err, "-L ../etc: a name, not a path (-S takes a path)");
    char longpath[200];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    cr_assert_eq(sockpath_resolve(longpath, NULL, out, sizeof out, err, sizeof err), -1);
}

Test(sockpath, a_directory_others_can_reach_is_refused, .init = setup, .fini = teardown)
{
    char sub[128], out[SOCKPATH_MAX + 1], err[300], want[300];
    snprintf(sub, sizeof sub, "%s/virtmux", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    chmod(sub, 0755);
    cr_assert_eq(sockpath_resolve(NULL, NULL, out, sizeof out, err, sizeof err), -1);
    snprintf(want, sizeof want,
             "%s has mode 755: others could reach your consoles; refusing "
             "(chmod 700 it, or remove it)",
             sub);
    cr_assert_str_eq(err, want);
    chmod(sub, 0700);
    cr_assert_eq(sockpath_resolve(NULL, NULL, out, sizeof out, err, sizeof err), 0, "%s", err);
    if (getuid() == 0) {
        cr_assert_eq(chown(sub, 65534, 65534), 0);
        cr_assert_eq(sockpath_resolve(NULL, NULL, out, sizeof out, err, sizeof err), -1);
        snprintf(want, sizeof want, "%s belongs to uid 65534, not to you (uid 0): refusing to use it", sub);
        cr_assert_str_eq(err, want);
    }
}

Test(sockpath, a_file_in_place_of_the_directory_is_refused, .init = setup, .fini = teardown)
{
    char sub[128], out[SOCKPATH_MAX + 1], err[300];
    snprintf(sub, sizeof sub, "%s/virtmux", dir);
    FILE *f = fopen(sub, "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(sockpath_resolve(NULL, NULL, out, sizeof out, err, sizeof err), -1);
    cr_assert(strstr(err, "is not a directory"), "%s", err);
    unlink(sub);
}
