/* backends/conlog.c: writes console logs; the text log strips what a terminal
 * would interpret, so reading it with cat is safe. */
#include "backends/conlog.h"
#include "backends/textstrip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct conlog {
    int raw, text;
    struct textstrip strip;   /* what the text log keeps of the bytes */
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
        o += textstrip_byte(&log->strip, (unsigned char)bytes[i], out + o);
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
