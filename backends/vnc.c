/* backends/vnc.c: one VNC console on the loop thread: get a socket (libvirt's
 * graphics FD locally, an SSH tunnel for a host over SSH, the listen address
 * otherwise), run a vncconn on it, write what the recogniser saw into the
 * console model, reattach with a backoff, follow the domain's migrations. */
#include "backends/vnc.h"
#include "util/monotime.h"
#include "backends/host.h"
#include "util/retry.h"
#include "backends/source.h"
#include "backends/ssh.h"
#include "backends/vncaddr.h"
#include "backends/vncconn.h"
#include "backends/vncscreen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/virterror.h>

/* A server that accepts but never finishes the handshake is given up on. */
#define HANDSHAKE_MS 15000
/* An SSH tunnel (session connect, auth, channel open) must open within this. */
#define TUNNEL_MS 20000
/* tunnel_id while ssh_tunnel_open runs (its callback may come first). */
#define TUNNEL_ASKING (-1)
/* Key events held while a migration is under way (8 bytes each: 64 KiB). */
#define HELD_MAX 8192
/* At most this many held events go to the connection's queue at a time. */
#define HELD_CHUNK 256

struct open_job {
    struct vnc *v;                /* NULL once the vnc is gone */
    unsigned char uuid[VIR_UUID_BUFLEN];
    int fd;
    char addr[300];
    char err[512];
    bool not_running;
    bool tunnel;                  /* the host has an SSH session: tunnel to thost:tport */
    char thost[256];
    int tport;
};

struct keyev { uint32_t sym; bool down; };

struct vnc {
    struct host *host;            /* NULL for a bare address */
    unsigned char uuid[VIR_UUID_BUFLEN];
    char label[256];
    char addr[300];               /* a bare address ("HOST:PORT"), or "" */
    struct console *model;
    bool readonly;
    char password[256];
    bool password_refused;        /* the configured one failed: ask next time */
    const struct vnc_ops *ops;
    void *opaque;
    enum vnc_state state;
    struct vncconn *conn;
    struct open_job *opening;
    struct retry retry;           /* reattach after a drop */
    int handshake_timer;
    bool running, host_connected;
    char why[160];                /* said in the screen when it comes back */
    char err[256];
    char badge[320];
    char describe[160];
    /* What the recogniser saw last, and the part of it the model shows. */
    struct vncscreen *screen;
    bool framed;                  /* this connection showed a frame */
    /* An SSH tunnel request under way (id > 0) on this session. */
    struct sshsess *tunnel_sess;
    int tunnel_id;
    char tunnel_to[300];
    /* Following a migration: keys are held from the moment a destination
     * exists until a connection (on the new host, or the old one if the
     * migration failed) shows a frame; then they are sent in order. */
    bool under_way;               /* the registry says a migration runs */
    bool holding;
    bool moved;                   /* the domain changed host during this hold */
    unsigned long long hold_since_ms;
    char from_name[128];
    struct keyev *held;
    size_t nheld, held_sent;      /* events held; the first held_sent already sent */
    int flush_timer;
};

static void changed(struct vnc *v)
{
    if (v->ops->changed)
        v->ops->changed(v, v->opaque);
}

static void message(struct vnc *v, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void message(struct vnc *v, bool error, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v->ops->message)
        v->ops->message(v, error, msg, v->opaque);
}

static void marker(struct vnc *v, const char *line)
{
    /* The screen is the guest's picture: a marker goes on the bottom line. */
    if (v->conn)
        return;
    unsigned rows = console_rows(v->model), cols = console_cols(v->model);
    struct console_attr a = { CONSOLE_COLOUR_DEFAULT, CONSOLE_COLOUR_DEFAULT, true, false, true, false, false };
    for (unsigned x = 0; x < cols; x++)
        console_put(v->model, x, rows - 1, x < strlen(line) ? (unsigned char)line[x] : ' ', &a);
}

/* ---- timers ---- */

static void on_retry(void *opaque)
{
    vnc_attach(opaque);
}

static void cancel_timer(int *t)
{
    if (*t >= 0)
        virEventRemoveTimeout(*t);
    *t = -1;
}

static void schedule_retry(struct vnc *v)
{
    if (retry_pending(&v->retry))
        return;
    v->state = VNC_WAITING;
    if (retry_schedule(&v->retry) < 0)
        message(v, true, "%s: cannot schedule the reattach", v->label);
}

