/* backends/ssh.c: one libssh session per remote host, driven as a state machine
 * from virEventAddHandle callbacks (resolve -> TCP -> handshake -> host key ->
 * auth -> ready), with direct-tcpip tunnels bridged to local socketpairs. */
#include "backends/ssh.h"
#include "backends/knownhosts.h"
#include "backends/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libvirt/libvirt.h>

#define TUN_BUF (16 * 1024)            /* per direction, per tunnel */
#define STEP_TIMEOUT_MS 20000          /* one network step (not the user's thinking) */

enum sstate {
    S_IDLE, S_RESOLVING, S_TCP, S_HANDSHAKE, S_HOSTKEY_ASK,
    S_AUTH_NONE, S_AUTH_PUBKEY, S_AUTH_KBDINT, S_KBD_ASK, S_PASSWORD_ASK, S_AUTH_PASSWORD,
    S_READY,
};

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

struct sshsess {
    struct ssh_resolved r;
    const struct ssh_ops *ops;
    void *opaque;
    /* getaddrinfo() blocks; it runs on this session's own thread rather than the
     * host's worker, which may sit in virConnectOpenAuth waiting for a dialog. */
    struct worker *worker;
    enum sstate state;
    unsigned gen;                 /* bumped on every reset: late results are ignored */
    ssh_session ss;
    struct ssh_callbacks_struct cbs;
    struct addrinfo *ai, *ai_next;
    int fd;                       /* ours until handed to libssh */
    /* The socket handed to libssh: libssh 0.10 closes it on some failures
     * but not on ssh_disconnect/ssh_free after a connect, so drop_session
     * closes it if it is still the same socket (the number may be reused). */
    int lib_fd;
    dev_t lib_dev;
    ino_t lib_ino;
    int watch, watch_events, timer, defer_timer, kick_timer;
    ssh_check_cb check_done;
    void *check_opaque;
    bool check_ok_pending;        /* deferred "ok" for a check on a ready session */
    struct tunnel *tunnels;
    int next_id;
    int methods;
    bool tried_pubkey, tried_kbd, tried_password;
    unsigned kbd_prompt, kbd_n;
    char *password;
    char keytype[32], fingerprint[128];
};

static void step(struct sshsess *s);
static int no_passphrase(const char *prompt, char *buf, size_t len, int echo, int verify, void *userdata);
static void pump(struct sshsess *s);
static void session_interest(struct sshsess *s);
static void fail(struct sshsess *s, bool fatal, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- small helpers ---- */

static void wipe_free(char *p)
{
    if (!p)
        return;
    volatile char *v = p;
    while (*v)
        *v++ = 0;
    free(p);
}

static void on_event(int watch, int fd, int events, void *opaque);

/* Interest 0 removes the handle: libvirt's poll would still report HUP on a
 * dead socket and spin while we wait for the user. */
static void set_watch(struct sshsess *s, int fd, int events)
{
    if (events == 0 || fd < 0) {
        if (s->watch >= 0)
            virEventRemoveHandle(s->watch);
        s->watch = -1;
        return;
    }
    if (s->watch < 0)
        s->watch = virEventAddHandle(fd, events, on_event, s, NULL);
    else if (events != s->watch_events)
        virEventUpdateHandle(s->watch, events);
    s->watch_events = events;
}

static void session_interest(struct sshsess *s)
{
    if (!s->ss)
        return;
    int ev = VIR_EVENT_HANDLE_READABLE;
    if (ssh_get_poll_flags(s->ss) & SSH_WRITE_PENDING)
        ev |= VIR_EVENT_HANDLE_WRITABLE;
    set_watch(s, ssh_get_fd(s->ss), ev);
}

static void on_timeout(int timer, void *opaque)
{
    struct sshsess *s = opaque;
    fail(s, false, "ssh %s:%d: timed out", s->r.hostname, s->r.port);
}

static void arm_timeout(struct sshsess *s, bool on)
{
    if (s->timer >= 0)
        virEventRemoveTimeout(s->timer);
    s->timer = on ? virEventAddTimeout(STEP_TIMEOUT_MS, on_timeout, s, NULL) : -1;
}

static const char *kh_name(struct sshsess *s, char *buf, size_t len)
{
    knownhosts_name(s->r.hostname, s->r.port, buf, len);
    return buf;
}

/* ---- tunnels ---- */

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
static void pump_tunnels(struct sshsess *s);

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
        pump_tunnels(s);
    session_interest(s);
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
        pump(s);
}

