/* backends/linewatch.h: what a console printed lately, as text: the line
 * being printed and the last complete one, when output last came, and
 * whether a line matched an alarm pattern (a kernel panic, an emergency
 * shell) or the current line a settled one (a login prompt). Fed with the
 * guest's bytes as they arrive, so a board of 240 consoles needs no screen
 * walk per output, only a regular expression per line. */
#ifndef VIRTMUX_LINEWATCH_H
#define VIRTMUX_LINEWATCH_H
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "backends/textstrip.h"

#define WATCH_PATTERNS_MAX 16
#define LINEWATCH_LINE 256

/* Compiled once by the server (set alarm, set settled), shared by all. */
struct watch_patterns {
    regex_t alarm[WATCH_PATTERNS_MAX];
    size_t nalarm;
    regex_t settled;
    bool has_settled;
};

struct linewatch {
    struct textstrip strip;
    char cur[LINEWATCH_LINE];        /* the line being printed */
    size_t curlen;
    bool cr;                         /* a carriage return: the line starts over unless \n follows */
    bool cur_alarmed;                /* the line being printed matched already */
    char last[LINEWATCH_LINE];       /* the last complete line with something on it */
    unsigned long long last_ms;      /* when guest output last came (0: never) */
    bool alarm;                      /* sticky until linewatch_seen */
    char alarm_line[LINEWATCH_LINE]; /* the newest line that matched */
    unsigned long long alarm_ms;     /* when it came */
    unsigned long alarms;            /* lines that matched, ever */
    uint64_t screen_hash;            /* linewatch_screen: the text screen fed last (0: none) */
};

/* Guest bytes at now_ms; p may be NULL (no patterns). */
void linewatch_feed(struct linewatch *w, const struct watch_patterns *p, const char *bytes, size_t n,
                    unsigned long long now_ms);
/* A screen read as text (VNC) rather than a stream: its bottom line (as
 * vgatext_bottom_line gives it), the cursor's column when the cursor is on
 * that row (else -1), and the hash of the screen's text. A new screen is
 * output: its bottom line is the line printed, or, the cursor just after it,
 * the line being printed (a prompt). The same screen is not output, whatever
 * the cursor does: a cursor found after the line later than the line (it
 * blinks) only makes the line the one being printed. */
void linewatch_screen(struct linewatch *w, const struct watch_patterns *p, const char *bottom, int cursor_col,
                      uint64_t screen_hash, unsigned long long now_ms);
/* The line to show: the one being printed if it has anything on it, else
 * the last complete one. */
const char *linewatch_line(const struct linewatch *w);
/* The line being printed (where the cursor waits) matches the settled pattern. */
bool linewatch_settled(const struct linewatch *w, const struct watch_patterns *p);
/* Someone looked at it: the alarm mark goes. */
void linewatch_seen(struct linewatch *w);

/* Patterns: an extended regular expression each; -1 with regcomp's reason. */
int watch_patterns_add_alarm(struct watch_patterns *p, const char *re, char *err, size_t errlen);
int watch_patterns_set_settled(struct watch_patterns *p, const char *re, char *err, size_t errlen);
void watch_patterns_clear(struct watch_patterns *p);
/* Does text match an alarm pattern? */
bool watch_patterns_alarm(const struct watch_patterns *p, const char *text);

#endif
