/* test_vnc.c: the pieces of the VNC console that need no server — cells set
 * directly in the console model, key combinations as keysyms, the VNC address
 * from domain XML and libvirt URIs. (tests/e2e/t_vnc_*.sh drive real servers.) */
#include "testutil.h"

#include "backends/console.h"
#include "backends/vncaddr.h"
#include "keymaps/keysym.h"

/* ---- console_put / console_set_cursor / console_clear ---- */

struct grab {
    uint32_t ch[4][8];
    struct console_attr attr[4][8];
};

static void grab_cell(unsigned x, unsigned y, const uint32_t *ch, size_t len, unsigned width,
                      const struct console_attr *a, void *opaque)
{
    struct grab *g = opaque;
    if (x < 8 && y < 4) {
        g->ch[y][x] = len ? ch[0] : ' ';
        g->attr[y][x] = *a;
    }
}

static const struct console_attr plain = {
    CONSOLE_COLOUR_DEFAULT, CONSOLE_COLOUR_DEFAULT, false, false, false, false, false};

Test(console_put, cells_land_where_put_without_wrapping)
{
    struct console *c = console_new(8, 4, 0);
    struct console_attr red = plain;
    red.fg = 1;
    red.bg = CONSOLE_COLOUR_RGB | 0x102030;
    console_put(c, 0, 0, 'A', &red);
    console_put(c, 7, 0, 'Z', &plain); /* the last column: no wrap to the next row */
    console_put(c, 3, 3, 0x2580, &plain);
    console_put(c, 8, 0, 'X', &plain); /* off the screen: ignored, not clamped */
    console_put(c, 0, 4, 'Y', &plain);
    console_put(c, 1, 1, 0x1b, &plain); /* a control character is a blank */
    console_set_cursor(c, 2, 1, false);
    struct grab g;
    memset(&g, 0, sizeof g);
    console_draw(c, grab_cell, &g);
    cr_assert_eq(g.ch[0][0], 'A');
    cr_assert_eq(g.attr[0][0].fg, 1);
    cr_assert_eq(g.attr[0][0].bg, CONSOLE_COLOUR_RGB | 0x102030);
    cr_assert_eq(g.ch[0][7], 'Z');
    cr_assert_eq(g.ch[1][0], ' ');
    cr_assert_eq(g.ch[3][3], 0x2580);
    cr_assert_eq(g.ch[3][7], ' ');
    cr_assert_eq(g.ch[0][6], ' ');
    cr_assert_eq(g.ch[1][1], ' ');
    console_free(c);
}

Test(console_put, cursor_and_clear)
{
    struct console *c = console_new(8, 4, 0);
    unsigned x, y;
    console_set_cursor(c, 5, 2, true);
    cr_assert(console_cursor(c, &x, &y));
    cr_assert_eq(x, 5);
    cr_assert_eq(y, 2);
    unsigned long age = console_age(c);
    console_set_cursor(c, 5, 2, false);
    cr_assert_not(console_cursor(c, &x, &y));
    cr_assert_neq(console_age(c), age);
    console_set_cursor(c, 9, 9, true); /* off the screen: hidden */
    cr_assert_not(console_cursor(c, &x, &y));
    console_put(c, 1, 1, 'Q', &plain);
    console_clear(c);
    struct grab g;
    memset(&g, 0, sizeof g);
    console_draw(c, grab_cell, &g);
    cr_assert_eq(g.ch[1][1], ' ');
    console_free(c);
}

/* ---- key combinations ---- */

static void assert_combo(const struct keysym_combo *c, unsigned n, const uint32_t *want)
{
    cr_assert_eq(c->n, n, "%u keys, want %u", c->n, n);
    for (unsigned i = 0; i < n; i++)
        cr_assert_eq(c->keys[i], want[i], "key %u is 0x%x, want 0x%x", i, c->keys[i], want[i]);
}