static void pump_tunnels_once(struct sshsess *s);

/* Open requested channels, move data on open ones, until libssh holds
 * nothing more for them (bounded; a zero timer picks up the rest so other
 * handles get their turn). */
static void pump_tunnels(struct sshsess *s)
{
    for (int pass = 0; pass < 8; pass++) {
        pump_tunnels_once(s);
        if (s->state != S_READY || !tunnels_have_work(s))
            return;
    }
    if (s->kick_timer < 0)
        s->kick_timer = virEventAddTimeout(0, on_kick, s, NULL);
}

static void pump_tunnels_once(struct sshsess *s)
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
static void ssh_tunnels_fail(struct sshsess *s, const char *why)
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
static void ssh_tunnels_free(struct sshsess *s)
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

/* ---- session teardown ---- */

static void drop_session(struct sshsess *s)
{
    set_watch(s, -1, 0);
    arm_timeout(s, false);
    if (s->ss) {
        ssh_disconnect(s->ss);
        ssh_free(s->ss);
        s->ss = NULL;
    }
    struct stat st;
    if (s->lib_fd >= 0 && fstat(s->lib_fd, &st) == 0 && st.st_dev == s->lib_dev && st.st_ino == s->lib_ino)
        close(s->lib_fd);
    s->lib_fd = -1;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->ai)
        freeaddrinfo(s->ai);
    s->ai = s->ai_next = NULL;
    wipe_free(s->password);
    s->password = NULL;
    s->state = S_IDLE;
    s->gen++;
}

/* Everything ends: tunnels close (their local ends see EOF), requests and a
 * host key check get why. */
static void fail(struct sshsess *s, bool fatal, const char *fmt, ...)
{
    char why[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    bool was_ready = s->state == S_READY;
    drop_session(s);
    ssh_check_cb check = s->check_done;
    void *check_opaque = s->check_opaque;
    s->check_done = NULL;
    ssh_tunnels_fail(s, why);
    if (check)
        check(false, fatal, why, check_opaque);
    if (was_ready && s->ops->lost)
        s->ops->lost(s, why, s->opaque);
}

/* ---- resolving and TCP (the socket is ours until libssh takes it) ---- */

struct resolve_job {
    struct sshsess *s;
    unsigned gen;
    char host[256], port[8];
    struct addrinfo *res;
    int rc;
};

static void resolve_run(void *arg)
{
    struct resolve_job *j = arg;
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
    j->rc = getaddrinfo(j->host, j->port, &hints, &j->res);
}

static void resolve_discard(void *arg)
{
    struct resolve_job *j = arg;
    if (j->res)
        freeaddrinfo(j->res);
    free(j);
}

static void try_next_addr(struct sshsess *s);

static void resolve_done(void *arg)
{
    struct resolve_job *j = arg;
    struct sshsess *s = j->s;
    if (j->gen != s->gen || s->state != S_RESOLVING) {
        resolve_discard(j);
        return;
    }
    if (j->rc != 0) {
        int rc = j->rc;
        resolve_discard(j);
        fail(s, false, "ssh %s: %s", s->r.hostname, gai_strerror(rc));
        return;
    }
    s->ai = s->ai_next = j->res;
    j->res = NULL;
    resolve_discard(j);
    s->state = S_TCP;
    try_next_addr(s);
}

static const struct job_ops resolve_ops = { resolve_run, resolve_done, resolve_discard };

static void try_next_addr(struct sshsess *s)
{
    int last_errno = ECONNREFUSED;
    while (s->ai_next) {
        struct addrinfo *a = s->ai_next;
        s->ai_next = a->ai_next;
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
            s->fd = fd;
            set_watch(s, fd, VIR_EVENT_HANDLE_WRITABLE);
            return;
        }
        last_errno = errno;
        close(fd);
    }
    fail(s, false, "ssh %s:%d: %s", s->r.hostname, s->r.port, strerror(last_errno));
}

