/* `netns-run-daemon --exec ARGS`: one exec instance's process (modes.h).  ARGS is one JSON
 * object, as exec.c writes it: {"container", "argv", "env", "user", "workdir", "tty",
 * "stdin", "privileged"}.  Its descriptors 0, 1, 2 are the daemon's pipes, or the slave
 * of a pty the daemon holds the master of (a tty: then this process leads a session of
 * its own and takes the pty as its terminal, whose size the container's pty follows).
 * Like `netns-run exec` (cli/exec.c), it runs the command through the engine's ctr_exec
 * and exits with its status. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "engine/ctr.h"
#include "engine/proc_io.h"
#include "engine/rt.h"
#include "engine/rt_error.h"
#include "modes.h"

/* Passed on to the command (SIGWINCH: the pty's new size), as the CLI's exec does. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static int fail(const char *what)
{
	dprintf(2, "netns-run: --exec: %s\n", what);
	return RT_EXIT_RUNTIME;
}

/* argv (NULL-ended) pointing into the JSON array's strings. */
static char **strv_of(json_t *a, const char **into, size_t max)
{
	size_t i;
	json_t *s;

	if (json_array_size(a) >= max)
		return NULL;
	json_array_foreach(a, i, s) {
		if (!(into[i] = json_string_value(s)))
			return NULL;
	}
	into[json_array_size(a)] = NULL;
	return (char **)into;
}

int daemon_exec_main(int argc, char **argv)
{
	const char *cmd[1024];
	struct run_opts o = { 0 };
	struct nr_error err = { 0 };
	struct tty_stdio io = { .in = -1, .out = 1, .term = -1 };
	json_error_t jerr;
	int status = 0, r, sfd;

	if (argc != 3)
		return fail("usage: netns-run-daemon --exec JSON");
	json_t *a = json_loads(argv[2], 0, &jerr);
	const char *name = json_string_value(json_object_get(a, "container"));
	json_t *env = json_object_get(a, "env");
	if (!name || !(o.argv = strv_of(json_object_get(a, "argv"), cmd, 1024)) || !o.argv[0] ||
	    json_array_size(env) > sizeof(o.env) / sizeof(o.env[0]))
		return fail("bad arguments");
	for (size_t i = 0; i < json_array_size(env); i++)
		if ((o.env[o.n_env] = json_string_value(json_array_get(env, i))))
			o.n_env++;
	o.user = json_string_value(json_object_get(a, "user"));
	o.workdir = json_string_value(json_object_get(a, "workdir"));
	o.tty = json_is_true(json_object_get(a, "tty"));
	o.interactive = json_is_true(json_object_get(a, "stdin"));
	/* Docker's exec --privileged: every capability for this process, the container's
	 * seccomp filter kept (security_prepare_exec). */
	o.privileged = json_is_true(json_object_get(a, "privileged"));
	if (o.tty && isatty(0)) {
		struct winsize ws;
		/* The daemon's pty as our controlling terminal: its resizes reach us as SIGWINCH. */
		ioctl(0, TIOCSCTTY, 0);
		if (ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row) {
			o.tty_rows = ws.ws_row;
			o.tty_cols = ws.ws_col;
		}
		io = (struct tty_stdio){ .in = o.interactive ? 0 : -1, .out = 1, .term = 0 };
	}
	/* The relay's writes to a closed output must fail, not kill us (and the command). */
	signal(SIGPIPE, SIG_IGN);
	sfd = rt_signals_take(forwarded, sizeof(forwarded) / sizeof(forwarded[0]), 0);
	r = ctr_exec(name, &o, &io, sfd, &status, &err);
	if (sfd >= 0)
		close(sfd);
	free(o.sec.seccomp_profile);
	json_decref(a);
	if (r < 0) {
		dprintf(2, "netns-run: %s\n", err.msg);
		return RT_EXIT_RUNTIME;
	}
	return status;
}
