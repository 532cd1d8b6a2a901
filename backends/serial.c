/* backends/serial.c: virDomainOpenConsole on the host's worker, then a non-blocking
 * virStream driven by libvirt's event loop (as virsh-console does, minus its thread). */
#include "backends/serial.h"
#include "util/monotime.h"
#include "backends/conlog.h"
#include "backends/host.h"
#include "util/retry.h"
#include "backends/source.h"

#include <stdarg.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

/* The stream's event callback holds a link, released by its free callback, and
 * every callback starts with a late-event guard on link->s (virsh-console style). */
struct link {
    int refs;
    struct serial *s;
    virStreamPtr st;
};

struct open_job {
    struct serial *s;             /* NULL once the serial is gone */
    struct host *host;            /* where it opens */
    bool next;                    /* ahead of a migration, on the destination */
    unsigned char uuid[VIR_UUID_BUFLEN];
    char dev[64];
    bool force, user;
    virDomainPtr dom;             /* from the STARTED event, or NULL: look it up */
    bool plain;                   /* open without flags (host_console_plain) */
    bool refused_flags;           /* the driver refused them: remember it */
    virStreamPtr st;
    char err[512];
    bool busy, not_running;
};

struct serial {
    struct host *host;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char label[256];
    char dev[64];
    struct console *model;
    bool readonly;
    const struct serial_ops *ops;
    void *opaque;
    enum serial_state state;
    struct link *link;            /* attached stream, or NULL */
    struct open_job *opening;
    struct conlog *log;
    struct retry retry;           /* reattach after the stream ended */
    bool running, host_connected;
    bool writable_wanted;
    /* Why the stream ended, said when the retry fires: a stop event usually
     * arrives right after the EOF, and then the right word is "stopped". */
    char why[64];
    bool force_next;
    /* Following a migration. The console on the destination is opened while
     * the guest is still paused there (`next`): QEMU drops serial output while
     * nobody reads its pty. What it delivers waits in next_buf until the
     * source's stream has given its last byte. Keys wait in the model's queue
     * (`holding`) until the console is on the destination. */
    struct link *next;
    struct host *next_host;
    struct open_job *next_opening;
    char *next_buf;
    size_t next_len, next_dropped;
    bool holding;
    unsigned long long hold_since_ms;
    unsigned long long moved_ms;  /* the row moved: the destination resumed */
    bool switching;               /* the row moved; the source still drains */
    bool source_paused;           /* the source said it paused for the migration */
    unsigned long long last_rx_ms;  /* the source's last byte */
    int quiet_timer;
    char from_name[64];
    int drain_timer;
    char badge[64];
};

static void changed(struct serial *s)
{
    if (s->ops->changed)
        s->ops->changed(s, s->opaque);
}

