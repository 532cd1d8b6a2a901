/* server/client.c: a client's connection: HELLO (version, terminal, the
 * commands to run for it), then keys, sizes and acknowledgements in, frames
 * and messages out; a stalled or misbehaving client is let go, alone. */
#include "server/client.h"
#include "server/app.h"
#include "server/authz.h"
#include "server/command.h"
#include "server/listen.h"
#include "server/session.h"
#include "util/monotime.h"
#include "proto/msg.h"
#include "views/messages.h"
#include "views/view.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

/* A connection must say HELLO this soon; a closing one gets this long to
 * take its last message. */
#define HELLO_TIMEOUT_MS 10000
#define CLOSE_TIMEOUT_MS 2000
/* What one connection may have queued (a frame is far smaller). */
#define OUT_MAX (16 * 1024 * 1024)

static void watch_events(struct client *c);

static void close_fd(void *opaque)
{
    close((int)(intptr_t)opaque);
}

static void set_timer(struct client *c, int ms)
{
    if (c->timer >= 0)
        virEventUpdateTimeout(c->timer, ms);
}

/* The connection is finished: the server's loop frees it (never from inside
 * one of its own callbacks). */
static void finish(struct client *c, const char *why)
{
    if (why && *why)
        msglog_add(c->app->log, true, why);
    c->closing = true;
    c->out.len = 0;
    set_timer(c, 0);
}

int client_flush(struct client *c)
{
    while (c->out.len) {
        ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            finish(c, NULL);
            return -1;
        }
        wbuf_consume(&c->out, (size_t)n);
    }
    if (c->out.failed || c->out.len > OUT_MAX) {
        finish(c, "a client stopped reading and was let go");
        return -1;
    }
    watch_events(c);
    return 0;
}

void client_frame_sent(struct client *c)
{
    c->inflight = true;
    if (!c->closing)
        set_timer(c, (int)c->app->opt.client_timeout * 1000);
}

void client_exit(struct client *c, int status, const char *message)
{
    if (c->closing)
        return;
    msg_put_exit(&c->out, status, message);
    c->closing = true;
    set_timer(c, CLOSE_TIMEOUT_MS);
    client_flush(c);
}

void client_message(struct client *c, bool error, const char *text)
{
    if (c->command_mode) {
        char line[800];
        snprintf(line, sizeof line, "%s\n", text);
        msg_put_output(&c->out, error ? 2 : 1, line);
        client_flush(c);
        return;
    }
    snprintf(c->status, sizeof c->status, "%s", text);
    c->status_error = error;
    c->dirty = true;
}

void client_term(struct client *c, int op, int value)
{
    if (c->command_mode || c->closing)
        return;
    msg_put_term(&c->out, op, value);
    client_flush(c);
}

void client_attach(struct client *c, struct session *s)
{
    c->session = s;
    s->used_ms = mono_ms();
    client_set_overlay(c, NULL);
    c->prompt = PROMPT_NONE;
    c->app->s = s;
    client_redraw_all(c);
    if (c->app->notice[0]) {
        client_message(c, false, c->app->notice);
        c->app->notice[0] = '\0';
    }
    app_dirty(c->app);   /* the viewer counts in other clients' badges */
}

/* ---- HELLO ---- */

/* A client that speaks another version gets a message it can read: EXIT's
 * form never changes. */
static bool version_ok(struct client *c, struct rbuf r)
{
    uint32_t magic, version;
    if (msg_get_hello_head(r, &magic, &version) < 0 || magic != PROTO_MAGIC) {
        finish(c, "a connection that is no virtmux client was closed");
        return false;
    }
    if (version != PROTO_VERSION) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "this virtmux server (%s) speaks protocol %d, the client protocol %u: run the same version, "
                 "or stop this server with 'virtmux kill-server' (its consoles close)",
                 VIRTMUX_VERSION, PROTO_VERSION, version);
        msglog_add(c->app->log, true, msg);
        client_exit(c, 1, msg);
        return false;
    }
    return true;
}

static int run_commands(struct client *c, struct msg_hello *h)
{
    struct app *a = c->app;
    int failed = 0;
    for (int i = 0; i < h->ncmds && !c->closing; i++) {
        char err[768] = "";
        a->s = c->session;
        a->c = c;
        if (command_run_argv(a, h->argc[i], h->argv[i], err, sizeof err) < 0) {
            failed = 1;
            app_message(a, true, "%s", err);
        }
    }
    a->s = NULL;
    a->c = NULL;
    return failed;
}

