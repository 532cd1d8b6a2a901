/* backends/vgatext.c: framebuffer -> cells (skeleton; being written). */
#include "backends/vgatext.h"
#include <stdlib.h>

struct vgatext { const struct vgafont *font; };

struct vgatext *vgatext_new(const struct vgafont *font)
{
    struct vgatext *t = calloc(1, sizeof *t);
    if (t)
        t->font = font;
    return t;
}
void vgatext_free(struct vgatext *t) { free(t); }
void vgatext_damage(struct vgatext *t, unsigned x, unsigned y, unsigned w, unsigned h) {}
enum vgatext_mode vgatext_frame(struct vgatext *t, const uint32_t *fb, unsigned w, unsigned h,
                                unsigned stride, unsigned out_cols, unsigned out_rows)
{
    return VGATEXT_NONE;
}
enum vgatext_mode vgatext_mode(const struct vgatext *t) { return VGATEXT_NONE; }
unsigned vgatext_cols(const struct vgatext *t) { return 0; }
unsigned vgatext_rows(const struct vgatext *t) { return 0; }
const struct vgatext_cell *vgatext_cell(const struct vgatext *t, unsigned x, unsigned y) { return NULL; }
void vgatext_walk_changed(const struct vgatext *t, vgatext_cell_fn fn, void *opaque) {}
bool vgatext_cursor(const struct vgatext *t, unsigned *x, unsigned *y) { return false; }
unsigned vgatext_unknown(const struct vgatext *t) { return 0; }
const char *vgatext_describe(const struct vgatext *t) { return ""; }
