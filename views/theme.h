/* views/theme.h: colours by role, with a monochrome fallback. */
#ifndef VIRTMUX_THEME_H
#define VIRTMUX_THEME_H
#include <stdbool.h>
#include <curses.h>

enum role {
    ROLE_NORMAL, ROLE_TITLE, ROLE_HEADER, ROLE_SELECTED, ROLE_RUNNING, ROLE_PAUSED,
    ROLE_SHUTOFF, ROLE_CRASHED, ROLE_LOST, ROLE_STATUS, ROLE_STATUS_ERROR,
    ROLE_DIALOG, ROLE_KEY, ROLE_COUNT
};

/* Call after initscr(); colour is used only if wanted and the terminal has it. */
void theme_init(bool want_colour);
attr_t theme_attr(enum role r);
bool theme_has_colour(void);

#endif
