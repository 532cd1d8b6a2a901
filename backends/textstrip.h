/* backends/textstrip.h: guest output as text a terminal cannot act on:
 * escape sequences (CSI, OSC, DCS...) and controls removed, C1 controls in
 * UTF-8 dropped, bytes that are no part of a UTF-8 character shown as '?'.
 * Newlines and tabs stay. Used by the text log and the line watcher. */
#ifndef VIRTMUX_TEXTSTRIP_H
#define VIRTMUX_TEXTSTRIP_H
#include <stdbool.h>
#include <stddef.h>

struct textstrip {
    enum { TS_TEXT, TS_ESC, TS_CSI, TS_OSC, TS_OSC_ESC } st;
    /* A held 0xC2 (it may start a C1 control, U+0080 to U+009F, which
     * terminals obey like ESC sequences) and how many continuation bytes
     * the current character still has. */
    bool c2_held;
    unsigned cont;
};

/* One guest byte; writes 0 to 2 bytes of text to out. A zeroed struct is
 * the start state. */
size_t textstrip_byte(struct textstrip *t, unsigned char c, char *out);

#endif
