/* server/command.h: the one command language of the config file, key
 * bindings, the ':' prompt and the command line. Each command declares its
 * flags and how many arguments it takes in the table (server/command.c);
 * they are parsed there, in one place, tmux's way: flags first (-x, -x VALUE,
 * --long), then the arguments; '--' ends the flags. */
#ifndef VIRTMUX_COMMAND_H
#define VIRTMUX_COMMAND_H
#include <stdbool.h>
#include <stddef.h>

struct app;

/* What a command gets: its name, its arguments without the flags, and the
 * value of each flag given ("" for one without a value; NULL: not given). */
struct cmd_args {
    const char *name;
    int argc;
    char **argv;
    const char *flag[128];
};

static inline bool args_has(const struct cmd_args *a, char f)
{
    return a->flag[(unsigned char)f] != NULL;
}

static inline const char *args_get(const struct cmd_args *a, char f)
{
    return a->flag[(unsigned char)f];
}

/* A long flag is another name for a letter of the flags string. */
struct cmd_long {
    const char *name;   /* without "--" */
    char letter;
};

typedef int (*cmd_fn)(struct app *a, const struct cmd_args *args, char *err, size_t errlen);

struct cmd_entry {
    const char *name;
    const char *flags;             /* "fr" plain flags, "t:" one with a value */
    const struct cmd_long *longs;  /* --vnc and the like, or NULL */
    int min_args, max_args;        /* after the flags; -1 = unbounded */
    const char *usage;             /* flags and arguments, for errors and help */
    const char *help;              /* one line */
    cmd_fn exec;
    unsigned needs;
};

/* cmd_entry.needs */
#define CMD_SESSION 0x01   /* acts on the session a client shows: not from a config file or the command line */
/* Who besides operators may run it on a system server (server/authz.h);
 * what it does to a domain is checked again against that domain. */
#define CMD_STUDENT 0x02
#define CMD_TA 0x04
#define CMD_ALL (CMD_STUDENT | CMD_TA)

const struct cmd_entry *command_find(const char *name);
size_t command_count(void);
const struct cmd_entry *command_at(size_t i);
/* Parse argv against c's declaration into args (which points into argv).
 * -1 with "NAME: unknown flag -x" or "usage: NAME USAGE". */
int command_parse(const struct cmd_entry *c, int argc, char **argv, struct cmd_args *args, char *err,
                  size_t errlen);
/* A known name whose flags and arguments parse (the keymap's bind-key check). */
int command_check(int argc, char **argv, char *err, size_t errlen, void *opaque);
int command_run_argv(struct app *a, int argc, char **argv, char *err, size_t errlen);
/* Split with the shared tokenizer, then run; a blank or comment line is fine. */
int command_run_line(struct app *a, const char *line, char *err, size_t errlen);

#endif
