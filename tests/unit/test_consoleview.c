/* test_consoleview.c: the console pane drawn into a canvas, painted by ncurses on a fake terminal
 * (as the client paints it), read back cell by cell. */
#include "testutil.h"

#include <limits.h>
#include <locale.h>
#include <curses.h>

#include "backends/console.h"
#include "views/console.h"
#include "views/theme.h"
#include "tui/paint.h"

static SCREEN *scr;
static FILE *tty_out, *tty_in;
static struct canvas *scv; /* what the views draw into: the client's screen */

/* A curses screen on no real terminal: 80x24 of the named type. */
static void term_open(const char *type, bool colour)
{
    cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
    /* The output is /dev/null: the size comes from terminfo, not the environment. */
    unsetenv("LINES");
    unsetenv("COLUMNS");
    tty_out = fopen("/dev/null", "w");
    tty_in = fopen("/dev/null", "r");
    cr_assert(tty_out && tty_in);
    scr = newterm(type, tty_out, tty_in);
    cr_assert_not_null(scr, "newterm(%s)", type);
    set_term(scr);
    paint_set_colour(colour);
    scv = canvas_new(LINES, COLS, colour);
    cr_assert_not_null(scv);
}

/* The changed cells onto the curses screen, as the client does with a frame. */
static void present(void)
{
    for (int y = 0; y < canvas_rows(scv); y++) {
        int x0, x1;
        if (canvas_row_changed(scv, y, &x0, &x1))
            paint_cells(y, x0, canvas_at(scv, y, x0), x1 - x0);
    }
    canvas_clean(scv);
}

static void draw(struct view *v, struct rect r)
{
    view_draw(v, scv, r);
    present();
}

/* Something else drew over the cell at (y, x). */
static void overdraw(int y, int x, uint32_t ch)
{
    struct cell c = canvas_blank(scv, UI_NORMAL);
    c.ch = ch;
    canvas_set(scv, y, x, &c);
    present();
}

static void term_close(void)
{
    canvas_free(scv);
    scv = NULL;
    endwin();
    delscreen(scr);
    fclose(tty_out);
    fclose(tty_in);
}

struct desc {
    const char *title, *badge;
    int calls;
};

static void describe(void *opaque, char *title, size_t tlen, char *badge, size_t blen)
{
    struct desc *d = opaque;
    snprintf(title, tlen, "%s", d->title);
    snprintf(badge, blen, "%s", d->badge);
    d->calls++;
}

static void feed(struct console *c, const char *s)
{
    console_feed(c, s, strlen(s));
}

/* The character at screen (y, x), its attributes and its colour pair. */
static wchar_t cell(int y, int x, attr_t *attrs, int *pair)
{
    cchar_t cc;
    wchar_t wch[CCHARW_MAX + 1];
    attr_t a;
    short sp;
    int p = 0;
    cr_assert_eq(mvin_wch(y, x, &cc), OK, "in_wch(%d, %d)", y, x);
    cr_assert_eq(getcchar(&cc, wch, &a, &sp, &p), OK);
    if (attrs)
        *attrs = a;
    if (pair)
        *pair = p;
    return wch[0];
}

/* The text of screen row y from column x, n cells wide (wide characters once). */
static const char *row(int y, int x, int n)
{
    static char buf[512];
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        wchar_t wc = cell(y, x + i, NULL, NULL);
        char mb[MB_LEN_MAX];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t len = wcrtomb(mb, wc, &st);
        if (len == (size_t)-1)
            mb[0] = '?', len = 1;
        cr_assert_lt(o + len, sizeof buf);
        memcpy(buf + o, mb, len);
        o += len;
        if (wcwidth(wc) == 2)
            i++; /* its right half reads back as the same character */
    }
    buf[o] = '\0';
    return buf;
}

static void pair_colours(int pair, int *fg, int *bg)
{
    cr_assert_eq(extended_pair_content(pair, fg, bg), OK, "pair %d", pair);
}

/* The pane used by most tests: 6 rows x 20 columns at (2, 3): a title row
 * and a 20x5 console. */
static const struct rect pane = {2, 3, 6, 20};
#define BODY_Y (pane.y + 1)
#define BODY_X (pane.x)

