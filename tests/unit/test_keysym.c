/* test_keysym.c: key -> keysym translation, checked by the bytes libtsm really sends. */
#include "testutil.h"

#include <libtsm.h>

#include "keymaps/keysym.h"

/* ---- the translation itself ---- */

Test(keysym, plain_characters)
{
    struct keysym_event ev;

    cr_assert(keysym_from_key('a', &ev));
    cr_assert_eq(ev.keysym, 'a');
    cr_assert_eq(ev.ascii, 'a');
    cr_assert_eq(ev.mods, 0);
    cr_assert_eq(ev.unicode, 'a');

    cr_assert(keysym_from_key(' ', &ev));
    cr_assert_eq(ev.keysym, 0x20);

    cr_assert(keysym_from_key(0xe9, &ev)); /* é: Latin-1 */
    cr_assert_eq(ev.keysym, 0xe9);
    cr_assert_eq(ev.ascii, KEYSYM_INVALID);
    cr_assert_eq(ev.unicode, 0xe9);

    cr_assert(keysym_from_key(0x6f22, &ev)); /* 漢 */
    cr_assert_eq(ev.keysym, 0x01006f22);
    cr_assert_eq(ev.ascii, KEYSYM_INVALID);
    cr_assert_eq(ev.unicode, 0x6f22);
}

Test(keysym, special_keys)
{
    static const struct {
        key_code k;
        uint32_t sym;
    } map[] = {
        {'\r', XK_Return},    {'\t', XK_Tab},       {'\033', XK_Escape},    {KEYC_BSPACE, XK_BackSpace},
        {KEYC_UP, XK_Up},     {KEYC_DOWN, XK_Down}, {KEYC_LEFT, XK_Left},   {KEYC_RIGHT, XK_Right},
        {KEYC_HOME, XK_Home}, {KEYC_END, XK_End},   {KEYC_PPAGE, XK_Prior}, {KEYC_NPAGE, XK_Next},
        {KEYC_IC, XK_Insert}, {KEYC_DC, XK_Delete}, {KEYC_F1, 0xffbe},      {KEYC_F5, 0xffc2},
        {KEYC_F12, 0xffc9},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        struct keysym_event ev;
        cr_assert(keysym_from_key(map[i].k, &ev), "key %#x", map[i].k);
        cr_assert_eq(ev.keysym, map[i].sym, "key %#x -> %#x", map[i].k, ev.keysym);
        cr_assert_eq(ev.ascii, KEYSYM_INVALID);
        cr_assert_eq(ev.unicode, KEYSYM_INVALID);
        cr_assert_eq(ev.mods, 0);
    }
    struct keysym_event ev;
    cr_assert(keysym_from_key(KEYC_BTAB, &ev));
    cr_assert_eq(ev.keysym, XK_ISO_Left_Tab);
    cr_assert_eq(ev.mods, KEYSYM_MOD_SHIFT);
}

Test(keysym, modifiers)
{
    struct keysym_event ev;

    cr_assert(keysym_from_key('a' | KEYC_CTRL, &ev));
    cr_assert_eq(ev.keysym, 'a');
    cr_assert_eq(ev.ascii, 'a');
    cr_assert_eq(ev.mods, KEYSYM_MOD_CTRL);

    cr_assert(keysym_from_key('x' | KEYC_META, &ev));
    cr_assert_eq(ev.keysym, 'x');
    cr_assert_eq(ev.mods, KEYSYM_MOD_ALT);

    cr_assert(keysym_from_key(KEYC_UP | KEYC_SHIFT | KEYC_CTRL | KEYC_META, &ev));
    cr_assert_eq(ev.keysym, XK_Up);
    cr_assert_eq(ev.mods, KEYSYM_MOD_SHIFT | KEYSYM_MOD_CTRL | KEYSYM_MOD_ALT);
}

Test(keysym, no_keysym)
{
    struct keysym_event ev = {1, 2, 3, 4};

    cr_assert_not(keysym_from_key(KEYC_NONE, &ev));
    cr_assert_not(keysym_from_key(KEYC_MOUSE1, &ev));
    cr_assert_not(keysym_from_key(KEYC_WHEELUP, &ev));
    cr_assert_not(keysym_from_key(KEYC_WHEELDOWN | KEYC_CTRL, &ev));
    cr_assert_not(keysym_from_key(0x7f, &ev)); /* raw controls are no key */
    cr_assert_not(keysym_from_key(0x01, &ev));
    cr_assert_not(keysym_from_key(0x9b, &ev));
    cr_assert_not(keysym_from_key(0xd800, &ev));
    cr_assert_not(keysym_from_key(KEYC_LAST + 1, &ev));
    cr_assert_eq(ev.keysym, 1, "out left alone on failure");
    cr_assert(keysym_from_key('a', NULL));
}

