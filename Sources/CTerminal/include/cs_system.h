// Process-level helpers that must be written in C: signal handlers and pseudo-terminal spawning.
#ifndef CALLSCOPE_CS_SYSTEM_H
#define CALLSCOPE_CS_SYSTEM_H
#include <stddef.h>
#include <sys/types.h>

/// Installs the shell's SIGINT handler (sets a flag, no SA_RESTART so blocking reads return EINTR)
/// and SIGTERM/SIGHUP/SIGQUIT handlers that write `restore` to fd 1 before dying.
void cs_install_signal_handlers(void);
/// Bytes written to the terminal when the process is killed by a signal (e.g. "\e[?2004l").
void cs_set_terminal_restore(const char *bytes);
/// Returns 1 and clears the flag if SIGINT arrived since the last call.
int cs_take_interrupt(void);
/// A descriptor that becomes readable when SIGINT arrives (a self-pipe), so a reader blocked in
/// poll() wakes up even if the signal came just before it started waiting; -1 before install.
int cs_interrupt_fd(void);
/// Returns 1 if SIGINT arrived since the last cs_take_interrupt, without clearing it.
int cs_peek_interrupt(void);

/// Starts `argv[0]` (an absolute path) in a new pseudo-terminal of the given size, with `envp`.
/// Returns the child pid and stores the master side in `*master_fd`; -1 on failure.
pid_t cs_spawn_in_pty(const char *path, char *const argv[], char *const envp[],
                      unsigned short rows, unsigned short cols, int *master_fd);

/// Terminal width of `fd` in columns, or 0 if it is not a terminal.
int cs_terminal_columns(int fd);
/// Terminal height of `fd` in rows, or 0 if it is not a terminal.
int cs_terminal_rows(int fd);
/// Turns terminal echo on `fd` off (0) or on (1); returns 0 on success.
int cs_set_echo(int fd, int on);
#endif
