/* cmdline.c: split a command line into words and join words back into a line. */
#include "cmdline.h"
#include "util/errf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void cmdline_free(int argc, char **argv)
{
    int i;

    if (argv == NULL)
        return;
    for (i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}

/* Read one word starting at *pp into buf (never longer than the line).
   Returns its length, or -1 with a reason. */
static long read_word(const char **pp, char *buf, char *err, size_t errlen)
{
    const char *p = *pp;
    size_t n = 0;

    while (*p != '\0' && !is_space(*p)) {
        if (*p == '\'') {
            for (p++; *p != '\0' && *p != '\''; p++)
                buf[n++] = *p;
            if (*p == '\0') {
                errf(err, errlen, "unterminated quote (')");
                return -1;
            }
            p++;
        } else if (*p == '"') {
            for (p++; *p != '\0' && *p != '"'; p++) {
                if (*p != '\\') {
                    buf[n++] = *p;
                    continue;
                }
                p++;
                switch (*p) {
                    case '"':
                    case '\\': buf[n++] = *p; break;
                    case 'n': buf[n++] = '\n'; break;
                    case 't': buf[n++] = '\t'; break;
                    case 'r': buf[n++] = '\r'; break;
                    case '\0': errf(err, errlen, "unterminated quote (\")"); return -1;
                    default: errf(err, errlen, "unknown escape '\\%c' in double quotes", *p); return -1;
                }
            }
            if (*p == '\0') {
                errf(err, errlen, "unterminated quote (\")");
                return -1;
            }
            p++;
        } else if (*p == '\\') {
            if (p[1] == '\0') {
                errf(err, errlen, "backslash at end of line");
                return -1;
            }
            buf[n++] = p[1];
            p += 2;
        } else {
            buf[n++] = *p++;
        }
    }
    *pp = p;
    return (long)n;
}

int cmdline_split(const char *line, int *argc, char ***argv, char *err, size_t errlen)
{
    const char *p = line;
    size_t len;
    char *buf = NULL, **v = NULL;
    long wl;
    int n = 0;

    *argc = 0;
    *argv = NULL;
    if (line == NULL) {
        errf(err, errlen, "no line");
        return -1;
    }
    len = strlen(line);
    if (len > CMDLINE_MAX_LINE) {
        errf(err, errlen, "line too long (%zu bytes, limit %d)", len, CMDLINE_MAX_LINE);
        return -1;
    }
    buf = malloc(len + 1);
    v = calloc(CMDLINE_MAX_WORDS + 1, sizeof *v);
    if (buf == NULL || v == NULL)
        goto nomem;

    for (;;) {
        while (is_space(*p))
            p++;
        if (*p == '\0' || *p == '#')
            break;
        if (n == CMDLINE_MAX_WORDS) {
            errf(err, errlen, "too many words (limit %d)", CMDLINE_MAX_WORDS);
            goto fail;
        }
        wl = read_word(&p, buf, err, errlen);
        if (wl < 0)
            goto fail;
        v[n] = malloc((size_t)wl + 1);
        if (v[n] == NULL)
            goto nomem;
        memcpy(v[n], buf, (size_t)wl);
        v[n][wl] = '\0';
        n++;
    }
    free(buf);
    if (n == 0) {
        free(v);
        return 0;
    }
    *argc = n;
    *argv = v;
    return 0;

nomem:
    errf(err, errlen, "out of memory");
fail:
    free(buf);
    cmdline_free(n, v);
    return -1;
}

/* Words that split would read back unchanged without quotes. */
static int needs_quotes(const char *w)
{
    if (*w == '\0' || *w == '#')
        return 1;
    return strpbrk(w, " \t\r\n'\"\\") != NULL;
}

char *cmdline_join(int argc, char *const *argv)
{
    size_t size = 1, n = 0;
    const char *s;
    char *out;
    int i;

    for (i = 0; i < argc; i++)
        size += 2 * strlen(argv[i]) + 3; /* worst case: every char escaped, quotes, space */
    out = malloc(size);
    if (out == NULL)
        return NULL;
    for (i = 0; i < argc; i++) {
        s = argv[i];
        if (i > 0)
            out[n++] = ' ';
        if (!needs_quotes(s)) {
            memcpy(out + n, s, strlen(s));
            n += strlen(s);
        } else if (strpbrk(s, "'\r\n") == NULL) {
            /* Single quotes read best when there is nothing to escape. */
            out[n++] = '\'';
            memcpy(out + n, s, strlen(s));
            n += strlen(s);
            out[n++] = '\'';
        } else {
            out[n++] = '"';
            for (; *s != '\0'; s++) {
                switch (*s) {
                    case '"':
                    case '\\':
                        out[n++] = '\\';
                        out[n++] = *s;
                        break;
                    case '\n':
                        out[n++] = '\\';
                        out[n++] = 'n';
                        break;
                    case '\t':
                        out[n++] = '\\';
                        out[n++] = 't';
                        break;
                    case '\r':
                        out[n++] = '\\';
                        out[n++] = 'r';
                        break;
                    default: out[n++] = *s; break;
                }
            }
            out[n++] = '"';
        }
    }
    out[n] = '\0';
    return out;
}