static void tcp_step(struct sshsess *s)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err == EINPROGRESS)
        return;
    set_watch(s, -1, 0);
    if (err) {
        close(s->fd);
        s->fd = -1;
        if (!s->ai_next) {
            fail(s, false, "ssh %s:%d: %s", s->r.hostname, s->r.port, strerror(err));
            return;
        }
        try_next_addr(s);
        return;
    }
    freeaddrinfo(s->ai);
    s->ai = s->ai_next = NULL;
    /* The TCP connection is up: hand it to a fresh libssh session. */
    s->ss = ssh_new();
    if (!s->ss) {
        fail(s, false, "ssh: out of memory");
        return;
    }
    bool no = false;
    int verbosity = SSH_LOG_NOLOG;
    unsigned port = (unsigned)s->r.port;
    /* The config was read by ssh_resolve(); libssh must not read the real
     * user's files (it finds them through getpwuid, not $HOME). */
    ssh_options_set(s->ss, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(s->ss, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(s->ss, SSH_OPTIONS_HOST, s->r.hostname);
    ssh_options_set(s->ss, SSH_OPTIONS_PORT, &port);
    ssh_options_set(s->ss, SSH_OPTIONS_USER, s->r.user);
    ssh_options_set(s->ss, SSH_OPTIONS_SSH_DIR, s->r.ssh_dir);
    ssh_options_set(s->ss, SSH_OPTIONS_KNOWNHOSTS, s->r.known_hosts);
    if (s->r.keyfile[0])
        ssh_options_set(s->ss, SSH_OPTIONS_IDENTITY, s->r.keyfile);
    ssh_options_set(s->ss, SSH_OPTIONS_FD, &s->fd);
    struct stat st;
    if (fstat(s->fd, &st) == 0) {
        s->lib_fd = s->fd;
        s->lib_dev = st.st_dev;
        s->lib_ino = st.st_ino;
    }
    s->fd = -1;   /* libssh's now */
    memset(&s->cbs, 0, sizeof s->cbs);
    s->cbs.auth_function = no_passphrase;
    s->cbs.userdata = s;
    ssh_callbacks_init(&s->cbs);
    ssh_set_callbacks(s->ss, &s->cbs);
    ssh_set_blocking(s->ss, 0);
    s->state = S_HANDSHAKE;
    step(s);
}

/* ---- host key ---- */

/* libssh would ask for a key's passphrase on the terminal: never. Keys with a
 * passphrase are for the agent. */
static int no_passphrase(const char *prompt, char *buf, size_t len, int echo, int verify, void *userdata)
{
    return -1;
}

static int server_key_info(struct sshsess *s)
{
    ssh_key key = NULL;
    unsigned char *hash = NULL;
    size_t hlen = 0;
    if (ssh_get_server_publickey(s->ss, &key) != SSH_OK)
        return -1;
    snprintf(s->keytype, sizeof s->keytype, "%s", ssh_key_type_to_char(ssh_key_type(key)));
    int rc = ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen);
    ssh_key_free(key);
    if (rc < 0)
        return -1;
    char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    ssh_clean_pubkey_hash(&hash);
    if (!fp)
        return -1;
    snprintf(s->fingerprint, sizeof s->fingerprint, "%s", fp);
    ssh_string_free_char(fp);
    return 0;
}

static void hostkey_ok(struct sshsess *s)
{
    ssh_check_cb check = s->check_done;
    s->check_done = NULL;
    if (check)
        check(true, false, NULL, s->check_opaque);
    /* A check alone ends here; tunnels go on to log in. */
    if (!s->tunnels) {
        drop_session(s);
        return;
    }
    s->state = S_AUTH_NONE;
    step(s);
}

static void hostkey_answer(struct sshsess *s, const char *answer);

