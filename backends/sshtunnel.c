/* backends/sshtunnel.c: direct-tcpip channels of an SSH session (backends/ssh.c)
 * bridged to local socketpairs, moved on the same event loop. */
#include "backends/sshsess_private.h"
#include "backends/ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libvirt/libvirt.h>

#define TUN_BUF (16 * 1024)            /* per direction, per tunnel */

enum tstate { T_WAIT, T_OPENING, T_OPEN };

struct tunnel {
    struct tunnel *next;
    struct sshsess *s;
    int id;
    enum tstate state;
    bool cancelled;
    char host[256];
    int port;
    tunnel_cb done;
    void *opaque;
    ssh_channel ch;
    int lfd, watch, watch_events;
    unsigned char up[TUN_BUF], down[TUN_BUF];   /* local->channel, channel->local */
    size_t uplen, downlen;
    bool local_eof, eof_sent, chan_eof, wr_shut;
    bool in_read;        /* inside our own ssh_channel_read: the callback leaves data be */
    bool kick;           /* an EOF/close arrived: look at the tunnel again */
    struct ssh_channel_callbacks_struct ccb;
};

static void tunnel_free(struct tunnel *t)
{
    if (t->watch >= 0)
        virEventRemoveHandle(t->watch);
    if (t->lfd >= 0)
        close(t->lfd);
    if (t->ch) {
        /* libssh may keep the channel until the server confirms the close:
         * nothing of it may call back into t after this */
        if (t->ccb.size)
            ssh_remove_channel_callbacks(t->ch, &t->ccb);
        if (ssh_channel_is_open(t->ch))
            ssh_channel_close(t->ch);
        ssh_channel_free(t->ch);
    }
    free(t);
}

static void tunnel_unlink(struct sshsess *s, struct tunnel *t)
{
    for (struct tunnel **p = &s->tunnels; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            return;
        }
}

/* A request that will not be served: tell its owner (unless cancelled). */
static void tunnel_fail(struct sshsess *s, struct tunnel *t, const char *why)
{
    tunnel_unlink(s, t);
    tunnel_cb cb = t->cancelled ? NULL : t->done;
    void *opaque = t->opaque;
    tunnel_free(t);
    if (cb)
        cb(-1, why, opaque);
}

static void on_local(int watch, int fd, int events, void *opaque);
static bool tunnels_have_work(struct sshsess *s);

static void tunnel_interest(struct tunnel *t)
{
    int ev = 0;
    if (t->lfd < 0)
        return;
    if (!t->local_eof && t->uplen < TUN_BUF)
        ev |= VIR_EVENT_HANDLE_READABLE;
    /* a socketpair with room is writable at once: a kick costs one wakeup */
    if (t->downlen || t->kick)
        ev |= VIR_EVENT_HANDLE_WRITABLE;
    if (t->watch < 0)
        t->watch = virEventAddHandle(t->lfd, ev, on_local, t, NULL);
    else if (ev != t->watch_events)
        virEventUpdateHandle(t->watch, ev);
    t->watch_events = ev;
}

/* One round of moving bytes both ways; *moved says whether any moved.
 * false when the tunnel is finished (caller frees). */