static void on_hello(struct client *c, struct rbuf r)
{
    struct msg_hello h;
    if (!version_ok(c, r))
        return;
    if (msg_get_hello(&r, &h) < 0) {
        client_exit(c, 1, "virtmux server: a malformed HELLO");
        return;
    }
    c->hello_done = true;
    set_timer(c, -1);
    c->command_mode = h.flags & HELLO_COMMAND;
    c->readonly = h.flags & HELLO_READONLY;
    c->no_mouse = h.flags & HELLO_NO_MOUSE;
    c->exit_after_paint = h.flags & HELLO_EXIT_AFTER_PAINT;
    c->rows = h.rows ? h.rows : 24;
    c->cols = h.cols ? h.cols : 80;
    c->colours = h.colours;
    canvas_set_colour(c->screen, c->colours > 0 && c->app->opt.colour);
    snprintf(c->cwd, sizeof c->cwd, "%s", *h.cwd == '/' ? h.cwd : "/");
    int failed = run_commands(c, &h);
    msg_hello_free(&h);
    if (c->closing)
        return;
    if (c->command_mode) {
        /* Answers still to come (define, dumpxml): it exits after them. */
        c->job_status |= failed;
        if (!c->jobs)
            client_exit(c, c->job_status, "");
        return;
    }
    if (!c->session) {
        client_exit(c, 1, c->status[0] ? c->status : "virtmux: no session to attach to");
        return;
    }
    msg_put_welcome(&c->out, (uint32_t)getpid(), c->session->name);
    client_term(c, TERM_MOUSE, c->app->opt.mouse && !c->no_mouse);
    c->dirty = true;
}

/* ---- frames from the client ---- */

static void on_keys(struct client *c, struct rbuf r)
{
    struct key_event_wire k[KEYS_MAX];
    size_t n;
    if (msg_get_keys(&r, k, KEYS_MAX, &n) < 0) {
        client_exit(c, 1, "virtmux server: a malformed KEYS frame");
        return;
    }
    if (c->session)
        c->session->used_ms = mono_ms();
    for (size_t i = 0; i < n && !c->closing && c->session; i++) {
        c->mouse_y = k[i].y;
        c->mouse_x = k[i].x;
        client_key(c, k[i].key);
    }
}

static void on_resize(struct client *c, struct rbuf r)
{
    int rows, cols;
    if (msg_get_resize(&r, &rows, &cols) < 0) {
        client_exit(c, 1, "virtmux server: a malformed RESIZE frame");
        return;
    }
    c->rows = rows;
    c->cols = cols;
    client_redraw_all(c);
}

static void on_ack(struct client *c, struct rbuf r)
{
    uint32_t seq;
    if (msg_get_ack(&r, &seq) < 0 || seq != c->seq) {
        client_exit(c, 1, "virtmux server: an acknowledgement of no frame");
        return;
    }
    c->inflight = false;
    set_timer(c, -1);
}

static void dispatch(struct client *c, uint16_t type, struct rbuf r)
{
    if (!c->hello_done && type != MSG_HELLO) {
        finish(c, "a connection that did not say HELLO first was closed");
        return;
    }
    switch (type) {
    case MSG_HELLO:
        if (c->hello_done)
            client_exit(c, 1, "virtmux server: HELLO twice");
        else
            on_hello(c, r);
        break;
    case MSG_KEYS: on_keys(c, r); break;
    case MSG_RESIZE: on_resize(c, r); break;
    case MSG_ACK: on_ack(c, r); break;
    default:
        client_exit(c, 1, "virtmux server: a frame of a type this server does not know");
        break;
    }
}

static void read_frames(struct client *c)
{
    if (c->incap - c->inlen < 65536) {
        size_t cap = c->incap ? c->incap * 2 : 65536 * 2;
        if (cap > WIRE_MAX_FRAME + 65536 * 2)
            cap = WIRE_MAX_FRAME + 65536 * 2;
        unsigned char *n = cap > c->incap ? realloc(c->in, cap) : c->in;
        if (!n) {
            finish(c, "out of memory for a client");
            return;
        }
        c->in = n;
        c->incap = cap;
    }
    ssize_t got = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (got <= 0) {
        finish(c, NULL);   /* the client went: detached */
        return;
    }
    c->inlen += (size_t)got;
    size_t off = 0;
    while (!c->closing) {
        uint16_t type;
        struct rbuf payload;
        size_t taken;
        int rc = wire_frame(c->in + off, c->inlen - off, &type, &payload, &taken);
        if (rc < 0) {
            client_exit(c, 1, "virtmux server: a frame larger than the protocol allows; connection closed");
            break;
        }
        if (rc == 0)
            break;
        dispatch(c, type, payload);
        off += taken;
    }
    memmove(c->in, c->in + off, c->inlen - off);
    c->inlen -= off;
}

