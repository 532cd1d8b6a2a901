/* keymap.c: named key binding tables with parent fallback, and bind-key/unbind-key. */
#include "keymap.h"
#include "util/errf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"

#define TABLE_NAME_MAX 64
#define DEFAULT_TABLE "list"

struct table {
    char *name;
    char *parent;      /* by name, so tables may be declared in any order */
    struct binding *b; /* kept sorted by key string */
    size_t n, cap;
};

struct keymap {
    struct table *t;
    size_t n, cap;
    keymap_command_check check;
    void *check_opaque;
};

struct keymap *keymap_new(void)
{
    return calloc(1, sizeof(struct keymap));
}

static void binding_clear(struct binding *b)
{
    free(b->command);
    free(b->note);
}

void keymap_free(struct keymap *km)
{
    size_t i, j;

    if (km == NULL)
        return;
    for (i = 0; i < km->n; i++) {
        for (j = 0; j < km->t[i].n; j++)
            binding_clear(&km->t[i].b[j]);
        free(km->t[i].b);
        free(km->t[i].name);
        free(km->t[i].parent);
    }
    free(km->t);
    free(km);
}

void keymap_set_command_check(struct keymap *km, keymap_command_check fn, void *opaque)
{
    km->check = fn;
    km->check_opaque = opaque;
}

static struct table *find_table(const struct keymap *km, const char *name)
{
    size_t i;

    if (name == NULL)
        return NULL;
    for (i = 0; i < km->n; i++) {
        if (strcmp(km->t[i].name, name) == 0)
            return &km->t[i];
    }
    return NULL;
}

static int valid_table_name(const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return n > 0 && n <= TABLE_NAME_MAX;
}

/* Find or create a table; returns NULL with a reason. */
static struct table *get_table(struct keymap *km, const char *name, char *err, size_t errlen)
{
    struct table *t, *nt;
    size_t cap;

    if (name == NULL || !valid_table_name(name)) {
        errf(err, errlen, "invalid table name '%.64s'", name ? name : "");
        return NULL;
    }
    t = find_table(km, name);
    if (t != NULL)
        return t;
    if (km->n == km->cap) {
        cap = km->cap ? km->cap * 2 : 8;
        nt = realloc(km->t, cap * sizeof *nt);
        if (nt == NULL)
            goto nomem;
        km->t = nt;
        km->cap = cap;
    }
    t = &km->t[km->n];
    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    if (t->name == NULL)
        goto nomem;
    km->n++;
    return t;
nomem:
    errf(err, errlen, "out of memory");
    return NULL;
}

int keymap_add_table(struct keymap *km, const char *table, char *err, size_t errlen)
{
    return get_table(km, table, err, errlen) ? 0 : -1;
}

int keymap_set_parent(struct keymap *km, const char *table, const char *parent, char *err, size_t errlen)
{
    struct table *t;
    const struct table *p;
    char *copy = NULL;
    size_t hops;

    /* Check both names first so a bad parent leaves nothing behind. */
    if (parent != NULL && !valid_table_name(parent)) {
        errf(err, errlen, "invalid table name '%.64s'", parent);
        return -1;
    }
    if (get_table(km, table, err, errlen) == NULL)
        return -1;
    if (parent != NULL) {
        if (get_table(km, parent, err, errlen) == NULL)
            return -1;
        /* Walk up from the new parent; meeting table again means a loop.
		   Existing chains are acyclic, so km->n hops is enough. */
        p = find_table(km, parent);
        for (hops = 0; p != NULL && hops <= km->n; hops++) {
            if (strcmp(p->name, table) == 0) {
                errf(err, errlen, "table '%s' cannot have parent '%s': that would make a cycle", table, parent);
                return -1;
            }
            p = find_table(km, p->parent);
        }
        copy = strdup(parent);
        if (copy == NULL) {
            errf(err, errlen, "out of memory");
            return -1;
        }
    }
    t = find_table(km, table); /* re-find: creating parent may have moved it */
    free(t->parent);
    t->parent = copy;
    return 0;
}

/* Order for the help screen: case-insensitive, ties broken exactly. */
static int key_cmp(key_code a, key_code b)
{
    char sa[KEY_STRING_MAX], sb[KEY_STRING_MAX];
    int r;

    key_code_to_string(a, sa, sizeof sa);
    key_code_to_string(b, sb, sizeof sb);
    r = strcasecmp(sa, sb);
    return r != 0 ? r : strcmp(sa, sb);
}

static struct binding *find_binding(const struct table *t, key_code key)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (t->b[i].key == key)
            return &t->b[i];
    }
    return NULL;
}

int keymap_bind(struct keymap *km, const char *table, key_code key, const char *command, const char *note, char *err,
                size_t errlen)
{
    struct table *t;
    struct binding *b, *nb;
    char *cmd, *nt = NULL;
    size_t i, cap;

    key = key_normalise(key);
    if (!key_code_valid(key)) {
        errf(err, errlen, "invalid key");
        return -1;
    }
    if (command == NULL || *command == '\0') {
        errf(err, errlen, "missing command");
        return -1;
    }
    t = get_table(km, table, err, errlen);
    if (t == NULL)
        return -1;
    cmd = strdup(command);
    if (note != NULL)
        nt = strdup(note);
    if (cmd == NULL || (note != NULL && nt == NULL))
        goto nomem;

    b = find_binding(t, key);
    if (b != NULL) {
        binding_clear(b);
        b->command = cmd;
        b->note = nt;
        return 0;
    }
    if (t->n == t->cap) {
        cap = t->cap ? t->cap * 2 : 16;
        nb = realloc(t->b, cap * sizeof *nb);
        if (nb == NULL)
            goto nomem;
        t->b = nb;
        t->cap = cap;
    }
    for (i = t->n; i > 0 && key_cmp(t->b[i - 1].key, key) > 0; i--)
        t->b[i] = t->b[i - 1];
    t->b[i].key = key;
    t->b[i].command = cmd;
    t->b[i].note = nt;
    t->n++;
    return 0;
nomem:
    free(cmd);
    free(nt);
    errf(err, errlen, "out of memory");
    return -1;
}

