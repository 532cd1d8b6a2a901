/* server/options.c: the option table and the one parser of values. */
#include "server/options.h"
#include "server/app.h"
#include "server/session.h"
#include "util/errf.h"
#include "views/domlist.h"

#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT(field) offsetof(struct options, field), sizeof(((struct options *)0)->field)

static int apply_sort(struct app *a, const char *value, char *err, size_t errlen)
{
    for (size_t i = 0; i < a->nsessions; i++)
        domlist_set_sort(a->sessions[i]->domlist, value, err, errlen);
    return 0;
}

static int apply_clients(struct app *a, const char *value, char *err, size_t errlen)
{
    app_apply_options(a);
    return 0;
}

static int apply_reconnect(struct app *a, const char *value, char *err, size_t errlen)
{
    for (size_t i = 0; i < a->nhosts; i++)
        host_set_backoff_max(a->hosts[i], a->opt.reconnect_max);
    return 0;
}

/* Repeatable: each adds one; "default" and "none" start over. */
static int apply_alarm(struct app *a, const char *value, char *err, size_t errlen)
{
    if (!strcmp(value, "none") || !strcmp(value, "default")) {
        for (size_t i = 0; i < a->patterns.nalarm; i++)
            regfree(&a->patterns.alarm[i]);
        a->patterns.nalarm = 0;
        value = strcmp(value, "none") ? DEFAULT_ALARM : NULL;
        if (!value)
            return 0;
    }
    return watch_patterns_add_alarm(&a->patterns, value, err, errlen);
}

static int apply_settled(struct app *a, const char *value, char *err, size_t errlen)
{
    return watch_patterns_set_settled(&a->patterns, strcmp(value, "default") ? value : DEFAULT_SETTLED, err, errlen);
}

static const struct option_def options[] = {
    { "sort", NULL, OPT_CHOICE, 0, 0, NULL, "name|host|state|owner", "the order of the domain list", AT(sort),
      apply_sort },
    { "mouse", NULL, OPT_BOOL, 0, 0, NULL, NULL, "clicks and the wheel for virtmux (off: for the terminal)",
      AT(mouse), apply_clients },
    { "colour", "color", OPT_BOOL, 0, 0, NULL, NULL, "colours where the terminal has them", AT(colour),
      apply_clients },
    { "reconnect-max", NULL, OPT_NUMBER, 1, 3600, "seconds", NULL, "the longest wait between reconnects",
      AT(reconnect_max), apply_reconnect },
    { "log-dir", NULL, OPT_STRING, 0, 0, NULL, NULL, "log each console opened afterwards into this directory",
      AT(log_dir), NULL },
    { "log-replay", NULL, OPT_NUMBER, 0, 1000000, "lines", NULL,
      "of a console's text log, replayed into its scrollback when it opens", AT(log_replay), NULL },
    { "scrollback", NULL, OPT_NUMBER, 0, 1000000, "lines", NULL, "kept per console (new consoles)",
      AT(scrollback), NULL },
    { "console-device", NULL, OPT_STRING, 0, 0, NULL, NULL,
      "the <serial>/<console> alias to open, or 'default' for the first", AT(console_device), NULL },
    { "vnc-password", NULL, OPT_SECRET, 0, 0, NULL, NULL, "tried before asking for a VNC password",
      AT(vnc_password), NULL },
    { "client-timeout", NULL, OPT_NUMBER, 5, 86400, "seconds", NULL,
      "how long a client may leave a frame unread before it is let go", AT(client_timeout), NULL },
    { "alarm", NULL, OPT_PATTERN, 0, 0, NULL, NULL,
      "a line that marks a console on the board (adds one; 'none', 'default')", 0, 0, apply_alarm },
    { "settled", NULL, OPT_PATTERN, 0, 0, NULL, NULL, "a prompt that marks a console settled ('default')", 0, 0,
      apply_settled },
};

size_t option_count(void)
{
    return sizeof options / sizeof options[0];
}

const struct option_def *option_at(size_t i)
{
    return i < option_count() ? &options[i] : NULL;
}

