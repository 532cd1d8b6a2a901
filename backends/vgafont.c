/* backends/vgafont.c: loading a CP437 8x16 font (skeleton; being written). */
#include "backends/vgafont.h"
#include <stdio.h>

struct vgafont *vgafont_load(const char *path, char *err, size_t errlen)
{
    snprintf(err, errlen, "no font loader yet");
    return NULL;
}
void vgafont_free(struct vgafont *f) {}
unsigned vgafont_count(const struct vgafont *f) { return 0; }
const uint8_t *vgafont_bitmap(const struct vgafont *f, unsigned i) { return NULL; }
uint32_t vgafont_codepoint(const struct vgafont *f, unsigned i) { return 0; }