static void lost(struct vnc *v, const char *why, bool auth);

static void cancel_tunnel(struct vnc *v)
{
    if (v->tunnel_id > 0)
        ssh_tunnel_cancel(v->tunnel_sess, v->tunnel_id);
    v->tunnel_id = 0;
    v->tunnel_sess = NULL;
}

static void on_handshake_timeout(int timer, void *opaque)
{
    struct vnc *v = opaque;
    cancel_timer(&v->handshake_timer);
    if (v->conn) {
        vncconn_abort(v->conn, "the VNC server did not finish the handshake in time");
    } else if (v->tunnel_id > 0) {
        char why[400];
        snprintf(why, sizeof why, "the SSH tunnel to %s did not open in time", v->tunnel_to);
        cancel_tunnel(v);
        lost(v, why, false);
    }
}

/* ---- keys held across a migration ---- */

static void start_hold(struct vnc *v)
{
    if (v->holding)
        return;
    v->holding = true;
    v->moved = false;
    v->hold_since_ms = mono_ms();
    snprintf(v->from_name, sizeof v->from_name, "%s", v->host ? host_name(v->host) : "");
}

static void drop_held(struct vnc *v)
{
    cancel_timer(&v->flush_timer);
    free(v->held);
    v->held = NULL;
    v->nheld = v->held_sent = 0;
}

static size_t held_presses(const struct vnc *v)
{
    size_t n = 0;
    for (size_t i = v->held_sent; i < v->nheld; i++)
        n += v->held[i].down;
    return n;
}

static void flush_held(struct vnc *v);

static void on_flush(int timer, void *opaque)
{
    struct vnc *v = opaque;
    cancel_timer(&v->flush_timer);
    flush_held(v);
}

/* The connection's queue is bounded: send in chunks, the rest shortly. */
static void flush_held(struct vnc *v)
{
    uint32_t syms[HELD_CHUNK];
    bool down[HELD_CHUNK];
    while (v->conn && v->held_sent < v->nheld) {
        size_t n = v->nheld - v->held_sent;
        if (n > HELD_CHUNK)
            n = HELD_CHUNK;
        for (size_t i = 0; i < n; i++) {
            syms[i] = v->held[v->held_sent + i].sym;
            down[i] = v->held[v->held_sent + i].down;
        }
        if (!vncconn_keys(v->conn, syms, down, n))
            break;
        v->held_sent += n;
    }
    if (v->held_sent < v->nheld) {
        if (v->conn && v->flush_timer < 0)
            v->flush_timer = virEventAddTimeout(20, on_flush, v, NULL);
        return;
    }
    drop_held(v);
}

/* A connection shows a frame and no migration is under way: the hold ends. */
static void finish_hold(struct vnc *v)
{
    size_t keys = held_presses(v);
    unsigned long long gap = mono_ms() - v->hold_since_ms;
    v->holding = false;
    if (v->moved)
        message(v, false, "%s: VNC migrated %s \u2192 %s (screen gap %llu ms, %zu held keys sent)", v->label,
                v->from_name, host_name(v->host), gap, keys);
    else
        message(v, false, "%s: VNC: migration did not complete; still on %s (%zu held keys sent)", v->label,
                host_name(v->host), keys);
    v->moved = false;
    flush_held(v);
}

/* ---- the screen ---- */

static void take_cell(unsigned x, unsigned y, const struct vgatext_cell *cell, void *opaque)
{
    vncscreen_put(opaque, x, y, cell);
}

void vnc_model_resized(struct vnc *v)
{
    if (vncscreen_model_resized(v->screen) && v->conn)
        vncconn_out_size(v->conn, console_cols(v->model), console_rows(v->model));
}

/* ---- the connection ---- */

static void drop_conn(struct vnc *v)
{
    cancel_timer(&v->handshake_timer);
    cancel_timer(&v->flush_timer);   /* unsent held keys wait for the next connection */
    cancel_tunnel(v);
    vncconn_stop(v->conn);
    v->conn = NULL;
}