int keymap_unbind(struct keymap *km, const char *table, key_code key, char *err, size_t errlen)
{
    struct table *t = find_table(km, table);
    struct binding *b;
    char ks[KEY_STRING_MAX];
    size_t i;

    key = key_normalise(key);
    b = t ? find_binding(t, key) : NULL;
    if (b == NULL) {
        if (key_code_to_string(key, ks, sizeof ks) != 0)
            strcpy(ks, "?");
        errf(err, errlen, "key %s is not bound in table %.64s", ks, table ? table : "");
        return -1;
    }
    binding_clear(b);
    for (i = (size_t)(b - t->b); i + 1 < t->n; i++)
        t->b[i] = t->b[i + 1];
    t->n--;
    return 0;
}

const struct binding *keymap_lookup(const struct keymap *km, const char *table, key_code key)
{
    const struct table *t = find_table(km, table);
    const struct binding *b;
    size_t hops;

    key = key_normalise(key);
    for (hops = 0; t != NULL && hops <= km->n; hops++) {
        b = find_binding(t, key);
        if (b != NULL)
            return b;
        t = find_table(km, t->parent);
    }
    return NULL;
}

void keymap_foreach(const struct keymap *km, const char *table, void (*cb)(const struct binding *b, void *opaque),
                    void *opaque)
{
    const struct table *t = find_table(km, table);
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->n; i++)
        cb(&t->b[i], opaque);
}

size_t keymap_table_count(const struct keymap *km)
{
    return km->n;
}

const char *keymap_table_name(const struct keymap *km, size_t i)
{
    return i < km->n ? km->t[i].name : NULL;
}

const char *keymap_parent(const struct keymap *km, const char *table)
{
    const struct table *t = find_table(km, table);

    return t ? t->parent : NULL;
}

/* Read leading flags; those in "takes" need a value, stored in vals[]
   by position in takes. Returns the index of the first non-flag word. */
static int parse_flags(int argc, char **argv, const char *takes, const char **vals, char *err, size_t errlen)
{
    const char *a, *f;
    int i;

    for (i = 1; i < argc; i++) {
        a = argv[i];
        if (a[0] != '-' || a[1] == '\0')
            break; /* "-" alone is the minus key */
        if (strcmp(a, "--") == 0)
            return i + 1;
        f = strchr(takes, a[1]);
        if (f == NULL) {
            errf(err, errlen, "unknown flag %.32s", a);
            return -1;
        }
        if (a[2] != '\0') {
            vals[f - takes] = a + 2; /* -Tlist */
        } else if (i + 1 < argc) {
            vals[f - takes] = argv[++i];
        } else {
            errf(err, errlen, "flag -%c needs an argument", a[1]);
            return -1;
        }
    }
    return i;
}

static int parse_key(const char *s, key_code *key, char *err, size_t errlen)
{
    *key = key_string_to_code(s);
    if (*key == KEYC_NONE) {
        errf(err, errlen, "unknown key '%.64s'", s);
        return -1;
    }
    return 0;
}

int keymap_bind_words(struct keymap *km, const char *table, const char *note, const char *key_name, int argc,
                      char **argv, char *err, size_t errlen)
{
    key_code key;
    char *command;
    int rc;

    if (parse_key(key_name, &key, err, errlen) != 0)
        return -1;
    if (argc < 1) {
        errf(err, errlen, "missing command");
        return -1;
    }
    if (km->check != NULL && km->check(argc, argv, err, errlen, km->check_opaque) != 0)
        return -1;
    command = cmdline_join(argc, argv);
    if (command == NULL) {
        errf(err, errlen, "out of memory");
        return -1;
    }
    rc = keymap_bind(km, table ? table : DEFAULT_TABLE, key, command, note, err, errlen);
    free(command);
    return rc;
}

int keymap_bind_argv(struct keymap *km, int argc, char **argv, char *err, size_t errlen)
{
    const char *vals[2] = {DEFAULT_TABLE, NULL}; /* -T, -N */
    int i;

    i = parse_flags(argc, argv, "TN", vals, err, errlen);
    if (i < 0)
        return -1;
    if (i >= argc) {
        errf(err, errlen, "missing key");
        return -1;
    }
    return keymap_bind_words(km, vals[0], vals[1], argv[i], argc - i - 1, argv + i + 1, err, errlen);
}

int keymap_unbind_name(struct keymap *km, const char *table, const char *key_name, char *err, size_t errlen)
{
    key_code key;

    if (parse_key(key_name, &key, err, errlen) != 0)
        return -1;
    return keymap_unbind(km, table ? table : DEFAULT_TABLE, key, err, errlen);
}

int keymap_unbind_argv(struct keymap *km, int argc, char **argv, char *err, size_t errlen)
{
    const char *vals[1] = {DEFAULT_TABLE};
    key_code key;
    int i;

    i = parse_flags(argc, argv, "T", vals, err, errlen);
    if (i < 0)
        return -1;
    if (i >= argc) {
        errf(err, errlen, "missing key");
        return -1;
    }
    if (i + 1 < argc) {
        errf(err, errlen, "too many arguments");
        return -1;
    }
    if (parse_key(argv[i], &key, err, errlen) != 0)
        return -1;
    return keymap_unbind(km, vals[0], key, err, errlen);
}
