/* host-local's attachment index (.nr-index/<id>@<ifname>, and its stamp), which a crash or
 * another program may leave in any state: input = the entry's content, a NUL, the stamp.
 * Read as ADD's duplicate check, CHECK and DEL read it. */
#include "fuzz.h"
#include "host-local/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memchr(data, '\0', size);
	size_t entry_len = sep ? (size_t)(sep - data) : size;
	struct nr_error err = { 0 };
	struct ip_addr got[8];
	struct hl_store s;
	char path[192];
	size_t n;
	int r;

	if (hl_store_open(fuzz_tmpdir(), "idx", &s, &err) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/idx/.nr-index/ctr@eth0", fuzz_tmpdir());
	fuzz_write_file(path, data, entry_len);
	snprintf(path, sizeof(path), "%s/idx/.nr-index/stamp", fuzz_tmpdir());
	fuzz_write_file(path, sep ? sep + 1 : data, sep ? size - entry_len - 1 : 0);
	r = hl_store_indexed(&s, "ctr", "eth0", got, 8, &n);
	if (r < 0 || n > 8)
		abort();
	hl_store_close(&s);
	/* Reopened, the stamp decides whether the entry is trusted or the index rebuilt. */
	if (hl_store_open(fuzz_tmpdir(), "idx", &s, &err) < 0)
		abort();
	r = hl_store_release(&s, "ctr", "eth0", &err);
	fuzz_check_error(r, &err);
	hl_store_close(&s);
	return 0;
}