/* ---- what libtsm sends for them ---- */

struct tsm {
    struct tsm_screen *screen;
    struct tsm_vte *vte;
    char out[64];
    size_t len;
};

static void capture(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
    struct tsm *t = data;
    cr_assert_leq(t->len + len, sizeof t->out);
    memcpy(t->out + t->len, u8, len);
    t->len += len;
}

static struct tsm *tsm_open(void)
{
    struct tsm *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    cr_assert_eq(tsm_screen_new(&t->screen, NULL, NULL), 0);
    cr_assert_eq(tsm_screen_resize(t->screen, 80, 24), 0);
    cr_assert_eq(tsm_vte_new(&t->vte, t->screen, capture, t, NULL, NULL), 0);
    return t;
}

static void tsm_close(struct tsm *t)
{
    tsm_vte_unref(t->vte);
    tsm_screen_unref(t->screen);
    free(t);
}

/* Type k into the vte; the bytes it would send to the guest, NUL-terminated. */
static const char *type(struct tsm *t, key_code k)
{
    struct keysym_event ev;
    t->len = 0;
    cr_assert(keysym_from_key(k, &ev), "key %#x has a keysym", k);
    cr_assert(tsm_vte_handle_keyboard(t->vte, ev.keysym, ev.ascii, ev.mods, ev.unicode), "libtsm handles key %#x", k);
    cr_assert_lt(t->len, sizeof t->out);
    t->out[t->len] = '\0';
    return t->out;
}

Test(keysym_tsm, characters)
{
    struct tsm *t = tsm_open();
    cr_assert_str_eq(type(t, 'a'), "a", "key %#x", (unsigned)('a'));
    cr_assert_str_eq(type(t, 'Z'), "Z", "key %#x", (unsigned)('Z'));
    cr_assert_str_eq(type(t, ' '), " ", "key %#x", (unsigned)(' '));
    cr_assert_str_eq(type(t, '~'), "~", "key %#x", (unsigned)('~'));
    cr_assert_str_eq(type(t, 0xe9), "\xc3\xa9", "key %#x", (unsigned)(0xe9));               /* é */
    cr_assert_str_eq(type(t, 0x6f22), "\xe6\xbc\xa2", "key %#x", (unsigned)(0x6f22));       /* 漢 */
    cr_assert_str_eq(type(t, 0x1f600), "\xf0\x9f\x98\x80", "key %#x", (unsigned)(0x1f600)); /* outside the BMP */
    tsm_close(t);
}

Test(keysym_tsm, control_and_meta)
{
    struct tsm *t = tsm_open();
    cr_assert_str_eq(type(t, 'c' | KEYC_CTRL), "\x03", "key %#x", (unsigned)('c' | KEYC_CTRL));
    cr_assert_str_eq(type(t, 'a' | KEYC_CTRL), "\x01", "key %#x", (unsigned)('a' | KEYC_CTRL));
    cr_assert_str_eq(type(t, 'z' | KEYC_CTRL), "\x1a", "key %#x", (unsigned)('z' | KEYC_CTRL));
    cr_assert_str_eq(type(t, ' ' | KEYC_CTRL), "", "key %#x",
                     (unsigned)(' ' | KEYC_CTRL)); /* NUL: checked by length below */
    cr_assert_eq(t->len, 1);
    cr_assert_eq(t->out[0], '\0');
    cr_assert_str_eq(type(t, '\\' | KEYC_CTRL), "\x1c", "key %#x", (unsigned)('\\' | KEYC_CTRL));
    cr_assert_str_eq(type(t, ']' | KEYC_CTRL), "\x1d", "key %#x", (unsigned)(']' | KEYC_CTRL));
    cr_assert_str_eq(type(t, '^' | KEYC_CTRL), "\x1e", "key %#x", (unsigned)('^' | KEYC_CTRL));
    cr_assert_str_eq(type(t, '_' | KEYC_CTRL), "\x1f", "key %#x", (unsigned)('_' | KEYC_CTRL));
    cr_assert_str_eq(type(t, 'x' | KEYC_META), "\033x", "key %#x", (unsigned)('x' | KEYC_META));
    cr_assert_str_eq(type(t, 'c' | KEYC_CTRL | KEYC_META), "\033\x03", "key %#x",
                     (unsigned)('c' | KEYC_CTRL | KEYC_META));
    cr_assert_str_eq(type(t, KEYC_UP | KEYC_META), "\033\033[A", "key %#x", (unsigned)(KEYC_UP | KEYC_META));
    /* Every control byte a terminal can send comes back as itself. */
    for (uint32_t b = 1; b < 0x20; b++) {
        key_code k = key_from_byte(b);
        char want[2] = {(char)b, 0};
        if (k == KEYC_BSPACE)
            continue; /* 0x08 is BSpace, see below */
        cr_assert_str_eq(type(t, k), want, "key %#x", (unsigned)(k));
    }
    tsm_close(t);
}

