/* backends/vncconn.c: the thread that runs libvncclient for one connection —
 * handshake, server messages, the recogniser, key events — and the mailbox it
 * shares with the loop thread (a mutex, and a pipe the loop watches). */
#include "backends/vncconn.h"
#include "backends/vgafont.h"
#include "backends/vncaddr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <rfb/rfbclient.h>

/* Desktops larger than this are refused: 4096x4096 at 4 bytes is 64 MiB. */
#define MAX_SIDE 8192
#define MAX_PIXELS (4096u * 4096u)
#define MAX_KEYS 1024
#define CONNECT_MS 10000

struct keyev { uint32_t sym; bool down; };

struct vncconn {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int refs;                  /* loop, thread, pipe watch */
    pthread_t thread;
    bool thread_started;
    int fd0;                   /* the socket handed in, until the thread takes it */
    char addr[300];
    int wake_fd;               /* a dup of the socket, for shutdown() from the loop */
    int notify[2];             /* thread -> loop */
    int kick[2];               /* loop -> thread */
    int watch;
    void (*notify_fn)(void *);
    void *opaque;

    /* loop -> thread (under mu) */
    bool stop;
    char fatal[256];           /* a reason to give up, set by either side */
    struct keyev keys[MAX_KEYS];
    size_t nkeys;
    char password[256];
    bool password_answered;
    unsigned out_cols, out_rows;
    bool out_changed;
    bool up;                   /* handshake done: kicks are for run() (before, they cancel the connect) */

    /* thread -> loop (under mu) */
    struct vncconn_news news;
    struct vgatext_cell *grid;
    uint8_t *dirty;
    bool any_dirty;

    /* the thread's own */
    struct vgafont *font;
    struct vgatext *rec;
    uint32_t *fb;
    unsigned fb_w, fb_h;
};

static int client_tag;

/* libvncclient logs through two global function pointers with no client
 * argument: keep the last line per thread, to say why a connection failed. */
static _Thread_local char last_log[256];
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void capture_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof last_log, fmt, ap);
    va_end(ap);
    size_t n = strlen(last_log);
    while (n && (last_log[n - 1] == '\n' || last_log[n - 1] == '\r'))
        last_log[--n] = '\0';
}

static void install_log(void)
{
    rfbClientLog = capture_log;
    rfbClientErr = capture_log;
}