static void message(struct serial *s, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void message(struct serial *s, bool error, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (s->ops->message)
        s->ops->message(s, error, msg, s->opaque);
}

static void link_unref(void *opaque)
{
    struct link *l = opaque;
    if (--l->refs == 0)
        free(l);
}

/* ---- the attached stream (loop thread) ---- */

static void link_close(struct link *l, bool abort_stream)
{
    l->s = NULL;
    virStreamEventRemoveCallback(l->st);
    if (abort_stream)
        virStreamAbort(l->st);
    else
        virStreamFinish(l->st);
    virStreamFree(l->st);
    l->st = NULL;
    link_unref(l);
}

static void detach(struct serial *s, bool abort_stream)
{
    struct link *l = s->link;
    if (!l)
        return;
    s->link = NULL;
    link_close(l, abort_stream);
}

static void drop_next(struct serial *s)
{
    if (s->next_opening) {
        s->next_opening->s = NULL;
        s->next_opening = NULL;
    }
    if (s->next)
        link_close(s->next, true);
    s->next = NULL;
    s->next_host = NULL;
    free(s->next_buf);
    s->next_buf = NULL;
    s->next_len = s->next_dropped = 0;
}

static void add_marker(struct serial *s, const char *line)
{
    console_marker(s->model, line);
    if (s->log)
        conlog_marker(s->log, line);
}

static void on_retry(void *opaque)
{
    serial_attach(opaque, false);
}

static void schedule_retry(struct serial *s)
{
    if (retry_pending(&s->retry))
        return;
    s->state = SERIAL_WAITING;
    if (retry_schedule(&s->retry) < 0)
        message(s, true, "%s: cannot schedule the reattach", s->label);
}

/* The stream ended: say why in the scrollback and decide whether to come back. */
static void switch_over(struct serial *s);

static void lost(struct serial *s, const char *why)
{
    if (s->switching) {
        switch_over(s);   /* the source said its last byte */
        return;
    }
    detach(s, true);
    if (s->holding && (s->next || s->next_opening)) {
        /* The source QEMU is gone before the destination's resume reached
         * us: wait for the row to move rather than reattach here. */
        s->state = SERIAL_MIGRATING;
        changed(s);
        return;
    }
    if (!s->host_connected) {
        s->state = SERIAL_HOST_LOST;
        add_marker(s, "[virtmux: host lost]");
    } else if (!s->running) {
        s->state = SERIAL_STOPPED;
        add_marker(s, "[virtmux: stopped]");
    } else {
        snprintf(s->why, sizeof s->why, "%s", why);
        schedule_retry(s);
    }
    changed(s);
}

static void update_interest(struct serial *s)
{
    const char *data;
    bool want = !s->readonly && !s->holding && console_pending(s->model, &data) > 0;
    if (!s->link || want == s->writable_wanted)
        return;
    s->writable_wanted = want;
    virStreamEventUpdateCallback(s->link->st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
                                 VIR_STREAM_EVENT_HANGUP | (want ? VIR_STREAM_EVENT_WRITABLE : 0));
}

/* Send as much as the stream takes now; the rest waits for WRITABLE. */
static int send_pending(struct serial *s)
{
    const char *data;
    size_t n;
    while (s->link && !s->holding && (n = console_pending(s->model, &data)) > 0) {
        int sent = virStreamSend(s->link->st, data, n > 65536 ? 65536 : n);
        if (sent == -2)
            break;
        if (sent < 0)
            return -1;
        console_consume(s->model, (size_t)sent);
    }
    update_interest(s);
    return 0;
}

#define NEXT_BUF_MAX (1u << 20)

/* The destination's console before the switch: keep what it says, in order,
 * behind everything the source still has to say. */
static void on_next_stream(struct serial *s, virStreamPtr st, int events)
{
    if (events & VIR_STREAM_EVENT_READABLE) {
        char buf[16384];
        for (int i = 0; i < 16; i++) {
            int got = virStreamRecv(st, buf, sizeof buf);
            if (got == -2)
                break;
            if (got <= 0) {
                drop_next(s);   /* opened again at the switch */
                return;
            }
            size_t n = (size_t)got;
            if (!s->next_buf && !(s->next_buf = malloc(NEXT_BUF_MAX))) {
                s->next_dropped += n;
                continue;
            }
            size_t room = NEXT_BUF_MAX - s->next_len, take = n < room ? n : room;
            memcpy(s->next_buf + s->next_len, buf, take);
            s->next_len += take;
            s->next_dropped += n - take;
        }
    }
    if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
        drop_next(s);
}

/* Guest output into the screen and the log. */
static void show(struct serial *s, const char *buf, size_t n)
{
    console_feed(s->model, buf, n);
    if (s->log)
        conlog_write(s->log, buf, n);
    s->last_rx_ms = mono_ms();
}

/* After guest output was shown: a read-only console drops libtsm's replies
 * (DA, DSR), and the view redraws. */
static void shown(struct serial *s)
{
    if (s->readonly) {
        const char *d;
        console_consume(s->model, console_pending(s->model, &d));
    }
    changed(s);
}

/* Read what the attached stream has, at most `rounds` reads; false when it
 * ended (lost() has run, and may have freed the link). */
static bool read_stream(struct serial *s, virStreamPtr st, int rounds)
{
    char buf[65536];
    for (int i = 0; i < rounds; i++) {
        int got = virStreamRecv(st, buf, sizeof buf);
        if (got == -2)
            break;
        if (got <= 0) {
            lost(s, got == 0 ? "closed" : "error");
            return false;
        }
        show(s, buf, (size_t)got);
    }
    return true;
}

static void on_stream(virStreamPtr st, int events, void *opaque)
{
    struct link *l = opaque;
    struct serial *s = l->s;
    if (!s)
        return; /* late event for a stream we let go */
    if (l == s->next) {
        on_next_stream(s, st, events);
        return;
    }
    if (events & VIR_STREAM_EVENT_READABLE) {
        /* Bounded per callback so a flood cannot starve the keyboard. */
        if (!read_stream(s, st, 16))
            return;
        shown(s);   /* libtsm's replies go back below (send_pending) */
    }
    if (events & VIR_STREAM_EVENT_WRITABLE) {
        if (send_pending(s) < 0) {
            lost(s, "write error");
            return;
        }
    }
    if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)) {
        lost(s, events & VIR_STREAM_EVENT_HANGUP ? "hung up" : "error");
        return;
    }
    send_pending(s);
}

