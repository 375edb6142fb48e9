#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

void rt_print_error(const struct nr_error *err)
{
	fprintf(stderr, "netns-run: %s\n", err->msg[0] ? err->msg : "unknown error");
	if (err->details[0])
		fprintf(stderr, "netns-run: (%s)\n", err->details);
}

int cli_exit_status(const struct nr_error *err)
{
	(void)err;
	return RT_EXIT_RUNTIME;
}

int cli_error(const struct nr_error *err)
{
	rt_print_error(err);
	return cli_exit_status(err);
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "netns-run %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return RT_EXIT_RUNTIME;
}

void cli_warn(const struct nr_error *w, const char *tail)
{
	fprintf(stderr, "netns-run: %s%s\n", w->msg, tail ? tail : "");
}
