/* server/config.c: reads a config file line by line through the command language. */
#include "server/config.h"
#include "server/app.h"
#include "server/command.h"
#include "util/utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void config_default_path(char *out, size_t outlen)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(out, outlen, "%s/virtmux/config", xdg);
    else
        snprintf(out, outlen, "%s/.config/virtmux/config", home ? home : ".");
}

int config_load(struct app *a, const char *path, bool missing_ok)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (missing_ok && errno == ENOENT)
            return 0;
        app_message(a, true, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        app_message(a, true, "%s: %s", path, strerror(EISDIR));
        return -1;
    }
    /* A file that sources itself (or A sources B sources A) must end. */
    if (a->source_depth >= 16) {
        fclose(f);
        app_message(a, true, "%s: source-file nested more than 16 deep", path);
        return -1;
    }
    a->source_depth++;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, bad = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char err[768] = "";
        if ((size_t)len != strlen(line))
            snprintf(err, sizeof err, "line contains a NUL byte");
        else if (!utf8_valid(line, (size_t)len))
            snprintf(err, sizeof err, "not valid UTF-8");
        else if (command_run_line(a, line, err, sizeof err) == 0)
            continue;
        bad++;
        app_message(a, true, "%s:%d: %s", path, lineno, err);
    }
    a->source_depth--;
    free(line);
    bool failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        app_message(a, true, "%s: %s", path, strerror(saved));
        return -1;
    }
    return bad;
}
