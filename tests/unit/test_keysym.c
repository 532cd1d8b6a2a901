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

    cr_assert(keysym_from_key(0xe9, &ev));          /* é: Latin-1 */
    cr_assert_eq(ev.keysym, 0xe9);
    cr_assert_eq(ev.ascii, KEYSYM_INVALID);
    cr_assert_eq(ev.unicode, 0xe9);

    cr_assert(keysym_from_key(0x6f22, &ev));        /* 漢 */
    cr_assert_eq(ev.keysym, 0x01006f22);
    cr_assert_eq(ev.ascii, KEYSYM_INVALID);
    cr_assert_eq(ev.unicode, 0x6f22);
}

Test(keysym, special_keys)
{
    static const struct { key_code k; uint32_t sym; } map[] = {
        { '\r', XK_Return }, { '\t', XK_Tab }, { '\033', XK_Escape },
        { KEYC_BSPACE, XK_BackSpace }, { KEYC_UP, XK_Up }, { KEYC_DOWN, XK_Down },
        { KEYC_LEFT, XK_Left }, { KEYC_RIGHT, XK_Right }, { KEYC_HOME, XK_Home },
        { KEYC_END, XK_End }, { KEYC_PPAGE, XK_Prior }, { KEYC_NPAGE, XK_Next },
        { KEYC_IC, XK_Insert }, { KEYC_DC, XK_Delete }, { KEYC_F1, 0xffbe },
        { KEYC_F5, 0xffc2 }, { KEYC_F12, 0xffc9 },
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
    struct keysym_event ev = { 1, 2, 3, 4 };

    cr_assert_not(keysym_from_key(KEYC_NONE, &ev));
    cr_assert_not(keysym_from_key(KEYC_MOUSE1, &ev));
    cr_assert_not(keysym_from_key(KEYC_WHEELUP, &ev));
    cr_assert_not(keysym_from_key(KEYC_WHEELDOWN | KEYC_CTRL, &ev));
    cr_assert_not(keysym_from_key(0x7f, &ev));       /* raw controls are no key */
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
    cr_assert(tsm_vte_handle_keyboard(t->vte, ev.keysym, ev.ascii, ev.mods, ev.unicode),
              "libtsm handles key %#x", k);
    cr_assert_lt(t->len, sizeof t->out);
    t->out[t->len] = '\0';
    return t->out;
}

#define assert_types(t, k, bytes) \
    cr_assert_str_eq(type(t, k), bytes, "key %#x", (unsigned)(k))

Test(keysym_tsm, characters)
{
    struct tsm *t = tsm_open();
    assert_types(t, 'a', "a");
    assert_types(t, 'Z', "Z");
    assert_types(t, ' ', " ");
    assert_types(t, '~', "~");
    assert_types(t, 0xe9, "\xc3\xa9");              /* é */
    assert_types(t, 0x6f22, "\xe6\xbc\xa2");        /* 漢 */
    assert_types(t, 0x1f600, "\xf0\x9f\x98\x80");   /* outside the BMP */
    tsm_close(t);
}

Test(keysym_tsm, control_and_meta)
{
    struct tsm *t = tsm_open();
    assert_types(t, 'c' | KEYC_CTRL, "\x03");
    assert_types(t, 'a' | KEYC_CTRL, "\x01");
    assert_types(t, 'z' | KEYC_CTRL, "\x1a");
    assert_types(t, ' ' | KEYC_CTRL, "");   /* NUL: checked by length below */
    cr_assert_eq(t->len, 1);
    cr_assert_eq(t->out[0], '\0');
    assert_types(t, '\\' | KEYC_CTRL, "\x1c");
    assert_types(t, ']' | KEYC_CTRL, "\x1d");
    assert_types(t, '^' | KEYC_CTRL, "\x1e");
    assert_types(t, '_' | KEYC_CTRL, "\x1f");
    assert_types(t, 'x' | KEYC_META, "\033x");
    assert_types(t, 'c' | KEYC_CTRL | KEYC_META, "\033\x03");
    assert_types(t, KEYC_UP | KEYC_META, "\033\033[A");
    /* Every control byte a terminal can send comes back as itself. */
    for (uint32_t b = 1; b < 0x20; b++) {
        key_code k = key_from_byte(b);
        char want[2] = { (char)b, 0 };
        if (k == KEYC_BSPACE)
            continue;   /* 0x08 is BSpace, see below */
        assert_types(t, k, want);
    }
    tsm_close(t);
}

Test(keysym_tsm, special_keys)
{
    struct tsm *t = tsm_open();
    assert_types(t, '\r', "\r");
    assert_types(t, '\t', "\t");
    assert_types(t, '\033', "\033");
    assert_types(t, KEYC_BTAB, "\033[Z");
    assert_types(t, KEYC_UP, "\033[A");
    assert_types(t, KEYC_DOWN, "\033[B");
    assert_types(t, KEYC_RIGHT, "\033[C");
    assert_types(t, KEYC_LEFT, "\033[D");
    assert_types(t, KEYC_UP | KEYC_CTRL, "\033[1;5A");
    assert_types(t, KEYC_HOME, "\033[H");
    assert_types(t, KEYC_END, "\033[F");
    assert_types(t, KEYC_IC, "\033[2~");
    assert_types(t, KEYC_DC, "\033[3~");
    assert_types(t, KEYC_PPAGE, "\033[5~");
    assert_types(t, KEYC_NPAGE, "\033[6~");
    assert_types(t, KEYC_F1, "\033OP");
    assert_types(t, KEYC_F4, "\033OS");
    assert_types(t, KEYC_F5, "\033[15~");
    assert_types(t, KEYC_F10, "\033[21~");
    assert_types(t, KEYC_F12, "\033[24~");
    /* libtsm 4.0.2 sends BS for BackSpace (it has no backspace-sends-DEL
     * switch); a guest that wants DEL must get it from console_key. */
    assert_types(t, KEYC_BSPACE, "\b");
    tsm_close(t);
}

Test(keysym_tsm, application_cursor_keys)
{
    struct tsm *t = tsm_open();
    tsm_vte_input(t->vte, "\033[?1h", 5);    /* DECCKM on */
    assert_types(t, KEYC_UP, "\033OA");
    assert_types(t, KEYC_LEFT, "\033OD");
    assert_types(t, KEYC_HOME, "\033OH");
    assert_types(t, KEYC_END, "\033OF");
    tsm_vte_input(t->vte, "\033[?1l", 5);    /* and off again */
    assert_types(t, KEYC_UP, "\033[A");
    tsm_close(t);
}

Test(keysym_tsm, newline_mode)
{
    struct tsm *t = tsm_open();
    tsm_vte_input(t->vte, "\033[20h", 5);    /* LNM: Enter sends CR LF */
    assert_types(t, '\r', "\r\n");
    tsm_close(t);
}
