/* keyfile.c: parse binding files line by line, reporting and skipping bad lines. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "util/utf8.h"

#define KEYFILE_MAX_SIZE (1024 * 1024) /* a binding file is small; refuse surprises */
#define REASON_MAX 512

static void report_fmt(keyfile_report report, void *opaque, const char *fmt, ...)
{
    char msg[REASON_MAX + 512];
    va_list ap;

    if (report == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    report(msg, opaque);
}

static int set_table(struct keymap *km, int argc, char **argv, char *err, size_t errlen)
{
    if (argc == 2)
        return keymap_add_table(km, argv[1], err, errlen);
    if (argc == 3)
        return keymap_set_parent(km, argv[1], argv[2], err, errlen);
    snprintf(err, errlen, "usage: table TABLE [PARENT]");
    return -1;
}

/* Run one line; 0 when it is good (or blank), -1 with a reason. */
static int load_line(struct keymap *km, const char *line, size_t len, char *err, size_t errlen)
{
    char *copy, **argv;
    int argc, rc;

    if (memchr(line, '\0', len) != NULL) {
        snprintf(err, errlen, "line contains a NUL byte");
        return -1;
    }
    if (!utf8_valid(line, len)) {
        snprintf(err, errlen, "invalid UTF-8");
        return -1;
    }
    copy = strndup(line, len);
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = cmdline_split(copy, &argc, &argv, err, errlen);
    free(copy);
    if (rc != 0 || argc == 0)
        return rc;
    if (strcmp(argv[0], "bind-key") == 0 || strcmp(argv[0], "bind") == 0)
        rc = keymap_bind_argv(km, argc, argv, err, errlen);
    else if (strcmp(argv[0], "unbind-key") == 0 || strcmp(argv[0], "unbind") == 0)
        rc = keymap_unbind_argv(km, argc, argv, err, errlen);
    else if (strcmp(argv[0], "table") == 0)
        rc = set_table(km, argc, argv, err, errlen);
    else {
        snprintf(err, errlen, "unknown command '%.64s'", argv[0]);
        rc = -1;
    }
    cmdline_free(argc, argv);
    return rc;
}

/* The text may hold NUL bytes when read from a file, hence the length. */
static int load_mem(struct keymap *km, const char *name, const char *text, size_t size, keyfile_report report,
                    void *opaque)
{
    char err[REASON_MAX];
    const char *p = text, *end = text + size, *nl;
    size_t len, lineno = 0;
    int bad = 0;

    while (p < end) {
        lineno++;
        nl = memchr(p, '\n', (size_t)(end - p));
        len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > 0 && p[len - 1] == '\r')
            len--; /* files edited on Windows */
        err[0] = '\0';
        if (load_line(km, p, len, err, sizeof err) != 0) {
            report_fmt(report, opaque, "%.256s:%zu: %s", name, lineno, err);
            bad++;
        }
        p = nl ? nl + 1 : end;
    }
    return bad;
}

int keyfile_load_text(struct keymap *km, const char *name, const char *text, keyfile_report report, void *opaque)
{
    if (text == NULL)
        return 0;
    return load_mem(km, name ? name : "(text)", text, strlen(text), report, opaque);
}

int keyfile_load_path(struct keymap *km, const char *path, keyfile_report report, void *opaque)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    ssize_t r;
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        goto fail;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    if (st.st_size > KEYFILE_MAX_SIZE) {
        report_fmt(report, opaque, "%.256s: file too large (limit %d bytes)", path, KEYFILE_MAX_SIZE);
        close(fd);
        return -1;
    }
    /* The size it has now, and more if it grows while read (up to one byte
	 * past the limit, so a file that grew past it is noticed); not the
	 * limit itself: 1 MiB a load was most of a fuzzing run's time. */
    size_t cap = (size_t)st.st_size + 1;
    buf = malloc(cap);
    if (buf == NULL)
        goto fail;
    while (got <= KEYFILE_MAX_SIZE) {
        if (got == cap) {
            size_t more = cap * 2 > KEYFILE_MAX_SIZE + 1 ? KEYFILE_MAX_SIZE + 1 : cap * 2;
            char *n = realloc(buf, more);
            if (n == NULL)
                goto fail;
            buf = n;
            cap = more;
        }
        r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto fail;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    fd = -1;
    if (got > KEYFILE_MAX_SIZE) {
        free(buf);
        report_fmt(report, opaque, "%.256s: file too large (limit %d bytes)", path, KEYFILE_MAX_SIZE);
        return -1;
    }
    rc = load_mem(km, path, buf, got, report, opaque);
    free(buf);
    return rc;

fail:
    report_fmt(report, opaque, "%.256s: %s", path, strerror(errno));
    free(buf);
    if (fd >= 0)
        close(fd);
    return -1;
}
