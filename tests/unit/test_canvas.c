/* test_canvas.c: the cell grid views draw into: what counts as changed, text
 * by column width, styles by role for colour and monochrome clients. */
#include "testutil.h"

#include <locale.h>

#include "views/canvas.h"
#include "views/text.h"
#include "views/theme.h"

static bool changed(struct canvas *cv, int y, int *x0, int *x1)
{
    return canvas_row_changed(cv, y, x0, x1);
}

Test(canvas, only_real_changes_count)
{
    struct canvas *cv = canvas_new(4, 10, true);
    cr_assert_not_null(cv);
    int x0, x1;
    cr_assert(changed(cv, 0, &x0, &x1), "a new canvas is all changed");
    cr_assert_eq(x0, 0);
    cr_assert_eq(x1, 10);
    canvas_clean(cv);
    cr_assert_not(canvas_changed(cv));

    struct cell c = canvas_blank(cv, UI_NORMAL);
    canvas_set(cv, 1, 3, &c);
    cr_assert_not(canvas_changed(cv), "the same cell again is no change");
    c.ch = 'x';
    canvas_set(cv, 1, 3, &c);
    canvas_set(cv, 1, 7, &c);
    cr_assert(changed(cv, 1, &x0, &x1));
    cr_assert_eq(x0, 3);
    cr_assert_eq(x1, 8);
    cr_assert_not(changed(cv, 0, &x0, &x1));
    cr_assert_not(changed(cv, 2, &x0, &x1));
    canvas_set(cv, 9, 0, &c); /* outside: ignored */
    canvas_set(cv, 0, -1, &c);
    cr_assert_not(changed(cv, 0, &x0, &x1));
    canvas_clean(cv);

    uint64_t id = canvas_id(cv);
    canvas_touch_all(cv);
    cr_assert_neq(canvas_id(cv), id, "views forget what they drew");
    cr_assert(changed(cv, 3, &x0, &x1));
    cr_assert_eq(canvas_at(cv, 1, 3)->ch, 'x', "touching keeps the cells");
    cr_assert_eq(canvas_resize(cv, 2, 5), 0);
    cr_assert_eq(canvas_rows(cv), 2);
    cr_assert_eq(canvas_at(cv, 1, 3)->ch, 0, "a resize blanks");
    cr_assert_eq(canvas_resize(cv, -1, 5), -1);
    canvas_free(cv);
}

Test(canvas, text_by_column_width)
{
    cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
    struct canvas *cv = canvas_new(2, 8, true);
    /* 漢 is two columns; e + combining acute is one; a control is escaped. */
    int used = text_put(cv, 0, 0, 8,
                        "\xe6\xbc\xa2"
                        "e\xcc\x81z",
                        UI_NORMAL);
    cr_assert_eq(used, 4);
    cr_assert_eq(canvas_at(cv, 0, 0)->ch, 0x6f22);
    cr_assert_eq(canvas_at(cv, 0, 0)->width, 2);
    cr_assert_eq(canvas_at(cv, 0, 1)->width, 0, "the right half");
    cr_assert_eq(canvas_at(cv, 0, 2)->ch, 'e');
    cr_assert_eq(canvas_at(cv, 0, 2)->comb, 0x301);
    cr_assert_eq(canvas_at(cv, 0, 3)->ch, 'z');
    cr_assert_eq(canvas_at(cv, 0, 4)->ch, 0, "padded to the width");
    used = text_put(cv, 1, 0, 5, "a\x1b[2Jb", UI_NORMAL);
    cr_assert_eq(used, 5, "cut at the width");
    cr_assert_eq(canvas_at(cv, 1, 1)->ch, '\\', "ESC is shown as \\x1b, never stored");
    /* A wide character that does not fit is left out, not split. */
    used = text_put(cv, 1, 0, 1, "\xe6\xbc\xa2", UI_NORMAL);
    cr_assert_eq(used, 0);
    canvas_free(cv);
}

Test(canvas, roles_in_colour_and_monochrome)
{
    struct canvas *cv = canvas_new(1, 4, true);
    struct cell c = canvas_blank(cv, theme_attr(ROLE_TITLE) | UI_BOLD);
    cr_assert_eq(c.fg, 0); /* black on cyan */
    cr_assert_eq(c.bg, 6);
    cr_assert(c.attrs & CELL_BOLD);
    cr_assert_not(c.attrs & CELL_REVERSE);
    canvas_set_colour(cv, false);
    cr_assert(canvas_changed(cv), "a change of colour redraws everything");
    c = canvas_blank(cv, theme_attr(ROLE_TITLE));
    cr_assert_eq(c.fg, CELL_COLOUR_DEFAULT);
    cr_assert_eq(c.bg, CELL_COLOUR_DEFAULT);
    cr_assert(c.attrs & CELL_REVERSE, "monochrome: the title in reverse video");
    c = canvas_blank(cv, UI_DIM);
    cr_assert_eq(c.attrs, CELL_DIM);
    canvas_free(cv);
}