/* The connection ended or failed: say why and decide whether to come back. */
static void lost(struct vnc *v, const char *why, bool auth)
{
    drop_conn(v);
    snprintf(v->err, sizeof v->err, "%s", why);
    if (v->host && !v->host_connected) {
        v->state = VNC_HOST_LOST;
        marker(v, "[virtmux: host lost]");
    } else if (v->host && !v->running) {
        v->state = VNC_STOPPED;
        marker(v, "[virtmux: stopped]");
    } else if (auth) {
        v->state = VNC_AUTH;
        v->password_refused = true;
        message(v, true, "%s: VNC: %s (prefix f asks for the password again)", v->label, why);
    } else {
        /* Said once per reason, not on every retry of a server that keeps
         * failing; a source closing under a migration is expected. */
        if (strcmp(v->why, why) != 0 && !v->holding)
            message(v, true, "%s: VNC: %s", v->label, why);
        snprintf(v->why, sizeof v->why, "%s", why);
        schedule_retry(v);
    }
    changed(v);
}

static void on_conn(void *opaque)
{
    struct vnc *v = opaque;
    if (!v->conn)
        return;
    struct vncconn_news n;
    vncconn_take(v->conn, &n);
    if (n.geometry && vncscreen_geometry(v->screen, n.cols, n.rows) < 0) {
        lost(v, "out of memory", false);
        return;
    }
    vncconn_cells(v->conn, vncscreen_cols(v->screen), vncscreen_rows(v->screen), take_cell, v->screen);
    if (n.frames)
        vncscreen_cursor(v->screen, n.cursor, n.cx, n.cy);
    if (n.unknown)
        snprintf(v->describe, sizeof v->describe, "%s, %u unknown", n.describe, n.unknown);
    else if (n.describe[0])   /* a new connection says nothing until its first frame */
        snprintf(v->describe, sizeof v->describe, "%s", n.describe);
    if (n.connected) {
        cancel_timer(&v->handshake_timer);
        v->state = VNC_ATTACHED;
        v->err[0] = '\0';
        vncconn_out_size(v->conn, console_cols(v->model), console_rows(v->model));
    }
    /* Back for good only with a picture: a server that fails right after the
     * handshake keeps backing off. */
    if (n.frames && !v->framed) {
        v->framed = true;
        retry_reset(&v->retry);
        if (v->why[0] && !v->holding)
            message(v, false, "%s: VNC reattached", v->label);
        v->why[0] = '\0';
    }
    if (n.frames && v->holding && !v->under_way)
        finish_hold(v);
    else if (n.frames && !v->holding && v->nheld > v->held_sent && v->flush_timer < 0)
        flush_held(v);   /* a connection dropped while held keys were being sent */
    if (n.ask_password) {
        cancel_timer(&v->handshake_timer);   /* the user takes their time */
        if (v->ops->ask_password)
            v->ops->ask_password(v, v->opaque);
        else
            vncconn_password(v->conn, NULL);
    }
    if (n.ended) {
        lost(v, n.err, n.auth_failed);
        return;
    }
    changed(v);
}

static void start_conn(struct vnc *v, int fd, const char *addr)
{
    char err[300];
    const char *pw = v->password_refused ? "" : v->password;
    v->conn = vncconn_start(fd, addr, pw, console_cols(v->model), console_rows(v->model), on_conn, v,
                            err, sizeof err);
    if (!v->conn) {
        lost(v, err, false);
        return;
    }
    v->state = VNC_OPENING;
    v->framed = false;
    v->handshake_timer = virEventAddTimeout(HANDSHAKE_MS, on_handshake_timeout, v, NULL);
    changed(v);
}

/* ---- getting a socket (worker thread, then loop thread) ---- */

