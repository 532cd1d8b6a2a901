/* views/dialog.h: modal questions: confirm (y/N), text, secret (echo off), and
 * host key (y/N over several lines: host, key type, fingerprint, file). */
#ifndef VIRTMUX_DIALOG_H
#define VIRTMUX_DIALOG_H
#include <stdbool.h>
#include "views/view.h"
#include "views/lineedit.h"

enum dialog_kind { DIALOG_CONFIRM, DIALOG_TEXT, DIALOG_SECRET, DIALOG_HOSTKEY };

/* ok is false when the user declined or cancelled; text is NULL then and for
 * CONFIRM and HOSTKEY. A HOSTKEY question may hold newlines; it is wrapped. The callback owns nothing; text is wiped after it returns. */
typedef void (*dialog_done_fn)(bool ok, const char *text, void *opaque);

struct dialog;

struct dialog *dialog_new(enum dialog_kind kind, const char *title, const char *question,
                          dialog_done_fn done, void *opaque);
/* Answers "cancel" to the callback if it has not been answered. */
void dialog_free(struct dialog *d);
/* Returns true when the dialog is finished (callback called) and can be freed. */
bool dialog_key(struct dialog *d, key_code k);
/* The opaque pointer, if this dialog reports to done (lets an owner disarm it). */
void *dialog_opaque_if(struct dialog *d, dialog_done_fn done);
void dialog_draw(struct dialog *d, struct canvas *cv, struct rect screen);

#endif
