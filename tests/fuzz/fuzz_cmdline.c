/* tests/fuzz/fuzz_cmdline.c: libFuzzer target for the command language: the
 * tokenizer (keymaps/cmdline.c) and the one flag parser (server/command.c's
 * command_parse) that the config file, binding files, the ':' prompt and the
 * command line all go through.
 *
 * Input: byte 0 picks a command of the table (when the line's first word is
 * not one); the rest is one line. Aborts when:
 *   - a split line is not argc words, NUL-terminated, argv[argc] NULL, at most
 *     CMDLINE_MAX_WORDS, or split fails without saying why;
 *   - split(join(words)) is not the same words (the round trip cmdline.h promises);
 *   - command_parse succeeds but a flag it set is not declared, a value flag
 *     has no value, the arguments are not the tail of argv or outside
 *     min_args..max_args; or it fails without a reason;
 *   - the parse, written back canonically ("-f", "-t VALUE" in declaration
 *     order, "--", the arguments) and parsed again, differs;
 *   - command_check disagrees with command_parse on a known name.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymaps/cmdline.h"
#include "server/command.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_cmdline: %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

static void check_split(int argc, char **argv)
{
    CHECK(argc >= 0 && argc <= CMDLINE_MAX_WORDS, "argc %d", argc);
    CHECK(argc == 0 || argv, "argc %d and no argv", argc);
    if (argv)
        CHECK(argv[argc] == NULL, "argv[%d] is not NULL", argc);
    for (int i = 0; i < argc; i++)
        CHECK(argv[i] && strlen(argv[i]) < CMDLINE_MAX_LINE, "word %d", i);
}

static void round_trip(int argc, char **argv)
{
    char *line = cmdline_join(argc, argv);
    CHECK(line, "join failed");
    int argc2;
    char **argv2;
    char err[256] = "";
    int rc = cmdline_split(line, &argc2, &argv2, err, sizeof err);
    CHECK(rc == 0, "split(join) failed: %s: [%s]", err, line);
    CHECK(argc2 == argc, "split(join) gave %d words, not %d: [%s]", argc2, argc, line);
    for (int i = 0; i < argc; i++)
        CHECK(!strcmp(argv[i], argv2[i]), "word %d: '%s' came back as '%s' through [%s]", i, argv[i], argv2[i], line);
    cmdline_free(argc2, argv2);
    free(line);
}

static bool declared(const struct cmd_entry *c, char f, bool *value)
{
    const char *p = f && f != ':' ? strchr(c->flags, f) : NULL;
    if (p)
        *value = p[1] == ':';
    return p != NULL;
}

static void check_args(const struct cmd_entry *c, int argc, char **argv, const struct cmd_args *a)
{
    CHECK(a->name == c->name, "name");
    CHECK(a->argc >= c->min_args && (c->max_args < 0 || a->argc <= c->max_args), "%s: %d arguments", c->name,
          a->argc);
    CHECK(a->argc <= argc - 1 && a->argv == argv + (argc - a->argc), "%s: arguments are not argv's tail", c->name);
    for (int f = 0; f < 128; f++) {
        if (!a->flag[f])
            continue;
        bool value = false;
        CHECK(declared(c, (char)f, &value), "%s: flag -%c set but not declared", c->name, f);
        CHECK(value || !*a->flag[f], "%s: -%c has a value '%s' but takes none", c->name, f, a->flag[f]);
    }
}

/* The parse written back as "NAME -f -t VALUE -- ARGS", parsed again. */
static void reparse(const struct cmd_entry *c, const struct cmd_args *a)
{
    char *argv[2 * 128 + CMDLINE_MAX_WORDS + 4];
    char flagw[128][3];
    int n = 0;
    argv[n++] = (char *)c->name;
    for (const char *p = c->flags; *p; p++) {
        if (*p == ':' || !a->flag[(unsigned char)*p])
            continue;
        snprintf(flagw[(unsigned char)*p], 3, "-%c", *p);
        argv[n++] = flagw[(unsigned char)*p];
        if (p[1] == ':')
            argv[n++] = (char *)a->flag[(unsigned char)*p];
    }
    argv[n++] = "--";
    for (int i = 0; i < a->argc; i++)
        argv[n++] = a->argv[i];
    argv[n] = NULL;
    struct cmd_args b;
    char err[512] = "";
    CHECK(command_parse(c, n, argv, &b, err, sizeof err) == 0, "%s: the canonical form does not parse: %s", c->name,
          err);
    CHECK(b.argc == a->argc, "%s: %d arguments, then %d", c->name, a->argc, b.argc);
    for (int i = 0; i < a->argc; i++)
        CHECK(!strcmp(a->argv[i], b.argv[i]), "%s: argument %d", c->name, i);
    for (int f = 0; f < 128; f++)
        CHECK((!a->flag[f] && !b.flag[f]) || (a->flag[f] && b.flag[f] && !strcmp(a->flag[f], b.flag[f])),
              "%s: -%c differs after writing it back", c->name, f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > CMDLINE_MAX_LINE)
        return 0;
    char *line = malloc(size);
    if (!line)
        return 0;
    memcpy(line, data + 1, size - 1);
    line[size - 1] = '\0';

    int argc = -1;
    char **argv = NULL;
    char err[512] = "";
    if (cmdline_split(line, &argc, &argv, err, sizeof err) < 0) {
        CHECK(*err, "split failed without a reason");
        free(line);
        return 0;
    }
    check_split(argc, argv);
    round_trip(argc, argv);
    if (argc > 0) {
        /* The line's own command if it names one, else the table's entry data[0]. */
        const struct cmd_entry *c = command_find(argv[0]);
        bool known = c != NULL;
        if (!c)
            c = command_at(data[0] % command_count());
        struct cmd_args a;
        err[0] = '\0';
        int rc = command_parse(c, argc, argv, &a, err, sizeof err);
        CHECK(rc == 0 || rc == -1, "command_parse returned %d", rc);
        if (rc == 0) {
            check_args(c, argc, argv, &a);
            reparse(c, &a);
        } else {
            CHECK(*err, "%s: refused without a reason", c->name);
        }
        if (known)
            CHECK(command_check(argc, argv, err, sizeof err, NULL) == rc, "command_check disagrees");
    }
    cmdline_free(argc, argv);
    free(line);
    return 0;
}
