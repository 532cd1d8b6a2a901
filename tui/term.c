/* tui/term.c: ncursesw in raw mode (^C, ^Z, ^] reach us as keys), colours, mouse. */
#include "tui/term.h"
#include "tui/paint.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

static volatile sig_atomic_t active;

int term_init(bool colour, bool mouse, char *err, size_t errlen)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "virtmux needs a terminal on stdin and stdout");
        return -1;
    }
    /* Escape sequences arrive in one read on any sane link; a short delay keeps
     * a lone Esc responsive even over slow ssh. */
    set_escdelay(50);
    if (!initscr()) {
        snprintf(err, errlen, "cannot initialise the terminal (TERM unset or unknown?)");
        return -1;
    }
    /* ncurses 6.4 flushes after every cursor move until the screen has been
     * suspended and resumed once (its _endwin stays "initial"): a frame of
     * 47 changed cells went out as 47 writes, each waking the terminal (and
     * each a packet on an ssh link). Resumed once here, before anything is
     * drawn (so nothing flickers), a frame is one write. */
    endwin();
    refresh();
    active = 1;
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    /* Let curses scroll a region instead of repainting every line of a
     * console that scrolls: far fewer bytes over a slow ssh link. */
    idlok(stdscr, TRUE);
    /* Never hold a frame back because input is pending: the frame may be the
     * echo the user is waiting for (and it saves a poll per refresh). */
    typeahead(-1);
    meta(stdscr, TRUE);
    paint_set_colour(colour);
    term_set_mouse(mouse);
    return 0;
}

void term_set_mouse(bool mouse)
{
    mousemask(mouse ? (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED) : 0, NULL);
    mouseinterval(0);
}

void term_restore(void)
{
    if (!active)
        return;
    active = 0;
    endwin();
}

bool term_active(void)
{
    return active;
}

void term_resize(void)
{
    struct winsize ws;
    if (!active || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
        return;
    resizeterm(ws.ws_row, ws.ws_col);
    clearok(curscr, TRUE);
}

void term_suspend(void)
{
    if (!active)
        return;
    endwin();
    /* Stop for real with the default action, then take the terminal back. */
    struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
    sigaction(SIGTSTP, &dfl, &old);
    raise(SIGTSTP);
    sigaction(SIGTSTP, &old, NULL);
    reset_prog_mode();
    term_resize();
    clearok(curscr, TRUE);
    refresh();
}

void term_redraw_all(void)
{
    if (active)
        clearok(curscr, TRUE);
}

void term_size(int *rows, int *cols)
{
    *rows = active ? LINES : 24;
    *cols = active ? COLS : 80;
}
