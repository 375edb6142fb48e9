/* The caller's side of a command for run and exec: the signals this process passes on,
 * and its own terminal for -i/-t (raw mode while a pty is relayed).  The pty itself and
 * its relay are the engine's (engine/pty.h, engine/tty_relay.h). */
#ifndef NETNS_RUN_CLI_TERM_H
#define NETNS_RUN_CLI_TERM_H

#include "engine/opts.h"
#include "engine/tty_relay.h"

/* Block the signals that are passed on to the command and return a signalfd for them.
 * Their dispositions go back to the default first: a signal ignored when we started (a
 * script's background job ignores SIGINT and SIGQUIT) would never reach the signalfd. */
int cli_signals_take(void);

/* -i/-t: refuse -it without a terminal on stdin ("the input device is not a TTY", as
 * Docker; 125), note the window size in o and fill io, the pty's caller side. */
int cli_term_prepare(const char *verb, struct run_opts *o, struct tty_stdio *io);

/* With -i and -t on a terminal: raw mode on it, so keys (^C too) reach the pty; restored
 * by cli_term_restore and, whatever the exit path, at exit. */
void cli_term_raw(const struct run_opts *o);
void cli_term_restore(void);

#endif
