/* views/theme.c: the colours of each role; attributes only on monochrome screens. */
#include "views/theme.h"

/* Palette indices, as curses numbers them. */
enum { BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE };
#define DEF CELL_COLOUR_DEFAULT

struct role_style { int32_t fg, bg; uint8_t colour_extra, mono; };

static const struct role_style styles[ROLE_COUNT] = {
    [ROLE_NORMAL]       = { DEF, DEF, 0, 0 },
    [ROLE_TITLE]        = { BLACK, CYAN, 0, CELL_REVERSE },
    [ROLE_HEADER]       = { CYAN, DEF, CELL_BOLD, CELL_UNDERLINE | CELL_BOLD },
    [ROLE_SELECTED]     = { BLACK, WHITE, 0, CELL_REVERSE },
    [ROLE_RUNNING]      = { GREEN, DEF, 0, CELL_BOLD },
    [ROLE_PAUSED]       = { YELLOW, DEF, 0, CELL_UNDERLINE },
    [ROLE_SHUTOFF]      = { DEF, DEF, CELL_DIM, CELL_DIM },
    [ROLE_CRASHED]      = { RED, DEF, CELL_BOLD, CELL_BOLD | CELL_UNDERLINE },
    [ROLE_LOST]         = { MAGENTA, DEF, 0, CELL_DIM | CELL_UNDERLINE },
    [ROLE_STATUS]       = { BLACK, CYAN, 0, CELL_REVERSE },
    [ROLE_STATUS_ERROR] = { WHITE, RED, CELL_BOLD, CELL_REVERSE | CELL_BOLD },
    [ROLE_DIALOG]       = { WHITE, BLUE, 0, CELL_REVERSE },
    [ROLE_KEY]          = { YELLOW, DEF, CELL_BOLD, CELL_BOLD },
};

ui_attr theme_attr(enum role r)
{
    return r < ROLE_COUNT ? UI_ROLE(r) : UI_NORMAL;
}

void theme_resolve(ui_attr attr, bool colour, int32_t *fg, int32_t *bg, uint8_t *attrs)
{
    int r = UI_ROLE_OF(attr);
    uint8_t bits = (uint8_t)(attr & CELL_ATTRS);
    *fg = *bg = DEF;
    if (r < 0 || r >= ROLE_COUNT) {
        *attrs = bits;
        return;
    }
    const struct role_style *s = &styles[r];
    if (colour) {
        *fg = s->fg;
        *bg = s->bg;
        *attrs = bits | s->colour_extra;
    } else {
        *attrs = bits | s->mono;
    }
}
