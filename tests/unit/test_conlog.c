/* test_conlog.c: console logs. The text log must be safe to `cat`: nothing a
 * terminal would interpret survives, whether sent as 7-bit escapes, as C1
 * controls encoded in UTF-8, or as raw 8-bit C1 bytes, and however the guest's
 * writes split a sequence. Text, UTF-8 included, stays as it was. */
#include "testutil.h"

#include "backends/conlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/vmx-conlog.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* The whole of DIR/NAME.EXT, NUL-terminated; *len gets its length. */
static char *slurp(const char *name, const char *ext, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char *buf = calloc(1, 1 << 20);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    return buf;
}

/* Each piece is one conlog_write; returns the text log. */
static char *text_of(const char *const *pieces, const size_t *lens, size_t n)
{
    char err[256];
    struct conlog *log = conlog_open(dir, "g", err, sizeof err);
    cr_assert_not_null(log, "%s", err);
    for (size_t i = 0; i < n; i++)
        conlog_write(log, pieces[i], lens ? lens[i] : strlen(pieces[i]));
    conlog_close(log);
    size_t len;
    return slurp("g", "log", &len);
}

static char *text_of1(const char *s)
{
    return text_of(&s, NULL, 1);
}

TestSuite(conlog, .init = setup, .fini = teardown);

Test(conlog, plain_text_and_utf8_stay)
{
    char *t = text_of1("ls -l\n\tcaf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x90\xa7 \xc2\xa0nbsp\n");
    cr_assert_str_eq(t, "ls -l\n\tcaf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x90\xa7 \xc2\xa0nbsp\n");
    free(t);
}

Test(conlog, seven_bit_sequences_go)
{
    char *t = text_of1("a\x1b[1;31mred\x1b[0m b\x1b]0;title\x07 c\x1b]52;c;aGk=\x1b\\ d\x1bP$q m\x1b\\ e\r\n");
    cr_assert_str_eq(t, "ared b c d e\n");
    free(t);
}

Test(conlog, c1_controls_in_utf8_go)
{
    /* U+009B CSI, U+009D OSC ... U+009C ST, U+0090 DCS, U+0085 NEL */
    char *t = text_of1("a\xc2\x9b"
                       "2J b\xc2\x9d"
                       "52;c;aGk=\xc2\x9c c\xc2\x90q\xc2\x9c d\xc2\x85!\n");
    cr_assert_null(strstr(t, "\xc2\x9b"), "CSI kept: %s", t);
    cr_assert_null(strstr(t, "\xc2\x9d"), "OSC kept");
    cr_assert_null(strstr(t, "\xc2\x90"), "DCS kept");
    cr_assert_null(strstr(t, "\xc2\x85"), "NEL kept");
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        cr_assert(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "a C1 control at %td", (const char *)p - t);
    free(t);
}

Test(conlog, raw_c1_bytes_go)
{
    char *t = text_of1("a\x9b"
                       "2J b\x9d"
                       "0;x\x9c c\x85 d\n");
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        cr_assert(!(*p >= 0x80 && *p <= 0x9f), "raw C1 byte 0x%02x kept", *p);
    cr_assert_not_null(strstr(t, "a"));
    cr_assert_not_null(strstr(t, " d\n"));
    free(t);
}

Test(conlog, sequences_split_across_writes_still_go)
{
    const char *pieces[] = {"x\x1b", "[31my\xc2",
                            "\x9b"
                            "2Jz\xe4\xb8",
                            "\xad\n"};
    char *t = text_of(pieces, NULL, 4);
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        cr_assert_neq(*p, 0x1b);
        cr_assert(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "split C1 kept");
    }
    cr_assert_not_null(strstr(t, "x"));
    cr_assert_not_null(strstr(t, "\xe4\xb8\xad\n"), "split UTF-8 character lost: %s", t);
    free(t);
}

Test(conlog, nul_and_other_c0_go)
{
    const char s[] = "a\0b\x07"
                     "c\x08"
                     "d\x0e"
                     "e\x7f"
                     "f\n";
    size_t len = sizeof s - 1;
    const char *p = s;
    char *t = text_of(&p, &len, 1);
    cr_assert_str_eq(t, "abcde?f\n");
    free(t);
}

Test(conlog, raw_log_keeps_every_byte_with_a_stamp)
{
    char err[256];
    struct conlog *log = conlog_open(dir, "g", err, sizeof err);
    cr_assert_not_null(log);
    conlog_write(log, "\x1b[2J\x00z", 6);
    conlog_marker(log, "[virtmux: stopped]");
    conlog_close(log);
    size_t len;
    char *raw = slurp("g", "raw", &len);
    /* "YYYY-MM-DDTHH:MM:SS.mmmZ 6\n<6 bytes>\n" then the marker line. */
    cr_assert_gt(len, 25);
    cr_assert_eq(raw[4], '-');
    cr_assert_eq(raw[10], 'T');
    cr_assert_eq(raw[23], 'Z');
    cr_assert_eq(memcmp(raw + 24, " 6\n\x1b[2J\x00z\n", 10), 0);
    cr_assert_not_null(strstr(raw + 34, " marker [virtmux: stopped]\n"));
    free(raw);
    char *text = slurp("g", "log", &len);
    cr_assert_not_null(strstr(text, " [virtmux: stopped]\n"));
    free(text);
}

Test(conlog, files_are_private)
{
    char err[256], path[256];
    struct conlog *log = conlog_open(dir, "g", err, sizeof err);
    cr_assert_not_null(log);
    conlog_close(log);
    struct stat st;
    snprintf(path, sizeof path, "%s/g.log", dir);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/g.raw", dir);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(conlog, names_cannot_leave_the_directory)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"../../etc/passwd", "_._.._etc_passwd"},
        {"", "_"},
        {".hidden", "_hidden"},
        {"host/dom-1_a.b", "host_dom-1_a.b"},
        {"caf\xc3\xa9 x", "caf___x"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        conlog_file_name(cases[i].in, out, sizeof out);
        cr_assert_str_eq(out, cases[i].want, "'%s'", cases[i].in);
    }
    conlog_file_name("abcdefgh", out, 5);
    cr_assert_str_eq(out, "abcd");
}

Test(conlog, tail_gives_the_last_lines)
{
    const char *s = "one\ntwo\nthree\nfour\n";
    char *t = text_of1(s);
    free(t);
    char *tail = conlog_tail(dir, "g", 2);
    cr_assert_str_eq(tail, "three\nfour\n");
    free(tail);
    tail = conlog_tail(dir, "g", 10);
    cr_assert_str_eq(tail, s);
    free(tail);
    tail = conlog_tail(dir, "nosuch", 5);
    cr_assert_str_eq(tail, "");
    free(tail);
}