/* ---- opening (worker thread, then loop thread) ---- */

/* One call when all goes well (a boot storm opens hundreds while libvirtd is
 * busy starting them): the handle comes from the STARTED event when it can,
 * whether the domain runs is asked only when the open failed, and a driver
 * that refused the flags once is not asked with them again. */
static void open_run(virConnectPtr conn, void *arg)
{
    struct open_job *j = arg;
    if (!conn) {
        snprintf(j->err, sizeof j->err, "host is not connected");
        return;
    }
    virDomainPtr d = j->dom && virDomainGetConnect(j->dom) == conn ? j->dom : NULL;
    if (d)
        j->dom = NULL;
    else if (!(d = virDomainLookupByUUID(conn, j->uuid))) {
        snprintf(j->err, sizeof j->err, "%s", virGetLastErrorMessage());
        return;
    }
    const char *dev = *j->dev ? j->dev : NULL;
    virStreamPtr st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
    unsigned flags = j->plain ? 0 : j->force ? VIR_DOMAIN_CONSOLE_FORCE : VIR_DOMAIN_CONSOLE_SAFE;
    int rc = st ? virDomainOpenConsole(d, dev, st, flags) : -1;
    /* Drivers without console locking (LXC) refuse both flags: open it
     * plainly then (there is no other session to be safe from). */
    virErrorPtr fe = rc < 0 ? virGetLastError() : NULL;
    if (rc < 0 && st && flags && fe && fe->code == VIR_ERR_INVALID_ARG &&
        strstr(fe->message ? fe->message : "", "flags")) {
        j->refused_flags = true;
        virStreamFree(st);
        st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
        rc = st ? virDomainOpenConsole(d, dev, st, 0) : -1;
    }
    if (rc == 0) {
        j->st = st;
    } else {
        virErrorPtr e = virGetLastError();
        const char *msg = virGetLastErrorMessage();
        snprintf(j->err, sizeof j->err, "%s", msg);
        j->busy = e && strstr(msg, "Active console session");
        if (st)
            virStreamFree(st);
        if (!j->busy && virDomainIsActive(d) == 0) {
            j->not_running = true;
            snprintf(j->err, sizeof j->err, "domain is not running");
        }
    }
    virDomainFree(d);
}

static void open_discard(void *arg)
{
    struct open_job *j = arg;
    if (j->st) {
        virStreamAbort(j->st);
        virStreamFree(j->st);
    }
    if (j->dom)
        virDomainFree(j->dom);
    free(j);
}

static struct link *link_new(struct serial *s, virStreamPtr st)
{
    struct link *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->s = s;
    l->st = st;
    l->refs = 2; /* the serial and the callback registration */
    if (virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
                                  VIR_STREAM_EVENT_HANGUP, on_stream, l, link_unref) < 0) {
        free(l);
        return NULL;
    }
    return l;
}