static void on_event(int watch, int fd, int events, void *opaque)
{
    struct client *c = opaque;
    if (c->closing) {
        if (events & (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR))
            finish(c, NULL);
        else
            client_flush(c);
        return;
    }
    if (events & VIR_EVENT_HANDLE_WRITABLE)
        client_flush(c);
    if (!c->closing && (events & (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)))
        read_frames(c);
}

static void watch_events(struct client *c)
{
    if (c->watch < 0)
        return;
    int ev = c->closing ? 0 : VIR_EVENT_HANDLE_READABLE;
    if (c->out.len)
        ev |= VIR_EVENT_HANDLE_WRITABLE;
    virEventUpdateHandle(c->watch, ev);
}

/* The HELLO deadline, a frame left unacknowledged too long, or a closing
 * connection that would not take its last message. */
static void on_timer(int timer, void *opaque)
{
    struct client *c = opaque;
    set_timer(c, -1);
    if (c->closing)
        finish(c, NULL);
    else if (!c->hello_done)
        finish(c, "a connection that did not say HELLO in time was closed");
    else if (c->inflight)
        client_exit(c, 1, "virtmux: this client did not read its screen for too long and was let go "
                          "(its session is still there: run virtmux again)");
}

struct client *client_accept(struct app *a, int fd)
{
    struct client *c = calloc(1, sizeof *c);
    struct client **n = c ? realloc(a->clients, (a->nclients + 1) * sizeof *n) : NULL;
    if (n)
        a->clients = n;
    if (!c || !n || !(c->screen = canvas_new(24, 80, true))) {
        free(c);
        close(fd);
        return NULL;
    }
    static unsigned long next_id;
    c->app = a;
    c->fd = fd;
    c->id = ++next_id;
    c->pace_timer = -1;
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        c->uid = cred.uid;
        c->pid = cred.pid;
    }
    /* A system server: who it is, from the kernel, before it says a word.
     * One refused (the connection limit) is no client: it is told why the
     * way listen.c tells one too many, which waits for its HELLO to arrive
     * (closed at once, the peer's HELLO fails and it never reads why). */
    char err[400];
    if (authz_client_new(a, c, err, sizeof err) < 0) {
        msglog_add(a->log, true, err);
        canvas_free(c->screen);
        free(c);
        listen_refuse(fd, err);
        return NULL;
    }
    c->watch = virEventAddHandle(fd, VIR_EVENT_HANDLE_READABLE, on_event, c, close_fd);
    c->timer = virEventAddTimeout(HELLO_TIMEOUT_MS, on_timer, c, NULL);
    a->clients[a->nclients++] = c;
    if (c->watch < 0 || c->timer < 0) {
        finish(c, "cannot watch a client's connection");
        if (c->watch < 0)
            close(fd);
        return c;
    }
    return c;
}

void client_free(struct client *c)
{
    if (!c)
        return;
    struct app *a = c->app;
    app_drop_dialogs(a, c);
    authz_client_gone(a, c);
    for (size_t i = 0; i < a->nclients; i++)
        if (a->clients[i] == c) {
            memmove(&a->clients[i], &a->clients[i + 1], (a->nclients - i - 1) * sizeof *a->clients);
            a->nclients--;
            break;
        }
    if (a->c == c)
        a->c = NULL;
    if (c->session)
        app_dirty(a);   /* one viewer fewer */
    /* The peer sees the end now; the descriptor itself is closed when the
     * loop lets go of it (close_fd). */
    shutdown(c->fd, SHUT_RDWR);
    if (c->watch >= 0)
        virEventRemoveHandle(c->watch);
    if (c->timer >= 0)
        virEventRemoveTimeout(c->timer);
    if (c->pace_timer >= 0)
        virEventRemoveTimeout(c->pace_timer);
    view_free(c->overlay);
    msglog_free(c->text);
    canvas_free(c->screen);
    wbuf_free(&c->out);
    free(c->in);
    lineedit_wipe(&c->edit);
    free(c);
}

void client_job_started(struct client *c)
{
    c->jobs++;
}

void client_job_done(struct client *c, bool error)
{
    if (c->jobs > 0)
        c->jobs--;
    c->job_status |= error;
    if (!c->jobs && c->command_mode && c->hello_done)
        client_exit(c, c->job_status, "");
}

void client_show_text(struct client *c, const char *title, const char *text)
{
    if (c->command_mode) {
        msg_put_output(&c->out, 1, text);
        client_flush(c);
        return;
    }
    msglog_free(c->text);
    c->text = msglog_new(4096);
    if (!c->text)
        return;
    msglog_add(c->text, false, title);
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
        msglog_add(c->text, false, line);
        p = nl ? nl + 1 : NULL;
    }
    struct view *v = messages_new(c->text);
    if (v)
        client_set_overlay(c, v);
}

bool client_done(const struct client *c)
{
    return c->closing && (!c->out.len || c->out.failed);
}