static bool tunnel_round(struct tunnel *t, bool *moved)
{
    size_t down0 = t->downlen, up0 = t->uplen;
    bool flags0 = t->local_eof + 2 * t->chan_eof;
    size_t taken = 0, given = 0;
    t->kick = false;
    /* channel -> down buffer: what the data callback could not take
     * (the buffer was full); libssh grows the window as we read */
    while (!t->chan_eof && t->downlen < TUN_BUF) {
        t->in_read = true;
        int n = ssh_channel_read_nonblocking(t->ch, t->down + t->downlen, (uint32_t)(TUN_BUF - t->downlen), 0);
        t->in_read = false;
        if (n > 0) {
            t->downlen += (size_t)n;
            taken += (size_t)n;
            continue;
        }
        if (n == SSH_ERROR)
            return false;
        if (ssh_channel_is_eof(t->ch) || ssh_channel_is_closed(t->ch))
            t->chan_eof = true;
        break;
    }
    /* down buffer -> local socket */
    while (t->downlen) {
        ssize_t w = send(t->lfd, t->down, t->downlen, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            memmove(t->down, t->down + w, t->downlen - (size_t)w);
            t->downlen -= (size_t)w;
            given += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else {
            return false;   /* the local end is gone */
        }
    }
    if (t->chan_eof && !t->downlen && !t->wr_shut) {
        shutdown(t->lfd, SHUT_WR);
        t->wr_shut = true;
    }
    /* local socket -> up buffer */
    while (!t->local_eof && t->uplen < TUN_BUF) {
        ssize_t r = recv(t->lfd, t->up + t->uplen, TUN_BUF - t->uplen, MSG_DONTWAIT);
        if (r > 0) {
            t->uplen += (size_t)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                t->local_eof = true;
            break;
        }
    }
    /* up buffer -> channel, never more than the window (a full window would
     * make libssh wait for an adjust) */
    if (t->uplen && !ssh_channel_is_closed(t->ch)) {
        uint32_t win = ssh_channel_window_size(t->ch);
        size_t n = t->uplen < win ? t->uplen : win;
        if (n) {
            int w = ssh_channel_write(t->ch, t->up, (uint32_t)n);
            if (w == SSH_ERROR)
                return false;
            if (w > 0) {
                memmove(t->up, t->up + w, t->uplen - (size_t)w);
                t->uplen -= (size_t)w;
            }
        }
    }
    if (t->local_eof && !t->uplen && !t->eof_sent && !ssh_channel_is_closed(t->ch)) {
        ssh_channel_send_eof(t->ch);
        t->eof_sent = true;
    }
    if (t->local_eof && t->wr_shut)
        return false;
    if (ssh_channel_is_closed(t->ch) && !t->downlen)
        return false;
    *moved = taken || given || t->downlen != down0 || t->uplen != up0 ||
             (bool)(t->local_eof + 2 * t->chan_eof) != flags0;
    return true;
}

/* Move bytes both ways until nothing moves (a full down buffer flushed
 * leaves more in libssh's channel buffer, which no fd event announces). */
static bool tunnel_pump(struct tunnel *t)
{
    for (int round = 0; round < 8; round++) {
        bool moved = false;
        if (!tunnel_round(t, &moved))
            return false;
        if (!moved)
            break;
    }
    tunnel_interest(t);
    return true;
}

static void tunnel_opened(struct sshsess *s, struct tunnel *t)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        char why[128];
        snprintf(why, sizeof why, "socketpair: %s", strerror(errno));
        tunnel_fail(s, t, why);
        return;
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    t->lfd = sv[0];
    t->state = T_OPEN;
    tunnel_cb cb = t->cancelled ? NULL : t->done;
    t->done = NULL;
    tunnel_interest(t);
    if (cb)
        cb(sv[1], NULL, t->opaque);
    else
        close(sv[1]);   /* nobody wants it: the tunnel sees EOF and closes */
}

static void on_local(int watch, int fd, int events, void *opaque)
{
    struct tunnel *t = opaque;
    struct sshsess *s = t->s;
    if (!tunnel_pump(t)) {
        tunnel_unlink(s, t);
        tunnel_free(t);
    }
    /* our writes may have taken in packets for the other tunnels */
    if (s->state == S_READY && tunnels_have_work(s))
        ssh_tunnels_pump(s);
    sshsess_interest(s);
}

/* libssh hands a channel's data over whenever it handles packets — also
 * while we read or write another channel, when no fd event would tell us.
 * Take what fits (from the head of libssh's buffer, so order holds) and ask
 * for the local socket's write event; the rest waits in libssh's buffer,
 * which tunnel_round() reads once there is room. */
static int chan_data_cb(ssh_session session, ssh_channel channel, void *data, uint32_t len,
                        int is_stderr, void *userdata)
{
    struct tunnel *t = userdata;
    if (is_stderr)
        return (int)len;   /* direct-tcpip has no stderr; drop it */
    if (t->in_read || t->lfd < 0)
        return 0;
    size_t room = TUN_BUF - t->downlen;
    size_t n = len < room ? len : room;
    memcpy(t->down + t->downlen, data, n);
    t->downlen += n;
    if (n)
        tunnel_interest(t);
    return (int)n;
}

static void chan_end_cb(ssh_session session, ssh_channel channel, void *userdata)
{
    struct tunnel *t = userdata;
    t->kick = true;
    tunnel_interest(t);
}

static void chan_close_cb(ssh_session session, ssh_channel channel, void *userdata)
{
    chan_end_cb(session, channel, userdata);
}

/* Reading one channel makes libssh handle every packet waiting on the
 * socket, data for other channels included: that data sits in libssh's
 * buffers and the socket will not wake us for it again. */
static bool tunnels_have_work(struct sshsess *s)
{
    /* Polling one channel may itself take in packets for a channel polled
     * before it: look until a pass sees nothing new. */
    unsigned long long last = 0;
    for (int pass = 0; pass < 4; pass++) {
        unsigned long long sig = 0;
        for (struct tunnel *t = s->tunnels; t; t = t->next) {
            if (t->state != T_OPEN)
                continue;
            int n = ssh_channel_poll(t->ch, 0);
            uint32_t win = ssh_channel_window_size(t->ch);
            if (!t->chan_eof && t->downlen < TUN_BUF && n > 0)
                return true;
            if (t->uplen && win > 0)
                return true;
            sig = sig * 1000003u + (unsigned)n * 31u + win;
        }
        if (pass && sig == last)
            return false;
        last = sig;
    }
    return true;
}

static void on_kick(int timer, void *opaque)
{
    struct sshsess *s = opaque;
    virEventRemoveTimeout(timer);
    s->kick_timer = -1;
    if (s->state == S_READY)
        sshsess_pump(s);
}

