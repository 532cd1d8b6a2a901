/* tests/fuzz/fuzz_keyfile.c: libFuzzer target for binding files (keymaps/keyfile.c
 * over keymaps/keymap.c), loaded as the server loads a user's: from a file,
 * with the server's command check (server/command.c).
 *
 * Input: the file's bytes. Aborts when:
 *   - the count of bad lines is not the number of reports, exceeds the
 *     number of lines, or a report does not start with "PATH:LINE: ";
 *   - a binding that loaded has an invalid key, a command that does not split
 *     or that the command check refuses;
 *   - the keymap written back as a binding file ("table T P", "bind-key -T T
 *     -N NOTE KEY COMMAND") loads with a bad line, or into different
 *     bindings, notes or parents.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "keymaps/cmdline.h"
#include "keymaps/keyfile.h"
#include "keymaps/keymap.h"
#include "server/command.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_keyfile: %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

static int fd = -1;
static char path[64];

struct reports { int n; size_t lines; };

static void on_report(const char *msg, void *opaque)
{
    struct reports *r = opaque;
    size_t plen = strlen(path);
    CHECK(!strncmp(msg, path, plen) && msg[plen] == ':', "report without the file's name: %s", msg);
    char *end;
    unsigned long no = strtoul(msg + plen + 1, &end, 10);
    CHECK(end != msg + plen + 1 && *end == ':' && no >= 1 && no <= r->lines, "report without a line: %s", msg);
    r->n++;
}

/* ---- the keymap written back ---- */

struct out { char *buf; size_t len, cap; const char *table; };

static void put(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len + n + 2 > o->cap) {
        o->cap = (o->len + n + 2) * 2;
        o->buf = realloc(o->buf, o->cap);
        CHECK(o->buf, "out of memory");
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put_words(struct out *o, int argc, char **argv)
{
    char *line = cmdline_join(argc, argv);
    CHECK(line, "join failed");
    put(o, line);
    put(o, "\n");
    free(line);
}

static void check_binding(const struct binding *b, void *opaque)
{
    struct out *o = opaque;
    char key[KEY_STRING_MAX], err[512] = "";
    CHECK(key_code_valid(b->key), "table %s: a binding with an invalid key %#x", o->table, (unsigned)b->key);
    CHECK(key_code_to_string(b->key, key, sizeof key) >= 0 && *key, "key %#x has no name", (unsigned)b->key);
    CHECK(b->command, "no command");
    int argc;
    char **argv;
    CHECK(cmdline_split(b->command, &argc, &argv, err, sizeof err) == 0 && argc >= 1,
          "the command of %s in %s does not split: %s [%s]", key, o->table, err, b->command);
    CHECK(command_check(argc, argv, err, sizeof err, NULL) == 0, "a refused command was bound: %s [%s]", err,
          b->command);
    /* bind-key -T TABLE [-N NOTE] KEY WORDS... */
    char *words[CMDLINE_MAX_WORDS + 8];
    int n = 0;
    words[n++] = "bind-key";
    words[n++] = "-T";
    words[n++] = (char *)o->table;
    if (b->note) {
        words[n++] = "-N";
        words[n++] = b->note;
    }
    words[n++] = key;
    for (int i = 0; i < argc && n < (int)(sizeof words / sizeof words[0]) - 1; i++)
        words[n++] = argv[i];
    put_words(o, n, words);
    cmdline_free(argc, argv);
}

static void write_back(const struct keymap *km, struct out *o)
{
    for (size_t i = 0; i < keymap_table_count(km); i++) {
        const char *t = keymap_table_name(km, i), *p = keymap_parent(km, t);
        char *words[3] = { "table", (char *)t, (char *)p };
        put_words(o, p ? 3 : 2, words);
    }
    for (size_t i = 0; i < keymap_table_count(km); i++) {
        o->table = keymap_table_name(km, i);
        keymap_foreach(km, o->table, check_binding, o);
    }
}

/* ---- comparing two keymaps ---- */

struct cmp { const struct keymap *other; const char *table; size_t n; };

static void same_binding(const struct binding *b, void *opaque)
{
    struct cmp *c = opaque;
    const struct binding *o = keymap_lookup(c->other, c->table, b->key);
    CHECK(o && o->key == b->key, "table %s: key %#x lost in the round trip", c->table, (unsigned)b->key);
    CHECK(!strcmp(o->command, b->command), "table %s: [%s] came back as [%s]", c->table, b->command, o->command);
    CHECK((!o->note && !b->note) || (o->note && b->note && !strcmp(o->note, b->note)), "table %s: a note changed",
          c->table);
    c->n++;
}

static void count(const struct binding *b, void *opaque)
{
    ++*(size_t *)opaque;
}

static void same_keymap(const struct keymap *a, const struct keymap *b)
{
    CHECK(keymap_table_count(a) == keymap_table_count(b), "%zu tables, then %zu", keymap_table_count(a),
          keymap_table_count(b));
    for (size_t i = 0; i < keymap_table_count(a); i++) {
        struct cmp c = { b, keymap_table_name(a, i), 0 };
        const char *pa = keymap_parent(a, c.table), *pb = keymap_parent(b, c.table);
        CHECK((!pa && !pb) || (pa && pb && !strcmp(pa, pb)), "table %s: parent changed", c.table);
        keymap_foreach(a, c.table, same_binding, &c);
        size_t nb = 0;
        keymap_foreach(b, c.table, count, &nb);
        CHECK(nb == c.n, "table %s: %zu bindings, then %zu", c.table, c.n, nb);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fd = memfd_create("fuzz_keyfile", MFD_CLOEXEC);
    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "cannot write the file");
    struct reports r = { 0, 1 };
    for (size_t i = 0; i < size; i++)
        r.lines += data[i] == '\n';

    struct keymap *km = keymap_new();
    CHECK(km, "keymap_new");
    keymap_set_command_check(km, command_check, NULL);
    int bad = keyfile_load_path(km, path, on_report, &r);
    CHECK(bad >= 0, "keyfile_load_path: %d", bad);
    CHECK(bad == r.n, "%d bad lines, %d reports", bad, r.n);
    CHECK((size_t)bad <= r.lines, "%d bad lines of %zu", bad, r.lines);

    struct out o = { 0 };
    put(&o, "");
    write_back(km, &o);
    struct keymap *again = keymap_new();
    CHECK(again, "keymap_new");
    keymap_set_command_check(again, command_check, NULL);
    struct reports r2 = { 0, 1 };
    for (size_t i = 0; i < o.len; i++)
        r2.lines += o.buf[i] == '\n';
    CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, o.buf, o.len, 0) == (ssize_t)o.len, "cannot write the file");
    int bad2 = keyfile_load_path(again, path, on_report, &r2);
    CHECK(bad2 == 0, "the keymap written back has %d bad lines:\n%s", bad2, o.buf);
    same_keymap(km, again);

    free(o.buf);
    keymap_free(again);
    keymap_free(km);
    return 0;
}
