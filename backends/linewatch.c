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

/* Characters, not bytes: a screen line has one a cell. */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* The line being printed: a screen's text (plain already, checked for
 * alarms when it came), the cursor pad cells after it. */
static void set_cur(struct linewatch *w, const char *text, size_t n, size_t pad)
{
    if (n + pad >= sizeof w->cur)
        return;
    memcpy(w->cur, text, n);
    memset(w->cur + n, ' ', pad);
    w->curlen = n + pad;
    w->cur[w->curlen] = '\0';
    w->cur_alarmed = true;
}

void linewatch_screen(struct linewatch *w, const struct watch_patterns *p, const char *bottom, int cursor_col,
                      uint64_t screen_hash, unsigned long long now_ms)
{
    char line[LINEWATCH_LINE + 4];
    size_t n = strlen(bottom);
    if (!n)
        return;   /* a blank screen: nothing to show */
    if (n > LINEWATCH_LINE - 1)
        n = LINEWATCH_LINE - 1;
    size_t chars = utf8_chars(bottom, n);
    /* Right after the text, or after the blank or two a prompt ends with. */
    bool prompt = cursor_col >= 0 && (size_t)cursor_col >= chars && (size_t)cursor_col <= chars + 2;
    size_t pad = prompt ? (size_t)cursor_col - chars : 0;
    if (screen_hash == w->screen_hash) {
        /* The cursor seen where it waits, a blink after the text came. */
        if (prompt)
            set_cur(w, bottom, n, pad);
        return;
    }
    w->screen_hash = screen_hash;
    line[0] = '\r';   /* each screen a line of its own */
    memcpy(line + 1, bottom, n);
    if (prompt)
        memset(line + 1 + n, ' ', pad);
    else
        line[1 + n] = '\n';
    linewatch_feed(w, p, line, 1 + n + (prompt ? pad : 1), now_ms);
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
