/* backends/vnc.c: one VNC console on the loop thread: get a socket (libvirt's
 * graphics FD locally, the listen address otherwise), run a vncconn on it, write
 * what the recogniser saw into the console model, reattach with a backoff. */
#include "backends/vnc.h"
#include "backends/host.h"
#include "backends/vncaddr.h"
#include "backends/vncconn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

/* A server that accepts but never finishes the handshake is given up on. */
#define HANDSHAKE_MS 15000

struct open_job {
    struct vnc *v;                /* NULL once the vnc is gone */
    unsigned char uuid[VIR_UUID_BUFLEN];
    int fd;
    char addr[300];
    char err[512];
    bool not_running;
};

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
    int retry_timer, handshake_timer;
    unsigned backoff_ms;
    bool running, host_connected;
    char why[160];                /* said in the screen when it comes back */
    char err[256];
    char badge[320];
    char describe[160];
    /* What the recogniser saw last: repaints the model after a resize. */
    struct vgatext_cell *cells;
    unsigned cols, rows;
    bool cursor;
    unsigned cx, cy;
    unsigned painted_cols, painted_rows;
    bool framed;                  /* this connection showed a frame */
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

static void on_retry(int timer, void *opaque)
{
    struct vnc *v = opaque;
    virEventRemoveTimeout(timer);
    v->retry_timer = -1;
    vnc_attach(v);
}

static void cancel_timer(int *t)
{
    if (*t >= 0)
        virEventRemoveTimeout(*t);
    *t = -1;
}

static void schedule_retry(struct vnc *v)
{
    if (v->retry_timer >= 0)
        return;
    v->backoff_ms = v->backoff_ms ? (v->backoff_ms * 2 > 10000 ? 10000 : v->backoff_ms * 2) : 500;
    v->retry_timer = virEventAddTimeout((int)v->backoff_ms, on_retry, v, NULL);
    v->state = VNC_WAITING;
}

static void on_handshake_timeout(int timer, void *opaque)
{
    struct vnc *v = opaque;
    cancel_timer(&v->handshake_timer);
    if (v->conn)
        vncconn_abort(v->conn, "the VNC server did not finish the handshake in time");
}

/* ---- the screen ---- */

static void paint_cell(struct vnc *v, unsigned x, unsigned y, const struct vgatext_cell *cell)
{
    struct console_attr a = cell->attr;
    /* VGA's grey on black is the terminal's own default colours. */
    if (a.bg == 0)
        a.bg = CONSOLE_COLOUR_DEFAULT;
    if (a.fg == 7)
        a.fg = CONSOLE_COLOUR_DEFAULT;
    console_put(v->model, x, y, cell->ch, &a);
}

static void take_cell(unsigned x, unsigned y, const struct vgatext_cell *cell, void *opaque)
{
    struct vnc *v = opaque;
    if (x >= v->cols || y >= v->rows)
        return;
    v->cells[(size_t)y * v->cols + x] = *cell;
    paint_cell(v, x, y, cell);
}

static void paint_cursor(struct vnc *v)
{
    console_set_cursor(v->model, v->cx, v->cy, v->cursor && v->cx < v->cols && v->cy < v->rows);
}

static void repaint(struct vnc *v)
{
    console_clear(v->model);
    for (unsigned y = 0; y < v->rows; y++)
        for (unsigned x = 0; x < v->cols; x++)
            paint_cell(v, x, y, &v->cells[(size_t)y * v->cols + x]);
    paint_cursor(v);
    v->painted_cols = console_cols(v->model);
    v->painted_rows = console_rows(v->model);
}

void vnc_model_resized(struct vnc *v)
{
    if (console_cols(v->model) == v->painted_cols && console_rows(v->model) == v->painted_rows)
        return;
    repaint(v);
    if (v->conn)
        vncconn_out_size(v->conn, console_cols(v->model), console_rows(v->model));
}

/* ---- the connection ---- */

