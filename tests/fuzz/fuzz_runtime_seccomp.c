/* A seccomp profile in Docker's format (seccomp=FILE): compiled for Docker's default
 * capabilities and for every capability, so both sides of the includes/excludes
 * conditions run.  A refusal must be a well-formed error; a success a non-empty program. */
#include "engine/seccomp_filter.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t caps[] = { 0xa80425fbULL, ~0ULL >> 1 };

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct nr_error err = { 0 };
		struct rt_seccomp_bpf *prog = NULL;
		struct rt_seccomp_env env;
		int r;

		rt_seccomp_env_host(caps[i], &env);
		r = rt_seccomp_compile((const char *)data, size, &env, &prog, &err);
		fuzz_check_error(r, &err);
		if (r >= 0 && (!prog || prog->n == 0))
			abort();
		free(prog);
	}
	return 0;
}