static void unref(struct vncconn *c)
{
    pthread_mutex_lock(&c->mu);
    bool last = --c->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (!last)
        return;
    if (c->fd0 >= 0)
        close(c->fd0);
    if (c->wake_fd >= 0)
        close(c->wake_fd);
    for (int i = 0; i < 2; i++) {
        if (c->notify[i] >= 0)
            close(c->notify[i]);
        if (c->kick[i] >= 0)
            close(c->kick[i]);
    }
    free(c->grid);
    free(c->dirty);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static void watch_free(void *opaque)
{
    unref(opaque);
}

/* Wake the other side; a full pipe already means "look". */
static void poke(int fd)
{
    ssize_t r = write(fd, "x", 1);
    (void)r;
}

static void drain(int fd)
{
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

/* ---- the thread ---- */

static struct vncconn *of(rfbClient *cl)
{
    return rfbClientGetClientData(cl, &client_tag);
}

static void set_fatal(struct vncconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_fatal(struct vncconn *c, const char *fmt, ...)
{
    pthread_mutex_lock(&c->mu);
    if (!c->fatal[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->fatal, sizeof c->fatal, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&c->mu);
}

static rfbBool on_malloc_fb(rfbClient *cl)
{
    struct vncconn *c = of(cl);
    unsigned w = cl->width > 0 ? (unsigned)cl->width : 0, h = cl->height > 0 ? (unsigned)cl->height : 0;
    uint32_t *fb = NULL;
    if (w && h && w <= MAX_SIDE && h <= MAX_SIDE && w * h <= MAX_PIXELS)
        fb = calloc((size_t)w * h, 4);
    if (!fb) {
        set_fatal(c, "the server's desktop is %dx%d: not a screen virtmux can show", cl->width, cl->height);
        /* The handshake (start_session) or the update that resized fails
         * on this; should anything read on, no rectangle fits a 0x0 size
         * (libvncclient checks), and the socket is closed for reads. */
        cl->width = cl->height = 0;
        cl->frameBuffer = NULL;
        free(c->fb);
        c->fb = NULL;
        c->fb_w = c->fb_h = 0;
        shutdown(cl->sock, SHUT_RDWR);
        return FALSE;
    }
    free(c->fb);
    c->fb = fb;
    c->fb_w = w;
    c->fb_h = h;
    cl->frameBuffer = (uint8_t *)fb;
    return TRUE;
}

static void on_update(rfbClient *cl, int x, int y, int w, int h)
{
    struct vncconn *c = of(cl);
    if (c->rec && c->fb && x >= 0 && y >= 0 && w > 0 && h > 0)
        vgatext_damage(c->rec, (unsigned)x, (unsigned)y, (unsigned)w, (unsigned)h);
}

static void copy_cell(unsigned x, unsigned y, const struct vgatext_cell *cell, void *opaque)
{
    struct vncconn *c = opaque;
    if (x >= c->news.cols || y >= c->news.rows)
        return;
    size_t i = (size_t)y * c->news.cols + x;
    c->grid[i] = *cell;
    c->dirty[i] = 1;
    c->any_dirty = true;
}

/* Recognise the framebuffer and hand what changed to the loop. */
static void frame(struct vncconn *c)
{
    if (!c->rec || !c->fb)
        return;
    pthread_mutex_lock(&c->mu);
    unsigned oc = c->out_cols, orow = c->out_rows;
    pthread_mutex_unlock(&c->mu);
    enum vgatext_mode mode = vgatext_frame(c->rec, c->fb, c->fb_w, c->fb_h, c->fb_w, oc, orow);
    unsigned cols = vgatext_cols(c->rec), rows = vgatext_rows(c->rec);
    if ((size_t)cols * rows > 4u * 1024 * 1024)
        cols = rows = 0;   /* not a screen; keep the last one */
    pthread_mutex_lock(&c->mu);
    if (cols != c->news.cols || rows != c->news.rows) {
        size_t n = (size_t)cols * rows;
        struct vgatext_cell *g = n ? calloc(n, sizeof *g) : NULL;
        uint8_t *d = n ? calloc(n, 1) : NULL;
        if (n && (!g || !d)) {
            free(g);
            free(d);
            pthread_mutex_unlock(&c->mu);
            return;
        }
        free(c->grid);
        free(c->dirty);
        c->grid = g;
        c->dirty = d;
        c->news.cols = cols;
        c->news.rows = rows;
        c->news.geometry = true;
        for (unsigned y = 0; y < rows; y++)
            for (unsigned x = 0; x < cols; x++) {
                const struct vgatext_cell *cell = vgatext_cell(c->rec, x, y);
                if (cell)
                    copy_cell(x, y, cell, c);
            }
    } else {
        vgatext_walk_changed(c->rec, copy_cell, c);
    }
    c->news.cursor = vgatext_cursor(c->rec, &c->news.cx, &c->news.cy);
    c->news.mode = mode;
    c->news.unknown = vgatext_unknown(c->rec);
    snprintf(c->news.describe, sizeof c->news.describe, "%s", vgatext_describe(c->rec));
    c->news.frames++;
    pthread_mutex_unlock(&c->mu);
    poke(c->notify[1]);
}

static void on_frame_done(rfbClient *cl)
{
    frame(of(cl));
}

static char *on_password(rfbClient *cl)
{
    struct vncconn *c = of(cl);
    pthread_mutex_lock(&c->mu);
    if (!c->password[0] && !c->stop) {
        c->news.ask_password = true;
        c->password_answered = false;
        poke(c->notify[1]);
        while (!c->password_answered && !c->stop)
            pthread_cond_wait(&c->cond, &c->mu);
    }
    /* libvncclient frees what this returns. */
    char *pw = c->password[0] && !c->stop ? strdup(c->password) : NULL;
    if (!pw && !c->fatal[0])
        snprintf(c->fatal, sizeof c->fatal, "no VNC password given");
    pthread_mutex_unlock(&c->mu);
    return pw;
}

/* Why libvncclient gave up: its last log line, with errno where the line
 * alone says little ("write"). */
static const char *explain(void)
{
    static _Thread_local char why[300];
    int e = errno;
    if (!last_log[0])
        return "the VNC server closed the connection";
    if (strlen(last_log) < 12 && e)
        snprintf(why, sizeof why, "%s: %s", last_log, strerror(e));
    else
        snprintf(why, sizeof why, "%s", last_log);
    return why;
}

static bool is_auth_failure(const char *msg)
{
    return strstr(msg, "uthentication") || strstr(msg, "password") || strstr(msg, "Password");
}

static void finish(struct vncconn *c, const char *why, bool auth)
{
    pthread_mutex_lock(&c->mu);
    c->news.ended = true;
    c->news.auth_failed = auth;
    snprintf(c->news.err, sizeof c->news.err, "%s", c->fatal[0] ? c->fatal : why);
    pthread_mutex_unlock(&c->mu);
    poke(c->notify[1]);
}

/* The message loop: the socket, and the kick pipe for keys and stop. */
static const char *run(struct vncconn *c, rfbClient *cl)
{
    struct keyev keys[MAX_KEYS];
    for (;;) {
        pthread_mutex_lock(&c->mu);
        bool stop = c->stop || c->fatal[0];
        size_t nk = c->nkeys;
        memcpy(keys, c->keys, nk * sizeof *keys);
        c->nkeys = 0;
        bool rescale = c->out_changed;
        c->out_changed = false;
        pthread_mutex_unlock(&c->mu);
        if (stop)
            return "stopped";
        for (size_t i = 0; i < nk; i++)
            if (!SendKeyEvent(cl, keys[i].sym, keys[i].down))
                return "cannot send to the VNC server";
        if (rescale && c->rec && c->fb) {
            vgatext_damage(c->rec, 0, 0, c->fb_w, c->fb_h);
            frame(c);
        }
        /* Bytes libvncclient already buffered will not wake poll. */
        if (!cl->buffered) {
            struct pollfd pf[2] = { { cl->sock, POLLIN, 0 }, { c->kick[0], POLLIN, 0 } };
            if (poll(pf, 2, -1) < 0 && errno != EINTR)
                return "poll failed";
            if (pf[1].revents)
                drain(c->kick[0]);
            if (!pf[0].revents)
                continue;
        }
        last_log[0] = '\0';
        if (!HandleRFBServerMessage(cl))
            return explain();
    }
}

/* SetPixelFormat (RFB 7.5.1): the client's format, as the decoders write it. */
static bool send_pixel_format(rfbClient *cl)
{
    const rfbPixelFormat *f = &cl->format;
    uint8_t m[20] = { rfbSetPixelFormat, 0, 0, 0, f->bitsPerPixel, f->depth, f->bigEndian, f->trueColour,
                      (uint8_t)(f->redMax >> 8), (uint8_t)f->redMax, (uint8_t)(f->greenMax >> 8),
                      (uint8_t)f->greenMax, (uint8_t)(f->blueMax >> 8), (uint8_t)f->blueMax,
                      f->redShift, f->greenShift, f->blueShift };
    return WriteToRFBServer(cl, (const char *)m, sizeof m);
}

/* SetEncodings (RFB 7.5.2). Lossless ones only: a JPEG-ish tight update
 * would blur glyphs. A size change is asked for as DesktopSize alone:
 * libvncclient 0.9.14 always adds ExtendedDesktopSize to its own list,
 * and a server that answers with that (QEMU does, when asked) names its
 * one screen id 0, which libvncclient takes for invalid: it keeps the old
 * framebuffer and fails the next update ("Rect too large: 720x400") when
 * the guest switches video mode. DesktopSize it handles. */
static bool send_encodings(rfbClient *cl)
{
    enum { N = 4 };
    static const uint32_t encs[N] = { rfbEncodingCopyRect, rfbEncodingHextile, rfbEncodingRaw, rfbEncodingNewFBSize };
    uint8_t m[4 + 4 * N] = { rfbSetEncodings, 0, 0, N };
    for (size_t i = 0; i < N; i++)
        for (size_t b = 0; b < 4; b++)
            m[4 + 4 * i + b] = (uint8_t)(encs[i] >> (24 - 8 * b));
    return WriteToRFBServer(cl, (const char *)m, sizeof m);
}

/* What rfbInitClient does on a connected socket, with our own pixel format
 * and encodings in place of libvncclient's SetFormatAndEncodings (see
 * send_encodings): its list never reaches the server. */
static bool start_session(rfbClient *cl)
{
    if (!InitialiseRFBConnection(cl))
        return false;
    cl->width = cl->si.framebufferWidth;
    cl->height = cl->si.framebufferHeight;
    if (!cl->MallocFrameBuffer(cl) || !send_pixel_format(cl) || !send_encodings(cl))
        return false;
    cl->updateRect.x = cl->updateRect.y = 0;
    cl->updateRect.w = cl->width;
    cl->updateRect.h = cl->height;
    return SendFramebufferUpdateRequest(cl, 0, 0, cl->width, cl->height, FALSE);
}

static void *thread_main(void *arg)
{
    struct vncconn *c = arg;
    char err[300] = "";
    pthread_mutex_lock(&c->mu);
    int fd = c->fd0;
    c->fd0 = -1;
    pthread_mutex_unlock(&c->mu);
    if (fd < 0)
        fd = vncaddr_connect(c->addr, CONNECT_MS, c->kick[0], err, sizeof err);
    if (fd < 0) {
        finish(c, err, false);
        unref(c);
        return NULL;
    }
    pthread_mutex_lock(&c->mu);
    c->wake_fd = dup(fd);
    /* A stop or abort that came before wake_fd existed could not wake us. */
    bool stop = c->stop || c->fatal[0];
    pthread_mutex_unlock(&c->mu);
    if (stop) {
        close(fd);
        finish(c, "stopped", false);
        unref(c);
        return NULL;
    }

    c->font = vgafont_load(NULL, err, sizeof err);
    c->rec = c->font ? vgatext_new(c->font) : NULL;
    if (!c->rec) {
        pthread_mutex_lock(&c->mu);
        snprintf(c->news.describe, sizeof c->news.describe, "no text: %s", c->font ? "out of memory" : err);
        pthread_mutex_unlock(&c->mu);
    }

    rfbClient *cl = rfbGetClient(8, 3, 4);
    if (!cl) {
        close(fd);
        finish(c, "out of memory", false);
    } else {
        /* 32 bits a pixel, 0x00RRGGBB as the recogniser reads it. */
        cl->format.redShift = 16;
        cl->format.greenShift = 8;
        cl->format.blueShift = 0;
        cl->appData.shareDesktop = TRUE;
        cl->MallocFrameBuffer = on_malloc_fb;
        cl->GotFrameBufferUpdate = on_update;
        cl->FinishedFrameBufferUpdate = on_frame_done;
        cl->GetPassword = on_password;
        rfbClientSetClientData(cl, &client_tag, c);
        cl->sock = fd;
        last_log[0] = '\0';
        if (!start_session(cl)) {
            snprintf(err, sizeof err, "handshake failed: %s", explain());
            rfbClientCleanup(cl);   /* closes the socket */
            pthread_mutex_lock(&c->mu);
            bool auth = !c->fatal[0] ? is_auth_failure(last_log) : strstr(c->fatal, "password") != NULL;
            pthread_mutex_unlock(&c->mu);
            finish(c, err, auth);
        } else {
            pthread_mutex_lock(&c->mu);
            c->news.connected = !c->fatal[0];
            c->up = true;
            pthread_mutex_unlock(&c->mu);
            poke(c->notify[1]);
            const char *why = run(c, cl);
            snprintf(err, sizeof err, "%s", why);
            rfbClientCleanup(cl);   /* closes the socket; the framebuffer is ours */
            finish(c, err, false);
        }
    }
    free(c->fb);
    c->fb = NULL;
    vgatext_free(c->rec);
    vgafont_free(c->font);
    c->rec = NULL;
    c->font = NULL;
    unref(c);
    return NULL;
}

/* ---- the loop side ---- */

static void on_notify(int watch, int fd, int events, void *opaque)
{
    struct vncconn *c = opaque;
    drain(fd);
    if (c->notify_fn)
        c->notify_fn(c->opaque);
}

struct vncconn *vncconn_start(int fd, const char *addr, const char *password,
                              unsigned out_cols, unsigned out_rows,
                              void (*notify)(void *opaque), void *opaque, char *err, size_t errlen)
{
    pthread_once(&log_once, install_log);
    struct vncconn *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cond, NULL);
    c->refs = 1;
    c->fd0 = fd;
    c->wake_fd = -1;
    c->notify[0] = c->notify[1] = c->kick[0] = c->kick[1] = -1;
    c->watch = -1;
    snprintf(c->addr, sizeof c->addr, "%s", addr ? addr : "");
    snprintf(c->password, sizeof c->password, "%s", password ? password : "");
    c->out_cols = out_cols;
    c->out_rows = out_rows;
    c->notify_fn = notify;
    c->opaque = opaque;
    if (pipe2(c->notify, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(c->kick, O_CLOEXEC | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        unref(c);
        return NULL;
    }
    c->refs++;   /* the watch, released by its free callback */
    c->watch = virEventAddHandle(c->notify[0], VIR_EVENT_HANDLE_READABLE, on_notify, c, watch_free);
    if (c->watch < 0) {
        c->refs--;
        snprintf(err, errlen, "cannot watch the VNC thread's pipe");
        unref(c);
        return NULL;
    }
    c->refs++;   /* the thread */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1024 * 1024);
    int rc = pthread_create(&c->thread, &attr, thread_main, c);
    pthread_attr_destroy(&attr);
    c->thread_started = rc == 0;
    if (rc != 0) {
        c->refs--;
        snprintf(err, errlen, "cannot start a thread: %s", strerror(rc));
        vncconn_stop(c);
        return NULL;
    }
    return c;
}

static void wake(struct vncconn *c)
{
    /* Under mu: wake_fd stays open until the last unref. */
    if (c->wake_fd >= 0)
        shutdown(c->wake_fd, SHUT_RDWR);
    pthread_cond_broadcast(&c->cond);
}

void vncconn_abort(struct vncconn *c, const char *why)
{
    pthread_mutex_lock(&c->mu);
    if (!c->fatal[0])
        snprintf(c->fatal, sizeof c->fatal, "%s", why);
    wake(c);
    pthread_mutex_unlock(&c->mu);
    poke(c->kick[1]);
}

void vncconn_stop(struct vncconn *c)
{
    if (!c)
        return;
    c->notify_fn = NULL;
    if (c->watch >= 0)
        virEventRemoveHandle(c->watch);
    c->watch = -1;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    wake(c);
    pthread_mutex_unlock(&c->mu);
    poke(c->kick[1]);
    if (c->thread_started) {
        /* Everything the thread can block on is woken above; the bound is
         * for a decoder busy with a huge update. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 2;
        if (pthread_timedjoin_np(c->thread, NULL, &ts) != 0)
            pthread_detach(c->thread);
    }
    unref(c);
}

void vncconn_take(struct vncconn *c, struct vncconn_news *n)
{
    pthread_mutex_lock(&c->mu);
    *n = c->news;
    c->news.connected = c->news.ask_password = c->news.geometry = false;
    pthread_mutex_unlock(&c->mu);
}

void vncconn_cells(struct vncconn *c, unsigned cols, unsigned rows, vgatext_cell_fn fn, void *opaque)
{
    pthread_mutex_lock(&c->mu);
    /* A newer geometry than the caller knows: its news comes next, cells then. */
    if (c->any_dirty && cols == c->news.cols && rows == c->news.rows) {
        for (unsigned y = 0; y < c->news.rows; y++)
            for (unsigned x = 0; x < c->news.cols; x++) {
                size_t i = (size_t)y * c->news.cols + x;
                if (c->dirty[i]) {
                    c->dirty[i] = 0;
                    fn(x, y, &c->grid[i], opaque);
                }
            }
        c->any_dirty = false;
    }
    pthread_mutex_unlock(&c->mu);
}

bool vncconn_keys(struct vncconn *c, const uint32_t *keysyms, const bool *down, size_t n)
{
    pthread_mutex_lock(&c->mu);
    bool ok = c->nkeys + n <= MAX_KEYS;
    for (size_t i = 0; ok && i < n; i++)
        c->keys[c->nkeys++] = (struct keyev){ keysyms[i], down[i] };
    pthread_mutex_unlock(&c->mu);
    if (ok)
        poke(c->kick[1]);
    return ok;
}

void vncconn_password(struct vncconn *c, const char *password)
{
    pthread_mutex_lock(&c->mu);
    snprintf(c->password, sizeof c->password, "%s", password ? password : "");
    c->password_answered = true;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mu);
}

void vncconn_out_size(struct vncconn *c, unsigned cols, unsigned rows)
{
    pthread_mutex_lock(&c->mu);
    if (cols != c->out_cols || rows != c->out_rows) {
        c->out_cols = cols;
        c->out_rows = rows;
        c->out_changed = true;
    }
    bool up = c->up;
    pthread_mutex_unlock(&c->mu);
    if (up)
        poke(c->kick[1]);
}
