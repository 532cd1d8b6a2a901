/* test_vncscreen.c: a VNC guest's text screen painted into a console model:
 * a model as tall as the screen or taller shows it all from its top; a
 * shorter one shows the rows that hold the cursor and moves only as much as
 * the cursor needs (as a terminal scrolls); the line watcher still reads the
 * whole screen. */
#include "testutil.h"

#include "backends/console.h"
#include "backends/vncscreen.h"

#define COLS 8
#define ROWS 10 /* the guest's screen: row y starts with 'A' + y */

struct grab {
    uint32_t ch[16][COLS];
};

static void grab_cell(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width,
                      const struct console_attr *a, void *opaque)
{
    struct grab *g = opaque;
    if (x < COLS && y < 16)
        g->ch[y][x] = len ? ch[0] : ' ';
}

/* The first character of each of the model's rows, as a string. */
static const char *shown(struct console *model)
{
    static char out[17];
    struct grab g;
    memset(&g, 0, sizeof g);
    console_draw(model, grab_cell, &g);
    unsigned n = console_rows(model);
    for (unsigned y = 0; y < n && y < 16; y++)
        out[y] = (char)g.ch[y][0];
    out[n < 16 ? n : 16] = '\0';
    return out;
}

static void put(struct vncscreen *s, unsigned x, unsigned y, char ch)
{
    struct vgatext_cell c = {(uint32_t)ch, {7, 0, false, false, false, false, false}};
    vncscreen_put(s, x, y, &c);
}

/* A 8x10 guest screen of labelled rows in a model of model_rows rows. */
static struct vncscreen *labelled(struct console *model)
{
    struct vncscreen *s = vncscreen_new(model);
    cr_assert_not_null(s);
    cr_assert_eq(vncscreen_geometry(s, COLS, ROWS), 0);
    for (unsigned y = 0; y < ROWS; y++)
        put(s, 0, y, (char)('A' + y));
    return s;
}

static void assert_cursor(struct console *model, unsigned want_x, unsigned want_y)
{
    unsigned x, y;
    cr_assert(console_cursor(model, &x, &y), "no cursor in the model");
    cr_assert_eq(x, want_x);
    cr_assert_eq(y, want_y, "cursor on row %u, want %u", y, want_y);
}

Test(vncscreen, a_short_model_shows_the_rows_with_the_cursor)
{
    struct console *model = console_new(COLS, 4, 0);
    struct vncscreen *s = labelled(model);
    vncscreen_cursor(s, true, 2, 9); /* a prompt on the last row */
    cr_assert_str_eq(shown(model), "GHIJ");
    cr_assert_eq(vncscreen_top(s), 6);
    assert_cursor(model, 2, 3);

    /* Up within the window: it stays; a cell changing in it shows. */
    vncscreen_cursor(s, true, 0, 7);
    cr_assert_str_eq(shown(model), "GHIJ");
    assert_cursor(model, 0, 1);
    put(s, 0, 8, 'x');
    put(s, 0, 2, 'y'); /* above the window: not painted over row 0 */
    cr_assert_str_eq(shown(model), "GHxJ");

    /* Above it: the window follows just enough (the cursor on its top row). */
    vncscreen_cursor(s, true, 0, 4);
    cr_assert_str_eq(shown(model), "EFGH");
    assert_cursor(model, 0, 0);
    /* A cleared screen's cursor at the top: the top rows, as they are now. */
    vncscreen_cursor(s, true, 0, 0);
    cr_assert_str_eq(shown(model), "ABy"
                                   "D");

    /* A hidden cursor moves nothing. */
    vncscreen_cursor(s, true, 0, 9);
    vncscreen_cursor(s, false, 0, 0);
    cr_assert_str_eq(shown(model), "GHxJ");
    vncscreen_free(s);
    console_free(model);
}

Test(vncscreen, a_model_as_tall_or_taller_shows_the_whole_screen)
{
    struct console *model = console_new(COLS, 12, 0);
    struct vncscreen *s = labelled(model);
    vncscreen_cursor(s, true, 3, 9);
    cr_assert_str_eq(shown(model), "ABCDEFGHIJ  ");
    cr_assert_eq(vncscreen_top(s), 0);
    assert_cursor(model, 3, 9);
    cr_assert(console_resize(model, COLS, ROWS) == 0);
    cr_assert(vncscreen_model_resized(s));
    cr_assert_str_eq(shown(model), "ABCDEFGHIJ");
    assert_cursor(model, 3, 9);
    vncscreen_free(s);
    console_free(model);
}

Test(vncscreen, a_pane_resized_keeps_the_cursor_in_view)
{
    struct console *model = console_new(COLS, 12, 0);
    struct vncscreen *s = labelled(model);
    vncscreen_cursor(s, true, 1, 9);
    cr_assert_not(vncscreen_model_resized(s)); /* same size: nothing to do */
    cr_assert(console_resize(model, COLS, 3) == 0);
    cr_assert(vncscreen_model_resized(s));
    cr_assert_str_eq(shown(model), "HIJ");
    assert_cursor(model, 1, 2);
    /* Taller again: from the top. */
    cr_assert(console_resize(model, COLS, 10) == 0);
    cr_assert(vncscreen_model_resized(s));
    cr_assert_str_eq(shown(model), "ABCDEFGHIJ");
    vncscreen_free(s);
    console_free(model);
}

Test(vncscreen, a_new_geometry_starts_from_the_top)
{
    struct console *model = console_new(COLS, 4, 0);
    struct vncscreen *s = labelled(model);
    vncscreen_cursor(s, true, 0, 9);
    cr_assert_eq(vncscreen_top(s), 6);
    cr_assert_eq(vncscreen_geometry(s, COLS, 3), 0); /* fits: nothing to follow */
    put(s, 0, 0, 'a');
    vncscreen_cursor(s, true, 0, 2);
    cr_assert_eq(vncscreen_top(s), 0);
    cr_assert_str_eq(shown(model), "a   ");
    vncscreen_free(s);
    console_free(model);
}

Test(vncscreen, the_bottom_line_is_the_whole_screens)
{
    struct console *model = console_new(COLS, 4, 0);
    struct vncscreen *s = labelled(model);
    vncscreen_cursor(s, true, 0, 0); /* the window at the top: J is not shown */
    cr_assert_str_eq(shown(model), "ABCD");
    char line[32];
    int col;
    uint64_t hash;
    cr_assert(vncscreen_bottom_line(s, line, sizeof line, &col, &hash));
    cr_assert_str_eq(line, "J");
    cr_assert_eq(col, -1);
    vncscreen_cursor(s, true, 1, 9);
    cr_assert(vncscreen_bottom_line(s, line, sizeof line, &col, &hash));
    cr_assert_eq(col, 1);
    vncscreen_free(s);
    console_free(model);
}
