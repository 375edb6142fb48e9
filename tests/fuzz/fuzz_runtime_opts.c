/* `netns-run run` options: one argument per line after "run", parsed by run_opts_parse
 * (sizes, CPU counts, port specs, volume specs, user, userns ranges, names). */
#include <getopt.h>

#include "cli/run_opts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[66] = { "run" }, *dummy[] = { "x", NULL };
	struct nr_error err = { 0 };
	struct run_opts o;
	int argc = 1, r;

	while (size > 0 && argc < 64)
		argv[argc++] = fuzz_first_line(&data, &size);
	argv[argc] = NULL;
	/* glibc's getopt keeps a pointer into the previous argv (freed by now) unless reset
	 * with optind = 0: the runtime parses once per process, so this is the harness's
	 * concern only. */
	optind = 0;
	while (getopt(1, dummy, "") != -1)
		;
	r = run_opts_parse(argc, argv, &o, &err);
	fuzz_check_error(r, &err);
	run_opts_free(&o); /* the runtime frees on every path, errors included */
	for (int i = 1; i < argc; i++)
		free(argv[i]);
	return 0;
}