static void finish_migration(struct serial *s)
{
    char line[256];
    /* The gap a user sees: from the destination's resume (as libvirt told
     * us) to its console being the one shown. Keys waited longer: from when
     * the destination appeared. */
    unsigned long long now = mono_ms(), gap = now - s->moved_ms;
    snprintf(line, sizeof line, "[virtmux: migrated %s \u2192 %s, console gap %llu ms, keys held %llu ms]",
             s->from_name, host_name(s->host), gap, now - s->hold_since_ms);
    add_marker(s, line);
    if (s->next_dropped) {
        snprintf(line, sizeof line, "[virtmux: %zu bytes of output lost at the switch]", s->next_dropped);
        add_marker(s, line);
    }
    s->switching = false;
    s->holding = false;
    s->next_dropped = 0;
    s->state = SERIAL_ATTACHED;
    retry_reset(&s->retry);
    s->why[0] = '\0';
    send_pending(s);   /* the keys held meanwhile, in order */
    changed(s);
}

/* A console on the destination, opened ahead of the switch. */
static void next_open_done(struct serial *s, struct open_job *j)
{
    s->next_opening = NULL;
    struct link *l = j->st ? link_new(s, j->st) : NULL;
    if (l) {
        j->st = NULL;
        s->next = l;
        s->next_host = j->host;
    }
    open_discard(j);
    if (s->switching && !s->link)
        switch_over(s);   /* the switch was waiting for this open */
}

static void open_done(void *arg)
{
    struct open_job *j = arg;
    struct serial *s = j->s;
    if (j->refused_flags)
        host_note_console_plain(j->host);
    if (!s) {
        open_discard(j);
        return;
    }
    if (j->next) {
        next_open_done(s, j);
        return;
    }
    s->opening = NULL;
    if (!j->st) {
        if (j->busy) {
            s->state = SERIAL_BUSY;
            if (j->user && s->ops->busy)
                s->ops->busy(s, s->opaque);
            else
                message(s, true, "%s: another session holds the console (:attach -f takes it over)", s->label);
        } else if (j->not_running || !s->running) {
            if (s->state != SERIAL_STOPPED)
                add_marker(s, "[virtmux: stopped]");
            s->why[0] = '\0';
            s->state = SERIAL_STOPPED;
            s->switching = s->holding = false;
        } else {
            message(s, true, "%s: console: %s", s->label, j->err);
            schedule_retry(s);
        }
        open_discard(j);
        changed(s);
        return;
    }
    struct link *l = link_new(s, j->st);
    if (!l) {
        message(s, true, "%s: console: %s", s->label, virGetLastErrorMessage());
        open_discard(j);
        schedule_retry(s);
        return;
    }
    j->st = NULL;
    s->link = l;
    s->writable_wanted = false;
    s->state = SERIAL_ATTACHED;
    if (s->switching) {
        open_discard(j);
        finish_migration(s);
        return;
    }
    if (s->why[0]) {
        char line[128];
        snprintf(line, sizeof line, "[virtmux: console %s; reattached]", s->why);
        add_marker(s, line);
        s->why[0] = '\0';
    }
    retry_reset(&s->retry);
    open_discard(j);
    send_pending(s);
    changed(s);
}

static struct open_job *start_open(struct serial *s, struct host *h, bool next, bool force, bool user)
{
    struct open_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->s = s;
    j->host = h;
    j->next = next;
    memcpy(j->uuid, s->uuid, VIR_UUID_BUFLEN);
    snprintf(j->dev, sizeof j->dev, "%s", s->dev);
    j->force = force;
    j->user = user;
    j->plain = host_console_plain(h);
    j->dom = host_take_started(h, s->uuid);
    if (host_submit_console(h, open_run, open_done, open_discard, j) < 0) {
        if (j->dom)
            virDomainFree(j->dom);
        free(j);
        return NULL;
    }
    return j;
}

/* The source has said its last byte (EOF), or was given up on: the console on
 * the destination takes over, what it said meanwhile first. */