static void open_run(virConnectPtr conn, void *arg)
{
    struct open_job *j = arg;
    if (!conn) {
        snprintf(j->err, sizeof j->err, "host is not connected");
        return;
    }
    virDomainPtr d = virDomainLookupByUUID(conn, j->uuid);
    if (!d) {
        snprintf(j->err, sizeof j->err, "%s", virGetLastErrorMessage());
        return;
    }
    if (virDomainIsActive(d) == 0) {
        j->not_running = true;
        snprintf(j->err, sizeof j->err, "domain is not running");
        virDomainFree(d);
        return;
    }
    char *uri = virConnectGetURI(conn);
    bool local = vncaddr_uri_is_local(uri);
    free(uri);
    if (local) {
        /* The display's socket passed over the libvirt connection: no port,
         * no listen address, no password (libvirt already authorised us). */
        j->fd = virDomainOpenGraphicsFD(d, 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
        if (j->fd >= 0) {
            virDomainFree(d);
            return;
        }
        snprintf(j->err, sizeof j->err, "%s", virGetLastErrorMessage());
    }
    /* A wildcard listen address means the libvirt host, as the URI names it;
     * through a tunnel, the SSH server's own loopback. */
    char host[256] = "";
    if (j->tunnel) {
        snprintf(host, sizeof host, "127.0.0.1");
    } else if (!local) {
        char *u = virConnectGetURI(conn);
        vncaddr_uri_host(u, host, sizeof host);
        free(u);
    }
    char *xml = virDomainGetXMLDesc(d, 0);
    if (!xml) {
        snprintf(j->err, sizeof j->err, "%s", virGetLastErrorMessage());
    } else if (vncaddr_from_xml(xml, local ? NULL : host, j->addr, sizeof j->addr, j->err, sizeof j->err) == 0) {
        j->err[0] = '\0';
        if (j->tunnel && vncaddr_split(j->addr, j->thost, sizeof j->thost, &j->tport) == 0) {
            j->addr[0] = '\0';   /* open_done asks the host's SSH session for it */
        } else if (j->tunnel) {
            snprintf(j->err, sizeof j->err, "the VNC display listens on %s of the remote host: "
                     "an SSH tunnel reaches TCP ports only", j->addr);
            j->addr[0] = '\0';
        } else if (!local && (vncaddr_is_loopback(j->addr) || !strncmp(j->addr, "unix:", 5))) {
            snprintf(j->err, sizeof j->err, "the VNC display listens on %s of the remote host: "
                     "only a tunnel reaches it (the URI is not over SSH)", j->addr);
            j->addr[0] = '\0';
        }
    }
    free(xml);
    virDomainFree(d);
}

static void open_discard(void *arg)
{
    struct open_job *j = arg;
    if (j->fd >= 0)
        close(j->fd);
    free(j);
}

static void tunnel_why(const struct vnc *v, const char *err, char *why, size_t whylen)
{
    if (err && !strncmp(err, "ssh tunnel", 10))
        snprintf(why, whylen, "%s", err);   /* it names the target already */
    else
        snprintf(why, whylen, "ssh tunnel to %s: %s", v->tunnel_to, err && *err ? err : "failed");
}

static void on_tunnel(int fd, const char *err, void *opaque)
{
    struct vnc *v = opaque;
    v->tunnel_id = 0;
    v->tunnel_sess = NULL;
    cancel_timer(&v->handshake_timer);
    if (fd < 0) {
        char why[600];
        tunnel_why(v, err, why, sizeof why);
        lost(v, why, false);
        return;
    }
    start_conn(v, fd, NULL);
}

/* The display is reached through the host's own SSH session: a direct-tcpip
 * channel to host:port as the SSH server sees it. The session connects again
 * on demand after a drop, so a retry needs nothing else. */
static void open_tunnel(struct vnc *v, const char *host, int port)
{
    struct sshsess *s = v->host ? host_ssh(v->host) : NULL;
    char err[400];
    snprintf(v->tunnel_to, sizeof v->tunnel_to, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    if (!s) {
        lost(v, "the host has no SSH session for a tunnel", false);
        return;
    }
    v->tunnel_sess = s;
    v->tunnel_id = TUNNEL_ASKING;
    int id = ssh_tunnel_open(s, host, port, on_tunnel, v, err, sizeof err);
    if (v->tunnel_id != TUNNEL_ASKING)
        return;   /* on_tunnel ran already: the session failed at once */
    if (id < 0) {
        v->tunnel_id = 0;
        v->tunnel_sess = NULL;
        char why[600];
        tunnel_why(v, err, why, sizeof why);
        lost(v, why, false);
        return;
    }
    v->tunnel_id = id;
    v->state = VNC_OPENING;
    v->handshake_timer = virEventAddTimeout(TUNNEL_MS, on_handshake_timeout, v, NULL);
    changed(v);
}

static void open_done(void *arg)
{
    struct open_job *j = arg;
    struct vnc *v = j->v;
    if (!v) {
        open_discard(j);
        return;
    }
    v->opening = NULL;
    if (j->fd < 0 && !j->addr[0] && j->tport <= 0) {
        if (j->not_running || !v->running) {
            v->state = VNC_STOPPED;
            v->why[0] = '\0';
            changed(v);
        } else {
            lost(v, j->err, false);
        }
        open_discard(j);
        return;
    }
    if (j->tport > 0) {
        open_tunnel(v, j->thost, j->tport);
        open_discard(j);
        return;
    }
    int fd = j->fd;
    j->fd = -1;
    start_conn(v, fd, j->addr);
    open_discard(j);
}

void vnc_attach(struct vnc *v)
{
    if (v->opening || v->tunnel_id != 0)
        return;
    retry_cancel(&v->retry);
    drop_conn(v);
    if (!v->host) {
        start_conn(v, -1, v->addr);
        return;
    }
    struct open_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->v = v;
    j->fd = -1;
    j->tunnel = host_ssh(v->host) != NULL;
    memcpy(j->uuid, v->uuid, VIR_UUID_BUFLEN);
    if (host_submit(v->host, open_run, open_done, open_discard, j) < 0) {
        free(j);
        return;
    }
    v->opening = j;
    v->state = VNC_OPENING;
    changed(v);
}

void vnc_password(struct vnc *v, const char *password)
{
    if (password && *password) {
        snprintf(v->password, sizeof v->password, "%s", password);
        v->password_refused = false;
    }
    if (v->conn)
        vncconn_password(v->conn, password);
}

void vnc_update(struct vnc *v, struct host *h, bool running, bool host_connected)
{
    if (!v->host)
        return;   /* a bare address follows no domain */
    bool was_running = v->running, host_was = v->host_connected;
    v->running = running;
    v->host_connected = host_connected;
    if (h != v->host) {
        /* The same UUID elsewhere (a migration): open it there, keys held
         * until its first frame. */
        start_hold(v);
        v->moved = true;
        v->host = h;
        drop_conn(v);
        if (v->opening) {
            v->opening->v = NULL;
            v->opening = NULL;
        }
        retry_cancel(&v->retry);
        v->state = VNC_STOPPED;
    }
    if (!host_connected) {
        if (host_was && v->conn)
            lost(v, "host lost", false);
        v->state = VNC_HOST_LOST;
        retry_cancel(&v->retry);
        return;
    }
    if (running && !v->conn && !v->opening &&
        (!was_running || !host_was || v->state == VNC_STOPPED || v->state == VNC_HOST_LOST)) {
        retry_reset(&v->retry);
        vnc_attach(v);
    } else if (!running && v->conn && was_running) {
        /* QEMU closes the display when it stops; a server that does not is
         * let go all the same: the domain is what the pane follows. */
        drop_conn(v);
        retry_cancel(&v->retry);
        v->why[0] = '\0';
        v->state = VNC_STOPPED;
        marker(v, "[virtmux: stopped]");
        changed(v);
    } else if (!running && !v->conn && v->state != VNC_OPENING && v->state != VNC_STOPPED) {
        retry_cancel(&v->retry);
        v->why[0] = '\0';
        v->state = VNC_STOPPED;
        marker(v, "[virtmux: stopped]");
    }
}

void vnc_follow(struct vnc *v, bool migrating, struct host *incoming)
{
    if (!v->host)
        return;
    /* Held from the moment the destination exists: a key sent to the source
     * after its devices were saved would be lost. */
    v->under_way = migrating || (incoming && incoming != v->host);
    if (v->under_way && !v->holding) {
        start_hold(v);
        changed(v);
        return;
    }
    if (v->under_way || !v->holding)
        return;
    if (v->conn && v->framed && v->state == VNC_ATTACHED) {
        finish_hold(v);   /* the migration failed; the source's display is still here */
        changed(v);
    } else if (!v->running) {   /* stopped, not moved: nothing will take them */
        size_t keys = held_presses(v);
        v->holding = false;
        drop_held(v);
        if (keys)
            message(v, true, "%s: VNC: the domain stopped; %zu held keys dropped", v->label, keys);
        changed(v);
    }
}

void vnc_set_label(struct vnc *v, const char *label)
{
    snprintf(v->label, sizeof v->label, "%s", label);
}

/* ---- keys ---- */

static bool send_events(struct vnc *v, const uint32_t *syms, const bool *down, size_t n, char *err, size_t errlen)
{
    if (v->readonly) {
        snprintf(err, errlen, "%s is read-only", v->label);
        return false;
    }
    if (v->holding) {
        if (v->nheld + n > HELD_MAX) {
            snprintf(err, errlen, "%s: %zu KiB of keys already held for the migration; this one is dropped",
                     v->label, HELD_MAX * sizeof(struct keyev) / 1024);
            return false;
        }
        if (!v->held && !(v->held = malloc(HELD_MAX * sizeof *v->held))) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        for (size_t i = 0; i < n; i++)
            v->held[v->nheld++] = (struct keyev){ syms[i], down[i] };
        changed(v);   /* the badge counts them */
        return true;
    }
    if (v->nheld > v->held_sent) {
        /* Still sending what was held: these go after it, in order. */
        if (v->nheld + n > HELD_MAX) {
            snprintf(err, errlen, "%s: typing faster than the VNC server takes keys", v->label);
            return false;
        }
        for (size_t i = 0; i < n; i++)
            v->held[v->nheld++] = (struct keyev){ syms[i], down[i] };
        return true;
    }
    if (!v->conn || v->state != VNC_ATTACHED) {
        snprintf(err, errlen, "%s: VNC is not connected", v->label);
        return false;
    }
    if (!vncconn_keys(v->conn, syms, down, n)) {
        snprintf(err, errlen, "%s: typing faster than the VNC server takes keys", v->label);
        return false;
    }
    return true;
}

bool vnc_send_combo(struct vnc *v, const struct keysym_combo *c, char *err, size_t errlen)
{
    uint32_t syms[2 * KEYSYM_COMBO_MAX];
    bool down[2 * KEYSYM_COMBO_MAX];
    size_t n = 0;
    for (unsigned i = 0; i < c->n; i++, n++) {
        syms[n] = c->keys[i];
        down[n] = true;
    }
    for (unsigned i = c->n; i-- > 0; n++) {
        syms[n] = c->keys[i];
        down[n] = false;
    }
    return send_events(v, syms, down, n, err, errlen);
}

bool vnc_key(struct vnc *v, key_code k, char *err, size_t errlen)
{
    struct keysym_combo c;
    if (!keysym_combo_from_key(k, &c)) {
        char ks[KEY_STRING_MAX] = "?";
        key_code_to_string(k, ks, sizeof ks);
        snprintf(err, errlen, "%s has no VNC key", ks);
        return false;
    }
    return vnc_send_combo(v, &c, err, errlen);
}

bool vnc_type(struct vnc *v, const char *text, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        key_code k = ch == '\n' ? '\r' : key_from_byte(ch);
        if (k != KEYC_NONE && !vnc_key(v, k, err, errlen))
            return false;
    }
    return true;
}

/* ---- life cycle ---- */

static struct vnc *vnc_alloc(const char *label, struct console *model, bool readonly, const char *password,
                             const struct vnc_ops *ops, void *opaque)
{
    struct vnc *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->screen = vncscreen_new(model);
    if (!v->screen) {
        free(v);
        return NULL;
    }
    snprintf(v->label, sizeof v->label, "%s", label);
    v->model = model;
    v->readonly = readonly;
    snprintf(v->password, sizeof v->password, "%s", password ? password : "");
    v->ops = ops;
    v->opaque = opaque;
    v->handshake_timer = v->flush_timer = -1;
    retry_init(&v->retry, RETRY_CONSOLE_FIRST_MS, RETRY_CONSOLE_MAX_MS, on_retry, v);
    v->state = VNC_STOPPED;
    v->running = v->host_connected = true;
    snprintf(v->describe, sizeof v->describe, "no frame yet");
    return v;
}

struct vnc *vnc_new(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN], const char *label,
                    struct console *model, bool readonly, const char *password,
                    const struct vnc_ops *ops, void *opaque)
{
    struct vnc *v = vnc_alloc(label, model, readonly, password, ops, opaque);
    if (v) {
        v->host = h;
        memcpy(v->uuid, uuid, VIR_UUID_BUFLEN);
    }
    return v;
}

