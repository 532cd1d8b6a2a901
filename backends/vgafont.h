/* backends/vgafont.h: the 8x16 glyphs of a real CP437 VGA font, loaded from a
 * font file a Debian package ships, with the Unicode code point of each glyph;
 * the table the VNC text recogniser matches cells against. */
#ifndef VIRTMUX_VGAFONT_H
#define VIRTMUX_VGAFONT_H
#include <stddef.h>
#include <stdint.h>

struct vgafont;

/* path: a font file; NULL tries the shipped default locations. NULL and a
 * message in err when no usable font is found. */
struct vgafont *vgafont_load(const char *path, char *err, size_t errlen);
/* Add the glyphs of another 8x16 PSF font with a Unicode table (a console
 * font a guest may load with setfont), after the ones there: only bitmaps not
 * there yet. NULL path loading adds this way the Linux kernel's built-in fbcon
 * font virtmux ships (backends/fonts/linux-vga8x16.psf, next to the binary or
 * in VIRTMUX_DATADIR/fonts), then the installed console-setup/console-data
 * defaults. 0, or -1 and a message. */
int vgafont_add(struct vgafont *f, const char *path, char *err, size_t errlen);
void vgafont_free(struct vgafont *f);

unsigned vgafont_count(const struct vgafont *f);          /* glyphs: 256 CP437 ones first, then added fonts' */
/* Glyph i: 16 rows, bit 7 of each byte is the leftmost pixel. */
const uint8_t *vgafont_bitmap(const struct vgafont *f, unsigned i);
/* The Unicode code point glyph i stands for (CP437 order). */
uint32_t vgafont_codepoint(const struct vgafont *f, unsigned i);
/* Where the bitmaps and code points came from (file names), for status lines. */
const char *vgafont_source(const struct vgafont *f);
/* The standard CP437 code point of byte i (the table used when no PSF Unicode
 * table is installed); 0 past 255. */
uint32_t vgafont_cp437(unsigned i);

#endif