static void drop_conn(struct vnc *v)
{
    cancel_timer(&v->handshake_timer);
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
        /* Said once per reason, not on every retry of a server that keeps failing. */
        if (strcmp(v->why, why) != 0)
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
    if (n.geometry) {
        size_t cells = (size_t)n.cols * n.rows;
        struct vgatext_cell *g = cells ? calloc(cells, sizeof *g) : NULL;
        if (cells && !g) {
            lost(v, "out of memory", false);
            return;
        }
        free(v->cells);
        v->cells = g;
        v->cols = n.cols;
        v->rows = n.rows;
        console_clear(v->model);
        v->painted_cols = console_cols(v->model);
        v->painted_rows = console_rows(v->model);
    }
    vncconn_cells(v->conn, v->cols, v->rows, take_cell, v);
    v->cursor = n.cursor;
    v->cx = n.cx;
    v->cy = n.cy;
    if (n.frames)
        paint_cursor(v);
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
        v->backoff_ms = 0;
        if (v->why[0])
            message(v, false, "%s: VNC reattached", v->label);
        v->why[0] = '\0';
    }
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
    /* A wildcard listen address means the libvirt host, as the URI names it. */
    char host[256] = "";
    if (!local) {
        char *u = virConnectGetURI(conn);
        vncaddr_uri_host(u, host, sizeof host);
        free(u);
    }
    char *xml = virDomainGetXMLDesc(d, 0);
    if (!xml) {
        snprintf(j->err, sizeof j->err, "%s", virGetLastErrorMessage());
    } else if (vncaddr_from_xml(xml, local ? NULL : host, j->addr, sizeof j->addr, j->err, sizeof j->err) == 0) {
        j->err[0] = '\0';
        if (!local && (vncaddr_is_loopback(j->addr) || !strncmp(j->addr, "unix:", 5))) {
            /* The seam for the SSH tunnel: until then, say what is missing. */
            snprintf(j->err, sizeof j->err, "the VNC display listens on %s of the remote host: "
                     "only a tunnel reaches it (not built yet)", j->addr);
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

static void open_done(void *arg)
{
    struct open_job *j = arg;
    struct vnc *v = j->v;
    if (!v) {
        open_discard(j);
        return;
    }
    v->opening = NULL;
    if (j->fd < 0 && !j->addr[0]) {
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
    int fd = j->fd;
    j->fd = -1;
    start_conn(v, fd, j->addr);
    open_discard(j);
}

void vnc_attach(struct vnc *v)
{
    if (v->opening)
        return;
    cancel_timer(&v->retry_timer);
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
        v->host = h;   /* the same UUID elsewhere: open it there */
        drop_conn(v);
        if (v->opening) {
            v->opening->v = NULL;
            v->opening = NULL;
        }
        cancel_timer(&v->retry_timer);
        v->state = VNC_STOPPED;
    }
    if (!host_connected) {
        if (host_was && v->conn)
            lost(v, "host lost", false);
        v->state = VNC_HOST_LOST;
        cancel_timer(&v->retry_timer);
        return;
    }
    if (running && !v->conn && !v->opening &&
        (!was_running || !host_was || v->state == VNC_STOPPED || v->state == VNC_HOST_LOST)) {
        v->backoff_ms = 0;
        vnc_attach(v);
    } else if (!running && v->conn && was_running) {
        /* QEMU closes the display when it stops; a server that does not is
         * let go all the same: the domain is what the pane follows. */
        drop_conn(v);
        cancel_timer(&v->retry_timer);
        v->why[0] = '\0';
        v->state = VNC_STOPPED;
        marker(v, "[virtmux: stopped]");
        changed(v);
    } else if (!running && !v->conn && v->state != VNC_OPENING && v->state != VNC_STOPPED) {
        cancel_timer(&v->retry_timer);
        v->why[0] = '\0';
        v->state = VNC_STOPPED;
        marker(v, "[virtmux: stopped]");
    }
}

/* ---- keys ---- */

static bool send_events(struct vnc *v, const uint32_t *syms, const bool *down, size_t n, char *err, size_t errlen)
{
    if (v->readonly) {
        snprintf(err, errlen, "%s is read-only", v->label);
        return false;
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
    snprintf(v->label, sizeof v->label, "%s", label);
    v->model = model;
    v->readonly = readonly;
    snprintf(v->password, sizeof v->password, "%s", password ? password : "");
    v->ops = ops;
    v->opaque = opaque;
    v->retry_timer = v->handshake_timer = -1;
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
    cancel_timer(&v->retry_timer);
    if (v->opening)
        v->opening->v = NULL;
    drop_conn(v);
    free(v->cells);
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

const char *vnc_badge(struct vnc *v)
{
    switch (v->state) {
    case VNC_ATTACHED:
        return v->readonly ? "[read-only]" : "";
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
