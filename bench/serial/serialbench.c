/*
 * serialbench — drive an interactive serial-console client (virtmux attach,
 * virsh console) on a pty of its own and measure what its user sees.
 *
 *   serialbench [options] -- command [args...]
 *
 * The command runs as the session leader of a new pty (forkpty; default
 * 120x40, TERM=xterm-256color, LANG=C.UTF-8).  Everything it writes is fed to
 * a small built-in VT/xterm screen model, so "visible" means "on the emulated
 * screen", the same for a full-screen ncurses program (which sends only cell
 * updates) and for a plain byte pipe like virsh console.
 *
 * The guest behind the console must give a POSIX shell prompt (the busybox
 * demo guest: "demo1:~# ").  Phases:
 *
 *   sync    type `echo SB-$((1000+k))` Enter until "SB-<1000+k>" shows up
 *           (the typed text does not contain the expanded marker); retried
 *           with C-u every 3 s, for at most 90 s.
 *   echo    at the prompt, type 'a'..'z' one key at a time (C-u after every
 *           20 keys so the line never wraps).  One sample = write() of the key
 *           -> the read() after which the prompt row shows the prompt plus
 *           everything typed so far (next cell blank).  Before each key the
 *           output is drained until it has been quiet for 5 ms, then -g ms of
 *           gap.  -w warm-up samples are discarded.
 *   flood   (-f BYTES > 0) type, with -k hex (default: every line different)
 *             od -An -tx1 -w32 /dev/urandom|head -c BYTES;echo FLOOD-END-$((6*7))
 *           (97-byte lines of random hex), or with -k yes (every line alike)
 *             l=abcdefghijklmnopqrstuvwxy   Enter, a sync, then
 *             yes $l$l$l$l|head -c BYTES;echo FLOOD-END-$((6*7))
 *           (101-byte lines), and Enter.  Measured from the write() of Enter:
 *           pty output bytes and time until "FLOOD-END-42" is on the screen.
 *           From 1 s after Enter, probe keys (upper case letters that are on
 *           neither the screen nor in the flood text) are typed one at a time,
 *           -G ms apart; the guest tty is in cooked mode with ECHO while the
 *           pipeline runs, so the guest kernel echoes each into the flood.  A
 *           probe sample = write() -> the read() that made the emulated
 *           terminal draw that glyph anywhere.  Afterwards C-u and a sync
 *           clean the line.
 *   quit    write the -q string (C escapes; default "\x1d", virsh's C-]) and
 *           wait up to 10 s for the exit; then SIGTERM, 3 s, SIGKILL, by PID.
 *
 * Attach mode (-A TEXT) replaces sync, echo and flood: the command is a
 * client that shows an existing screen (virtmux attach-session, tmux attach).
 * Measured from just before the fork until the read() after which TEXT is on
 * the emulated screen as a word (the cell after it blank), at most -W ms
 * (default 30000).  Then the output is drained until quiet for 300 ms (the
 * rest of the first paint), and the quit keys are sent as above.  Prints
 *   attach_ms attach_bytes attach_reads attach_cpu_ms paint_bytes
 *   out_bytes quit=... status=N
 * attach_bytes: pty output up to the read that showed TEXT; paint_bytes: up
 * to the quiet point; attach_cpu_ms: the client's own CPU time (user+system)
 * when TEXT showed.
 *
 * Output (stdout, without -A), one line of key=value:
 *   connect_ms echo_n echo_lost echo_min_ms echo_med_ms echo_p90_ms
 *   echo_p99_ms echo_max_ms echo_mean_ms echo_cpu_ms [flood_bytes
 *   flood_out_bytes flood_reads flood_drain_ms flood_kBps flood_echo_n flood_echo_lost
 *   flood_echo_med_ms flood_echo_p99_ms flood_echo_max_ms flood_cpu_ms]
 *   out_bytes quit=ok|term|kill|died status=N
 * (flood_reads: read()s of the pty master that returned data, close to the
 * number of write()s, i.e. screen updates, of the client; *_cpu_ms: the client's user+system CPU time during that phase, from
 * /proc/PID/stat; -1 when unreadable.)
 * -r FILE gets every sample ("echo|warmup|flood-echo MS"), -o FILE a copy of
 * the raw terminal output, -d screen dumps on stderr after each phase.
 *
 * Exit code: 0 when every phase ran (samples may be lost: see *_lost), 1 when
 * a phase failed (no prompt, too many lost samples, the client died), 2 on a
 * usage error, 124 on the overall timeout (-t, default 900 s), 128+N on
 * signal N (SIGINT, SIGTERM, SIGHUP: the client is stopped by PID first).
 *
 * Build: cc -O2 -o serialbench serialbench.c -lutil
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ util */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *label = "serialbench";

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "serialbench[%s]: ", label);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* --------------------------------------------------------- screen model */

/* Enough of xterm for ncurses (TERM=xterm-256color) and a serial shell:
 * printing with pending wrap, C0 controls, CUP/CUU/CUD/CUF/CUB/CHA/VPA/HPA,
 * ED/EL/ECH, ICH/DCH/IL/DL, SU/SD, DECSTBM, REP, IND/NEL/RI, DECSC/DECRC,
 * the alternate screen (cleared on switch), DEC line drawing (mapped off
 * ASCII), UTF-8.  Attributes are ignored.  Answers DSR 6 and DA like xterm. */
enum { ST_GROUND, ST_ESC, ST_ESC_SKIP1, ST_ESC_CS, ST_CSI, ST_STR, ST_STR_ESC };

