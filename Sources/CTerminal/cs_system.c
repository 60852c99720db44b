#define _GNU_SOURCE
#include "cs_system.h"
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <fcntl.h>

static volatile sig_atomic_t interrupted = 0;
static char restore_bytes[64];
static volatile size_t restore_len = 0;

static int interrupt_pipe[2] = {-1, -1};

static void on_interrupt(int sig) {
    (void)sig;
    interrupted = 1;
    if (interrupt_pipe[1] >= 0) {
        char byte = 1;
        ssize_t ignored = write(interrupt_pipe[1], &byte, 1);
        (void)ignored;
    }
}

int cs_interrupt_fd(void) { return interrupt_pipe[0]; }

static void on_fatal(int sig) {
    if (restore_len > 0) {
        ssize_t ignored = write(1, restore_bytes, restore_len);
        (void)ignored;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void cs_install_signal_handlers(void) {
    sigset_t interactive;
    sigemptyset(&interactive);
    sigaddset(&interactive, SIGINT);
    sigaddset(&interactive, SIGWINCH);
    sigaddset(&interactive, SIGTERM);
    sigaddset(&interactive, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &interactive, NULL);

    if (interrupt_pipe[0] < 0 && pipe(interrupt_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(interrupt_pipe[i], F_SETFL, fcntl(interrupt_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(interrupt_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);

    struct sigaction fatal;
    memset(&fatal, 0, sizeof fatal);
    fatal.sa_handler = on_fatal;
    sigemptyset(&fatal.sa_mask);
    sigaction(SIGTERM, &fatal, NULL);
    sigaction(SIGHUP, &fatal, NULL);
    sigaction(SIGQUIT, &fatal, NULL);
    signal(SIGPIPE, SIG_IGN);
}

void cs_set_terminal_restore(const char *bytes) {
    size_t n = bytes ? strlen(bytes) : 0;
    if (n >= sizeof restore_bytes) n = sizeof restore_bytes - 1;
    restore_len = 0;
    if (n) memcpy(restore_bytes, bytes, n);
    restore_len = n;
}

int cs_take_interrupt(void) {
    int was = interrupted;
    interrupted = 0;
    if (interrupt_pipe[0] >= 0) {
        char sink[16];
        while (read(interrupt_pipe[0], sink, sizeof sink) > 0) {}
    }
    return was;
}

int cs_peek_interrupt(void) { return interrupted; }

pid_t cs_spawn_in_pty(const char *path, char *const argv[], char *const envp[],
                      unsigned short rows, unsigned short cols, int *master_fd) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = rows;
    ws.ws_col = cols;
    pid_t pid = forkpty(master_fd, NULL, NULL, &ws);
    if (pid == 0) {
        // A test runner's threads may block or ignore signals; the child starts clean.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execve(path, argv, envp);
        _exit(127);
    }
    return pid;
}

#include <sys/ioctl.h>

int cs_terminal_columns(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 0;
}

int cs_terminal_rows(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
    return 0;
}

int cs_set_echo(int fd, int on) {
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return -1;
    if (on) t.c_lflag |= ECHO; else t.c_lflag &= ~(tcflag_t)ECHO;
    // TCSANOW: what was typed ahead (a pasted secret, Ctrl-D) is kept, not flushed.
    return tcsetattr(fd, TCSANOW, &t);
}
