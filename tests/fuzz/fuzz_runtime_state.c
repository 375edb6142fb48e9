/* A container's state.json, which commands after a crash or a reboot read back: written
 * into a private state dir, loaded with ctr_store_load, written back and read again. */
#include "engine/container.h"
#include "engine/rt.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct nr_error err = { 0 };
	char path[256];
	struct ctr_record *rec = NULL, *again = NULL;
	char *text = NULL;
	int r;

	if (!ready) {
		/* rt_paths() reads the environment once. */
		setenv("NETNS_RUN_STATE_DIR", fuzz_tmpdir(), 1);
		snprintf(path, sizeof(path), "%s/containers/fz", fuzz_tmpdir());
		if (rt_mkdir_p(path, 0700) < 0)
			abort();
		ready = 1;
	}
	snprintf(path, sizeof(path), "%s/containers/fz/state.json", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	r = ctr_store_load("fz", &rec, &err);
	fuzz_check_error(r, &err);
	if (r < 0)
		return 0;
	if ((unsigned)rec->status > CTR_EXITED || (unsigned)rec->net.mode >= CTR_NET_MODE_COUNT)
		abort();
	ctr_init_alive(rec);
	ctr_monitor_alive(rec);
	/* What was accepted serialises, and reads back. */
	if (ctr_record_to_json_text(rec, &text, &err) < 0 ||
	    ctr_record_from_json_text(text, strlen(text), "again", &again, &err) < 0)
		abort();
	free(text);
	ctr_record_free(again);
	ctr_record_free(rec);
	return 0;
}