struct vt {
    int rows, cols;
    uint32_t **line;       /* row pointers: scrolling moves pointers */
    uint32_t *cells;
    int x, y, wrap;
    int top, bot;          /* scroll region, inclusive */
    int sx, sy;            /* saved cursor */
    int state;
    int cs_which;          /* 0: G0, 1: G1 being designated */
    int g[2], gl;          /* 1 = DEC special graphics */
    char priv;
    int np, p[16], pdigit;
    uint32_t last;         /* for REP */
    uint32_t u8cp;
    int u8need;
    unsigned char seen[128]; /* ASCII glyphs drawn since the last reset */
    char reply[64];        /* answers to DSR/DA, for the caller to send */
    size_t replylen;
};

static struct vt vt;

static void vt_clear_cells(uint32_t *c, int n)
{
    for (int i = 0; i < n; i++)
        c[i] = ' ';
}

static void vt_init(int rows, int cols)
{
    memset(&vt, 0, sizeof vt);
    vt.rows = rows;
    vt.cols = cols;
    vt.cells = malloc(sizeof(uint32_t) * (size_t)rows * (size_t)cols);
    vt.line = malloc(sizeof(uint32_t *) * (size_t)rows);
    if (!vt.cells || !vt.line) {
        msg("out of memory");
        exit(2);
    }
    for (int r = 0; r < rows; r++) {
        vt.line[r] = vt.cells + (size_t)r * (size_t)cols;
        vt_clear_cells(vt.line[r], cols);
    }
    vt.bot = rows - 1;
}

static void vt_erase_all(void)
{
    for (int r = 0; r < vt.rows; r++)
        vt_clear_cells(vt.line[r], vt.cols);
}

/* Scroll rows top..bot up by n (new blank rows at the bottom). */
static void vt_scroll_up(int top, int bot, int n)
{
    if (top > bot || n <= 0)
        return;
    if (n > bot - top + 1)
        n = bot - top + 1;
    uint32_t *tmp[n > 0 ? n : 1];
    for (int i = 0; i < n; i++)
        tmp[i] = vt.line[top + i];
    memmove(&vt.line[top], &vt.line[top + n], sizeof(uint32_t *) * (size_t)(bot - top + 1 - n));
    for (int i = 0; i < n; i++) {
        vt.line[bot - n + 1 + i] = tmp[i];
        vt_clear_cells(tmp[i], vt.cols);
    }
}

static void vt_scroll_down(int top, int bot, int n)
{
    if (top > bot || n <= 0)
        return;
    if (n > bot - top + 1)
        n = bot - top + 1;
    uint32_t *tmp[n > 0 ? n : 1];
    for (int i = 0; i < n; i++)
        tmp[i] = vt.line[bot - n + 1 + i];
    memmove(&vt.line[top + n], &vt.line[top], sizeof(uint32_t *) * (size_t)(bot - top + 1 - n));
    for (int i = 0; i < n; i++) {
        vt.line[top + i] = tmp[i];
        vt_clear_cells(tmp[i], vt.cols);
    }
}

static void vt_linefeed(void)
{
    if (vt.y == vt.bot)
        vt_scroll_up(vt.top, vt.bot, 1);
    else if (vt.y < vt.rows - 1)
        vt.y++;
}

