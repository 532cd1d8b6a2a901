/* server/config.h: the config file: one command per line, bad lines reported as file:line. */
#ifndef VIRTMUX_CONFIG_H
#define VIRTMUX_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

struct app;

/* Runs every line; reports "PATH:LINE: reason" for each bad one through
 * app_message and goes on. Returns the number of bad lines, or -1 when the file
 * cannot be read (a missing file is fine when missing_ok). */
int config_load(struct app *a, const char *path, bool missing_ok);
/* $XDG_CONFIG_HOME/virtmux/config, or ~/.config/virtmux/config. */
void config_default_path(char *out, size_t outlen);

#endif
