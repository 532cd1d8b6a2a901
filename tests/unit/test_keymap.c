/* test_keymap.c: unit tests for key names, binding tables, binding files and default.keys. */
#include "testutil.h"

#include <unistd.h>

#include "keymaps/key.h"
#include "keymaps/keyfile.h"
#include "keymaps/keymap.h"

extern const char default_keys_text[];

static const char *keystr(key_code k)
{
    static char buf[KEY_STRING_MAX];

    if (key_code_to_string(k, buf, sizeof buf) != 0)
        return "(invalid)";
    return buf;
}

/* ---- key strings ---- */

Test(key, plain_and_control)
{
    cr_assert_eq(key_string_to_code("a"), 'a');
    cr_assert_eq(key_string_to_code("A"), 'A');
    cr_assert_eq(key_string_to_code("?"), '?');
    cr_assert_eq(key_string_to_code("-"), '-');
    cr_assert_eq(key_string_to_code("^"), '^');
    cr_assert_eq(key_string_to_code("C-a"), 'a' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("C-A"), 'a' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("c-a"), 'a' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("^a"), 'a' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("^A"), 'a' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("C-]"), ']' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("C-\\"), '\\' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("C-^"), '^' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("^^"), '^' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("C-_"), '_' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("C--"), '-' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("C-Space"), ' ' | KEYC_CTRL);
    cr_assert_eq(key_string_to_code("M-x"), 'x' | KEYC_META);
    cr_assert_eq(key_string_to_code("M-X"), 'X' | KEYC_META);
    cr_assert_eq(key_string_to_code("C-M-x"), 'x' | KEYC_CTRL | KEYC_META);
    cr_assert_eq(key_string_to_code("M-C-x"), 'x' | KEYC_CTRL | KEYC_META);
    cr_assert_eq(key_string_to_code("S-a"), 'A');
    cr_assert_eq(key_string_to_code("M-S-a"), 'A' | KEYC_META);
    cr_assert_eq(key_string_to_code("C-S-a"), 'a' | KEYC_CTRL | KEYC_SHIFT);
    cr_assert_eq(key_string_to_code("S-Tab"), KEYC_BTAB);
}

Test(key, named_keys)
{
    cr_assert_eq(key_string_to_code("Up"), KEYC_UP);
    cr_assert_eq(key_string_to_code("up"), KEYC_UP);
    cr_assert_eq(key_string_to_code("S-Up"), KEYC_UP | KEYC_SHIFT);
    cr_assert_eq(key_string_to_code("PageUp"), KEYC_PPAGE);
    cr_assert_eq(key_string_to_code("PgUp"), KEYC_PPAGE);
    cr_assert_eq(key_string_to_code("PPage"), KEYC_PPAGE);
    cr_assert_eq(key_string_to_code("pagedown"), KEYC_NPAGE);
    cr_assert_eq(key_string_to_code("PgDn"), KEYC_NPAGE);
    cr_assert_eq(key_string_to_code("NPage"), KEYC_NPAGE);
    cr_assert_eq(key_string_to_code("IC"), KEYC_IC);
    cr_assert_eq(key_string_to_code("Insert"), KEYC_IC);
    cr_assert_eq(key_string_to_code("DC"), KEYC_DC);
    cr_assert_eq(key_string_to_code("Delete"), KEYC_DC);
    cr_assert_eq(key_string_to_code("BSpace"), KEYC_BSPACE);
    cr_assert_eq(key_string_to_code("BTab"), KEYC_BTAB);
    cr_assert_eq(key_string_to_code("Enter"), '\r');
    cr_assert_eq(key_string_to_code("ENTER"), '\r');
    cr_assert_eq(key_string_to_code("Escape"), '\033');
    cr_assert_eq(key_string_to_code("Tab"), '\t');
    cr_assert_eq(key_string_to_code("Space"), ' ');
    cr_assert_eq(key_string_to_code("F1"), KEYC_F1);
    cr_assert_eq(key_string_to_code("f12"), KEYC_F12);
    cr_assert_eq(key_string_to_code("MouseDown1"), KEYC_MOUSE1);
    cr_assert_eq(key_string_to_code("Click"), KEYC_MOUSE1);
    cr_assert_eq(key_string_to_code("WheelUp"), KEYC_WHEELUP);
    cr_assert_eq(key_string_to_code("WheelDown"), KEYC_WHEELDOWN);
    cr_assert_eq(key_string_to_code("C-M-S-F5"), KEYC_F5 | KEYC_MODS);
}

