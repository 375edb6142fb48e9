/* The daemon's create-body parser (runtime/daemon/create_body.c): the first line is the
 * ?name= parameter, the rest the body.  The state directory is an empty one of the
 * fuzzer's own, so every image is unknown: what is fuzzed is everything before the image
 * lookup (types, names, modes, ports, binds, limits, security options, endpoints) and
 * the lookup's miss.  Every failure must be a well-formed error, and free cleanly. */
#include <stdlib.h>

#include "daemon/create_body.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Under fuzz.sh's TMPDIR, which it removes after the run. */
	static char dir[512];
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/nr-fuzz-create-body.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || setenv("NETNS_RUN_STATE_DIR", dir, 1) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	struct create_body cb;
	char *name = fuzz_first_line(&data, &size);
	char *body = fuzz_str(data, size);
	int r;

	r = create_body_parse(body, size, name, &cb, &err);
	fuzz_check_error(r, &err);
	/* A parse that got through names a valid container, or none. */
	if (r >= 0 && cb.o.name[0] && !rt_name_valid(cb.o.name))
		abort();
	create_body_free(&cb);
	free(body);
	free(name);
	return 0;
}