static void hostkey_step(struct sshsess *s)
{
    char name[300];
    if (server_key_info(s) < 0) {
        fail(s, false, "ssh %s: cannot read the server's host key: %s", kh_name(s, name, sizeof name),
             ssh_get_error(s->ss));
        return;
    }
    if (s->r.verify == SSH_VERIFY_IGNORE) {
        hostkey_ok(s);   /* the URI says known_hosts_verify=ignore */
        return;
    }
    enum ssh_known_hosts_e st = ssh_session_is_known_server(s->ss);
    if ((st == SSH_KNOWN_HOSTS_UNKNOWN || st == SSH_KNOWN_HOSTS_NOT_FOUND) && s->r.verify == SSH_VERIFY_AUTO) {
        hostkey_answer(s, "y");
        return;
    }
    switch (st) {
    case SSH_KNOWN_HOSTS_OK:
        hostkey_ok(s);
        return;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER: {
        int line = 0;
        char err[300];
        kh_name(s, name, sizeof name);
        int found = knownhosts_find(s->r.known_hosts, s->r.hostname, s->r.port,
                                    st == SSH_KNOWN_HOSTS_CHANGED ? s->keytype : NULL, &line, err, sizeof err);
        char where[1100];
        if (found == 1)
            snprintf(where, sizeof where, "%s:%d", s->r.known_hosts, line);
        else
            snprintf(where, sizeof where, "%s", s->r.known_hosts);
        /* No override: a changed key is either a reinstalled host (the user
         * removes the line) or someone in the middle. */
        fail(s, true, "HOST KEY CHANGED for %s: the server's %s key %s differs from %s; refusing to connect "
             "(if the change is expected, remove that line)", name, s->keytype, s->fingerprint, where);
        return;
    }
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND: {
        char prompt[1400];
        kh_name(s, name, sizeof name);
        s->state = S_HOSTKEY_ASK;
        arm_timeout(s, false);
        set_watch(s, -1, 0);
        snprintf(prompt, sizeof prompt,
                 "The host key of %s is not known.\n%s key fingerprint:\n%s\nAccept it and save it to %s?",
                 name, s->keytype, s->fingerprint, s->r.known_hosts);
        s->ops->ask(s, SSH_ASK_HOSTKEY, prompt, s->opaque);
        return;
    }
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        fail(s, false, "ssh %s: cannot check the host key: %s", kh_name(s, name, sizeof name), ssh_get_error(s->ss));
        return;
    }
}

static int mkdir_for(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    struct stat st;
    if (stat(dir, &st) == 0)
        return 0;
    return mkdir(dir, 0700);
}

static void hostkey_answer(struct sshsess *s, const char *answer)
{
    char name[300];
    kh_name(s, name, sizeof name);
    if (!answer || (strcasecmp(answer, "y") != 0 && strcasecmp(answer, "yes") != 0)) {
        fail(s, true, "ssh %s: host key %s not accepted", name, s->fingerprint);
        return;
    }
    if (mkdir_for(s->r.known_hosts) < 0 || ssh_session_update_known_hosts(s->ss) != SSH_OK) {
        fail(s, true, "ssh %s: cannot save the host key to %s: %s", name, s->r.known_hosts,
             ssh_get_error(s->ss));
        return;
    }
    hostkey_ok(s);
}

/* ---- authentication: agent and default keys, keyboard-interactive, password ---- */

static void ask_user(struct sshsess *s, enum sstate st, enum ssh_ask kind, const char *prompt)
{
    s->state = st;
    arm_timeout(s, false);
    set_watch(s, -1, 0);
    s->ops->ask(s, kind, prompt, s->opaque);
}

static void next_method(struct sshsess *s)
{
    char prompt[600];
    if ((s->methods & SSH_AUTH_METHOD_PUBLICKEY) && !s->tried_pubkey) {
        s->tried_pubkey = true;
        s->state = S_AUTH_PUBKEY;
        return;
    }
    if ((s->methods & SSH_AUTH_METHOD_INTERACTIVE) && !s->tried_kbd) {
        s->tried_kbd = true;
        s->state = S_AUTH_KBDINT;
        return;
    }
    if ((s->methods & SSH_AUTH_METHOD_PASSWORD) && !s->tried_password) {
        s->tried_password = true;
        snprintf(prompt, sizeof prompt, "%s@%s's password (ssh, for tunnels):", s->r.user, s->r.hostname);
        ask_user(s, S_PASSWORD_ASK, SSH_ASK_SECRET, prompt);
        return;
    }
    fail(s, true, "ssh %s@%s: authentication failed (tried %s%s%s)", s->r.user, s->r.hostname,
         s->tried_pubkey ? "agent and keys" : "nothing the server offers",
         s->tried_kbd ? ", keyboard-interactive" : "", s->tried_password ? ", password" : "");
}

static void ready(struct sshsess *s)
{
    wipe_free(s->password);
    s->password = NULL;
    s->state = S_READY;
    arm_timeout(s, false);
    pump(s);
}

static void kbd_ask_next(struct sshsess *s)
{
    char echo = 0;
    const char *p = ssh_userauth_kbdint_getprompt(s->ss, s->kbd_prompt, &echo);
    char prompt[600];
    const char *inst = ssh_userauth_kbdint_getinstruction(s->ss);
    snprintf(prompt, sizeof prompt, "%s%s%s", inst && *inst ? inst : "", inst && *inst ? " " : "",
             p && *p ? p : "Password:");
    ask_user(s, S_KBD_ASK, echo ? SSH_ASK_TEXT : SSH_ASK_SECRET, prompt);
}

