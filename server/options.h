/* server/options.h: every option `set` knows, as one table — name, type,
 * range, unit and a line of help — from which `set` parses and checks a
 * value (and words its errors), `show-options` lists them and the manual's
 * OPTIONS section is written (virtmux-server --man options). */
#ifndef VIRTMUX_OPTIONS_H
#define VIRTMUX_OPTIONS_H
#include <stddef.h>

struct app;

enum option_type {
    OPT_BOOL,       /* on/off (yes/no, true/false, 1/0) */
    OPT_NUMBER,     /* a whole number from min to max */
    OPT_CHOICE,     /* one of choices ("name|host|state") */
    OPT_STRING,     /* any text */
    OPT_SECRET,     /* text never shown back */
    OPT_PATTERN,    /* an extended regular expression */
};

struct option_def {
    const char *name;
    const char *alias;              /* another spelling, or NULL */
    enum option_type type;
    long min, max;                  /* OPT_NUMBER */
    const char *unit;               /* OPT_NUMBER: "seconds", "lines" */
    const char *choices;            /* OPT_CHOICE */
    const char *help;
    size_t offset, size;            /* where it lives in struct options (not for patterns) */
    /* After a new value: make it take effect (hosts, clients...), or NULL.
     * For OPT_PATTERN, stores the value itself. */
    int (*apply)(struct app *a, const char *value, char *err, size_t errlen);
};

size_t option_count(void);
const struct option_def *option_at(size_t i);
const struct option_def *option_find(const char *name);
/* set NAME VALUE: -1 with the reason ("set NAME: '...' is not ..."). */
int option_set(struct app *a, const char *name, const char *value, char *err, size_t errlen);
/* The current value and the range, as text (a secret shows as "(set)"). */
void option_value(struct app *a, size_t i, char *out, size_t outlen);
void option_range(size_t i, char *out, size_t outlen);

#endif