static void switch_over(struct serial *s)
{
    if (s->drain_timer >= 0)
        virEventRemoveTimeout(s->drain_timer);
    s->drain_timer = -1;
    if (s->quiet_timer >= 0)
        virEventRemoveTimeout(s->quiet_timer);
    s->quiet_timer = -1;
    s->source_paused = false;
    detach(s, true);
    s->state = SERIAL_MIGRATING;
    if (s->next && s->next_host == s->host) {
        s->link = s->next;
        s->next = NULL;
        s->next_host = NULL;
        s->writable_wanted = false;
        if (s->next_len)
            show(s, s->next_buf, s->next_len);
        free(s->next_buf);
        s->next_buf = NULL;
        s->next_len = 0;
        finish_migration(s);
    } else if (s->next_opening && s->next_opening->host == s->host) {
        changed(s);   /* next_open_done finishes the switch */
    } else {
        drop_next(s);
        serial_attach(s, false);   /* open_done finishes the switch */
    }
}

static void on_drain_timer(int timer, void *opaque)
{
    struct serial *s = opaque;
    virEventRemoveTimeout(timer);
    s->drain_timer = -1;
    message(s, false, "%s: the source's console did not close; switching", s->label);
    switch_over(s);
}

/* Switching before the source's EOF. The hole: the source QEMU ends only in
 * libvirt's Confirm phase, tens of ms after the destination resumed, and
 * waiting for its EOF kept the destination's output waiting too. What makes
 * the early switch safe: once the source reported its pause, its guest
 * writes nothing more; every byte it wrote went into the pty before QEMU
 * said STOP, and the source's libvirtd forwards the pty's bytes ahead of
 * the pause event on the same connection, in order, so they sit in our
 * stream's queue by the time the event is seen. The destination resumes
 * only after the whole stop-and-copy (>= 100 ms later). So once the row has
 * moved, the source is read until its queue is empty (EAGAIN) and has been
 * quiet for QUIET_MS, then the destination takes over. */
#define QUIET_MS 20

static void on_quiet_timer(int timer, void *opaque)
{
    struct serial *s = opaque;
    virEventRemoveTimeout(timer);
    s->quiet_timer = -1;
    unsigned long long quiet = mono_ms() - s->last_rx_ms;
    if (s->link && quiet < QUIET_MS) {
        s->quiet_timer = virEventAddTimeout((int)(QUIET_MS - quiet), on_quiet_timer, s, NULL);
        return;
    }
    /* Everything queued, however much (the source is paused: it is finite);
     * an end of stream switches by itself (lost() while s->switching). */
    if (s->link && !read_stream(s, s->link->st, 1 << 20))
        return;
    switch_over(s);
}

/* The echo of a key just typed may already sit in the stream's queue: libvirt
 * took it off the socket during this loop turn, and tells on_stream only on
 * the next one (its stream events go through a timer). Reading it now draws
 * it a loop turn sooner. An end of stream is left for on_stream to see. */
void serial_read_now(struct serial *s)
{
    if (!s->link || s->next || s->switching || s->holding)
        return;
    char buf[4096];
    int got = virStreamRecv(s->link->st, buf, sizeof buf);
    if (got <= 0)
        return;
    show(s, buf, (size_t)got);
    shown(s);
    send_pending(s);   /* libtsm's replies (DA, DSR) */
}

void serial_force_next(struct serial *s)
{
    s->force_next = true;
}

void serial_attach(struct serial *s, bool force)
{
    force = force || s->force_next;
    if (s->opening || (s->link && !force))
        return;
    retry_cancel(&s->retry);
    detach(s, true);
    /* automatic retries never ask */
    struct open_job *j = start_open(s, s->host, false, force, s->state != SERIAL_WAITING);
    if (!j)
        return;
    s->force_next = false;
    s->opening = j;
    s->state = SERIAL_OPENING;
    changed(s);
}

void serial_flush(struct serial *s)
{
    if (s->readonly) {
        const char *d;
        console_consume(s->model, console_pending(s->model, &d));
        return;
    }
    if (s->link && send_pending(s) < 0)
        lost(s, "write error");
}