Test(key, utf8_keys)
{
    cr_assert_eq(key_string_to_code("é"), 0xe9);
    cr_assert_eq(key_string_to_code("ü"), 0xfc);
    cr_assert_eq(key_string_to_code("€"), 0x20ac);
    cr_assert_eq(key_string_to_code("😀"), 0x1f600);
    cr_assert_eq(key_string_to_code("M-é"), 0xe9 | KEYC_META);
    cr_assert_str_eq(keystr(0xe9), "é");
    cr_assert_str_eq(keystr(0x1f600 | KEYC_CTRL), "C-😀");
}

Test(key, invalid_strings)
{
    static const char *const bad[] = {
        "",
        "C-",
        "M-",
        "C-M-",
        "^",
        "Foo",
        "ab",
        "F13",
        "F0",
        "Up2",
        "X-a",
        "--",
        "C-Foo",
        "\xc3",
        "\xc3\xa9x",
        "\xed\xa0\x80",
        "\x01",
        "\x7f",
        "\xc2\x85" /* C1 control */,
        "\n",
    };

    cr_assert_eq(key_string_to_code(NULL), KEYC_NONE);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (i == 4)
            continue; /* "^" alone is the caret key, checked below */
        cr_assert_eq(key_string_to_code(bad[i]), KEYC_NONE, "'%s' should be invalid", bad[i]);
    }
    cr_assert_eq(key_string_to_code("^"), '^');
}

Test(key, canonical_strings)
{
    cr_assert_str_eq(keystr('a' | KEYC_CTRL), "C-a");
    cr_assert_str_eq(keystr('x' | KEYC_META | KEYC_CTRL), "C-M-x");
    cr_assert_str_eq(keystr(KEYC_UP | KEYC_SHIFT | KEYC_CTRL | KEYC_META), "C-M-S-Up");
    cr_assert_str_eq(keystr(KEYC_PPAGE), "PageUp");
    cr_assert_str_eq(keystr(KEYC_NPAGE), "PageDown");
    cr_assert_str_eq(keystr('\r'), "Enter");
    cr_assert_str_eq(keystr('\033'), "Escape");
    cr_assert_str_eq(keystr(' '), "Space");
    cr_assert_str_eq(keystr('\t'), "Tab");
    cr_assert_str_eq(keystr(KEYC_BSPACE), "BSpace");
    cr_assert_str_eq(keystr(KEYC_F5), "F5");
    cr_assert_str_eq(keystr(KEYC_MOUSE1), "Click");
    cr_assert_str_eq(keystr('?'), "?");
    cr_assert_str_eq(keystr(']' | KEYC_CTRL), "C-]");
}

Test(key, to_string_errors)
{
    char buf[KEY_STRING_MAX] = "junk", small[3] = "zz";

    cr_assert_eq(key_code_to_string(KEYC_NONE, buf, sizeof buf), -1);
    cr_assert_str_eq(buf, "");
    cr_assert_eq(key_code_to_string(0x01, buf, sizeof buf), -1); /* raw control */
    cr_assert_eq(key_code_to_string(KEYC_LAST + 1, buf, sizeof buf), -1);
    cr_assert_eq(key_code_to_string(0x110000, buf, sizeof buf), -1);
    cr_assert_eq(key_code_to_string(KEYC_PPAGE, small, sizeof small), -1);
    cr_assert_str_eq(small, "");
    cr_assert_eq(key_code_to_string('a' | KEYC_CTRL, small, sizeof small), -1);
    cr_assert_eq(key_code_to_string('a', small, sizeof small), 0);
    cr_assert_str_eq(small, "a");
}