Test(keysym_tsm, special_keys)
{
    struct tsm *t = tsm_open();
    cr_assert_str_eq(type(t, '\r'), "\r", "key %#x", (unsigned)('\r'));
    cr_assert_str_eq(type(t, '\t'), "\t", "key %#x", (unsigned)('\t'));
    cr_assert_str_eq(type(t, '\033'), "\033", "key %#x", (unsigned)('\033'));
    cr_assert_str_eq(type(t, KEYC_BTAB), "\033[Z", "key %#x", (unsigned)(KEYC_BTAB));
    cr_assert_str_eq(type(t, KEYC_UP), "\033[A", "key %#x", (unsigned)(KEYC_UP));
    cr_assert_str_eq(type(t, KEYC_DOWN), "\033[B", "key %#x", (unsigned)(KEYC_DOWN));
    cr_assert_str_eq(type(t, KEYC_RIGHT), "\033[C", "key %#x", (unsigned)(KEYC_RIGHT));
    cr_assert_str_eq(type(t, KEYC_LEFT), "\033[D", "key %#x", (unsigned)(KEYC_LEFT));
    cr_assert_str_eq(type(t, KEYC_UP | KEYC_CTRL), "\033[1;5A", "key %#x", (unsigned)(KEYC_UP | KEYC_CTRL));
    cr_assert_str_eq(type(t, KEYC_HOME), "\033[H", "key %#x", (unsigned)(KEYC_HOME));
    cr_assert_str_eq(type(t, KEYC_END), "\033[F", "key %#x", (unsigned)(KEYC_END));
    cr_assert_str_eq(type(t, KEYC_IC), "\033[2~", "key %#x", (unsigned)(KEYC_IC));
    cr_assert_str_eq(type(t, KEYC_DC), "\033[3~", "key %#x", (unsigned)(KEYC_DC));
    cr_assert_str_eq(type(t, KEYC_PPAGE), "\033[5~", "key %#x", (unsigned)(KEYC_PPAGE));
    cr_assert_str_eq(type(t, KEYC_NPAGE), "\033[6~", "key %#x", (unsigned)(KEYC_NPAGE));
    cr_assert_str_eq(type(t, KEYC_F1), "\033OP", "key %#x", (unsigned)(KEYC_F1));
    cr_assert_str_eq(type(t, KEYC_F4), "\033OS", "key %#x", (unsigned)(KEYC_F4));
    cr_assert_str_eq(type(t, KEYC_F5), "\033[15~", "key %#x", (unsigned)(KEYC_F5));
    cr_assert_str_eq(type(t, KEYC_F10), "\033[21~", "key %#x", (unsigned)(KEYC_F10));
    cr_assert_str_eq(type(t, KEYC_F12), "\033[24~", "key %#x", (unsigned)(KEYC_F12));
    /* libtsm 4.0.2 sends BS for BackSpace (it has no backspace-sends-DEL
     * switch); a guest that wants DEL must get it from console_key. */
    cr_assert_str_eq(type(t, KEYC_BSPACE), "\b", "key %#x", (unsigned)(KEYC_BSPACE));
    tsm_close(t);
}

Test(keysym_tsm, application_cursor_keys)
{
    struct tsm *t = tsm_open();
    tsm_vte_input(t->vte, "\033[?1h", 5); /* DECCKM on */
    cr_assert_str_eq(type(t, KEYC_UP), "\033OA", "key %#x", (unsigned)(KEYC_UP));
    cr_assert_str_eq(type(t, KEYC_LEFT), "\033OD", "key %#x", (unsigned)(KEYC_LEFT));
    cr_assert_str_eq(type(t, KEYC_HOME), "\033OH", "key %#x", (unsigned)(KEYC_HOME));
    cr_assert_str_eq(type(t, KEYC_END), "\033OF", "key %#x", (unsigned)(KEYC_END));
    tsm_vte_input(t->vte, "\033[?1l", 5); /* and off again */
    cr_assert_str_eq(type(t, KEYC_UP), "\033[A", "key %#x", (unsigned)(KEYC_UP));
    tsm_close(t);
}

Test(keysym_tsm, newline_mode)
{
    struct tsm *t = tsm_open();
    tsm_vte_input(t->vte, "\033[20h", 5); /* LNM: Enter sends CR LF */
    cr_assert_str_eq(type(t, '\r'), "\r\n", "key %#x", (unsigned)('\r'));
    tsm_close(t);
}