void serial_update(struct serial *s, struct host *h, bool running, bool host_connected)
{
    bool was_running = s->running, host_was = s->host_connected;
    s->running = running;
    s->host_connected = host_connected;
    if (h != s->host) {
        /* The same UUID runs elsewhere now: a migration. The source's stream
         * is read to its end (bounded) before the destination takes over. */
        snprintf(s->from_name, sizeof s->from_name, "%s", host_name(s->host));
        s->host = h;
        if (s->opening) {
            s->opening->s = NULL;
            s->opening = NULL;
        }
        retry_cancel(&s->retry);
        if (!s->holding) {
            s->holding = true;
            s->hold_since_ms = mono_ms();
        }
        s->switching = true;
        s->moved_ms = mono_ms();
        s->state = SERIAL_MIGRATING;
        if (s->link && s->drain_timer < 0)
            s->drain_timer = virEventAddTimeout(2000, on_drain_timer, s, NULL);
        if (s->link && s->source_paused && s->quiet_timer < 0)
            s->quiet_timer = virEventAddTimeout(0, on_quiet_timer, s, NULL);
        if (!s->link)
            switch_over(s);
        changed(s);
        return;
    }
    if (s->switching)
        return;
    if (!host_connected) {
        if (host_was && s->link)
            lost(s, "host lost");
        s->state = SERIAL_HOST_LOST;
        retry_cancel(&s->retry);
        return;
    }
    if (running && !s->link && !s->opening &&
        (!was_running || !host_was || s->state == SERIAL_STOPPED || s->state == SERIAL_HOST_LOST)) {
        if (s->state == SERIAL_STOPPED || s->state == SERIAL_HOST_LOST)
            add_marker(s, "[virtmux: domain running; attaching]");
        retry_reset(&s->retry);
        serial_attach(s, false);
    } else if (!running && !s->link && s->state != SERIAL_OPENING && s->state != SERIAL_STOPPED) {
        retry_cancel(&s->retry);
        s->why[0] = '\0';
        s->state = SERIAL_STOPPED;
        add_marker(s, "[virtmux: stopped]");
    }
}

void serial_follow(struct serial *s, bool migrating, struct host *incoming)
{
    if (s->switching)
        return;
    /* Keys are held from the moment the destination exists, not from the
     * source's pause: the pause event reaches us after the vCPUs stopped,
     * and a key sent in between would sit in the source's pty, or enter the
     * UART's FIFO after its state was saved, and be lost. */
    bool under_way = migrating || (incoming && incoming != s->host);
    if (migrating)
        s->source_paused = true;
    if (under_way && !s->holding) {
        s->holding = true;
        s->hold_since_ms = mono_ms();
        update_interest(s);
        changed(s);
    }
    if (incoming && incoming != s->host && s->next_host != incoming &&
        !(s->next_opening && s->next_opening->host == incoming)) {
        drop_next(s);
        s->next_opening = start_open(s, incoming, true, false, false);
    }
    if (!under_way)
        s->source_paused = false;   /* resumed where it was */
    if (!under_way && (s->holding || s->next || s->next_opening)) {
        drop_next(s);
        if (s->holding) {
            s->holding = false;
            char line[128];
            snprintf(line, sizeof line, "[virtmux: migration did not complete; still on %s]", host_name(s->host));
            add_marker(s, line);
            if (s->link)
                send_pending(s);
            else if (s->running && !s->opening)
                serial_attach(s, false);
        }
        if (s->state == SERIAL_MIGRATING)
            s->state = s->link ? SERIAL_ATTACHED : s->state;
        changed(s);
    }
}

bool serial_holding(const struct serial *s)
{
    return s->holding;
}

struct serial *serial_new(struct host *h, const unsigned char uuid[VIR_UUID_BUFLEN], const char *label,
                          const char *dev, struct console *model, bool readonly,
                          const struct serial_ops *ops, void *opaque)
{
    struct serial *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->host = h;
    memcpy(s->uuid, uuid, VIR_UUID_BUFLEN);
    snprintf(s->label, sizeof s->label, "%s", label);
    snprintf(s->dev, sizeof s->dev, "%s", dev ? dev : "");
    s->model = model;
    s->readonly = readonly;
    s->ops = ops;
    s->opaque = opaque;
    retry_init(&s->retry, RETRY_CONSOLE_FIRST_MS, RETRY_CONSOLE_MAX_MS, on_retry, s);
    s->drain_timer = -1;
    s->quiet_timer = -1;
    s->state = SERIAL_STOPPED;
    s->running = true;
    s->host_connected = true;
    return s;
}

