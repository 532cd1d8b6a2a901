/* server/cmd_config.c: key bindings, options (server/options.c holds the
 * table) and the files of commands and bindings. */
#include "server/commands.h"
#include "server/app.h"
#include "server/config.h"
#include "server/options.h"
#include "util/errf.h"
#include "keymaps/keyfile.h"
#include "keymaps/keymap.h"

#include <stdio.h>

int cmd_bind_key(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    return keymap_bind_words(a->km, args_get(args, 'T'), args_get(args, 'N'), args->argv[0], args->argc - 1,
                             args->argv + 1, err, errlen);
}

int cmd_unbind_key(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    return keymap_unbind_name(a->km, args_get(args, 'T'), args->argv[0], err, errlen);
}

int cmd_set(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    return option_set(a, args->argv[0], args->argv[1], err, errlen);
}

int cmd_source_file(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    char path[4096];
    app_path(a, args->argv[0], path, sizeof path);
    int bad = config_load(a, path, false);
    if (bad < 0)
        return errf(err, errlen, "source-file: cannot read %s", path);
    return 0;
}

static void report_keyfile_line(const char *msg, void *opaque)
{
    app_message(opaque, true, "%s", msg);
}

/* A binding file (the syntax of keymaps/default.keys) over the bindings in force. */
int cmd_source_keys(struct app *a, const struct cmd_args *args, char *err, size_t errlen)
{
    char path[4096];
    app_path(a, args->argv[0], path, sizeof path);
    int bad = keyfile_load_path(a->km, path, report_keyfile_line, a);
    if (bad < 0)
        return errf(err, errlen, "source-keys: cannot read %s", path);
    if (bad > 0)
        return errf(err, errlen, "source-keys: %d bad line%s in %s (:show-messages)", bad, bad == 1 ? "" : "s", path);
    return 0;
}
