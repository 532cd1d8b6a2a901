/* backends/conlog.c: writes console logs; the text log strips what a terminal
 * would interpret, so reading it with cat is safe. */
#include "backends/conlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum strip_state { S_TEXT, S_ESC, S_CSI, S_OSC, S_OSC_ESC };

struct conlog {
    int raw, text;
    enum strip_state st;
    /* UTF-8 in the text log: a held 0xC2 (it may start a C1 control, U+0080
     * to U+009F, which terminals obey like ESC sequences) and how many
     * continuation bytes the current character still has. */
    bool c2_held;
    unsigned cont;
};

void conlog_file_name(const char *name, char *out, size_t outlen)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && o + 1 < outlen; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                  *p == '-' || *p == '_' || *p == '.';
        out[o++] = ok ? (char)*p : '_';
    }
    if (o == 0 && outlen > 1)
        out[o++] = '_';
    if (out[0] == '.' && o > 0)
        out[0] = '_';
    out[o] = '\0';
}

struct conlog *conlog_open(const char *dir, const char *name, char *err, size_t errlen)
{
    char safe[200], path[1024];
    conlog_file_name(name, safe, sizeof safe);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "log-dir %s: %s", dir, strerror(errno));
        return NULL;
    }
    struct conlog *log = calloc(1, sizeof *log);
    if (!log) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(path, sizeof path, "%s/%s.raw", dir, safe);
    log->raw = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    snprintf(path, sizeof path, "%s/%s.log", dir, safe);
    log->text = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log->raw < 0 || log->text < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        conlog_close(log);
        return NULL;
    }
    return log;
}

void conlog_close(struct conlog *log)
{
    if (!log)
        return;
    if (log->raw >= 0)
        close(log->raw);
    if (log->text >= 0)
        close(log->text);
    free(log);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a full disk must not stop the console */
        p += w;
        n -= (size_t)w;
    }
}

static void stamp(char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Text as it would print: 0xC2 0x80-0x9F (a C1 control) dropped, a byte
 * that is no part of a UTF-8 character (raw C1 bytes among them) shown as
 * '?'. Writes up to 2 bytes to out. */
static size_t text_byte(struct conlog *log, unsigned char c, char *out)
{
    size_t o = 0;
    if (log->c2_held) {
        log->c2_held = false;
        if (c >= 0x80 && c <= 0x9f)
            return 0;
        if (c >= 0xa0 && c <= 0xbf) {
            out[0] = (char)0xc2;
            out[1] = (char)c;
            return 2;
        }
        out[o++] = '?';
    }
    if (c < 0x80) {
        log->cont = 0;
        if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
            out[o++] = (char)c;
        else if (c == 0x7f)
            out[o++] = '?';
    } else if (c <= 0xbf) {
        out[o++] = log->cont ? (char)c : '?';
        if (log->cont)
            log->cont--;
    } else if (c == 0xc2) {
        log->c2_held = true;
        log->cont = 0;
    } else if (c >= 0xc3 && c <= 0xf4) {
        out[o++] = (char)c;
        log->cont = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    } else {
        out[o++] = '?';
        log->cont = 0;
    }
    return o;
}

/* One guest byte for the text log, with the escape sequences a terminal
 * would obey taken out. */
static size_t strip_byte(struct conlog *log, unsigned char c, char *out)
{
    switch (log->st) {
    case S_TEXT:
        if (c != 0x1b)
            return text_byte(log, c, out);
        log->st = S_ESC;
        log->cont = 0;
        if (log->c2_held) {
            log->c2_held = false;
            out[0] = '?';
            return 1;
        }
        return 0;
    case S_ESC:
        log->st = c == '[' ? S_CSI : c == ']' || c == 'P' || c == '_' || c == '^' ? S_OSC : S_TEXT;
        return 0;
    case S_CSI:
        if (c >= 0x40 && c <= 0x7e)
            log->st = S_TEXT;
        return 0;
    case S_OSC:
        if (c == 0x07)
            log->st = S_TEXT;
        else if (c == 0x1b)
            log->st = S_OSC_ESC;
        return 0;
    case S_OSC_ESC:
        log->st = c == '\\' ? S_TEXT : S_OSC;
        return 0;
    }
    return 0;
}

void conlog_write(struct conlog *log, const char *bytes, size_t n)
{
    char head[64], ts[40];
    stamp(ts, sizeof ts);
    int hl = snprintf(head, sizeof head, "%s %zu\n", ts, n);
    write_all(log->raw, head, (size_t)hl);
    write_all(log->raw, bytes, n);
    write_all(log->raw, "\n", 1);

    char out[65536];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        o += strip_byte(log, (unsigned char)bytes[i], out + o);
        if (o > sizeof out - 2) {
            write_all(log->text, out, o);
            o = 0;
        }
    }
    write_all(log->text, out, o);
}

void conlog_marker(struct conlog *log, const char *line)
{
    char ts[40], buf[600];
    stamp(ts, sizeof ts);
    int n = snprintf(buf, sizeof buf, "\n%s %s\n", ts, line);
    write_all(log->text, buf, (size_t)n);
    n = snprintf(buf, sizeof buf, "%s marker %s\n", ts, line);
    write_all(log->raw, buf, (size_t)n);
}

char *conlog_tail(const char *dir, const char *name, unsigned nlines)
{
    char safe[200], path[1024];
    conlog_file_name(name, safe, sizeof safe);
    snprintf(path, sizeof path, "%s/%s.log", dir, safe);
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    /* Read at most the last 1 MiB: enough for any sane N lines. */
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long start = size > (1 << 20) ? size - (1 << 20) : 0;
    fseek(f, start, SEEK_SET);
    char *buf = malloc((size_t)(size - start) + 1);
    size_t got = buf ? fread(buf, 1, (size_t)(size - start), f) : 0;
    fclose(f);
    if (!buf)
        return NULL;
    buf[got] = '\0';
    size_t pos = got;
    unsigned lines = 0;
    if (pos > 0 && buf[pos - 1] == '\n')
        pos--;
    while (pos > 0 && lines < nlines) {
        pos--;
        if (buf[pos] == '\n')
            lines++;
    }
    if (lines == nlines)
        pos++;
    memmove(buf, buf + pos, got - pos + 1);
    return buf;
}
