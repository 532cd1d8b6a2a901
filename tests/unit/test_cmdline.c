/* test_cmdline.c: unit tests for the command-line tokenizer and UTF-8 checks. */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymaps/cmdline.h"
#include "util/utf8.h"

/* Why the last split_is/split_fails_with said no, for the assertion message. */
static char why[512];

/* true when line splits into exactly the words of want (NULL-terminated). */
static bool split_is(const char *line, const char *const *want)
{
    char err[256] = "", **argv;
    int argc, n = 0;
    bool ok = true;

    while (want[n] != NULL)
        n++;
    if (cmdline_split(line, &argc, &argv, err, sizeof err) != 0) {
        snprintf(why, sizeof why, "split(%s) failed: %s", line, err);
        return false;
    }
    if (argc != n) {
        snprintf(why, sizeof why, "split(%s): %d words, want %d", line, argc, n);
        ok = false;
    }
    for (int i = 0; ok && i < n; i++) {
        if (strcmp(argv[i], want[i]) != 0) {
            snprintf(why, sizeof why, "split(%s) word %d: '%s', want '%s'", line, i, argv[i], want[i]);
            ok = false;
        }
    }
    if (ok && n > 0 && argv[n] != NULL) {
        snprintf(why, sizeof why, "split(%s): argv not NULL-terminated", line);
        ok = false;
    }
    cmdline_free(argc, argv);
    return ok;
}