/* Round trip every special key and every ASCII character with every modifier set. */
Test(key, round_trip_all)
{
    char buf[KEY_STRING_MAX];
    int checked = 0;

    for (key_code mods = 0; mods <= 7; mods++) {
        key_code m = (mods & 1 ? KEYC_CTRL : 0) | (mods & 2 ? KEYC_META : 0) | (mods & 4 ? KEYC_SHIFT : 0);
        for (key_code base = 0; base <= KEYC_LAST; base = base == 0x7f ? KEYC_BASE : base + 1) {
            key_code k = base | m, n = key_normalise(k);
            if (!key_code_valid(n))
                continue;
            cr_assert_eq(key_code_to_string(n, buf, sizeof buf), 0, "%#x", n);
            cr_assert_eq(key_string_to_code(buf), n, "%#x -> '%s' -> %#x", n, buf, key_string_to_code(buf));
            /* a non-normal key prints as something that reads back normalised */
            if (key_code_to_string(k, buf, sizeof buf) == 0)
                cr_assert_eq(key_string_to_code(buf), n, "'%s'", buf);
            checked++;
        }
    }
    cr_assert_gt(checked, 8 * (int)(KEYC_LAST - KEYC_BASE + 1) + 600);
    for (key_code cp = 0xa0; cp < 0x3000; cp += 7) {
        cr_assert_eq(key_code_to_string(cp | KEYC_META, buf, sizeof buf), 0);
        cr_assert_eq(key_string_to_code(buf), cp | KEYC_META, "'%s'", buf);
    }
}

Test(key, from_byte)
{
    cr_assert_eq(key_from_byte(0x01), 'a' | KEYC_CTRL);
    cr_assert_eq(key_from_byte(0x1a), 'z' | KEYC_CTRL);
    cr_assert_eq(key_from_byte(0x0a), 'j' | KEYC_CTRL);
    cr_assert_eq(key_from_byte('\t'), '\t');
    cr_assert_eq(key_from_byte('\r'), '\r');
    cr_assert_eq(key_from_byte(0x1b), '\033');
    cr_assert_eq(key_from_byte(0x1c), '\\' | KEYC_CTRL);
    cr_assert_eq(key_from_byte(0x1d), ']' | KEYC_CTRL);
    cr_assert_eq(key_from_byte(0x1e), '^' | KEYC_CTRL);
    cr_assert_eq(key_from_byte(0x1f), '_' | KEYC_CTRL);
    cr_assert_eq(key_from_byte(0x7f), KEYC_BSPACE);
    cr_assert_eq(key_from_byte(0x08), KEYC_BSPACE);
    cr_assert_eq(key_from_byte(0), ' ' | KEYC_CTRL);
    cr_assert_eq(key_from_byte(' '), ' ');
    cr_assert_eq(key_from_byte('q'), 'q');
    cr_assert_eq(key_from_byte(0xe9), 0xe9);
    cr_assert_eq(key_from_byte(0x85), KEYC_NONE);
    cr_assert_eq(key_from_byte(0xd800), KEYC_NONE);
    cr_assert_eq(key_from_byte(0x110000), KEYC_NONE);
    /* whatever the terminal sends maps to a key that has a name */
    for (uint32_t ch = 0; ch < 0x80; ch++) {
        key_code k = key_from_byte(ch);
        cr_assert(key_code_valid(k), "byte %#x", ch);
        cr_assert_eq(key_string_to_code(keystr(k)), k, "byte %#x", ch);
    }
    cr_assert_eq(key_string_to_code("C-a"), key_from_byte(0x01));
    cr_assert_eq(key_string_to_code("C-Space"), key_from_byte(0));
    cr_assert_eq(key_string_to_code("BSpace"), key_from_byte(0x7f));
}

/* ---- keymap ---- */

Test(keymap, new_free)
{
    struct keymap *km = keymap_new();

    cr_assert_not_null(km);
    cr_assert_eq(keymap_table_count(km), 0);
    cr_assert_null(keymap_lookup(km, "list", 'q'));
    keymap_free(km);
    keymap_free(NULL);
}