Test(keysym_combo, parse)
{
    struct keysym_combo c;
    char err[200];
    cr_assert(keysym_combo_parse("C-A-Delete", &c, err, sizeof err));
    assert_combo(&c, 3, (uint32_t[]){XK_Control_L, XK_Alt_L, XK_Delete});
    cr_assert(keysym_combo_parse("A-SysRq-h", &c, err, sizeof err));
    assert_combo(&c, 3, (uint32_t[]){XK_Alt_L, XK_Sys_Req, 'h'});
    cr_assert(keysym_combo_parse("C-A-F2", &c, err, sizeof err));
    assert_combo(&c, 3, (uint32_t[]){XK_Control_L, XK_Alt_L, XK_F1 + 1});
    cr_assert(keysym_combo_parse("C-A-T", &c, err, sizeof err)); /* a terminal's spelling */
    assert_combo(&c, 3, (uint32_t[]){XK_Control_L, XK_Alt_L, 't'});
    cr_assert(keysym_combo_parse("C--", &c, err, sizeof err));
    assert_combo(&c, 2, (uint32_t[]){XK_Control_L, '-'});
    cr_assert(keysym_combo_parse("-", &c, err, sizeof err));
    assert_combo(&c, 1, (uint32_t[]){'-'});
    cr_assert(keysym_combo_parse("A", &c, err, sizeof err)); /* alone, A is the letter */
    assert_combo(&c, 1, (uint32_t[]){'A'});
    cr_assert(keysym_combo_parse("0xff15", &c, err, sizeof err));
    assert_combo(&c, 1, (uint32_t[]){XK_Sys_Req});
    cr_assert(keysym_combo_parse("s-tab", &c, err, sizeof err));
    assert_combo(&c, 2, (uint32_t[]){'s', XK_Tab}); /* lower-case s is the key s */
    cr_assert_not(keysym_combo_parse("C-Frobnicate", &c, err, sizeof err));
    cr_assert(strstr(err, "Frobnicate"), "%s", err);
    cr_assert_not(keysym_combo_parse("", &c, err, sizeof err));
    cr_assert_not(keysym_combo_parse("C-", &c, err, sizeof err));
    cr_assert_not(keysym_combo_parse("F0", &c, err, sizeof err));
    cr_assert_not(keysym_combo_parse("C-A-S-W-C-A-S-W-a-b-c-d-e", &c, err, sizeof err));
}

Test(keysym_combo, from_terminal_keys)
{
    struct keysym_combo c;
    cr_assert(keysym_combo_from_key('a', &c));
    assert_combo(&c, 1, (uint32_t[]){'a'});
    cr_assert(keysym_combo_from_key('A', &c));
    assert_combo(&c, 2, (uint32_t[]){XK_Shift_L, 'A'});
    cr_assert(keysym_combo_from_key('$', &c));
    assert_combo(&c, 2, (uint32_t[]){XK_Shift_L, '$'});
    cr_assert(keysym_combo_from_key('c' | KEYC_CTRL, &c));
    assert_combo(&c, 2, (uint32_t[]){XK_Control_L, 'c'});
    cr_assert(keysym_combo_from_key('x' | KEYC_META, &c));
    assert_combo(&c, 2, (uint32_t[]){XK_Alt_L, 'x'});
    cr_assert(keysym_combo_from_key('\r', &c));
    assert_combo(&c, 1, (uint32_t[]){XK_Return});
    cr_assert(keysym_combo_from_key(KEYC_UP | KEYC_SHIFT, &c));
    assert_combo(&c, 2, (uint32_t[]){XK_Shift_L, XK_Up});
    cr_assert(keysym_combo_from_key(KEYC_F5, &c));
    assert_combo(&c, 1, (uint32_t[]){XK_F1 + 4});
    cr_assert(keysym_combo_from_key(KEYC_BSPACE, &c));
    assert_combo(&c, 1, (uint32_t[]){XK_BackSpace});
    cr_assert_not(keysym_combo_from_key(KEYC_MOUSE1, &c));
}

/* ---- where the VNC server is ---- */

Test(vncaddr, local_uris)
{
    cr_assert(vncaddr_uri_is_local("qemu:///system"));
    cr_assert(vncaddr_uri_is_local("qemu:///session"));
    cr_assert(vncaddr_uri_is_local("qemu:///embed?root=/tmp/x"));
    cr_assert(vncaddr_uri_is_local("qemu+unix:///system"));
    cr_assert_not(vncaddr_uri_is_local("qemu+ssh://lab1/system"));
    cr_assert_not(vncaddr_uri_is_local("qemu+tcp://lab1/system"));
    cr_assert_not(vncaddr_uri_is_local("qemu://lab1/system"));
    cr_assert_not(vncaddr_uri_is_local(NULL));
    cr_assert_not(vncaddr_uri_is_local("garbage"));
}

Test(vncaddr, uri_host_and_loopback)
{
    char h[100];
    vncaddr_uri_host("qemu+tcp://10.0.0.5:16509/system", h, sizeof h);
    cr_assert_str_eq(h, "10.0.0.5");
    vncaddr_uri_host("qemu+ssh://root@lab1/system?keyfile=x", h, sizeof h);
    cr_assert_str_eq(h, "lab1");
    vncaddr_uri_host("qemu+tls://[fd00::5]/system", h, sizeof h);
    cr_assert_str_eq(h, "fd00::5");
    vncaddr_uri_host("qemu:///system", h, sizeof h);
    cr_assert_str_eq(h, "");
    vncaddr_uri_host("nonsense", h, sizeof h);
    cr_assert_str_eq(h, "");
    cr_assert(vncaddr_is_loopback("127.0.0.1:5900"));
    cr_assert(vncaddr_is_loopback("[::1]:5900"));
    cr_assert_not(vncaddr_is_loopback("10.0.0.5:5900"));
}