/* Returns true when it should be called again (state changed, no waiting). */
static bool auth_step(struct sshsess *s)
{
    int rc;
    switch (s->state) {
    case S_AUTH_NONE:
        rc = ssh_userauth_none(s->ss, NULL);
        if (rc == SSH_AUTH_AGAIN)
            return false;
        if (rc == SSH_AUTH_SUCCESS) {
            ready(s);
            return false;
        }
        if (rc == SSH_AUTH_ERROR) {
            fail(s, false, "ssh %s: %s", s->r.hostname, ssh_get_error(s->ss));
            return false;
        }
        s->methods = ssh_userauth_list(s->ss, NULL);
        next_method(s);
        return s->state != S_PASSWORD_ASK && s->state != S_IDLE;
    case S_AUTH_PUBKEY:
        /* The agent first, then ~/.ssh/id_* and keyfile= (ssh-agent talk is a
         * local socket: libssh does it in place). */
        rc = ssh_userauth_publickey_auto(s->ss, NULL, NULL);
        break;
    case S_AUTH_KBDINT:
        rc = ssh_userauth_kbdint(s->ss, NULL, NULL);
        if (rc == SSH_AUTH_INFO) {
            s->kbd_n = (unsigned)ssh_userauth_kbdint_getnprompts(s->ss);
            s->kbd_prompt = 0;
            if (s->kbd_n == 0)
                return true;   /* an empty round: just go on */
            kbd_ask_next(s);
            return false;
        }
        break;
    case S_AUTH_PASSWORD:
        rc = ssh_userauth_password(s->ss, NULL, s->password ? s->password : "");
        if (rc == SSH_AUTH_DENIED) {
            wipe_free(s->password);
            s->password = NULL;
            fail(s, true, "ssh %s@%s: permission denied (wrong password?)", s->r.user, s->r.hostname);
            return false;
        }
        break;
    default:
        return false;
    }
    if (rc == SSH_AUTH_AGAIN)
        return false;
    if (rc == SSH_AUTH_SUCCESS) {
        ready(s);
        return false;
    }
    if (rc == SSH_AUTH_ERROR) {
        fail(s, false, "ssh %s: %s", s->r.hostname, ssh_get_error(s->ss));
        return false;
    }
    if (rc == SSH_AUTH_PARTIAL)
        s->methods = ssh_userauth_list(s->ss, NULL);
    next_method(s);
    return s->state != S_PASSWORD_ASK && s->state != S_IDLE;
}

/* ---- the state machine ---- */