struct vnc *vnc_new_address(const char *addr, const char *label, struct console *model, bool readonly,
                            const char *password, const struct vnc_ops *ops, void *opaque)
{
    struct vnc *v = vnc_alloc(label, model, readonly, password, ops, opaque);
    if (v)
        snprintf(v->addr, sizeof v->addr, "%s", addr);
    return v;
}

void vnc_free(struct vnc *v)
{
    if (!v)
        return;
    retry_cancel(&v->retry);
    if (v->opening)
        v->opening->v = NULL;
    drop_conn(v);
    drop_held(v);
    vncscreen_free(v->screen);
    free(v);
}

enum vnc_state vnc_state(const struct vnc *v) { return v->state; }
const char *vnc_label(const struct vnc *v) { return v->label; }
const unsigned char *vnc_uuid(const struct vnc *v) { return v->uuid; }
struct host *vnc_host(const struct vnc *v) { return v->host; }
bool vnc_readonly(const struct vnc *v) { return v->readonly; }
struct console *vnc_model(const struct vnc *v) { return v->model; }
const char *vnc_error(const struct vnc *v) { return v->err; }
const char *vnc_describe(const struct vnc *v) { return v->describe; }

bool vnc_bottom_line(const struct vnc *v, char *out, size_t outlen, int *cursor_col, uint64_t *hash)
{
    return vncscreen_bottom_line(v->screen, out, outlen, cursor_col, hash);
}