static void vt_put(uint32_t cp)
{
    if (vt.g[vt.gl] && cp >= 0x5f && cp <= 0x7e)
        cp = 0x2500 + cp; /* line drawing: keep it off the ASCII letters */
    if (vt.wrap) {
        vt.x = 0;
        vt_linefeed();
        vt.wrap = 0;
    }
    vt.line[vt.y][vt.x] = cp;
    if (cp < 128)
        vt.seen[cp] = 1;
    vt.last = cp;
    if (vt.x == vt.cols - 1)
        vt.wrap = 1;
    else
        vt.x++;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static int P(int i, int def)
{
    return (i < vt.np && vt.p[i] > 0) ? vt.p[i] : def;
}

static void vt_reply(const char *s)
{
    size_t n = strlen(s);
    if (vt.replylen + n <= sizeof vt.reply) {
        memcpy(vt.reply + vt.replylen, s, n);
        vt.replylen += n;
    }
}

static void vt_csi(char f)
{
    int n = P(0, 1);
    uint32_t *ln = vt.line[vt.y];
    if (vt.priv) {
        if (vt.priv == '?' && (f == 'h' || f == 'l'))
            for (int i = 0; i < vt.np; i++)
                if (vt.p[i] == 1049 || vt.p[i] == 1047 || vt.p[i] == 47) {
                    if (vt.p[i] == 1049 && f == 'h')
                        vt.sx = vt.x, vt.sy = vt.y;
                    vt_erase_all();
                    if (vt.p[i] == 1049 && f == 'l')
                        vt.x = vt.sx, vt.y = vt.sy;
                }
        return;
    }
    if (f != 'b' && f != 'm')
        vt.wrap = 0;
    switch (f) {
    case 'A': vt.y = clampi(vt.y - n, vt.y >= vt.top ? vt.top : 0, vt.rows - 1); break;
    case 'B': case 'e': vt.y = clampi(vt.y + n, 0, vt.y <= vt.bot ? vt.bot : vt.rows - 1); break;
    case 'C': case 'a': vt.x = clampi(vt.x + n, 0, vt.cols - 1); break;
    case 'D': vt.x = clampi(vt.x - n, 0, vt.cols - 1); break;
    case 'E': vt.y = clampi(vt.y + n, 0, vt.rows - 1); vt.x = 0; break;
    case 'F': vt.y = clampi(vt.y - n, 0, vt.rows - 1); vt.x = 0; break;
    case 'G': case '`': vt.x = clampi(n - 1, 0, vt.cols - 1); break;
    case 'd': vt.y = clampi(n - 1, 0, vt.rows - 1); break;
    case 'H': case 'f':
        vt.y = clampi(P(0, 1) - 1, 0, vt.rows - 1);
        vt.x = clampi(P(1, 1) - 1, 0, vt.cols - 1);
        break;
    case 'J': {
        int m = vt.np ? vt.p[0] : 0;
        if (m == 0) {
            vt_clear_cells(ln + vt.x, vt.cols - vt.x);
            for (int r = vt.y + 1; r < vt.rows; r++)
                vt_clear_cells(vt.line[r], vt.cols);
        } else if (m == 1) {
            vt_clear_cells(ln, vt.x + 1);
            for (int r = 0; r < vt.y; r++)
                vt_clear_cells(vt.line[r], vt.cols);
        } else {
            vt_erase_all();
        }
        break;
    }
    case 'K': {
        int m = vt.np ? vt.p[0] : 0;
        if (m == 0)
            vt_clear_cells(ln + vt.x, vt.cols - vt.x);
        else if (m == 1)
            vt_clear_cells(ln, vt.x + 1);
        else
            vt_clear_cells(ln, vt.cols);
        break;
    }
    case 'X': vt_clear_cells(ln + vt.x, n < vt.cols - vt.x ? n : vt.cols - vt.x); break;
    case '@': {
        int k = n < vt.cols - vt.x ? n : vt.cols - vt.x;
        memmove(ln + vt.x + k, ln + vt.x, sizeof(uint32_t) * (size_t)(vt.cols - vt.x - k));
        vt_clear_cells(ln + vt.x, k);
        break;
    }
    case 'P': {
        int k = n < vt.cols - vt.x ? n : vt.cols - vt.x;
        memmove(ln + vt.x, ln + vt.x + k, sizeof(uint32_t) * (size_t)(vt.cols - vt.x - k));
        vt_clear_cells(ln + vt.cols - k, k);
        break;
    }
    case 'L': if (vt.y >= vt.top && vt.y <= vt.bot) { vt_scroll_down(vt.y, vt.bot, n); vt.x = 0; } break;
    case 'M': if (vt.y >= vt.top && vt.y <= vt.bot) { vt_scroll_up(vt.y, vt.bot, n); vt.x = 0; } break;
    case 'S': vt_scroll_up(vt.top, vt.bot, n); break;
    case 'T': vt_scroll_down(vt.top, vt.bot, n); break;
    case 'r': {
        int t = P(0, 1) - 1, b = P(1, vt.rows) - 1;
        if (t < b && b < vt.rows) {
            vt.top = t;
            vt.bot = b;
        }
        vt.x = vt.y = 0;
        break;
    }
    case 'b':
        for (int i = 0; i < n && i < 65536; i++)
            vt_put(vt.last);
        break;
    case 'n':
        if (vt.np && vt.p[0] == 6) {
            char b[32];
            snprintf(b, sizeof b, "\033[%d;%dR", vt.y + 1, vt.x + 1);
            vt_reply(b);
        }
        break;
    case 'c':
        if (P(0, 0) == 0)
            vt_reply("\033[?1;2c");
        break;
    default: break; /* m, h, l, t, q, ... */
    }
}

static void vt_feed(const unsigned char *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = b[i];
        switch (vt.state) {
        case ST_GROUND:
            if (vt.u8need) {
                if ((c & 0xc0) == 0x80) {
                    vt.u8cp = (vt.u8cp << 6) | (c & 0x3f);
                    if (--vt.u8need == 0)
                        vt_put(vt.u8cp);
                    continue;
                }
                vt.u8need = 0;
                vt_put(0xfffd);
            }
            if (c >= 0x20 && c < 0x7f) {
                vt_put(c);
            } else if (c >= 0xc0 && c < 0xf8) {
                vt.u8need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
                vt.u8cp = c & (c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f);
            } else if (c >= 0x80) {
                vt_put(0xfffd);
            } else {
                switch (c) {
                case 0x08: if (vt.x > 0) vt.x--; vt.wrap = 0; break;
                case 0x09: vt.x = clampi((vt.x / 8 + 1) * 8, 0, vt.cols - 1); break;
                case 0x0a: case 0x0b: case 0x0c: vt_linefeed(); break;
                case 0x0d: vt.x = 0; vt.wrap = 0; break;
                case 0x0e: vt.gl = 1; break;
                case 0x0f: vt.gl = 0; break;
                case 0x1b: vt.state = ST_ESC; break;
                default: break;
                }
            }
            break;
        case ST_ESC:
            vt.state = ST_GROUND;
            switch (c) {
            case '[':
                vt.state = ST_CSI;
                vt.priv = 0;
                vt.np = 0;
                vt.pdigit = 0;
                memset(vt.p, 0, sizeof vt.p);
                break;
            case ']': case 'P': case 'X': case '^': case '_': vt.state = ST_STR; break;
            case '(': case ')': case '*': case '+':
                vt.cs_which = c == '(' ? 0 : c == ')' ? 1 : 2;
                vt.state = ST_ESC_CS;
                break;
            case '#': case '%': case ' ': vt.state = ST_ESC_SKIP1; break;
            case '7': vt.sx = vt.x; vt.sy = vt.y; break;
            case '8': vt.x = vt.sx; vt.y = vt.sy; vt.wrap = 0; break;
            case 'D': vt.wrap = 0; vt_linefeed(); break;
            case 'E': vt.wrap = 0; vt.x = 0; vt_linefeed(); break;
            case 'M':
                vt.wrap = 0;
                if (vt.y == vt.top)
                    vt_scroll_down(vt.top, vt.bot, 1);
                else if (vt.y > 0)
                    vt.y--;
                break;
            case 'c':
                vt_erase_all();
                vt.x = vt.y = vt.wrap = 0;
                vt.top = 0;
                vt.bot = vt.rows - 1;
                vt.g[0] = vt.g[1] = vt.gl = 0;
                break;
            case 0x1b: vt.state = ST_ESC; break;
            default: break;
            }
            break;
        case ST_ESC_SKIP1:
            vt.state = ST_GROUND;
            break;
        case ST_ESC_CS:
            if (vt.cs_which < 2)
                vt.g[vt.cs_which] = c == '0';
            vt.state = ST_GROUND;
            break;
        case ST_CSI:
            if (c >= '0' && c <= '9') {
                if (vt.np == 0)
                    vt.np = 1;
                if (vt.np <= 16 && vt.p[vt.np - 1] < 100000)
                    vt.p[vt.np - 1] = vt.p[vt.np - 1] * 10 + (c - '0');
            } else if (c == ';' || c == ':') {
                if (vt.np == 0)
                    vt.np = 1;
                if (vt.np < 16)
                    vt.np++;
            } else if (c >= '<' && c <= '?') {
                vt.priv = (char)c;
            } else if (c >= 0x20 && c <= 0x2f) {
                /* intermediates: ignored */
            } else if (c >= 0x40 && c <= 0x7e) {
                vt_csi((char)c);
                vt.state = ST_GROUND;
            } else if (c == 0x1b) {
                vt.state = ST_ESC;
            } else if (c == 0x18 || c == 0x1a) {
                vt.state = ST_GROUND;
            }
            break;
        case ST_STR:
            if (c == 0x07 || c == 0x9c)
                vt.state = ST_GROUND;
            else if (c == 0x1b)
                vt.state = ST_STR_ESC;
            break;
        case ST_STR_ESC:
            vt.state = c == '\\' ? ST_GROUND : ST_STR;
            break;
        }
    }
}