Test(consoleview, text_colour_title_and_size)
{
    term_open("xterm-256color", true);
    cr_assert_geq(COLORS, 256);
    struct console *c = console_new(80, 24, 100);
    struct desc d = {"demo/demo1 serial0 running", "[stopped]", 0};
    struct view *v = consoleview_new(c, describe, &d);
    cr_assert_not_null(v);
    cr_assert_str_eq(v->ops->keytable, "console");
    cr_assert_eq(consoleview_model(v), c);

    /* The guest's screen follows the pane, less its title row. (Drawn
     * before the output: libtsm pushes the top lines into the scrollback
     * when the screen gets shorter.) */
    draw(v, pane);
    cr_assert_eq(console_cols(c), 20);
    cr_assert_eq(console_rows(c), 5);

    feed(c, "hello \033[31mred\033[0m");
    draw(v, pane);

    cr_assert_str_eq(row(BODY_Y, BODY_X, 12), "hello red   ");
    int pair, fg, bg;
    attr_t a;
    cr_assert_eq(cell(BODY_Y, BODY_X + 6, &a, &pair), L'r');
    cr_assert_neq(pair, 0);
    pair_colours(pair, &fg, &bg);
    cr_assert_eq(fg, COLOR_RED);
    cr_assert_eq(bg, -1);
    cell(BODY_Y, BODY_X, &a, &pair);
    cr_assert_eq(pair, 0, "default colours use the default pair");

    /* The title row: title on the left, badge on the right, in the title role. */
    const char *t = row(pane.y, pane.x, pane.w);
    cr_assert_str_eq(t, " demo/demo [stopped]", "title row '%s'", t);
    cell(pane.y, pane.x + 1, &a, &pair);
    pair_colours(pair, &fg, &bg);
    cr_assert_eq(fg, COLOR_BLACK, "the title role: black on cyan");
    cr_assert_eq(bg, COLOR_CYAN);
    cr_assert_gt(d.calls, 0);

    /* Nothing outside the pane was touched. */
    cr_assert_eq(cell(pane.y, pane.x - 1, NULL, NULL), L' ');
    cr_assert_eq(cell(pane.y + pane.h, pane.x, NULL, NULL), L' ');

    view_free(v);
    console_free(c);
    term_close();
}

Test(consoleview, wide_and_combining)
{
    term_open("xterm-256color", true);
    struct console *c = console_new(20, 5, 100);
    struct view *v = consoleview_new(c, NULL, NULL);
    feed(c, "\xe6\xbc\xa2x");  /* 漢x */
    feed(c, "\r\ne\xcc\x81!"); /* e + combining acute: libtsm 4.0.2 drops the mark */
    draw(v, pane);

    cr_assert_eq(cell(BODY_Y, BODY_X, NULL, NULL), 0x6f22);
    cr_assert_eq(cell(BODY_Y, BODY_X + 2, NULL, NULL), L'x', "漢 takes two cells");

    cchar_t cc;
    wchar_t wch[CCHARW_MAX + 1];
    attr_t a;
    short sp;
    int p;
    cr_assert_eq(mvin_wch(BODY_Y + 1, BODY_X, &cc), OK);
    cr_assert_eq(getcchar(&cc, wch, &a, &sp, &p), OK);
    cr_assert_eq(wch[0], L'e');
    cr_assert(wch[1] == 0 || wch[1] == 0x301, "a combining mark, if any, stays with its base");
    cr_assert_eq(cell(BODY_Y + 1, BODY_X + 1, NULL, NULL), L'!', "and takes no column");

    /* A wide character in the last column does not spill out of the pane. */
    overdraw(BODY_Y + 2, BODY_X + pane.w, 'Q');
    feed(c, "\r\n0123456789012345678\xe6\xbc\xa2");
    consoleview_invalidate(v);
    draw(v, pane);
    cr_assert_eq(cell(BODY_Y + 2, BODY_X + pane.w, NULL, NULL), L'Q');

    view_free(v);
    console_free(c);
    term_close();
}