const char *vnc_badge(struct vnc *v)
{
    if (v->holding && v->readonly)
        return "[migrating]";
    if (v->holding) {
        snprintf(v->badge, sizeof v->badge, "[migrating: %zu keys held]", held_presses(v));
        return v->badge;
    }
    if (v->state == VNC_OPENING && v->tunnel_id > 0)
        return "[connecting: SSH tunnel]";
    switch (v->state) {
    case VNC_ATTACHED:
        return "";
    case VNC_OPENING: return "[connecting]";
    case VNC_STOPPED: return "[stopped]";
    case VNC_HOST_LOST: return "[host lost]";
    case VNC_AUTH:
        snprintf(v->badge, sizeof v->badge, "[%s: prefix f retries]", v->err);
        return v->badge;
    case VNC_WAITING:
        snprintf(v->badge, sizeof v->badge, "[reattaching: %s]", v->err);
        return v->badge;
    }
    return "";
}

void vnc_set_readonly(struct vnc *v, bool readonly)
{
    v->readonly = readonly;
}

/* ---- the console-source interface ---- */

static void src_attach(void *impl) { vnc_attach(impl); }
static bool src_key(void *impl, key_code k, char *err, size_t errlen) { return vnc_key(impl, k, err, errlen); }

static bool src_send(void *impl, const char *bytes, size_t n, char *err, size_t errlen)
{
    return vnc_type(impl, bytes, n, err, errlen);
}

