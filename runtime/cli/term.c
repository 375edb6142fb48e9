/* Signals and the caller's terminal for run and exec (term.h). */
#include "cli/term.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/proc_io.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

int cli_signals_take(void)
{
	/* The container's init is cloned from us and inherits these dispositions too. */
	return rt_signals_take(forwarded, sizeof(forwarded) / sizeof(forwarded[0]), 0);
}

int cli_term_prepare(const char *verb, struct run_opts *o, struct tty_stdio *io)
{
	struct winsize ws;
	int term = isatty(0) ? 0 : isatty(1) ? 1 : -1;

	*io = (struct tty_stdio){ .in = o->interactive && !o->detach ? 0 : -1, .out = 1, .term = -1 };
	if (!o->tty)
		return 0;
	if (o->interactive && !o->detach && term != 0)
		return cli_usage_error(verb, "the input device is not a TTY (-t with -i needs a terminal on stdin; "
					     "drop -t to pipe input)");
	if (term >= 0 && !o->detach && ioctl(term, TIOCGWINSZ, &ws) == 0) {
		o->tty_rows = ws.ws_row;
		o->tty_cols = ws.ws_col;
		io->term = term;
	}
	return 0;
}

static struct termios saved;
static bool raw;

void cli_term_restore(void)
{
	if (raw)
		tcsetattr(0, TCSADRAIN, &saved);
	raw = false;
}

void cli_term_raw(const struct run_opts *o)
{
	static bool registered;
	struct termios t;

	if (!o->tty || !o->interactive || o->detach || raw || tcgetattr(0, &saved) < 0)
		return;
	if (!registered && atexit(cli_term_restore) == 0)
		registered = true;
	t = saved;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSADRAIN, &t) == 0)
		raw = true;
}
