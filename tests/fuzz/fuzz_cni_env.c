/* The CNI_* environment: one line per variable in the order below (a missing line leaves
 * the variable unset), then cni_env_load. */
#include "cni/cni_env.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const vars[] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS",
					    "CNI_IFNAME",  "CNI_ARGS",        "CNI_PATH" };
	struct nr_error err = { 0 };
	struct cni_env env;
	int r;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (size == 0) {
			unsetenv(vars[i]);
			continue;
		}
		char *line = fuzz_first_line(&data, &size);
		setenv(vars[i], line, 1);
		free(line);
	}
	r = cni_env_load(&env, &err);
	fuzz_check_error(r, &err);
	return 0;
}