Test(consoleview, colours_on_256)
{
    term_open("xterm-256color", true);
    struct console *c = console_new(20, 5, 100);
    struct view *v = consoleview_new(c, NULL, NULL);
    feed(c, "\033[91ma\033[0m"           /* bright red */
            "\033[38;5;123mb\033[0m"     /* a cube colour */
            "\033[38;2;255;0;0mc\033[0m" /* RGB */
            "\033[38;5;244md\033[0m"     /* a grey */
            "\033[42;30me\033[0m"        /* black on green */
            "\033[1;4;7mf\033[0m");      /* bold, underline, inverse */
    draw(v, pane);

    static const struct {
        int x;
        wchar_t ch;
        int fg, bg;
    } want[] = {
        {0, L'a', 9, -1},
        {1, L'b', 123, -1},
        {2, L'c', 196, -1},
        {3, L'd', 244, -1},
        {4, L'e', COLOR_BLACK, COLOR_GREEN},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int pair, fg, bg;
        cr_assert_eq(cell(BODY_Y, BODY_X + want[i].x, NULL, &pair), want[i].ch);
        pair_colours(pair, &fg, &bg);
        cr_assert_eq(fg, want[i].fg, "'%lc' fg %d", (wint_t)want[i].ch, fg);
        cr_assert_eq(bg, want[i].bg, "'%lc' bg %d", (wint_t)want[i].ch, bg);
        cr_assert_gt(pair, 0, "a colour is a pair of its own, not the default pair");
    }
    attr_t a;
    int pair;
    cell(BODY_Y, BODY_X + 5, &a, &pair);
    cr_assert(a & A_BOLD);
    cr_assert(a & A_UNDERLINE);
    cr_assert(a & A_REVERSE);

    /* The same colours share a pair. */
    int p1, p2;
    feed(c, "\r\n\033[31mx\033[32my\033[31mz");
    draw(v, pane);
    cell(BODY_Y + 1, BODY_X, NULL, &p1);
    cell(BODY_Y + 1, BODY_X + 2, NULL, &p2);
    cr_assert_eq(p1, p2);
    cell(BODY_Y + 1, BODY_X + 1, NULL, &p2);
    cr_assert_neq(p1, p2);

    view_free(v);
    console_free(c);
    term_close();
}

Test(consoleview, colours_on_8)
{
    term_open("xterm", true);
    cr_assert_eq(COLORS, 8);
    struct console *c = console_new(20, 5, 100);
    struct view *v = consoleview_new(c, NULL, NULL);
    feed(c, "\033[91ma\033[0m\033[38;2;0;0;200mb\033[0m\033[38;5;46mc\033[0m\033[101md");
    draw(v, pane);

    int pair, fg, bg;
    attr_t a;
    cell(BODY_Y, BODY_X, &a, &pair);
    pair_colours(pair, &fg, &bg);
    cr_assert_eq(fg, COLOR_RED);
    cr_assert(a & A_BOLD, "bright becomes bold");
    cell(BODY_Y, BODY_X + 1, &a, &pair);
    pair_colours(pair, &fg, &bg);
    cr_assert_eq(fg, COLOR_BLUE);
    cell(BODY_Y, BODY_X + 2, &a, &pair);
    pair_colours(pair, &fg, &bg);
    cr_assert_eq(fg, COLOR_GREEN);
    cr_assert(a & A_BOLD);
    cell(BODY_Y, BODY_X + 3, &a, &pair);
    pair_colours(pair, &fg, &bg);
    cr_assert_eq(bg, COLOR_RED);
    cr_assert_lt(pair, COLOR_PAIRS);
    cr_assert_gt(pair, 0, "a colour is a pair of its own, not the default pair");

    view_free(v);
    console_free(c);
    term_close();
}

Test(consoleview, monochrome)
{
    term_open("xterm-256color", false);
    struct console *c = console_new(20, 5, 100);
    struct view *v = consoleview_new(c, NULL, NULL);
    feed(c, "\033[1;31ma\033[0;4mb");
    draw(v, pane);
    attr_t a;
    int pair;
    cr_assert_eq(cell(BODY_Y, BODY_X, &a, &pair), L'a');
    cr_assert_eq(pair, 0);
    cr_assert(a & A_BOLD);
    cr_assert_eq(cell(BODY_Y, BODY_X + 1, &a, &pair), L'b');
    cr_assert(a & A_UNDERLINE);
    view_free(v);
    console_free(c);
    term_close();
}

