/* test_lineedit.c: the one-line editor behind the prompt, the filter and the
 * dialogs: typing, emacs keys, UTF-8 in and out, and nothing lost or
 * overflowed on bad input. */
#include "testutil.h"

#include "views/lineedit.h"

#include <locale.h>

static struct lineedit le;

static void utf8(void)
{
    cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
    memset(&le, 0, sizeof le);
}

TestSuite(lineedit, .init = utf8);

static const char *text(void)
{
    static char out[LINEEDIT_MAX * 4];
    lineedit_get(&le, out, sizeof out);
    return out;
}

static void type(const char *s)
{
    wchar_t w[256];
    size_t n = mbstowcs(w, s, 256);
    cr_assert_neq(n, (size_t)-1);
    for (size_t i = 0; i < n; i++)
        cr_assert(lineedit_key(&le, (key_code)w[i]));
}

Test(lineedit, typing_inserts_at_the_cursor)
{
    type("hllo");
    lineedit_key(&le, KEYC_HOME);
    lineedit_key(&le, KEYC_RIGHT);
    type("e");
    cr_assert_str_eq(text(), "hello");
    lineedit_key(&le, KEYC_END);
    type(" wörld ✓");
    cr_assert_str_eq(text(), "hello wörld ✓");
    cr_assert_eq(le.len, 13);
    cr_assert_eq(le.cur, 13);
}

Test(lineedit, emacs_keys_edit)
{
    lineedit_set(&le, "start domain-1 now");
    lineedit_key(&le, 'w' | KEYC_CTRL);
    cr_assert_str_eq(text(), "start domain-1 ");
    lineedit_key(&le, 'w' | KEYC_CTRL);
    cr_assert_str_eq(text(), "start ");
    lineedit_key(&le, 'a' | KEYC_CTRL);
    lineedit_key(&le, 'd' | KEYC_CTRL);
    cr_assert_str_eq(text(), "tart ");
    lineedit_key(&le, KEYC_RIGHT);
    lineedit_key(&le, 'k' | KEYC_CTRL);
    cr_assert_str_eq(text(), "t");
    lineedit_key(&le, 'e' | KEYC_CTRL);
    lineedit_key(&le, KEYC_BSPACE);
    cr_assert_str_eq(text(), "");
    /* At the edges nothing breaks. */
    lineedit_key(&le, KEYC_BSPACE);
    lineedit_key(&le, KEYC_LEFT);
    lineedit_key(&le, KEYC_DC);
    cr_assert_eq(le.len, 0);
    cr_assert_eq(le.cur, 0);
    lineedit_set(&le, "ab cd");
    lineedit_key(&le, KEYC_LEFT);
    lineedit_key(&le, 'u' | KEYC_CTRL);
    cr_assert_str_eq(text(), "d");
    cr_assert_eq(le.cur, 0);
}

Test(lineedit, keys_that_are_not_text_are_refused)
{
    key_code no[] = {'\r',    '\t',    0x1b,   0x7f,   0x85,    0x9b, 'x' | KEYC_META, 'x' | KEYC_CTRL,
                     KEYC_F5, KEYC_UP, 0xd800, 0xdfff, 0x110000};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_not(lineedit_key(&le, no[i]), "key 0x%x was taken", no[i]);
    cr_assert_eq(le.len, 0);
    /* What was typed before survives a bad key. */
    type("ok");
    lineedit_key(&le, 0xd800);
    cr_assert_str_eq(text(), "ok");
}

Test(lineedit, a_full_line_swallows_without_overflow)
{
    for (int i = 0; i < LINEEDIT_MAX + 50; i++)
        cr_assert(lineedit_key(&le, 'x'));
    cr_assert_eq(le.len, LINEEDIT_MAX - 1);
    cr_assert_eq(le.buf[LINEEDIT_MAX - 1], L'\0');
    cr_assert_eq(strlen(text()), LINEEDIT_MAX - 1);
}

Test(lineedit, get_truncates_at_a_character)
{
    lineedit_set(&le, "ééé");
    char out[6];
    lineedit_get(&le, out, sizeof out);
    cr_assert_str_eq(out, "éé");
}

Test(lineedit, set_keeps_what_it_can_of_bad_utf8)
{
    lineedit_set(&le, "ab\xff"
                      "cd");
    cr_assert_str_eq(text(), "ab?cd");
    lineedit_set(&le, NULL);
    cr_assert_str_eq(text(), "");
}

Test(lineedit, wipe_clears_every_character)
{
    lineedit_set(&le, "secret");
    lineedit_wipe(&le);
    cr_assert_eq(le.len, 0);
    for (size_t i = 0; i < LINEEDIT_MAX; i++)
        cr_assert_eq(le.buf[i], 0);
}
