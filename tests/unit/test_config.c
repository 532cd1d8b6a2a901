/* test_config.c: the config file (tui/config.c): every line through the command
 * language, bad lines reported as "PATH:LINE: reason", good lines still applied. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "keymaps/keymap.h"
#include "server/app.h"
#include "server/config.h"
#include "views/domlist.h"
#include "views/messages.h"

static struct app *A;

static const char *last_message(void);

static void setup(void)
{
    char err[256] = "";

    test_virt_init();
    A = app_new(err, sizeof err);
    cr_assert_not_null(A, "app_new: %s", err);
    cr_assert_eq(msglog_count(A->log), 0, "app_new said: %s", last_message());
}

/* The newest message in the log ("" when none), without its time stamp. */
static const char *last_message(void)
{
    size_t n = msglog_count(A->log);
    const char *t = n ? msglog_text(A->log, n - 1, NULL) : NULL;

    return t && strlen(t) > 9 ? t + 9 : "";
}

static void teardown(void)
{
    app_free(A);
    A = NULL;
}

/* Message i of the log without its "HH:MM:SS " stamp; it must be an error. */
static const char *log_error(size_t i)
{
    bool error = false;
    const char *t;

    cr_assert_lt(i, msglog_count(A->log));
    t = msglog_text(A->log, i, &error);
    cr_assert_not_null(t);
    cr_assert_geq(strlen(t), 9, "%s", t);
    cr_assert(t[2] == ':' && t[5] == ':' && t[8] == ' ', "no time stamp: %s", t);
    cr_assert(error, "not an error: %s", t);
    return t + 9;
}

static void expect_log(size_t i, const char *path, int line, const char *reason)
{
    char want[1024];

    snprintf(want, sizeof want, "%s:%d: %s", path, line, reason);
    cr_assert_str_eq(log_error(i), want);
}

static const char mixed[] = "# virtmux config\n"                 /* 1 */
                            "set sort state\n"                   /* 2 */
                            "frobnicate now\n"                   /* 3 bad */
                            "\n"                                 /* 4 */
                            "display-message \"unterminated\n"   /* 5 bad */
                            "bind-key -T list x quit\n"          /* 6 */
                            "display-message caf\xc3 \xff\xfe\n" /* 7 bad: not UTF-8 */
                            "bind-key NoSuchKey quit\n"          /* 8 bad */
                            "set colour off\r\n"                 /* 9 CRLF is fine */
                            "set reconnect-max 0\n"              /* 10 bad */
                            "  # indented comment\n"             /* 11 */
                            "bind-key y nosuchcommand\n"         /* 12 bad */
                            "set mouse off";                     /* 13, no newline at the end */

Test(config, bad_lines_are_counted_and_reported_with_their_line, .init = setup, .fini = teardown)
{
    char *path = test_write_tmp(mixed, sizeof mixed - 1);
    const struct binding *b;

    cr_assert_eq(config_load(A, path, false), 6);

    cr_assert_eq(msglog_count(A->log), 6);
    expect_log(0, path, 3, "unknown command 'frobnicate'");
    expect_log(1, path, 5, "unterminated quote (\")");
    expect_log(2, path, 7, "not valid UTF-8");
    expect_log(3, path, 8, "unknown key 'NoSuchKey'");
    expect_log(4, path, 10, "set reconnect-max: '0' is not a number of seconds from 1 to 3600");
    expect_log(5, path, 12, "unknown command 'nosuchcommand'");

    /* The good lines around them took effect, the last one without a newline too. */
    cr_assert_str_eq(A->opt.sort, "state");
    cr_assert_not(A->opt.colour);
    cr_assert_not(A->opt.mouse);
    cr_assert_eq(A->opt.reconnect_max, 60);
    b = keymap_lookup(A->km, "list", 'x');
    cr_assert_not_null(b);
    cr_assert_str_eq(b->command, "quit");
    b = keymap_lookup(A->km, "list", 'y');
    cr_assert(b == NULL || strcmp(b->command, "nosuchcommand") != 0);

    unlink(path);
    free(path);
}

Test(config, nul_byte_in_a_line, .init = setup, .fini = teardown)
{
    static const char text[] = "set sort host\nset sort\0 name\nset mouse off\n";
    char *path = test_write_tmp(text, sizeof text - 1);

    cr_assert_eq(config_load(A, path, false), 1);
    cr_assert_eq(msglog_count(A->log), 1);
    expect_log(0, path, 2, "line contains a NUL byte");
    cr_assert_str_eq(A->opt.sort, "host");
    cr_assert_not(A->opt.mouse);
    unlink(path);
    free(path);
}

Test(config, good_file_is_silent, .init = setup, .fini = teardown)
{
    static const char text[] = "# nothing wrong here\n\nset sort host\nbind-key -N 'quit' -T list Q quit\n"
                               "set reconnect-max 30\nunbind-key Q\n";
    char *path = test_write_tmp(text, sizeof text - 1);

    cr_assert_eq(config_load(A, path, false), 0);
    cr_assert_eq(msglog_count(A->log), 0, "said: %s", last_message());
    cr_assert_str_eq(A->opt.sort, "host");
    cr_assert_eq(A->opt.reconnect_max, 30);
    unlink(path);
    free(path);
}

