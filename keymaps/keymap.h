/* keymap.h: named key binding tables, each with an optional parent to fall back to. */
#ifndef VIRTMUX_KEYMAPS_KEYMAP_H
#define VIRTMUX_KEYMAPS_KEYMAP_H

#include <stddef.h>

#include "key.h"

struct binding {
    key_code key;
    char *command; /* a full command line */
    char *note;    /* one-line help, or NULL */
};

struct keymap;

/* Decides whether a bound command is acceptable; argv[0] is the command
   name. Returns 0, or -1 with a reason in err. */
typedef int (*keymap_command_check)(int argc, char **argv, char *err, size_t errlen, void *opaque);

struct keymap *keymap_new(void);
void keymap_free(struct keymap *km);

/* When set, keymap_bind_argv refuses a binding whose command words fn rejects. */
void keymap_set_command_check(struct keymap *km, keymap_command_check fn, void *opaque);

/* Create table if it does not exist yet (names: letters, digits, '-', '_'). */
int keymap_add_table(struct keymap *km, const char *table, char *err, size_t errlen);

/* Creates both tables as needed; parent NULL clears it; refuses cycles. */
int keymap_set_parent(struct keymap *km, const char *table, const char *parent, char *err, size_t errlen);

/* Bind key in table (created as needed), replacing an existing binding. */
int keymap_bind(struct keymap *km, const char *table, key_code key, const char *command, const char *note, char *err,
                size_t errlen);

/* -1 "key X is not bound in table T" when there is nothing to remove. */
int keymap_unbind(struct keymap *km, const char *table, key_code key, char *err, size_t errlen);

/* The binding for key in table, else in its parents; NULL if none. */
const struct binding *keymap_lookup(const struct keymap *km, const char *table, key_code key);

/* Visit the bindings of one table (not its parents) sorted by key string
   (case-insensitively, then exactly), for the generated help screen. */
void keymap_foreach(const struct keymap *km, const char *table, void (*cb)(const struct binding *b, void *opaque),
                    void *opaque);

/* Tables in the order they were created. */
size_t keymap_table_count(const struct keymap *km);
const char *keymap_table_name(const struct keymap *km, size_t i);
/* NULL when table has no parent or does not exist. */
const char *keymap_parent(const struct keymap *km, const char *table);

/* The argument parsers shared by the config file and binding files; argv[0]
   is the command name:
     bind-key [-T table] [-N note] KEY COMMAND [ARGS...]   (default table "list")
     unbind-key [-T table] KEY
   Errors name the problem: "unknown key 'Foo'", "missing command", "unknown flag -x". */
int keymap_bind_argv(struct keymap *km, int argc, char **argv, char *err, size_t errlen);
/* The same with the flags already read: table (NULL: "list"), note (or
   NULL), the key's name, and the command's words. */
int keymap_bind_words(struct keymap *km, const char *table, const char *note, const char *key_name, int argc,
                      char **argv, char *err, size_t errlen);
int keymap_unbind_name(struct keymap *km, const char *table, const char *key_name, char *err, size_t errlen);
int keymap_unbind_argv(struct keymap *km, int argc, char **argv, char *err, size_t errlen);

#endif