static const char *xml_with(const char *graphics)
{
    static char buf[2048];
    snprintf(buf, sizeof buf, "<domain><name>x</name><devices>%s</devices></domain>", graphics);
    return buf;
}

Test(vncaddr, from_xml)
{
    char out[300], err[200];
    cr_assert_eq(vncaddr_from_xml(xml_with("<graphics type='vnc' port='5901' listen='127.0.0.1'/>"), "h", out,
                                  sizeof out, err, sizeof err),
                 0);
    cr_assert_str_eq(out, "127.0.0.1:5901");
    cr_assert_eq(vncaddr_from_xml(xml_with("<graphics type='vnc' port='5902' listen='0.0.0.0'>"
                                           "<listen type='address' address='0.0.0.0'/></graphics>"),
                                  "10.1.2.3", out, sizeof out, err, sizeof err),
                 0);
    cr_assert_str_eq(out, "10.1.2.3:5902");
    cr_assert_eq(vncaddr_from_xml(xml_with("<graphics type='vnc' port='5903' listen='::1'/>"), "h", out, sizeof out,
                                  err, sizeof err),
                 0);
    cr_assert_str_eq(out, "[::1]:5903");
    cr_assert_eq(vncaddr_from_xml(xml_with("<graphics type='vnc' socket='/run/v.sock'/>"), "h", out, sizeof out, err,
                                  sizeof err),
                 0);
    cr_assert_str_eq(out, "unix:/run/v.sock");
    cr_assert_eq(vncaddr_from_xml(xml_with("<graphics type='vnc' port='-1' autoport='yes'/>"), "h", out, sizeof out,
                                  err, sizeof err),
                 -1);
    cr_assert(strstr(err, "port"), "%s", err);
    cr_assert_eq(
        vncaddr_from_xml(xml_with("<graphics type='spice' port='5900'/>"), "h", out, sizeof out, err, sizeof err), -1);
    cr_assert(strstr(err, "no VNC"), "%s", err);
    cr_assert_eq(vncaddr_from_xml("<domain", "h", out, sizeof out, err, sizeof err), -1);
}

/* What an SSH tunnel is asked for: the far side's view of the listen address. */
Test(vncaddr, tunnel_target)
{
    char out[300], err[200], host[64];
    int port = 0;
    /* A wildcard or missing listen address is the SSH server's own loopback. */
    const char *wild[] = {"<graphics type='vnc' port='5907' listen='0.0.0.0'/>",
                          "<graphics type='vnc' port='5907' listen='::'/>", "<graphics type='vnc' port='5907'/>"};
    for (size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
        cr_assert_eq(vncaddr_from_xml(xml_with(wild[i]), "127.0.0.1", out, sizeof out, err, sizeof err), 0);
        cr_assert_eq(vncaddr_split(out, host, sizeof host, &port), 0, "%s", out);
        cr_assert_str_eq(host, "127.0.0.1");
        cr_assert_eq(port, 5907);
    }
    cr_assert_eq(vncaddr_split("[fd00::7]:5901", host, sizeof host, &port), 0);
    cr_assert_str_eq(host, "fd00::7");
    cr_assert_eq(port, 5901);
    cr_assert_eq(vncaddr_split("hostA:5900", host, sizeof host, &port), 0);
    cr_assert_str_eq(host, "hostA");
    /* Not a TCP address: a unix socket, junk, a bad port, a host too long. */
    cr_assert_eq(vncaddr_split("unix:/run/v.sock", host, sizeof host, &port), -1);
    cr_assert_eq(vncaddr_split("fd00::7:5900", host, sizeof host, &port), -1);
    cr_assert_eq(vncaddr_split("h:0", host, sizeof host, &port), -1);
    cr_assert_eq(vncaddr_split("h:65536", host, sizeof host, &port), -1);
    cr_assert_eq(vncaddr_split("h:", host, sizeof host, &port), -1);
    cr_assert_eq(vncaddr_split(":5900", host, sizeof host, &port), -1);
    cr_assert_eq(vncaddr_split("[::1]5900", host, sizeof host, &port), -1);
    char longhost[200];
    memset(longhost, 'a', 100);
    snprintf(longhost + 100, sizeof longhost - 100, ":5900");
    cr_assert_eq(vncaddr_split(longhost, host, sizeof host, &port), -1);
}

Test(vncaddr, connect_refuses_bad_addresses_quickly)
{
    char err[200];
    cr_assert_eq(vncaddr_connect("nonsense", 1000, -1, err, sizeof err), -1);
    cr_assert(strstr(err, "bad address"), "%s", err);
    cr_assert_eq(vncaddr_connect("127.0.0.1:0", 1000, -1, err, sizeof err), -1);
    cr_assert_eq(vncaddr_connect("some.host.name:5900", 1000, -1, err, sizeof err), -1);
    cr_assert(strstr(err, "numeric"), "%s", err);
    cr_assert_eq(vncaddr_connect("unix:/nonexistent/socket", 1000, -1, err, sizeof err), -1);
}
