/* cmdline.h: the tokenizer of virtmux's command language (config, binding files, ":" prompt). */
#ifndef VIRTMUX_KEYMAPS_CMDLINE_H
#define VIRTMUX_KEYMAPS_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX_LINE 4096 /* bytes */
#define CMDLINE_MAX_WORDS 256

/* Split one line into words. Whitespace separates words; '...' quotes
   literally; "..." quotes with backslash escapes (\" \\ \n \t \r); a
   backslash outside quotes escapes the next char; '#' at the start of a
   word starts a comment to end of line. Returns 0 and *argc == 0 for
   blank/comment lines; -1 with a reason (e.g. "unterminated quote") on
   error. On success *argv is NULL-terminated; free it with cmdline_free. */
int cmdline_split(const char *line, int *argc, char ***argv, char *err, size_t errlen);

/* Free what cmdline_split returned; argv may be NULL. */
void cmdline_free(int argc, char **argv);

/* Join words back into one line, quoting where needed so that
   split(join(v)) == v. Caller frees; NULL when out of memory. */
char *cmdline_join(int argc, char *const *argv);

#endif
