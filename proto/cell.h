/* proto/cell.h: one screen cell, as the server's views compose it and the
 * client paints it; the unit of the screen state the protocol carries. */
#ifndef VIRTMUX_PROTO_CELL_H
#define VIRTMUX_PROTO_CELL_H
#include <stdint.h>

/* Colours: CELL_COLOUR_DEFAULT, a palette index 0..255, or CELL_COLOUR_RGB |
 * 0xRRGGBB (the same encoding as the console model's). */
#define CELL_COLOUR_DEFAULT (-1)
#define CELL_COLOUR_RGB     0x1000000

/* Attribute bits. */
#define CELL_BOLD      0x01u
#define CELL_DIM       0x02u
#define CELL_UNDERLINE 0x04u
#define CELL_REVERSE   0x08u
#define CELL_BLINK     0x10u
#define CELL_ITALIC    0x20u
#define CELL_ATTRS     0x3fu

/* ch is the character (0 = blank), comb one combining mark or 0; width is
 * 1 or 2, and 0 for the right half of a wide character (drawn with its left). */
struct cell {
    uint32_t ch, comb;
    int32_t fg, bg;
    uint8_t attrs, width;
};

#endif