static bool src_combo(void *impl, const struct keysym_combo *c, char *err, size_t errlen)
{
    return vnc_send_combo(impl, c, err, errlen);
}

static void src_update(void *impl, struct host *h, bool running, bool host_connected)
{
    vnc_update(impl, h, running, host_connected);
}

static void src_follow(void *impl, bool migrating, struct host *incoming)
{
    vnc_follow(impl, migrating, incoming);
}

static void src_read_now(void *impl) { }
static void src_set_label(void *impl, const char *label) { vnc_set_label(impl, label); }
static void src_set_readonly(void *impl, bool readonly) { vnc_set_readonly(impl, readonly); }
static void src_model_resized(void *impl) { vnc_model_resized(impl); }
static const char *src_badge(void *impl) { return vnc_badge(impl); }
static const char *src_describe(void *impl) { return vnc_describe(impl); }
static struct host *src_host(const void *impl) { return vnc_host(impl); }
static void src_free(void *impl) { vnc_free(impl); }

const struct source_ops vnc_source_ops = {
    .kind = "vnc",
    .attach = src_attach,
    .key = src_key,
    .send = src_send,
    .combo = src_combo,
    .read_now = src_read_now,
    .update = src_update,
    .follow = src_follow,
    .set_label = src_set_label,
    .set_readonly = src_set_readonly,
    .model_resized = src_model_resized,
    .badge = src_badge,
    .describe = src_describe,
    .host = src_host,
    .free = src_free,
};