Test(keymap, bind_replace_unbind)
{
    struct keymap *km = keymap_new();
    char err[256] = "";
    const struct binding *b;

    cr_assert_eq(keymap_bind(km, "list", 'D', "destroy", "destroy it", err, sizeof err), 0, "%s", err);
    b = keymap_lookup(km, "list", 'D');
    cr_assert_not_null(b);
    cr_assert_eq(b->key, 'D');
    cr_assert_str_eq(b->command, "destroy");
    cr_assert_str_eq(b->note, "destroy it");
    cr_assert_null(keymap_lookup(km, "list", 'd'));

    cr_assert_eq(keymap_bind(km, "list", 'D', "start", NULL, err, sizeof err), 0);
    b = keymap_lookup(km, "list", 'D');
    cr_assert_str_eq(b->command, "start");
    cr_assert_null(b->note);
    cr_assert_eq(keymap_table_count(km), 1);

    /* a non-normal key is stored and found normalised */
    cr_assert_eq(keymap_bind(km, "list", 'A' | KEYC_CTRL, "x", NULL, err, sizeof err), 0);
    cr_assert_not_null(keymap_lookup(km, "list", 'a' | KEYC_CTRL));

    cr_assert_eq(keymap_unbind(km, "list", 'D', err, sizeof err), 0);
    cr_assert_null(keymap_lookup(km, "list", 'D'));
    cr_assert_eq(keymap_unbind(km, "list", 'D', err, sizeof err), -1);
    cr_assert_str_eq(err, "key D is not bound in table list");
    cr_assert_eq(keymap_unbind(km, "nosuch", KEYC_UP, err, sizeof err), -1);
    cr_assert_str_eq(err, "key Up is not bound in table nosuch");

    cr_assert_eq(keymap_bind(km, "list", KEYC_NONE, "x", NULL, err, sizeof err), -1);
    cr_assert_str_eq(err, "invalid key");
    cr_assert_eq(keymap_bind(km, "list", 'x', "", NULL, err, sizeof err), -1);
    cr_assert_str_eq(err, "missing command");
    cr_assert_eq(keymap_bind(km, "bad name", 'x', "y", NULL, err, sizeof err), -1);
    cr_assert_str_eq(err, "invalid table name 'bad name'");
    keymap_free(km);
}

Test(keymap, parent_fallback)
{
    struct keymap *km = keymap_new();
    char err[256] = "";
    const struct binding *b;

    cr_assert_eq(keymap_set_parent(km, "list", "root", err, sizeof err), 0, "%s", err);
    cr_assert_eq(keymap_set_parent(km, "help", "root", err, sizeof err), 0);
    cr_assert_eq(keymap_table_count(km), 3);
    cr_assert_str_eq(keymap_table_name(km, 0), "list");
    cr_assert_str_eq(keymap_table_name(km, 1), "root");
    cr_assert_str_eq(keymap_table_name(km, 2), "help");
    cr_assert_null(keymap_table_name(km, 3));
    cr_assert_str_eq(keymap_parent(km, "list"), "root");
    cr_assert_null(keymap_parent(km, "root"));
    cr_assert_null(keymap_parent(km, "nosuch"));

    cr_assert_eq(keymap_bind(km, "root", 'q', "quit", NULL, err, sizeof err), 0);
    cr_assert_eq(keymap_bind(km, "help", 'q', "close-view", NULL, err, sizeof err), 0);
    b = keymap_lookup(km, "list", 'q');
    cr_assert_not_null(b);
    cr_assert_str_eq(b->command, "quit");
    b = keymap_lookup(km, "help", 'q');
    cr_assert_str_eq(b->command, "close-view");
    cr_assert_null(keymap_lookup(km, "list", 'z'));
    cr_assert_null(keymap_lookup(km, "nosuch", 'q'));

    /* two levels deep */
    cr_assert_eq(keymap_set_parent(km, "sub", "list", err, sizeof err), 0);
    cr_assert_str_eq(keymap_lookup(km, "sub", 'q')->command, "quit");

    /* clearing the parent stops the fallback */
    cr_assert_eq(keymap_set_parent(km, "list", NULL, err, sizeof err), 0);
    cr_assert_null(keymap_parent(km, "list"));
    cr_assert_null(keymap_lookup(km, "list", 'q'));
    keymap_free(km);
}

