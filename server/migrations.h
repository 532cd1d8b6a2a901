/* server/migrations.h: the migrations started from virtmux — the `migrate` and
 * `migrate-cancel` commands, their progress in the status line, their end. */
#ifndef VIRTMUX_MIGRATIONS_H
#define VIRTMUX_MIGRATIONS_H
#include <stddef.h>

struct app;
struct host;

/* The commands migrate [-p] [-d DOMAIN] DEST and migrate-cancel [DOMAIN]
 * are in server/commands.h. */
/* The newest running migration's progress line, or NULL. */
const char *migrations_status(struct app *a);
/* A host goes away: cancel and forget the migrations that start there. */
void migrations_forget_host(struct app *a, struct host *h);
void migrations_free_all(struct app *a);
/* A domain left host h by migration: if it does not show up on a known host
 * soon, say so and offer to add its destination. */
struct host;
void migrations_left(struct app *a, struct host *h, const unsigned char *uuid, const char *name);

#endif