const struct option_def *option_find(const char *name)
{
    for (size_t i = 0; i < option_count(); i++)
        if (!strcmp(options[i].name, name) || (options[i].alias && !strcmp(options[i].alias, name)))
            return &options[i];
    return NULL;
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        return *out = true, 0;
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        return *out = false, 0;
    return -1;
}

static bool one_of(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        size_t k = strcspn(p, "|");
        if (k == n && !strncmp(p, v, n))
            return true;
        p += k + (p[k] == '|');
    }
    return false;
}

int option_set(struct app *a, const char *name, const char *value, char *err, size_t errlen)
{
    const struct option_def *o = option_find(name);
    if (!o) {
        char known[600] = "";
        for (size_t i = 0, n = 0; i < option_count(); i++)
            n += (size_t)snprintf(known + n, n < sizeof known ? sizeof known - n : 0, "%s%s", i ? ", " : "",
                                  options[i].name);
        return errf(err, errlen, "set: unknown option '%s' (%s)", name, known);
    }
    char *field = (char *)&a->opt + o->offset;
    switch (o->type) {
    case OPT_BOOL: {
        bool b;
        if (parse_bool(value, &b) < 0)
            return errf(err, errlen, "set %s: '%s' is not on or off", o->name, value);
        *(bool *)field = b;
        break;
    }
    case OPT_NUMBER: {
        char *end;
        long n = strtol(value, &end, 10);
        if (!*value || *end || n < o->min || n > o->max)
            return errf(err, errlen, "set %s: '%s' is not a number of %s from %ld to %ld", o->name, value, o->unit,
                        o->min, o->max);
        *(unsigned *)field = (unsigned)n;
        break;
    }
    case OPT_CHOICE:
        if (!one_of(o->choices, value))
            return errf(err, errlen, "set %s: '%s' is not one of %s", o->name, value, o->choices);
        /* stored as text */
        __attribute__((fallthrough));
    case OPT_STRING:
    case OPT_SECRET:
        if (strlen(value) >= o->size)
            return errf(err, errlen, "set %s: longer than %zu bytes", o->name, o->size - 1);
        snprintf(field, o->size, "%s", strcmp(o->name, "console-device") || strcmp(value, "default") ? value : "");
        break;
    case OPT_PATTERN: {
        char why[400];
        if (o->apply(a, value, why, sizeof why) < 0)
            return errf(err, errlen, "set %s: %s", o->name, why);
        return 0;
    }
    }
    return o->apply ? o->apply(a, value, err, errlen) : 0;
}

void option_value(struct app *a, size_t i, char *out, size_t outlen)
{
    const struct option_def *o = &options[i];
    const char *field = (const char *)&a->opt + o->offset;
    switch (o->type) {
    case OPT_BOOL: snprintf(out, outlen, "%s", *(const bool *)field ? "on" : "off"); break;
    case OPT_NUMBER: snprintf(out, outlen, "%u", *(const unsigned *)field); break;
    case OPT_CHOICE:
    case OPT_STRING: snprintf(out, outlen, "%s", *field ? field : "(none)"); break;
    case OPT_SECRET: snprintf(out, outlen, "%s", *field ? "(set)" : "(none)"); break;
    case OPT_PATTERN:
        if (!strcmp(o->name, "alarm"))
            snprintf(out, outlen, "%zu pattern%s", a->patterns.nalarm, a->patterns.nalarm == 1 ? "" : "s");
        else
            snprintf(out, outlen, "%s", a->patterns.has_settled ? "(set)" : "(none)");
        break;
    }
}

void option_range(size_t i, char *out, size_t outlen)
{
    const struct option_def *o = &options[i];
    switch (o->type) {
    case OPT_BOOL: snprintf(out, outlen, "on|off"); break;
    case OPT_NUMBER: snprintf(out, outlen, "%ld-%ld %s", o->min, o->max, o->unit); break;
    case OPT_CHOICE: snprintf(out, outlen, "%s", o->choices); break;
    case OPT_STRING: snprintf(out, outlen, "text"); break;
    case OPT_SECRET: snprintf(out, outlen, "text, never shown"); break;
    case OPT_PATTERN: snprintf(out, outlen, "extended regex"); break;
    }
}