Test(keymap, cycles_refused)
{
    struct keymap *km = keymap_new();
    char err[256] = "";

    cr_assert_eq(keymap_set_parent(km, "a", "a", err, sizeof err), -1);
    cr_assert_str_eq(err, "table 'a' cannot have parent 'a': that would make a cycle");
    cr_assert_eq(keymap_set_parent(km, "a", "b", err, sizeof err), 0);
    cr_assert_eq(keymap_set_parent(km, "b", "c", err, sizeof err), 0);
    cr_assert_eq(keymap_set_parent(km, "c", "a", err, sizeof err), -1);
    cr_assert_str_eq(err, "table 'c' cannot have parent 'a': that would make a cycle");
    cr_assert_null(keymap_parent(km, "c"));
    /* re-parenting without a loop is fine */
    cr_assert_eq(keymap_set_parent(km, "a", "c", err, sizeof err), 0);
    cr_assert_str_eq(keymap_parent(km, "a"), "c");
    cr_assert_eq(keymap_set_parent(km, "x", "bad name", err, sizeof err), -1);
    cr_assert_str_eq(err, "invalid table name 'bad name'");
    cr_assert_eq(keymap_table_count(km), 3, "a refused parent must not create tables");
    keymap_free(km);
}

struct collect {
    int n;
    char keys[16][KEY_STRING_MAX];
};

static void collect_cb(const struct binding *b, void *opaque)
{
    struct collect *c = opaque;

    cr_assert_lt(c->n, 16);
    key_code_to_string(b->key, c->keys[c->n++], KEY_STRING_MAX);
}

Test(keymap, foreach_sorted_one_table)
{
    struct keymap *km = keymap_new();
    char err[256];
    struct collect c = {0};
    static const char *const order[] = {"?", "C-a", "D", "d", "Enter", "PageUp", "q", "Up"};

    keymap_set_parent(km, "list", "root", err, sizeof err);
    keymap_bind(km, "root", 'z', "parent-only", NULL, err, sizeof err);
    const key_code keys[] = {KEYC_UP, 'q', 'D', '?', '\r', 'd', KEYC_PPAGE, 'a' | KEYC_CTRL};
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq(keymap_bind(km, "list", keys[i], "x", NULL, err, sizeof err), 0);
    keymap_foreach(km, "list", collect_cb, &c);
    cr_assert_eq(c.n, 8);
    for (int i = 0; i < 8; i++)
        cr_assert_str_eq(c.keys[i], order[i], "position %d", i);
    c.n = 0;
    keymap_foreach(km, "nosuch", collect_cb, &c);
    cr_assert_eq(c.n, 0);
    keymap_free(km);
}