static void pump(struct sshsess *s)
{
    /* Reads and handles packets, writes what is queued: without waiting. */
    if (ssh_blocking_flush(s->ss, 0) == SSH_ERROR ||
        (ssh_get_status(s->ss) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
        const char *e = ssh_get_error(s->ss);
        fail(s, false, "ssh %s: connection lost%s%s", s->r.hostname, e && *e ? ": " : "", e && *e ? e : "");
        return;
    }
    pump_tunnels(s);
    if (s->state == S_READY)
        session_interest(s);
}

static void step(struct sshsess *s)
{
    for (int guard = 0; guard < 16; guard++) {
        switch (s->state) {
        case S_TCP:
            tcp_step(s);
            return;
        case S_HANDSHAKE: {
            int rc = ssh_connect(s->ss);
            if (rc == SSH_AGAIN) {
                session_interest(s);
                return;
            }
            if (rc != SSH_OK) {
                fail(s, false, "ssh %s:%d: %s", s->r.hostname, s->r.port, ssh_get_error(s->ss));
                return;
            }
            hostkey_step(s);
            return;
        }
        case S_AUTH_NONE:
        case S_AUTH_PUBKEY:
        case S_AUTH_KBDINT:
        case S_AUTH_PASSWORD:
            if (!auth_step(s)) {
                if (s->state >= S_AUTH_NONE && s->state != S_KBD_ASK && s->state != S_PASSWORD_ASK &&
                    s->state != S_READY && s->ss)
                    session_interest(s);
                return;
            }
            continue;
        case S_READY:
            pump(s);
            return;
        default:
            return;
        }
    }
}

static void on_event(int watch, int fd, int events, void *opaque)
{
    struct sshsess *s = opaque;
    if (s->watch != watch)
        return;   /* late event for a socket we let go */
    step(s);
}

static void start_connect(struct sshsess *s)
{
    drop_session(s);
    s->tried_pubkey = s->tried_kbd = s->tried_password = false;
    struct resolve_job *j = calloc(1, sizeof *j);
    if (!j) {
        fail(s, false, "out of memory");
        return;
    }
    j->s = s;
    j->gen = s->gen;
    snprintf(j->host, sizeof j->host, "%s", s->r.hostname);
    snprintf(j->port, sizeof j->port, "%d", s->r.port);
    s->state = S_RESOLVING;
    arm_timeout(s, true);
    if (worker_submit(s->worker, &resolve_ops, j) < 0) {
        free(j);
        fail(s, false, "out of memory");
    }
}

/* ---- public ---- */

static void on_defer(int timer, void *opaque)
{
    struct sshsess *s = opaque;
    virEventRemoveTimeout(timer);
    s->defer_timer = -1;
    if (s->check_ok_pending) {
        s->check_ok_pending = false;
        ssh_check_cb check = s->check_done;
        s->check_done = NULL;
        if (check)
            check(true, false, NULL, s->check_opaque);
    }
}

int sshsess_check_hostkey(struct sshsess *s, ssh_check_cb done, void *opaque)
{
    s->check_done = done;
    s->check_opaque = opaque;
    s->check_ok_pending = false;
    if (s->state == S_READY) {
        /* checked when this session connected: say so from the loop */
        s->check_ok_pending = true;
        if (s->defer_timer < 0)
            s->defer_timer = virEventAddTimeout(0, on_defer, s, NULL);
        return 0;
    }
    if (s->state == S_IDLE)
        start_connect(s);
    /* else a connection is under way: it calls done after its key check */
    return 0;
}

void sshsess_answer(struct sshsess *s, const char *answer)
{
    switch (s->state) {
    case S_HOSTKEY_ASK:
        arm_timeout(s, true);
        hostkey_answer(s, answer);
        return;
    case S_KBD_ASK:
        if (!answer) {
            fail(s, true, "ssh %s: authentication cancelled", s->r.hostname);
            return;
        }
        arm_timeout(s, true);
        ssh_userauth_kbdint_setanswer(s->ss, s->kbd_prompt, answer);
        if (++s->kbd_prompt < s->kbd_n) {
            kbd_ask_next(s);
            return;
        }
        s->state = S_AUTH_KBDINT;
        step(s);
        return;
    case S_PASSWORD_ASK:
        if (!answer) {
            fail(s, true, "ssh %s: authentication cancelled", s->r.hostname);
            return;
        }
        arm_timeout(s, true);
        s->password = strdup(answer);
        s->state = S_AUTH_PASSWORD;
        step(s);
        return;
    default:
        return;
    }
}

bool sshsess_asking(const struct sshsess *s)
{
    return s->state == S_HOSTKEY_ASK || s->state == S_KBD_ASK || s->state == S_PASSWORD_ASK;
}

bool sshsess_connected(const struct sshsess *s)
{
    return s->state == S_READY;
}

void sshsess_disconnect(struct sshsess *s, const char *why)
{
    if (!s || (s->state == S_IDLE && !s->tunnels && !s->check_done))
        return;
    /* not "lost": the owner asked for it */
    if (s->state == S_READY)
        s->state = S_AUTH_NONE;
    s->check_ok_pending = false;
    fail(s, false, "%s", why);
}

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
        start_connect(s);
    else if (s->state == S_READY)
        pump(s);
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

struct sshsess *sshsess_new(const struct ssh_resolved *r, const struct ssh_ops *ops, void *opaque,
                            char *err, size_t errlen)
{
    struct sshsess *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->r = *r;
    s->ops = ops;
    s->opaque = opaque;
    s->fd = s->lib_fd = s->watch = s->timer = s->defer_timer = s->kick_timer = -1;
    s->worker = worker_new(err, errlen);
    if (!s->worker) {
        free(s);
        return NULL;
    }
    return s;
}

void sshsess_free(struct sshsess *s)
{
    if (!s)
        return;
    s->check_done = NULL;
    ssh_tunnels_free(s);   /* channels before their session */
    drop_session(s);
    if (s->defer_timer >= 0)
        virEventRemoveTimeout(s->defer_timer);
    if (s->kick_timer >= 0)
        virEventRemoveTimeout(s->kick_timer);
    worker_free(s->worker);
    free(s);
}
