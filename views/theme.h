/* views/theme.h: colours by role, with a monochrome fallback. */
#ifndef VIRTMUX_THEME_H
#define VIRTMUX_THEME_H
#include <stdbool.h>
#include <stdint.h>
#include "views/canvas.h"

enum role {
    ROLE_NORMAL, ROLE_TITLE, ROLE_HEADER, ROLE_SELECTED, ROLE_RUNNING, ROLE_PAUSED,
    ROLE_SHUTOFF, ROLE_CRASHED, ROLE_LOST, ROLE_STATUS, ROLE_STATUS_ERROR,
    ROLE_DIALOG, ROLE_KEY, ROLE_COUNT
};

/* What views pass to text_put and friends for a role. */
ui_attr theme_attr(enum role r);
/* attr's role and bits as cell colours and attributes: the role's colours on
 * a colour screen, its monochrome attributes otherwise. */
void theme_resolve(ui_attr attr, bool colour, int32_t *fg, int32_t *bg, uint8_t *attrs);

#endif