/* Row r as bytes: ASCII as is, anything else as '\x01'. */
static void vt_row_text(int r, char *out)
{
    for (int c = 0; c < vt.cols; c++) {
        uint32_t cp = vt.line[r][c];
        out[c] = (cp >= 0x20 && cp < 0x7f) ? (char)cp : '\x01';
    }
    out[vt.cols] = '\0';
}

/* Some row contains s; with blank_after, the cell after it is blank (or the
 * row ends there). */
static int vt_contains(const char *s, int blank_after)
{
    char row[4096];
    size_t n = strlen(s);
    for (int r = 0; r < vt.rows; r++) {
        vt_row_text(r, row);
        for (const char *p = row; (p = strstr(p, s)) != NULL; p++) {
            if (!blank_after || p[n] == '\0' || p[n] == ' ')
                return 1;
        }
    }
    return 0;
}

static int vt_screen_has_char(char ch)
{
    for (int r = 0; r < vt.rows; r++)
        for (int c = 0; c < vt.cols; c++)
            if (vt.line[r][c] == (uint32_t)(unsigned char)ch)
                return 1;
    return 0;
}

static void vt_dump(const char *title)
{
    char row[4096];
    fprintf(stderr, "---- screen [%s] %s (cursor %d,%d) ----\n", label, title, vt.y, vt.x);
    for (int r = 0; r < vt.rows; r++) {
        vt_row_text(r, row);
        int e = vt.cols;
        while (e > 0 && row[e - 1] == ' ')
            e--;
        for (int c = 0; c < e; c++)
            if (row[c] == '\x01')
                row[c] = '#';
        fprintf(stderr, "|%.*s\n", e, row);
    }
    fprintf(stderr, "---- end ----\n");
}

/* ------------------------------------------------------------- the pty */

static int master = -1;
static pid_t child = -1;
static int child_gone;
static int child_status;
static FILE *rawcopy;
static unsigned long long out_total, reads_total;
static double deadline;

static void reap(void)
{
    if (child_gone || child < 0)
        return;
    int st;
    pid_t r = waitpid(child, &st, WNOHANG);
    if (r == child) {
        child_gone = 1;
        child_status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
    }
}

static void kill_child(void)
{
    if (child < 0 || child_gone)
        return;
    kill(child, SIGTERM);
    for (int i = 0; i < 30 && !child_gone; i++) {
        usleep(100000);
        reap();
    }
    if (!child_gone) {
        kill(child, SIGKILL);
        int st;
        while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
        }
        child_gone = 1;
        child_status = 137;
    }
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

/* SIGINT/SIGTERM/SIGHUP: stop the client (by PID) and leave. */
static void check_signal(void)
{
    if (!got_signal)
        return;
    int sig = got_signal;
    msg("signal %d: stopping pid %d", sig, (int)child);
    kill_child();
    exit(128 + sig);
}

static void fatal_timeout(void)
{
    msg("overall timeout reached; killing pid %d", (int)child);
    vt_dump("at timeout");
    kill_child();
    exit(124);
}

