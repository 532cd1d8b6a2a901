/* backends/linewatch.c: lines out of guest output, and the patterns they meet. */
#include "backends/linewatch.h"

#include <stdio.h>
#include <string.h>

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ')
            return false;
    return true;
}

bool watch_patterns_alarm(const struct watch_patterns *p, const char *text)
{
    for (size_t i = 0; p && i < p->nalarm; i++)
        if (regexec(&p->alarm[i], text, 0, NULL, 0) == 0)
            return true;
    return false;
}

/* One alarm per line: a line that matched while it was being printed is
 * the same alarm when it is complete (its text is updated). */
static void check_alarm(struct linewatch *w, const struct watch_patterns *p, const char *line, unsigned long long now)
{
    if (blank(line) || !watch_patterns_alarm(p, line))
        return;
    if (!w->cur_alarmed) {
        w->alarm = true;
        w->alarm_ms = now;
        w->alarms++;
        w->cur_alarmed = true;
    }
    snprintf(w->alarm_line, sizeof w->alarm_line, "%s", line);
}

static void end_line(struct linewatch *w, const struct watch_patterns *p, unsigned long long now)
{
    w->cur[w->curlen] = '\0';
    check_alarm(w, p, w->cur, now);
    if (!blank(w->cur))
        memcpy(w->last, w->cur, w->curlen + 1);
    w->curlen = 0;
    w->cur[0] = '\0';
    w->cur_alarmed = false;
}

void linewatch_feed(struct linewatch *w, const struct watch_patterns *p, const char *bytes, size_t n,
                    unsigned long long now_ms)
{
    if (!n)
        return;
    w->last_ms = now_ms;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '\r' && w->strip.st == TS_TEXT) {
            w->cr = true;
            continue;
        }
        char out[2];
        size_t k = textstrip_byte(&w->strip, c, out);
        for (size_t j = 0; j < k; j++) {
            if (out[j] == '\n') {
                w->cr = false;
                end_line(w, p, now_ms);
                continue;
            }
            if (w->cr) {
                /* The line printed again from its start (a progress bar):
                 * what is shown is what comes next. */
                w->cr = false;
                w->curlen = 0;
                w->cur_alarmed = false;
            }
            if (w->curlen < sizeof w->cur - 1) {
                w->cur[w->curlen++] = out[j] == '\t' ? ' ' : out[j];
            }
        }
    }
    w->cur[w->curlen] = '\0';
    /* A line that ends without a newline can be the alarm too (an emergency
     * shell's password prompt). */
    check_alarm(w, p, w->cur, now_ms);
}

const char *linewatch_line(const struct linewatch *w)
{
    return blank(w->cur) ? w->last : w->cur;
}

bool linewatch_settled(const struct linewatch *w, const struct watch_patterns *p)
{
    /* A prompt is the line being printed: the cursor waits after it. */
    return p && p->has_settled && regexec(&p->settled, w->cur, 0, NULL, 0) == 0;
}

void linewatch_seen(struct linewatch *w)
{
    w->alarm = false;
}

static int compile(regex_t *re, const char *text, char *err, size_t errlen)
{
    int rc = regcomp(re, text, REG_EXTENDED | REG_NOSUB);
    if (rc == 0)
        return 0;
    char why[200];
    regerror(rc, re, why, sizeof why);
    snprintf(err, errlen, "'%s': %s", text, why);
    return -1;
}

int watch_patterns_add_alarm(struct watch_patterns *p, const char *re, char *err, size_t errlen)
{
    if (p->nalarm == WATCH_PATTERNS_MAX) {
        snprintf(err, errlen, "at most %d alarm patterns ('set alarm none' clears them)", WATCH_PATTERNS_MAX);
        return -1;
    }
    if (compile(&p->alarm[p->nalarm], re, err, errlen) < 0)
        return -1;
    p->nalarm++;
    return 0;
}

int watch_patterns_set_settled(struct watch_patterns *p, const char *re, char *err, size_t errlen)
{
    regex_t r;
    if (compile(&r, re, err, errlen) < 0)
        return -1;
    if (p->has_settled)
        regfree(&p->settled);
    p->settled = r;
    p->has_settled = true;
    return 0;
}

void watch_patterns_clear(struct watch_patterns *p)
{
    for (size_t i = 0; i < p->nalarm; i++)
        regfree(&p->alarm[i]);
    p->nalarm = 0;
    if (p->has_settled)
        regfree(&p->settled);
    p->has_settled = false;
}