Test(keymap, bind_argv)
{
    struct keymap *km = keymap_new();
    char err[256] = "";
    const struct binding *b;

    char *a1[] = {"bind-key", "-T", "hosts", "-N", "add a host", "a", "command-prompt", "host "};
    cr_assert_eq(keymap_bind_argv(km, 8, a1, err, sizeof err), 0, "%s", err);
    b = keymap_lookup(km, "hosts", 'a');
    cr_assert_not_null(b);
    cr_assert_str_eq(b->command, "command-prompt 'host '");
    cr_assert_str_eq(b->note, "add a host");

    char *a2[] = {"bind-key", "C-x", "quit"}; /* default table "list" */
    cr_assert_eq(keymap_bind_argv(km, 3, a2, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(keymap_lookup(km, "list", 'x' | KEYC_CTRL)->command, "quit");
    cr_assert_null(keymap_lookup(km, "list", 'x' | KEYC_CTRL)->note);

    char *a3[] = {"bind-key", "-Troot", "-Nhelp", "-", "zoom-out"}; /* attached values, "-" key */
    cr_assert_eq(keymap_bind_argv(km, 5, a3, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(keymap_lookup(km, "root", '-')->note, "help");

    char *a4[] = {"bind-key", "Foo", "quit"};
    cr_assert_eq(keymap_bind_argv(km, 3, a4, err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown key 'Foo'");
    char *a5[] = {"bind-key", "q"};
    cr_assert_eq(keymap_bind_argv(km, 2, a5, err, sizeof err), -1);
    cr_assert_str_eq(err, "missing command");
    char *a6[] = {"bind-key", "-x", "q", "quit"};
    cr_assert_eq(keymap_bind_argv(km, 4, a6, err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown flag -x");
    char *a7[] = {"bind-key", "-T"};
    cr_assert_eq(keymap_bind_argv(km, 2, a7, err, sizeof err), -1);
    cr_assert_str_eq(err, "flag -T needs an argument");
    char *a8[] = {"bind-key"};
    cr_assert_eq(keymap_bind_argv(km, 1, a8, err, sizeof err), -1);
    cr_assert_str_eq(err, "missing key");
    char *a9[] = {"bind-key", "--", "-", "x"};
    cr_assert_eq(keymap_bind_argv(km, 4, a9, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(keymap_lookup(km, "list", '-')->command, "x");

    char *u1[] = {"unbind-key", "-T", "hosts", "a"};
    cr_assert_eq(keymap_unbind_argv(km, 4, u1, err, sizeof err), 0, "%s", err);
    cr_assert_null(keymap_lookup(km, "hosts", 'a'));
    cr_assert_eq(keymap_unbind_argv(km, 4, u1, err, sizeof err), -1);
    cr_assert_str_eq(err, "key a is not bound in table hosts");
    char *u2[] = {"unbind-key", "C-x"};
    cr_assert_eq(keymap_unbind_argv(km, 2, u2, err, sizeof err), 0, "%s", err);
    char *u3[] = {"unbind-key", "-N", "x", "q"};
    cr_assert_eq(keymap_unbind_argv(km, 4, u3, err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown flag -N");
    char *u4[] = {"unbind-key", "q", "extra"};
    cr_assert_eq(keymap_unbind_argv(km, 3, u4, err, sizeof err), -1);
    cr_assert_str_eq(err, "too many arguments");
    char *u5[] = {"unbind-key", "Nope"};
    cr_assert_eq(keymap_unbind_argv(km, 2, u5, err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown key 'Nope'");
    keymap_free(km);
}

struct check_state {
    int calls;
    int argc;
    char first[64];
};

static int check_cmd(int argc, char **argv, char *err, size_t errlen, void *opaque)
{
    struct check_state *st = opaque;

    st->calls++;
    st->argc = argc;
    snprintf(st->first, sizeof st->first, "%s", argv[0]);
    if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "command-prompt") == 0)
        return 0;
    snprintf(err, errlen, "unknown command '%s'", argv[0]);
    return -1;
}

Test(keymap, command_check_hook)
{
    struct keymap *km = keymap_new();
    struct check_state st = {0};
    char err[256] = "";

    keymap_set_command_check(km, check_cmd, &st);
    char *ok[] = {"bind-key", "-T", "root", "q", "quit"};
    cr_assert_eq(keymap_bind_argv(km, 5, ok, err, sizeof err), 0, "%s", err);
    cr_assert_eq(st.calls, 1);
    cr_assert_eq(st.argc, 1);
    cr_assert_str_eq(st.first, "quit");

    char *two[] = {"bind-key", "a", "command-prompt", "host "};
    cr_assert_eq(keymap_bind_argv(km, 4, two, err, sizeof err), 0, "%s", err);
    cr_assert_eq(st.argc, 2);

    char *bad[] = {"bind-key", "-T", "root", "x", "frobnicate", "now"};
    cr_assert_eq(keymap_bind_argv(km, 6, bad, err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown command 'frobnicate'");
    cr_assert_null(keymap_lookup(km, "root", 'x'));

    /* without a hook, any command is accepted */
    keymap_set_command_check(km, NULL, NULL);
    cr_assert_eq(keymap_bind_argv(km, 6, bad, err, sizeof err), 0);
    cr_assert_str_eq(keymap_lookup(km, "root", 'x')->command, "frobnicate now");
    keymap_free(km);
}

/* ---- binding files ---- */

Test(keyfile, good_and_bad_lines)
{
    struct keymap *km = keymap_new();
    struct test_reports r = {0};
    const char *text = "# a comment\n"
                       "\n"
                       "table list root\n"
                       "bind-key -T root -N \"quit it\" q quit\n"
                       "bind-key -T list Foo start\n" /* 5: unknown key */
                       "frobnicate now\n"             /* 6: unknown command */
                       "bind-key -T list D destroy   # trailing comment\n"
                       "bind-key -T list \xc3 start\n"                /* 8: invalid UTF-8 */
                       "bind-key 'x\n"                                /* 9: unterminated quote */
                       "unbind-key -T list Z\n"                       /* 10: not bound */
                       "table a b c\n"                                /* 11: usage */
                       "bind-key -T list -N \"démarrer\" é start\r\n" /* CRLF is fine */
                       "bind-key -T list s start";                    /* no final newline */
    int bad = keyfile_load_text(km, "test.keys", text, test_reports_collect, &r);

    cr_assert_eq(bad, 6);
    cr_assert_eq(r.n, 6);
    cr_assert_str_eq(r.msg[0], "test.keys:5: unknown key 'Foo'");
    cr_assert_str_eq(r.msg[1], "test.keys:6: unknown command 'frobnicate'");
    cr_assert_str_eq(r.msg[2], "test.keys:8: invalid UTF-8");
    cr_assert_str_eq(r.msg[3], "test.keys:9: unterminated quote (')");
    cr_assert_str_eq(r.msg[4], "test.keys:10: key Z is not bound in table list");
    cr_assert_str_eq(r.msg[5], "test.keys:11: usage: table TABLE [PARENT]");

    cr_assert_str_eq(keymap_parent(km, "list"), "root");
    cr_assert_str_eq(keymap_lookup(km, "list", 'q')->command, "quit");
    cr_assert_str_eq(keymap_lookup(km, "list", 'q')->note, "quit it");
    cr_assert_str_eq(keymap_lookup(km, "list", 'D')->command, "destroy");
    cr_assert_str_eq(keymap_lookup(km, "list", 0xe9)->note, "démarrer");
    cr_assert_str_eq(keymap_lookup(km, "list", 's')->command, "start");
    keymap_free(km);
}

Test(keyfile, all_good_and_null_report)
{
    struct keymap *km = keymap_new();

    cr_assert_eq(keyfile_load_text(km, "x", "table t\nbind -T t C-a quit\nunbind -T t C-a\n", NULL, NULL), 0);
    cr_assert_eq(keymap_table_count(km), 1);
    cr_assert_null(keymap_lookup(km, "t", 'a' | KEYC_CTRL));
    cr_assert_eq(keyfile_load_text(km, "x", "nonsense\n", NULL, NULL), 1);
    cr_assert_eq(keyfile_load_text(km, "x", "", NULL, NULL), 0);
    keymap_free(km);
}

Test(keyfile, load_path)
{
    struct keymap *km = keymap_new();
    struct test_reports r = {0};
    static const char text[] = "bind-key -T list D destroy\nbind-key -T list \0oops\nbind-key -T list x y\n";
    char *path = test_write_tmp(text, sizeof text - 1);
    char want[1200];

    cr_assert_eq(keyfile_load_path(km, path, test_reports_collect, &r), 1);
    cr_assert_eq(r.n, 1);
    snprintf(want, sizeof want, "%s:2: line contains a NUL byte", path);
    cr_assert_str_eq(r.msg[0], want);
    cr_assert_str_eq(keymap_lookup(km, "list", 'D')->command, "destroy");
    cr_assert_str_eq(keymap_lookup(km, "list", 'x')->command, "y");
    unlink(path);

    r.n = 0;
    cr_assert_eq(keyfile_load_path(km, path, test_reports_collect, &r), -1);
    cr_assert_eq(r.n, 1);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    cr_assert_str_eq(r.msg[0], want);
    free(path);

    r.n = 0;
    cr_assert_eq(keyfile_load_path(km, "/tmp", test_reports_collect, &r), -1);
    cr_assert_str_eq(r.msg[0], "/tmp: Is a directory");
    keymap_free(km);
}

/* ---- the shipped default.keys ---- */

static void note_cb(const struct binding *b, void *opaque)
{
    int *n = opaque;

    cr_assert_not_null(b->note, "%s has no -N note", keystr(b->key));
    cr_assert_gt(strlen(b->note), 0);
    (*n)++;
}

Test(default_keys, loads_cleanly)
{
    struct keymap *km = keymap_new();
    struct test_reports r = {0};
    const struct binding *b;
    int n = 0;

    cr_assert_eq(keyfile_load_text(km, "default.keys", default_keys_text, test_reports_collect, &r), 0,
                 "first problem: %s", r.n ? r.msg[0] : "");
    cr_assert_eq(r.n, 0);

    cr_assert_null(keymap_parent(km, "root"));
    cr_assert_str_eq(keymap_parent(km, "list"), "root");
    cr_assert_str_eq(keymap_parent(km, "hosts"), "root");
    cr_assert_str_eq(keymap_parent(km, "help"), "root");
    cr_assert_str_eq(keymap_parent(km, "prefix"), "root");
    /* The console table has no parent: every other key belongs to the guest. */
    cr_assert_null(keymap_parent(km, "console"));
    cr_assert_str_eq(keymap_parent(km, "board"), "root");
    cr_assert_eq(keymap_table_count(km), 9);
    cr_assert_str_eq(keymap_lookup(km, "console", ']' | KEYC_CTRL)->command, "prefix");
    cr_assert_str_eq(keymap_lookup(km, "prefix", 'd')->command, "detach-client");
    cr_assert_str_eq(keymap_lookup(km, "list", 'b')->command, "board");
    cr_assert_str_eq(keymap_lookup(km, "board", '\r')->command, "attach");
    cr_assert_str_eq(keymap_lookup(km, "grid", 'n')->command, "select-page next");
    cr_assert_str_eq(keymap_lookup(km, "console", 'g' | KEYC_CTRL)->command, "prefix");
    cr_assert_null(keymap_lookup(km, "console", 'q'));
    cr_assert_str_eq(keymap_lookup(km, "prefix", ']' | KEYC_CTRL)->command, "send-prefix C-]");

    b = keymap_lookup(km, "list", 'D');
    cr_assert_not_null(b);
    cr_assert_str_eq(b->command, "destroy");
    cr_assert_str_eq(b->note, "destroy (power off) — asks first");
    cr_assert_str_eq(keymap_lookup(km, "list", '\r')->command, "attach");
    cr_assert_str_eq(keymap_lookup(km, "list", '?')->command, "show-help"); /* from root */
    cr_assert_str_eq(keymap_lookup(km, "list", 'q')->command, "quit");
    cr_assert_str_eq(keymap_lookup(km, "help", 'q')->command, "close-view");
    cr_assert_str_eq(keymap_lookup(km, "hosts", 'q')->command, "show-domains");
    cr_assert_str_eq(keymap_lookup(km, "hosts", 'a')->command, "command-prompt 'host '");
    cr_assert_str_eq(keymap_lookup(km, "root", 'z' | KEYC_CTRL)->command, "suspend-client");
    cr_assert_str_eq(keymap_lookup(km, "list", KEYC_MOUSE1)->command, "select-mouse");
    cr_assert_str_eq(keymap_lookup(km, "list", '\033')->command, "filter-clear");

    for (size_t i = 0; i < keymap_table_count(km); i++)
        keymap_foreach(km, keymap_table_name(km, i), note_cb, &n);
    cr_assert_gt(n, 50);
    keymap_free(km);
}