static void send_bytes(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(master, s, n);
        if (w > 0) {
            s += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf = { .fd = master, .events = POLLOUT };
            check_signal();
            if (now_ms() > deadline)
                fatal_timeout();
            poll(&pf, 1, 100);
            continue;
        }
        msg("write to pty: %s", strerror(errno));
        return;
    }
}

static void send_str(const char *s) { send_bytes(s, strlen(s)); }

/* Wait up to timeout_ms for output; read and feed everything available.
 * Returns bytes read (0 on timeout), -1 when the pty is gone.  *t_read gets
 * the time the last read() returned. */
static long pump(int timeout_ms, double *t_read)
{
    static unsigned char buf[65536];
    check_signal();
    double left = deadline - now_ms();
    if (left <= 0)
        fatal_timeout();
    if (timeout_ms > left)
        timeout_ms = (int)left + 1;
    struct pollfd pf = { .fd = master, .events = POLLIN };
    int pr = poll(&pf, 1, timeout_ms);
    if (pr < 0)
        return errno == EINTR ? 0 : -1;
    if (pr == 0)
        return 0;
    long total = 0;
    for (;;) {
        ssize_t n = read(master, buf, sizeof buf);
        if (n > 0) {
            if (t_read)
                *t_read = now_ms();
            out_total += (unsigned long long)n;
            reads_total++;
            total += n;
            if (rawcopy)
                fwrite(buf, 1, (size_t)n, rawcopy);
            vt_feed(buf, (size_t)n);
            if (vt.replylen) {
                send_bytes(vt.reply, vt.replylen);
                vt.replylen = 0;
            }
            /* one read per call: callers check the screen after each */
            return total;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return total;
        reap();
        return -1; /* EIO / EOF: the slave side is closed */
    }
}

/* Read until the output has been quiet for quiet_ms (at most max_ms). */
static int settle(int quiet_ms, int max_ms)
{
    double end = now_ms() + max_ms, last = now_ms();
    while (now_ms() < end) {
        long n = pump(quiet_ms, NULL);
        if (n < 0)
            return -1;
        if (n > 0)
            last = now_ms();
        else if (now_ms() - last >= quiet_ms)
            return 0;
    }
    return 0;
}

/* Wait (<= ms) until pred() holds after a read; *t gets that read's time. */
static int wait_for(int (*pred)(const void *), const void *arg, int ms, double *t)
{
    double end = now_ms() + ms;
    double tr = 0;
    if (pred(arg)) {
        if (t)
            *t = now_ms();
        return 1;
    }
    while (now_ms() < end) {
        double left = end - now_ms();
        long n = pump(left > 50 ? 50 : (int)left + 1, &tr);
        if (n < 0)
            return -1;
        if (n > 0 && pred(arg)) {
            if (t)
                *t = tr;
            return 1;
        }
    }
    return 0;
}

static int pred_contains(const void *s) { return vt_contains(s, 0); }

struct line_pred { const char *s; };
static int pred_line(const void *a) { return vt_contains(((const struct line_pred *)a)->s, 1); }


/* CPU time (user+system, all threads) process pid has used so far, in ms;
 * -1 if it cannot be read. */
static double proc_cpu_ms(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* comm may contain spaces */
    unsigned long long ut, st;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

/* The client's CPU time, plus that of the process whose pid is in the file
 * $SERIALBENCH_EXTRA_PIDFILE when there is one: virtmux's server, which the
 * client started and which does the console's work. */
static double child_cpu_ms(void)
{
    double ms = proc_cpu_ms(child);
    const char *file = getenv("SERIALBENCH_EXTRA_PIDFILE");
    FILE *f = file && *file ? fopen(file, "r") : NULL;
    int pid = 0;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    double extra = pid > 0 ? proc_cpu_ms(pid) : 0;
    return ms < 0 || extra < 0 ? -1 : ms + extra;
}

/* ----------------------------------------------------------- the phases */

static int sync_k = 1000;
static int dump_screens;

/* Type an echo with a fresh marker until it comes back.  0 ok, -1 failed. */
static int do_sync(int total_ms)
{
    double end = now_ms() + total_ms;
    while (now_ms() < end) {
        char cmd[64], want[32];
        sync_k++;
        snprintf(cmd, sizeof cmd, "\025echo SB-$((%d+1))\r", sync_k - 1);
        snprintf(want, sizeof want, "SB-%d", sync_k);
        send_str(cmd);
        int r = wait_for(pred_contains, want, 3000, NULL);
        if (r < 0)
            return -1;
        if (r > 0)
            return settle(50, 2000);
    }
    return -1;
}

/* The prompt: the cursor row up to the cursor; must end in "# " or "$ ". */
static int capture_prompt(char *out, size_t outlen)
{
    char row[4096];
    vt_row_text(vt.y, row);
    int x = vt.x;
    if (x >= 2 && x < (int)outlen && (row[x - 2] == '#' || row[x - 2] == '$') && row[x - 1] == ' ') {
        memcpy(out, row, (size_t)x);
        out[x] = '\0';
        /* Drop leading blanks and non-ASCII (borders): match from the text. */
        char *p = out;
        while (*p == ' ' || *p == '\x01')
            p++;
        memmove(out, p, strlen(p) + 1);
        return 0;
    }
    return -1;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct stats { int n; double min, med, p90, p99, max, mean; };

static struct stats stats_of(double *v, int n)
{
    struct stats s = { 0 };
    s.n = n;
    if (n == 0)
        return s;
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += v[i];
    s.min = v[0];
    s.max = v[n - 1];
    s.mean = sum / n;
    s.med = (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    int i90 = (int)ceil(0.90 * n) - 1, i99 = (int)ceil(0.99 * n) - 1;
    s.p90 = v[i90 < 0 ? 0 : i90];
    s.p99 = v[i99 < 0 ? 0 : i99];
    return s;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: serialbench [-s COLSxROWS] [-t SECS] [-n SAMPLES] [-w WARMUP] [-g GAP_MS]\n"
            "                   [-f FLOOD_BYTES] [-k hex|yes] [-e FLOOD_PROBES] [-G PROBE_GAP_MS] [-q QUIT]\n"
            "                   [-L LABEL] [-o RAWFILE] [-r SAMPLEFILE] [-d] -- command [args...]\n"
            "       serialbench -A TEXT [-W MS] [-s COLSxROWS] [-t SECS] [-q QUIT] [-L LABEL] [-o RAWFILE] [-d]\n"
            "                   -- command [args...]\n");
    exit(2);
}

/* "\x1dq" style escapes: \xHH, \e, \r, \n, \\ */
static char *unescape(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out)
        exit(2);
    while (*s) {
        if (*s == '\\' && s[1]) {
            s++;
            if (*s == 'x' && s[1] && s[2]) {
                char h[3] = { s[1], s[2], 0 };
                *o++ = (char)strtol(h, NULL, 16);
                s += 3;
                continue;
            }
            *o++ = *s == 'e' ? '\033' : *s == 'r' ? '\r' : *s == 'n' ? '\n' : *s;
            s++;
            continue;
        }
        *o++ = *s++;
    }
    *o = '\0';
    return out;
}

int main(int argc, char **argv)
{
    int cols = 120, rows = 40, samples = 200, warmup = 5, gap_ms = 20;
    int probes = 20, probe_gap_ms = 100, flood_yes = 0;
    long long flood_bytes = 0;
    double timeout_s = 900;
    const char *rawfile = NULL, *samplefile = NULL, *attach_text = NULL;
    int attach_wait_ms = 30000;
    char *quit = unescape("\\x1d");
    int opt;

    while ((opt = getopt(argc, argv, "+s:t:n:w:g:f:k:e:G:q:L:o:r:A:W:dh")) != -1) {
        switch (opt) {
        case 's':
            if (sscanf(optarg, "%dx%d", &cols, &rows) != 2 || cols < 40 || rows < 10 || cols > 1000 ||
                rows > 500)
                usage();
            break;
        case 't': timeout_s = atof(optarg); if (!(timeout_s > 0)) usage(); break;
        case 'n': samples = atoi(optarg); if (samples < 1 || samples > 100000) usage(); break;
        case 'w': warmup = atoi(optarg); if (warmup < 0) usage(); break;
        case 'g': gap_ms = atoi(optarg); if (gap_ms < 0) usage(); break;
        case 'f': flood_bytes = atoll(optarg); if (flood_bytes < 0) usage(); break;
        case 'k':
            if (strcmp(optarg, "yes") == 0)
                flood_yes = 1;
            else if (strcmp(optarg, "hex") == 0)
                flood_yes = 0;
            else
                usage();
            break;
        case 'e': probes = atoi(optarg); if (probes < 0 || probes > 1000) usage(); break;
        case 'G': probe_gap_ms = atoi(optarg); if (probe_gap_ms < 0) usage(); break;
        case 'q': free(quit); quit = unescape(optarg); break;
        case 'L': label = optarg; break;
        case 'o': rawfile = optarg; break;
        case 'r': samplefile = optarg; break;
        case 'd': dump_screens = 1; break;
        case 'A': attach_text = optarg; if (!*attach_text) usage(); break;
        case 'W': attach_wait_ms = atoi(optarg); if (attach_wait_ms < 1) usage(); break;
        default: usage();
        }
    }
    if (optind >= argc)
        usage();
    char **cmd = argv + optind;

    if (rawfile && !(rawcopy = fopen(rawfile, "w"))) {
        msg("%s: %s", rawfile, strerror(errno));
        return 2;
    }
    FILE *sf = NULL;
    if (samplefile && !(sf = fopen(samplefile, "w"))) {
        msg("%s: %s", samplefile, strerror(errno));
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    vt_init(rows, cols);

    fflush(NULL);
    struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
    double t_start = now_ms();
    deadline = t_start + timeout_s * 1e3;
    child = forkpty(&master, NULL, NULL, &ws);
    if (child < 0) {
        msg("forkpty: %s", strerror(errno));
        return 2;
    }
    if (child == 0) {
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        setenv("TERM", "xterm-256color", 1);
        setenv("LANG", "C.UTF-8", 1);
        unsetenv("LC_ALL");
        unsetenv("LC_CTYPE");
        unsetenv("COLUMNS");
        unsetenv("LINES");
        execvp(cmd[0], cmd);
        fprintf(stderr, "serialbench: exec %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

    int rc = 0;
    char prompt[512] = "";
    double *ev = calloc((size_t)samples + 1, sizeof *ev);
    double *fv = calloc((size_t)probes + 1, sizeof *fv);
    int en = 0, elost = 0, fn = 0, flost = 0;
    double connect_ms = 0, drain_ms = 0;
    unsigned long long flood_out = 0, flood_reads = 0;
    double flood_cpu = -1, echo_cpu = -1;
    double attach_ms = -1, attach_cpu = -1;
    unsigned long long attach_bytes = 0, attach_reads = 0, paint_bytes = 0;
    if (!ev || !fv)
        return 2;

    /* ---- attach mode: fork -> TEXT visible ---- */
    if (attach_text) {
        struct line_pred lp = { attach_text };
        double t = 0;
        int r = wait_for(pred_line, &lp, attach_wait_ms, &t);
        if (r <= 0) {
            msg(r < 0 ? "the client went away before '%s' showed" : "'%s' not visible after %d ms", attach_text,
                attach_wait_ms);
            vt_dump("attach");
            rc = 1;
            goto quit;
        }
        attach_ms = t - t_start;
        attach_bytes = out_total;
        attach_reads = reads_total;
        attach_cpu = proc_cpu_ms(child);
        settle(300, 5000);
        paint_bytes = out_total;
        if (dump_screens)
            vt_dump("attached");
        goto quit;
    }

    /* ---- connect + sync ---- */
    settle(300, 3000);
    if (do_sync(90000) < 0) {
        msg("no shell prompt: the sync marker never came back");
        vt_dump("sync failed");
        rc = 1;
        goto quit;
    }
    connect_ms = now_ms() - t_start;
    if (capture_prompt(prompt, sizeof prompt) < 0) {
        msg("cannot find the prompt at the cursor (row %d col %d)", vt.y, vt.x);
        vt_dump("no prompt");
        rc = 1;
        goto quit;
    }
    if (dump_screens)
        vt_dump("after sync");
    msg("connected in %.0f ms; prompt '%s'", connect_ms, prompt);

    /* ---- echo at the prompt ---- */
    {
        char expect[1024], typed[64] = "";
        int ntyped = 0, letter = 0, consecutive_lost = 0;
        double cpu0 = child_cpu_ms();
        for (int i = 0; i < warmup + samples; i++) {
            if (ntyped == 20) {
                send_str("\025");
                struct line_pred lp = { prompt };
                if (wait_for(pred_line, &lp, 5000, NULL) <= 0) {
                    msg("C-u did not clear the line");
                    if (do_sync(15000) < 0) {
                        rc = 1;
                        break;
                    }
                }
                ntyped = 0;
                typed[0] = '\0';
            }
            if (settle(5, 500) < 0) {
                rc = 1;
                break;
            }
            if (gap_ms)
                usleep((useconds_t)gap_ms * 1000);
            char c = (char)('a' + letter);
            letter = (letter + 1) % 26;
            typed[ntyped++] = c;
            typed[ntyped] = '\0';
            snprintf(expect, sizeof expect, "%s%s", prompt, typed);
            struct line_pred lp = { expect };
            double t0 = now_ms(), t1 = 0;
            send_bytes(&c, 1);
            int r = wait_for(pred_line, &lp, 5000, &t1);
            if (r < 0) {
                msg("the client went away during the echo samples");
                rc = 1;
                break;
            }
            if (r == 0) {
                elost++;
                msg("echo sample %d: '%c' not visible after 5 s", i, c);
                if (dump_screens)
                    vt_dump("lost echo");
                if (++consecutive_lost >= 3 || elost > samples / 10) {
                    msg("too many lost echo samples");
                    vt_dump("echo failing");
                    rc = 1;
                    break;
                }
                if (do_sync(15000) < 0 || capture_prompt(prompt, sizeof prompt) < 0) {
                    rc = 1;
                    break;
                }
                ntyped = 0;
                typed[0] = '\0';
                continue;
            }
            consecutive_lost = 0;
            double ms = t1 - t0;
            if (sf)
                fprintf(sf, "%s %.3f\n", i < warmup ? "warmup" : "echo", ms);
            if (i >= warmup)
                ev[en++] = ms;
        }
        double cpu1 = child_cpu_ms();
        echo_cpu = (cpu0 >= 0 && cpu1 >= 0) ? cpu1 - cpu0 : -1;
        if (rc == 0 && do_sync(15000) < 0) {
            msg("no prompt after the echo samples");
            rc = 1;
        }
        if (dump_screens)
            vt_dump("after echo");
    }

    /* ---- flood ---- */
    if (rc == 0 && flood_bytes > 0) {
        /* probe keys: upper case, not in the flood text, not on screen now */
        const char *cand = "QZJXKVWYUGHMBPRTSICA";
        char set[32];
        int nset = 0;
        for (const char *p = cand; *p && nset < 8; p++)
            if (!vt_screen_has_char(*p))
                set[nset++] = *p;
        if (nset == 0) {
            msg("no probe key is free of the screen");
            rc = 1;
            goto quit;
        }
        /* Keep the command line short: ash thinks the serial tty is 80
         * columns wide and would wrap a longer line in the marker. */
        char cmdline[128];
        if (flood_yes) {
            send_str("l=abcdefghijklmnopqrstuvwxy\r");
            if (do_sync(15000) < 0) {
                msg("no prompt before the flood");
                rc = 1;
                goto quit;
            }
            snprintf(cmdline, sizeof cmdline, "yes $l$l$l$l|head -c %lld;echo FLOOD-END-$((6*7))",
                     flood_bytes);
        } else {
            snprintf(cmdline, sizeof cmdline,
                     "od -An -tx1 -w32 /dev/urandom|head -c %lld;echo FLOOD-END-$((6*7))", flood_bytes);
        }
        send_str(cmdline);
        /* wait for the typed command line to be echoed, then Enter */
        if (wait_for(pred_contains, "FLOOD-END-$((6*7))", 10000, NULL) <= 0 || settle(20, 1000) < 0) {
            msg("the flood command line was not echoed");
            vt_dump("flood cmdline");
            rc = 1;
            goto quit;
        }
        unsigned long long out0 = out_total, reads0 = reads_total;
        double cpu0 = child_cpu_ms();
        double t0 = now_ms(), tend = 0;
        send_str("\r");
        int ended = 0, probe_out = 0, pi = 0;
        double probe_t = 0, next_probe = t0 + 1000; /* the flood is well under way */
        unsigned char probe_c = 0;
        /* keep time for the clean-up and the quit */
        double reserve = timeout_s * 1e3 / 4 < 60000 ? timeout_s * 1e3 / 4 : 60000;
        double flood_limit = deadline - reserve;
        while (!child_gone) {
            double tr = 0;
            long n = pump(probe_out ? 5 : 20, &tr);
            if (n < 0)
                break;
            if (n > 0) {
                if (probe_out && vt.seen[probe_c]) {
                    double ms = tr - probe_t;
                    fv[fn++] = ms;
                    if (sf)
                        fprintf(sf, "flood-echo %.3f\n", ms);
                    probe_out = 0;
                    next_probe = tr + probe_gap_ms;
                }
                if (!ended && vt_contains("FLOOD-END-42", 0)) {
                    ended = 1;
                    tend = tr;
                    flood_out = out_total - out0;
                    flood_reads = reads_total - reads0;
                    double cpu1 = child_cpu_ms();
                    flood_cpu = (cpu0 >= 0 && cpu1 >= 0) ? cpu1 - cpu0 : -1;
                }
            }
            double t = now_ms();
            if (ended && !probe_out)
                break;
            if (ended && probe_out && t - tend > 5000) {
                flost++;
                msg("flood probe '%c' not visible 5 s after the flood ended", probe_c);
                break;
            }
            if (probe_out && t - probe_t > 30000) {
                flost++;
                msg("flood probe '%c' not visible after 30 s", probe_c);
                probe_out = 0;
                next_probe = t + probe_gap_ms;
            }
            if (!ended && !probe_out && fn + flost < probes && t >= next_probe) {
                probe_c = (unsigned char)set[pi++ % nset];
                vt.seen[probe_c] = 0;
                probe_t = now_ms();
                send_bytes((const char *)&probe_c, 1);
                probe_out = 1;
            }
            if (t > flood_limit) {
                msg("the flood did not end in time (%.0f s)", (t - t0) / 1e3);
                vt_dump("flood timeout");
                rc = 1;
                goto quit;
            }
        }
        if (!ended) {
            msg("the client went away during the flood");
            rc = 1;
            goto quit;
        }
        drain_ms = tend - t0;
        if (dump_screens)
            vt_dump("flood end");
        /* the probes are typed-ahead input for the shell now: clear them */
        settle(200, 5000);
        send_str("\025");
        if (do_sync(30000) < 0) {
            msg("no prompt after the flood");
            vt_dump("after flood");
            rc = 1;
        }
    }

quit:
    /* ---- quit ---- */
    {
        const char *how = "ok";
        if (!child_gone) {
            send_str(quit);
            double end = now_ms() + 10000;
            while (now_ms() < end && !child_gone) {
                if (pump(100, NULL) < 0)
                    break;
                reap();
            }
            for (int i = 0; i < 50 && !child_gone; i++) {
                usleep(20000);
                reap();
            }
            if (!child_gone) {
                msg("did not exit within 10 s of the quit keys; SIGTERM pid %d", (int)child);
                kill(child, SIGTERM);
                for (int i = 0; i < 30 && !child_gone; i++) {
                    usleep(100000);
                    reap();
                }
                how = "term";
                if (!child_gone) {
                    kill_child();
                    how = "kill";
                }
            }
        } else {
            how = "died";
            rc = 1;
        }
        close(master);

        struct stats e = stats_of(ev, en);
        if (attach_text)
            printf("attach_ms=%.1f attach_bytes=%llu attach_reads=%llu attach_cpu_ms=%.0f paint_bytes=%llu",
                   attach_ms, attach_bytes, attach_reads, attach_cpu, paint_bytes);
        else
            printf("connect_ms=%.1f echo_n=%d echo_lost=%d echo_min_ms=%.3f echo_med_ms=%.3f "
                   "echo_p90_ms=%.3f echo_p99_ms=%.3f echo_max_ms=%.3f echo_mean_ms=%.3f echo_cpu_ms=%.0f",
                   connect_ms, e.n, elost, e.min, e.med, e.p90, e.p99, e.max, e.mean, echo_cpu);
        if (flood_bytes > 0 && !attach_text) {
            struct stats f = stats_of(fv, fn);
            printf(" flood_bytes=%lld flood_out_bytes=%llu flood_reads=%llu flood_drain_ms=%.1f flood_kBps=%.1f"
                   " flood_echo_n=%d flood_echo_lost=%d flood_echo_med_ms=%.3f"
                   " flood_echo_p99_ms=%.3f flood_echo_max_ms=%.3f flood_cpu_ms=%.0f",
                   flood_bytes, flood_out, flood_reads, drain_ms,
                   drain_ms > 0 ? flood_bytes / drain_ms : 0.0, f.n, flost, f.med, f.p99, f.max, flood_cpu);
        }
        printf(" out_bytes=%llu quit=%s status=%d\n", out_total, how, child_status);
        fflush(stdout);
        if (strcmp(how, "ok") != 0 && rc == 0)
            rc = 1;
    }
    if (rawcopy)
        fclose(rawcopy);
    if (sf)
        fclose(sf);
    return rc;
}
