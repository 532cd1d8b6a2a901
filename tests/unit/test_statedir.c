/* test_statedir.c: where virtmux keeps its state, and creating it. */
#include "testutil.h"

#include "server/statedir.h"

#include <stdlib.h>
#include <sys/stat.h>

static void state_of(const char *xdg, const char *home, char *out, size_t outlen)
{
    if (xdg)
        setenv("XDG_STATE_HOME", xdg, 1);
    else
        unsetenv("XDG_STATE_HOME");
    if (home)
        setenv("HOME", home, 1);
    else
        unsetenv("HOME");
    statedir_path(out, outlen);
}

Test(statedir, xdg_then_home_then_tmp)
{
    static const struct {
        const char *xdg, *home, *want;
    } cases[] = {
        {"/x/state", "/home/u", "/x/state/virtmux"},
        {NULL, "/home/u", "/home/u/.local/state/virtmux"},
        {"", "/home/u", "/home/u/.local/state/virtmux"},
        {"rel/state", "/home/u", "/home/u/.local/state/virtmux"}, /* relative: invalid */
        {NULL, NULL, "/tmp/.local/state/virtmux"},
    };
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        state_of(cases[i].xdg, cases[i].home, out, sizeof out);
        cr_assert_str_eq(out, cases[i].want, "case %zu", i);
    }
}

Test(statedir, mkdirs_makes_every_level_and_tolerates_existing)
{
    char base[] = "/tmp/vmx-statedir.XXXXXX", path[256];
    cr_assert_not_null(mkdtemp(base));
    snprintf(path, sizeof path, "%s/a/b/c", base);
    cr_assert_eq(statedir_mkdirs(path), 0);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(statedir_mkdirs(path), 0, "existing directories are fine");
    snprintf(path, sizeof path, "%s/file", base);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/file/sub", base);
    cr_assert_eq(statedir_mkdirs(path), -1, "a file in the way is an error");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    cr_assert_eq(system(cmd), 0);
}
