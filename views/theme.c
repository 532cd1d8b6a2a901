/* views/theme.c: curses colour pairs per role; attributes only on monochrome terminals. */
#include "views/theme.h"

static attr_t attrs[ROLE_COUNT];
static bool coloured;

struct role_style { short fg, bg; attr_t colour_extra, mono; };

static const struct role_style styles[ROLE_COUNT] = {
    [ROLE_NORMAL]       = { -1, -1, 0, A_NORMAL },
    [ROLE_TITLE]        = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
    [ROLE_HEADER]       = { COLOR_CYAN, -1, A_BOLD, A_UNDERLINE | A_BOLD },
    [ROLE_SELECTED]     = { COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE },
    [ROLE_RUNNING]      = { COLOR_GREEN, -1, 0, A_BOLD },
    [ROLE_PAUSED]       = { COLOR_YELLOW, -1, 0, A_UNDERLINE },
    [ROLE_SHUTOFF]      = { -1, -1, A_DIM, A_DIM },
    [ROLE_CRASHED]      = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
    [ROLE_LOST]         = { COLOR_MAGENTA, -1, 0, A_DIM | A_UNDERLINE },
    [ROLE_STATUS]       = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
    [ROLE_STATUS_ERROR] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
    [ROLE_DIALOG]       = { COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE },
    [ROLE_KEY]          = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
};

/* Pair numbers are shared state of the curses screen; this module owns them. */
void theme_init(bool want_colour)
{
    coloured = want_colour && has_colors() && start_color() == OK;
    if (coloured)
        use_default_colors();
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (coloured && (styles[r].fg != -1 || styles[r].bg != -1)) {
            init_pair((short)(r + 1), styles[r].fg, styles[r].bg);
            attrs[r] = COLOR_PAIR(r + 1) | styles[r].colour_extra;
        } else {
            attrs[r] = coloured ? styles[r].colour_extra : styles[r].mono;
        }
    }
}

attr_t theme_attr(enum role r)
{
    return r < ROLE_COUNT ? attrs[r] : A_NORMAL;
}

bool theme_has_colour(void)
{
    return coloured;
}