Test(consoleview, cursor)
{
    term_open("xterm-256color", true);
    struct console *c = console_new(20, 5, 100);
    struct view *v = consoleview_new(c, NULL, NULL);
    int y, x;
    cr_assert_not(consoleview_cursor(v, &y, &x), "not drawn yet");
    feed(c, "ab\r\ncde");
    draw(v, pane);
    cr_assert(consoleview_cursor(v, &y, &x));
    cr_assert_eq(y, BODY_Y + 1);
    cr_assert_eq(x, BODY_X + 3);
    feed(c, "\033[?25l"); /* the guest hides it */
    draw(v, pane);
    cr_assert_not(consoleview_cursor(v, &y, &x));
    consoleview_set_model(v, NULL);
    draw(v, pane);
    cr_assert_not(consoleview_cursor(v, &y, &x));
    view_free(v);
    console_free(c);
    term_close();
}

Test(consoleview, skips_unchanged_and_invalidate)
{
    term_open("xterm-256color", true);
    struct console *c = console_new(20, 5, 100);
    struct desc d = {"t", "", 0};
    struct view *v = consoleview_new(c, describe, &d);
    feed(c, "abc");
    draw(v, pane);
    cr_assert_eq(cell(BODY_Y, BODY_X, NULL, NULL), L'a');

    /* Nothing changed: the cells curses holds are left as they are. */
    overdraw(BODY_Y, BODY_X, 'Z');
    draw(v, pane);
    cr_assert_eq(cell(BODY_Y, BODY_X, NULL, NULL), L'Z');

    consoleview_invalidate(v);
    draw(v, pane);
    cr_assert_eq(cell(BODY_Y, BODY_X, NULL, NULL), L'a');

    /* New output repaints only the cells libtsm aged; a new title only the
       title row; invalidate or a new rect everything. */
    overdraw(BODY_Y, BODY_X, 'Z');
    feed(c, "d");
    draw(v, pane);
    cr_assert_eq(cell(BODY_Y, BODY_X + 3, NULL, NULL), L'd');
    cr_assert_eq(cell(BODY_Y, BODY_X, NULL, NULL), L'Z');
    d.badge = "[read-only]";
    draw(v, pane);
    cr_assert_str_eq(row(pane.y, pane.x, pane.w), " t       [read-only]");
    cr_assert_eq(cell(BODY_Y, BODY_X, NULL, NULL), L'Z');
    consoleview_invalidate(v);
    draw(v, pane);
    cr_assert_eq(cell(BODY_Y, BODY_X, NULL, NULL), L'a');
    struct rect r2 = pane;
    r2.w = 10;
    draw(v, r2);
    cr_assert_eq(console_cols(c), 10);
    cr_assert_str_eq(row(BODY_Y, BODY_X, 4), "abcd");

    view_free(v);
    console_free(c);
    term_close();
}

Test(consoleview, scrollback_commands)
{
    term_open("xterm-256color", true);
    struct console *c = console_new(20, 5, 100);
    struct desc d = {"vm", "", 0};
    struct view *v = consoleview_new(c, describe, &d);
    draw(v, pane);
    for (int i = 0; i < 30; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d\r\n", i);
        feed(c, line);
    }
    feed(c, "end");
    draw(v, pane);
    cr_assert_str_eq(row(BODY_Y + 4, BODY_X, 3), "end");

    char err[128] = "";
    cr_assert_eq(view_command(v, "scroll-up", 0, NULL, err, sizeof err), 0);
    cr_assert_eq(consoleview_scrolled(v), 1);
    cr_assert_eq(console_scrolled(c), 0, "the pane scrolls, the console stays live for other panes");
    draw(v, pane);
    cr_assert_str_eq(row(BODY_Y + 4, BODY_X, 7), "line 29");
    cr_assert_str_eq(row(pane.y, pane.x, pane.w), " vm       [scroll 1]");
    int y, x;
    cr_assert_not(consoleview_cursor(v, &y, &x), "no cursor while scrolled back");

    cr_assert_eq(view_command(v, "page-up", 0, NULL, err, sizeof err), 0);
    cr_assert_eq(consoleview_scrolled(v), 1 + 4, "a page is the pane's height less one");
    cr_assert_eq(view_command(v, "page-down", 0, NULL, err, sizeof err), 0);
    cr_assert_eq(consoleview_scrolled(v), 1);
    cr_assert_eq(view_command(v, "scroll-down", 0, NULL, err, sizeof err), 0);
    cr_assert_eq(consoleview_scrolled(v), 0);
    cr_assert_eq(view_command(v, "page-up", 0, NULL, err, sizeof err), 0);
    cr_assert_eq(view_command(v, "scroll-reset", 0, NULL, err, sizeof err), 0);
    cr_assert_eq(consoleview_scrolled(v), 0);
    draw(v, pane);
    cr_assert_str_eq(row(pane.y, pane.x, pane.w), " vm                 ");
    cr_assert_str_eq(row(BODY_Y + 4, BODY_X, 3), "end");

    cr_assert_eq(view_command(v, "cursor-down", 0, NULL, err, sizeof err), 1);
    consoleview_set_model(v, NULL);
    cr_assert_eq(view_command(v, "scroll-up", 0, NULL, err, sizeof err), -1);
    cr_assert_str_eq(err, "scroll-up: no console attached");

    view_free(v);
    console_free(c);
    term_close();
}