static void tunnels_pump_once(struct sshsess *s);

/* Open requested channels, move data on open ones, until libssh holds
 * nothing more for them (bounded; a zero timer picks up the rest so other
 * handles get their turn). */
void ssh_tunnels_pump(struct sshsess *s)
{
    for (int pass = 0; pass < 8; pass++) {
        tunnels_pump_once(s);
        if (s->state != S_READY || !tunnels_have_work(s))
            return;
    }
    if (s->kick_timer < 0)
        s->kick_timer = virEventAddTimeout(0, on_kick, s, NULL);
}

static void tunnels_pump_once(struct sshsess *s)
{
    struct tunnel *t = s->tunnels, *next;
    for (; t; t = next) {
        next = t->next;
        if (t->cancelled && t->state != T_OPEN) {
            tunnel_unlink(s, t);
            tunnel_free(t);
            continue;
        }
        if (t->state == T_WAIT) {
            t->ch = ssh_channel_new(s->ss);
            if (!t->ch) {
                tunnel_fail(s, t, ssh_get_error(s->ss));
                continue;
            }
            memset(&t->ccb, 0, sizeof t->ccb);
            t->ccb.userdata = t;
            t->ccb.channel_data_function = chan_data_cb;
            t->ccb.channel_eof_function = chan_end_cb;
            t->ccb.channel_close_function = chan_close_cb;
            ssh_callbacks_init(&t->ccb);
            ssh_set_channel_callbacks(t->ch, &t->ccb);
            t->state = T_OPENING;
        }
        if (t->state == T_OPENING) {
            int rc = ssh_channel_open_forward(t->ch, t->host, t->port, "127.0.0.1", 0);
            if (rc == SSH_AGAIN)
                continue;
            if (rc != SSH_OK) {
                char why[700];
                snprintf(why, sizeof why, "ssh tunnel to %s:%d: %s", t->host, t->port, ssh_get_error(s->ss));
                tunnel_fail(s, t, why);
                continue;
            }
            tunnel_opened(s, t);
            continue;
        }
        if (!tunnel_pump(t)) {
            tunnel_unlink(s, t);
            tunnel_free(t);
        }
    }
}

/* After drop_session (the channels went with the session): open tunnels
 * close, their local ends see EOF; requests not yet served get why. */
void ssh_tunnels_fail(struct sshsess *s, const char *why)
{
    struct tunnel *list = s->tunnels, *next;
    s->tunnels = NULL;
    for (struct tunnel *t = list; t; t = next) {
        next = t->next;
        tunnel_cb cb = t->state == T_OPEN || t->cancelled ? NULL : t->done;
        void *opaque = t->opaque;
        t->ch = NULL;  /* freed with the session */
        tunnel_free(t);
        if (cb)
            cb(-1, why, opaque);
    }
}

/* Every tunnel, without callbacks; before the session is freed. */
void ssh_tunnels_free(struct sshsess *s)
{
    for (struct tunnel *t = s->tunnels; t; t = t->next)
        t->cancelled = true;
    struct tunnel *list = s->tunnels, *next;
    s->tunnels = NULL;
    for (struct tunnel *t = list; t; t = next) {
        next = t->next;
        tunnel_free(t);
    }
}

/* ---- public ---- */

int ssh_tunnel_open(struct sshsess *s, const char *host, int port, tunnel_cb done, void *opaque,
                    char *err, size_t errlen)
{
    if (port < 1 || port > 65535 || !host || !*host || strlen(host) >= 256) {
        snprintf(err, errlen, "ssh tunnel: bad target %s:%d", host ? host : "", port);
        return -1;
    }
    struct tunnel *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    t->s = s;
    t->id = ++s->next_id > 0 ? s->next_id : (s->next_id = 1);
    snprintf(t->host, sizeof t->host, "%s", host);
    t->port = port;
    t->done = done;
    t->opaque = opaque;
    t->lfd = t->watch = -1;
    t->next = s->tunnels;
    s->tunnels = t;
    /* t may be gone after this: a session that fails at once (a write to a
     * dead socket) fails its requests, this one too, before we return */
    int id = t->id;
    if (s->state == S_IDLE)
        sshsess_start_connect(s);
    else if (s->state == S_READY)
        sshsess_pump(s);
    /* else: served when the connection under way is ready */
    return id;
}

void ssh_tunnel_cancel(struct sshsess *s, int id)
{
    for (struct tunnel *t = s->tunnels; t; t = t->next)
        if (t->id == id && t->state != T_OPEN) {
            t->cancelled = true;
            if (t->state == T_WAIT) {
                tunnel_unlink(s, t);
                tunnel_free(t);
            }
            return;
        }
}

size_t ssh_tunnel_count(const struct sshsess *s)
{
    size_t n = 0;
    for (struct tunnel *t = s->tunnels; t; t = t->next)
        n += t->state == T_OPEN;
    return n;
}
