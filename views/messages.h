/* views/messages.h: the message log (what the status line said, kept for review). */
#ifndef VIRTMUX_MESSAGES_H
#define VIRTMUX_MESSAGES_H
#include <stdbool.h>
#include "views/view.h"

struct msglog;

struct msglog *msglog_new(size_t capacity);
void msglog_free(struct msglog *log);
void msglog_add(struct msglog *log, bool error, const char *text);
size_t msglog_count(const struct msglog *log);
/* i = 0 is the oldest kept. */
const char *msglog_text(const struct msglog *log, size_t i, bool *error);

/* A view of the log; the log stays owned by the caller. */
struct view *messages_new(struct msglog *log);

#endif