/* true when line fails to split with exactly reason, leaving no words. */
static bool split_fails_with(const char *line, const char *reason)
{
    char err[256] = "", **argv = (char **)1;
    int argc = 99;

    if (cmdline_split(line, &argc, &argv, err, sizeof err) != -1) {
        snprintf(why, sizeof why, "split(%s) should fail", line);
        return false;
    }
    if (argc != 0 || argv != NULL) {
        snprintf(why, sizeof why, "split(%s) failed but left argc %d / argv set", line, argc);
        return false;
    }
    if (strcmp(err, reason) != 0) {
        snprintf(why, sizeof why, "split(%s): reason '%s', want '%s'", line, err, reason);
        return false;
    }
    return true;
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NOWORDS ((const char *const[]){NULL})

Test(cmdline, plain_words)
{
    cr_assert(split_is("bind-key -T list D destroy", WORDS("bind-key", "-T", "list", "D", "destroy")), "%s", why);
    cr_assert(split_is("  \t a   b\t", WORDS("a", "b")), "%s", why);
    cr_assert(split_is("one", WORDS("one")), "%s", why);
}

Test(cmdline, blank_and_comments)
{
    cr_assert(split_is("", NOWORDS), "%s", why);
    cr_assert(split_is("   \t ", NOWORDS), "%s", why);
    cr_assert(split_is("# a comment", NOWORDS), "%s", why);
    cr_assert(split_is("   # indented 'comment \"", NOWORDS), "%s", why);
    cr_assert(split_is("a b # trailing comment", WORDS("a", "b")), "%s", why);
    /* '#' only starts a comment at the start of a word */
    cr_assert(split_is("a#b c#", WORDS("a#b", "c#")), "%s", why);
    cr_assert(split_is("'#' \"#x\" \\#y", WORDS("#", "#x", "#y")), "%s", why);
}

Test(cmdline, quotes)
{
    cr_assert(split_is("say 'hello world'", WORDS("say", "hello world")), "%s", why);
    cr_assert(split_is("'a \\n \" b'", WORDS("a \\n \" b")), "%s", why);
    cr_assert(split_is("\"x \\\" \\\\ \\n \\t y\"", WORDS("x \" \\ \n \t y")), "%s", why);
    cr_assert(split_is("\"it's\"", WORDS("it's")), "%s", why);
    cr_assert(split_is("'' \"\"", WORDS("", "")), "%s", why);
    cr_assert(split_is("a'b c'\"d e\"f", WORDS("ab cd ef")), "%s", why);
    cr_assert(split_is("command-prompt \"host \"", WORDS("command-prompt", "host ")), "%s", why);
    cr_assert(split_is("'é ü' \"日本\"", WORDS("é ü", "日本")), "%s", why);
}

Test(cmdline, backslash_outside_quotes)
{
    cr_assert(split_is("a\\ b", WORDS("a b")), "%s", why);
    cr_assert(split_is("\\'x\\\"", WORDS("'x\"")), "%s", why);
    cr_assert(split_is("\\\\", WORDS("\\")), "%s", why);
    cr_assert(split_is("\\n", WORDS("n")), "%s", why);
}

Test(cmdline, errors)
{
    cr_assert(split_fails_with("say 'hello", "unterminated quote (')"), "%s", why);
    cr_assert(split_fails_with("say \"hello", "unterminated quote (\")"), "%s", why);
    cr_assert(split_fails_with("say \"hello\\", "unterminated quote (\")"), "%s", why);
    cr_assert(split_fails_with("say \"a\\qb\"", "unknown escape '\\q' in double quotes"), "%s", why);
    cr_assert(split_fails_with("trailing \\", "backslash at end of line"), "%s", why);
}

Test(cmdline, too_long)
{
    char *line = malloc(CMDLINE_MAX_LINE + 2);

    cr_assert_not_null(line);
    memset(line, 'x', CMDLINE_MAX_LINE);
    line[CMDLINE_MAX_LINE] = '\0';
    cr_assert(split_is(line, WORDS(line)), "%s", why); /* exactly the limit is fine */
    line[CMDLINE_MAX_LINE] = 'x';
    line[CMDLINE_MAX_LINE + 1] = '\0';
    cr_assert(split_fails_with(line, "line too long (4097 bytes, limit 4096)"), "%s", why);
    free(line);
}

Test(cmdline, too_many_words)
{
    char line[2 * 257 + 1];
    char err[256], **argv;
    int argc;

    for (int i = 0; i < 257; i++) {
        line[2 * i] = 'w';
        line[2 * i + 1] = ' ';
    }
    line[2 * 256] = '\0'; /* 256 words: fine */
    cr_assert_eq(cmdline_split(line, &argc, &argv, err, sizeof err), 0);
    cr_assert_eq(argc, 256);
    cmdline_free(argc, argv);
    line[2 * 256] = 'w';
    line[2 * 256 + 1] = '\0'; /* 257 words */
    cr_assert(split_fails_with(line, "too many words (limit 256)"), "%s", why);
}

Test(cmdline, join_simple)
{
    char *const v[] = {"bind-key", "-T", "list", "D", "destroy"};
    char *s = cmdline_join(5, v);

    cr_assert_str_eq(s, "bind-key -T list D destroy");
    free(s);
    s = cmdline_join(0, NULL);
    cr_assert_str_eq(s, "");
    free(s);
}

Test(cmdline, join_quotes_when_needed)
{
    char *const v[] = {"command-prompt", "host ", "", "#x", "a#b", "it's"};
    char *s = cmdline_join(6, v);

    cr_assert_str_eq(s, "command-prompt 'host ' '' '#x' a#b \"it's\"");
    free(s);
}

Test(cmdline, join_split_round_trip)
{
    char *const v[] = {
        "plain", "",       " ",        "two words",   "it's",      "say \"hi\"", "back\\slash", "\\",
        "'",     "\"",     "#comment", "#",           "tab\there", "new\nline",  "cr\r",        "\"'\\ \n\t'\"",
        "é ü",   "日本語", "-T",       "a'b\"c\\d e",
    };
    int n = (int)(sizeof v / sizeof v[0]);
    char err[256] = "", **argv, *s;
    int argc;

    s = cmdline_join(n, v);
    cr_assert_not_null(s);
    cr_assert_null(strchr(s, '\n'), "joined line must stay one line: %s", s);
    cr_assert_eq(cmdline_split(s, &argc, &argv, err, sizeof err), 0, "%s: %s", s, err);
    cr_assert_eq(argc, n);
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(argv[i], v[i], "word %d of %s", i, s);
    cmdline_free(argc, argv);
    free(s);
}

Test(cmdline, free_null_and_join_nothing)
{
    cmdline_free(0, NULL); /* a no-op, like free(NULL) */
    char *s = cmdline_join(0, NULL);
    cr_assert_str_eq(s, "");
    free(s);
}

Test(utf8, valid_and_invalid)
{
    cr_assert_eq(utf8_valid("", 0), 1);
    cr_assert_eq(utf8_valid("plain ascii", 11), 1);
    cr_assert_eq(utf8_valid("é", strlen("é")), 1);
    cr_assert_eq(utf8_valid("\xf4\x8f\xbf\xbf", 4), 1); /* U+10FFFF */
    cr_assert_eq(utf8_valid("\xed\x9f\xbf", 3), 1);     /* U+D7FF */
    cr_assert_eq(utf8_valid("\xc3", 1), 0);             /* truncated */
    cr_assert_eq(utf8_valid("\x80", 1), 0);             /* stray continuation */
    cr_assert_eq(utf8_valid("\xc0\xaf", 2), 0);         /* overlong '/' */
    cr_assert_eq(utf8_valid("\xe0\x80\xaf", 3), 0);     /* overlong */
    cr_assert_eq(utf8_valid("\xf0\x80\x80\xaf", 4), 0); /* overlong */
    cr_assert_eq(utf8_valid("\xed\xa0\x80", 3), 0);     /* surrogate U+D800 */
    cr_assert_eq(utf8_valid("\xf4\x90\x80\x80", 4), 0); /* U+110000 */
    cr_assert_eq(utf8_valid("\xff", 1), 0);
    cr_assert_eq(utf8_valid("ok\xc3(", 4), 0);
}

Test(utf8, encode_decode_round_trip)
{
    static const uint32_t cps[] = {0x1, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xffff, 0x10000, 0x10ffff};
    char buf[4];
    uint32_t back;

    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        size_t n = utf8_encode(cps[i], buf);
        cr_assert(n >= 1 && n <= 4);
        cr_assert_eq(utf8_decode(buf, n, &back), (int)n);
        cr_assert_eq(back, cps[i]);
    }
    cr_assert_eq(utf8_encode(0xd800, buf), 0);
    cr_assert_eq(utf8_encode(0x110000, buf), 0);
}
