/* keyfile.h: load a binding file (bind-key, unbind-key, table lines) into a keymap. */
#ifndef VIRTMUX_KEYMAPS_KEYFILE_H
#define VIRTMUX_KEYMAPS_KEYFILE_H

#include "keymap.h"

/* Called once per problem with "NAME:LINE: reason" (or "PATH: reason"). */
typedef void (*keyfile_report)(const char *msg, void *opaque);

/* Lines: blank, comments, "bind-key ...", "unbind-key ...", and
   "table TABLE [PARENT]" (declares a table and, if given, its parent).
   A bad line (unknown command, invalid UTF-8, a command that fails) is
   reported and skipped; the rest still loads. Returns the number of bad
   lines (0 = all good). report may be NULL. */
int keyfile_load_text(struct keymap *km, const char *name, const char *text, keyfile_report report, void *opaque);

/* As keyfile_load_text for a file; -1 (reported with the system's reason)
   when it cannot be read. */
int keyfile_load_path(struct keymap *km, const char *path, keyfile_report report, void *opaque);

#endif