Test(config, empty_file, .init = setup, .fini = teardown)
{
    char *path = test_write_tmp("", 0);

    cr_assert_eq(config_load(A, path, false), 0);
    cr_assert_eq(msglog_count(A->log), 0);
    unlink(path);
    free(path);
}

Test(config, long_line_is_one_bad_line, .init = setup, .fini = teardown)
{
    size_t n = 10000;
    char *text = malloc(n + 64);
    char *path;

    cr_assert_not_null(text);
    strcpy(text, "display-message ");
    memset(text + 16, 'a', n);
    strcpy(text + 16 + n, "\nset sort host\n");
    path = test_write_tmp(text, strlen(text));
    cr_assert_eq(config_load(A, path, false), 1);
    cr_assert_eq(msglog_count(A->log), 1);
    cr_assert(strncmp(log_error(0), path, strlen(path)) == 0);
    cr_assert(strstr(log_error(0), ":1: line too long"), "%s", log_error(0));
    cr_assert_str_eq(A->opt.sort, "host");
    unlink(path);
    free(path);
    free(text);
}

Test(config, missing_file, .init = setup, .fini = teardown)
{
    const char *path = "/tmp/virtmux-test-no-such-dir/config";

    cr_assert_eq(config_load(A, path, true), 0);
    cr_assert_eq(msglog_count(A->log), 0);

    cr_assert_eq(config_load(A, path, false), -1);
    cr_assert_eq(msglog_count(A->log), 1);
    cr_assert_str_eq(log_error(0), "/tmp/virtmux-test-no-such-dir/config: No such file or directory");
}

Test(config, source_file_nested, .init = setup, .fini = teardown)
{
    static const char inner[] = "set sort host\nnosuch-inner\n";
    char *inner_path = test_write_tmp(inner, sizeof inner - 1);
    char outer[512];
    char *outer_path;

    snprintf(outer, sizeof outer,
             "source-file %s\n"
             "source-file /tmp/virtmux-test-no-such-dir/x\n"
             "set mouse off\n",
             inner_path);
    outer_path = test_write_tmp(outer, strlen(outer));

    /* The inner bad line is the inner file's; the outer file's only bad
	   line is the source-file it could not read. */
    cr_assert_eq(config_load(A, outer_path, false), 1);
    cr_assert_eq(msglog_count(A->log), 3);
    expect_log(0, inner_path, 2, "unknown command 'nosuch-inner'");
    cr_assert_str_eq(log_error(1), "/tmp/virtmux-test-no-such-dir/x: No such file or directory");
    expect_log(2, outer_path, 2, "source-file: cannot read /tmp/virtmux-test-no-such-dir/x");
    cr_assert_str_eq(A->opt.sort, "host");
    cr_assert_not(A->opt.mouse);

    unlink(inner_path);
    unlink(outer_path);
    free(inner_path);
    free(outer_path);
}

Test(config, default_path)
{
    char out[512];

    cr_assert_eq(setenv("XDG_CONFIG_HOME", "/xdg", 1), 0);
    cr_assert_eq(setenv("HOME", "/home/u", 1), 0);
    config_default_path(out, sizeof out);
    cr_assert_str_eq(out, "/xdg/virtmux/config");
    cr_assert_eq(setenv("XDG_CONFIG_HOME", "", 1), 0);
    config_default_path(out, sizeof out);
    cr_assert_str_eq(out, "/home/u/.config/virtmux/config");
    cr_assert_eq(unsetenv("XDG_CONFIG_HOME"), 0);
    config_default_path(out, sizeof out);
    cr_assert_str_eq(out, "/home/u/.config/virtmux/config");
}

/* BUG (tui/config.c config_load): fopen() succeeds on a directory and the
   failing getline() is taken for the end of the file: no error at all. */
Test(config, directory_is_an_error, .init = setup, .fini = teardown)
{
    char dir[] = "/tmp/virtmux-test-dir-XXXXXX";
    int rc;

    cr_assert_not_null(mkdtemp(dir));
    rc = config_load(A, dir, true);
    rmdir(dir);
    cr_assert_eq(rc, -1, "a directory read as an empty config (rc %d, %zu messages)", rc, msglog_count(A->log));
    cr_assert_eq(msglog_count(A->log), 1);
    cr_assert(strstr(log_error(0), "Is a directory"), "%s", log_error(0));
}

/* BUG (tui/config.c config_load / command.c cmd_source_file): a file that
   sources itself recurses until the stack overflows. */
Test(config, source_file_recursion_ends, .init = setup, .fini = teardown, .timeout = 60)
{
    char *path = test_write_tmp("", 0);
    char text[256];
    FILE *f;
    int rc;

    snprintf(text, sizeof text, "set sort host\nsource-file %s\n", path);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    rc = config_load(A, path, false);
    cr_assert_geq(rc, 0);
    /* Said so, without a message per level of a thousand. */
    cr_assert_gt(msglog_count(A->log), 0);
    cr_assert_leq(msglog_count(A->log), 64, "%zu messages", msglog_count(A->log));
    cr_assert(strstr(last_message(), path), "%s", last_message());
    cr_assert_str_eq(A->opt.sort, "host");
    unlink(path);
    free(path);
}
