/* A container's state.json, which commands after a crash or a reboot read back: written
 * into a private state dir, loaded with state_load, read with the accessors. */
#include "fuzz.h"
#include "rt.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct nr_error err = { 0 };
	char path[256];
	json_t *st;
	int r;

	if (!ready) {
		/* rt_paths() reads the environment once. */
		setenv("NETNS_RUN_STATE_DIR", fuzz_tmpdir(), 1);
		snprintf(path, sizeof(path), "%s/containers/fz", fuzz_tmpdir());
		if (mkdir_p(path, 0700) < 0)
			abort();
		ready = 1;
	}
	snprintf(path, sizeof(path), "%s/containers/fz/state.json", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	r = state_load("fz", &st, &err);
	fuzz_check_error(r, &err);
	if (r < 0)
		return 0;
	if (!state_str(st, "status") || !state_str(st, "name"))
		abort();
	state_int(st, "exit_code");
	state_init_alive(st);
	state_monitor_alive(st);
	json_decref(st);
	return 0;
}