/* Two panes of one console (two clients, two sessions): one scrolls back,
 * the other stays live, and each draws its own. */
Test(consoleview, two_panes_scroll_apart)
{
    term_open("xterm-256color", true);
    struct console *c = console_new(20, 5, 100);
    struct view *a = consoleview_new(c, NULL, NULL), *b = consoleview_new(c, NULL, NULL);
    struct rect left = {2, 0, 6, 20}, right = {2, 30, 6, 20};
    consoleview_set_sizer(b, false);
    for (int i = 0; i < 30; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d\r\n", i);
        feed(c, line);
    }
    feed(c, "end");
    draw(a, left);
    draw(b, right);
    consoleview_scroll(a, 3);
    cr_assert_eq(consoleview_scrolled(a), 3);
    cr_assert_eq(consoleview_scrolled(b), 0);
    draw(a, left);
    draw(b, right);
    cr_assert_str_eq(row(left.y + 5, left.x, 7), "line 27", "a is 3 lines back");
    cr_assert_str_eq(row(right.y + 5, right.x, 3), "end", "b is live");
    feed(c, "\r\nmore");
    draw(a, left);
    draw(b, right);
    cr_assert_str_eq(row(right.y + 5, right.x, 4), "more");
    int y, x;
    cr_assert(consoleview_cursor(b, &y, &x), "the live pane has the cursor");
    cr_assert_eq(consoleview_search(a, "line 5"), 0);
    cr_assert_gt(consoleview_scrolled(a), 3);
    cr_assert_eq(consoleview_scrolled(b), 0, "a search moves only its pane");
    cr_assert_eq(console_scrolled(c), 0);
    view_free(a);
    view_free(b);
    console_free(c);
    term_close();
}

Test(consoleview, no_model_and_tiny_panes)
{
    term_open("xterm-256color", true);
    struct desc d = {"demo/demo1 serial0", "[connecting]", 0};
    struct view *v = consoleview_new(NULL, describe, &d);
    cr_assert_null(consoleview_model(v));
    draw(v, pane);
    cr_assert_str_eq(row(BODY_Y + 1, BODY_X + 2, 10), "no console");

    struct console *c = console_new(20, 5, 100);
    consoleview_set_model(v, c);
    feed(c, "hi");
    draw(v, (struct rect){0, 0, 1, 8}); /* title only */
    draw(v, (struct rect){0, 0, 2, 1});
    draw(v, (struct rect){0, 0, 0, 0});
    draw(v, pane);
    cr_assert_eq(console_cols(c), 20);
    cr_assert_eq(console_rows(c), 5);
    feed(c, "\033[H\033[2Jok");
    draw(v, pane);
    cr_assert_str_eq(row(BODY_Y, BODY_X, 3), "ok ");
    view_free(v);
    view_free(NULL);
    console_free(c);
    term_close();
}

Test(consoleview, hostile_output_stays_in_cells)
{
    term_open("xterm-256color", true);
    struct console *c = console_new(20, 5, 100);
    struct view *v = consoleview_new(c, NULL, NULL);
    /* An unassigned code point, a C1 control as UTF-8, an OSC title, a lone
     * continuation byte: none may reach the terminal as anything but cells. */
    feed(c, "a\xcd\xb8"
            "b\xc2\x9b"
            "c\033]0;evil\007d\x80"
            "e");
    draw(v, pane);
    const char *r = row(BODY_Y, BODY_X, 20);
    for (const char *p = r; *p; p++)
        cr_assert((unsigned char)*p >= 0x20, "no control in '%s'", r);
    cr_assert_not_null(strchr(r, 'e'));
    view_free(v);
    console_free(c);
    term_close();
}