void serial_free(struct serial *s)
{
    if (!s)
        return;
    retry_cancel(&s->retry);
    if (s->drain_timer >= 0)
        virEventRemoveTimeout(s->drain_timer);
    if (s->quiet_timer >= 0)
        virEventRemoveTimeout(s->quiet_timer);
    if (s->opening)
        s->opening->s = NULL;
    detach(s, true);
    drop_next(s);
    free(s);
}

void serial_set_log(struct serial *s, struct conlog *log) { s->log = log; }
enum serial_state serial_state(const struct serial *s) { return s->state; }
const char *serial_label(const struct serial *s) { return s->label; }
const unsigned char *serial_uuid(const struct serial *s) { return s->uuid; }
struct host *serial_host(const struct serial *s) { return s->host; }
bool serial_readonly(const struct serial *s) { return s->readonly; }
struct console *serial_model(const struct serial *s) { return s->model; }

const char *serial_badge(struct serial *s)
{
    if (s->holding && !s->readonly) {
        const char *d;
        snprintf(s->badge, sizeof s->badge, "[migrating: %zu bytes held]", console_pending(s->model, &d));
        return s->badge;
    }
    switch (s->state) {
    case SERIAL_MIGRATING: return "[migrating]";
    case SERIAL_ATTACHED: return "";
    case SERIAL_OPENING: return "[attaching]";
    case SERIAL_STOPPED: return "[stopped]";
    case SERIAL_BUSY: return "[busy: :attach -f takes over]";
    case SERIAL_WAITING: return "[reattaching]";
    case SERIAL_HOST_LOST: return "[host lost]";
    }
    return "";
}

void serial_set_readonly(struct serial *s, bool readonly)
{
    s->readonly = readonly;
}

/* ---- the console-source interface ---- */

/* Keys typed while a migration holds them: bounded. */
#define HELD_KEYS_MAX 65536

static void src_attach(void *impl)
{
    serial_attach(impl, true);
}

static bool src_key(void *impl, key_code k, char *err, size_t errlen)
{
    struct serial *s = impl;
    const char *queued;
    if (s->holding && console_pending(s->model, &queued) >= HELD_KEYS_MAX) {
        snprintf(err, errlen, "%s: %d KiB of keys already held for the migration; this one is dropped",
                 s->label, HELD_KEYS_MAX / 1024);
        return false;
    }
    if (!console_key(s->model, k)) {
        char ks[KEY_STRING_MAX] = "?";
        key_code_to_string(k, ks, sizeof ks);
        snprintf(err, errlen, "%s cannot be sent to a serial console", ks);
        return false;
    }
    serial_flush(s);
    return true;
}

static bool src_send(void *impl, const char *bytes, size_t n, char *err, size_t errlen)
{
    struct serial *s = impl;
    console_send(s->model, bytes, n);
    serial_flush(s);
    return true;
}

static bool src_combo(void *impl, const struct keysym_combo *c, char *err, size_t errlen)
{
    snprintf(err, errlen, "send-key: %s is a serial console (send-key is for VNC consoles)",
             ((struct serial *)impl)->label);
    return false;
}

static void src_update(void *impl, struct host *h, bool running, bool host_connected)
{
    serial_update(impl, h, running, host_connected);
}

static void src_follow(void *impl, bool migrating, struct host *incoming)
{
    serial_follow(impl, migrating, incoming);
}

static void src_set_label(void *impl, const char *label)
{
    struct serial *s = impl;
    snprintf(s->label, sizeof s->label, "%s", label);
}

static void src_set_readonly(void *impl, bool readonly) { serial_set_readonly(impl, readonly); }
static void src_read_now(void *impl) { serial_read_now(impl); }
static void src_model_resized(void *impl) { }
static const char *src_badge(void *impl) { return serial_badge(impl); }
static const char *src_describe(void *impl) { return ""; }
static struct host *src_host(const void *impl) { return serial_host(impl); }
static void src_free(void *impl) { serial_free(impl); }

const struct source_ops serial_source_ops = {
    .kind = "serial",
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
