/* backends/ssh.c: one libssh session per remote host, driven as a state machine
 * from virEventAddHandle callbacks (resolve -> TCP -> handshake -> host key ->
 * auth -> ready); its direct-tcpip tunnels are in backends/sshtunnel.c. */
#include "backends/sshsess_private.h"
#include "backends/ssh.h"
#include "backends/knownhosts.h"
#include "backends/worker.h"

#include <errno.h>
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

#define STEP_TIMEOUT_MS 20000          /* one network step (not the user's thinking) */

static void step(struct sshsess *s);
static int no_passphrase(const char *prompt, char *buf, size_t len, int echo, int verify, void *userdata);
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

void sshsess_interest(struct sshsess *s)
{
    if (!s->ss)
        return;
    int ev = VIR_EVENT_HANDLE_READABLE;
    /* libssh raises its "write pending" flag at every write and lowers it
     * only in its own poll, which a flush with nothing left to send skips.
     * Once the last tunnel had closed (a VNC console that followed its domain
     * to another host), nothing polled again: the flag stayed up, and the
     * socket, always writable, woke the loop every turn. So when ready, ask
     * for writability only while a flush leaves bytes unsent. */
    if ((ssh_get_poll_flags(s->ss) & SSH_WRITE_PENDING) &&
        (s->state != S_READY || ssh_blocking_flush(s->ss, 0) == SSH_AGAIN))
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
    if (ssh_get_server_publickey(s->ss, &key) != SSH_OK)
        return -1;
    snprintf(s->keytype, sizeof s->keytype, "%s", ssh_key_type_to_char(ssh_key_type(key)));
    int rc = ssh_key_fingerprint(key, s->fingerprint, sizeof s->fingerprint);
    ssh_key_free(key);
    return rc;
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
    sshsess_pump(s);
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
        break;
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
    /* "none" refused tells which methods the server offers. */
    if (rc == SSH_AUTH_PARTIAL || s->state == S_AUTH_NONE)
        s->methods = ssh_userauth_list(s->ss, NULL);
    next_method(s);
    return s->state != S_PASSWORD_ASK && s->state != S_IDLE;
}

/* ---- the state machine ---- */

void sshsess_pump(struct sshsess *s)
{
    /* Reads and handles packets, writes what is queued: without waiting. */
    if (ssh_blocking_flush(s->ss, 0) == SSH_ERROR ||
        (ssh_get_status(s->ss) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
        const char *e = ssh_get_error(s->ss);
        fail(s, false, "ssh %s: connection lost%s%s", s->r.hostname, e && *e ? ": " : "", e && *e ? e : "");
        return;
    }
    ssh_tunnels_pump(s);
    if (s->state == S_READY)
        sshsess_interest(s);
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
                sshsess_interest(s);
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
                    sshsess_interest(s);
                return;
            }
            continue;
        case S_READY:
            sshsess_pump(s);
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

void sshsess_start_connect(struct sshsess *s)
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
        sshsess_start_connect(s);
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
