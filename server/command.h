/* server/command.h: the one command language of the config file, key bindings and ':' prompt. */
#ifndef VIRTMUX_COMMAND_H
#define VIRTMUX_COMMAND_H
#include <stddef.h>

struct app;

struct cmd_entry {
    const char *name;
    const char *usage;     /* arguments, for errors and list-commands */
    const char *help;      /* one line */
    int min_args, max_args;   /* not counting argv[0]; -1 = unbounded */
    int (*exec)(struct app *a, int argc, char **argv, char *err, size_t errlen);
    unsigned flags;
};

/* cmd_entry.flags */
#define CMD_SESSION 0x01   /* acts on the session a client shows: not from a config file or the command line */

const struct cmd_entry *command_find(const char *name);
size_t command_count(void);
const struct cmd_entry *command_at(size_t i);
/* Known name and a fitting number of arguments (the keymap's bind-key check). */
int command_check(int argc, char **argv, char *err, size_t errlen, void *opaque);
int command_run_argv(struct app *a, int argc, char **argv, char *err, size_t errlen);
/* Split with the shared tokenizer, then run; a blank or comment line is fine. */
int command_run_line(struct app *a, const char *line, char *err, size_t errlen);

#endif
