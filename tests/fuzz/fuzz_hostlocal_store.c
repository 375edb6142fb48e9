/* host-local's lease files, which anyone with write access to the data dir (or the
 * reference plugin) may have written: input = lease content, a NUL, then the content of
 * last_reserved_ip.0.  Walked as DEL, CHECK and ADD walk them. */
#include "fuzz.h"
#include "host-local/store.h"

#include <unistd.h>

static int count(struct hl_store *s, const struct hl_lease *l, void *arg)
{
	if (!l->id || strlen(l->id) > 4096)
		abort();
	(*(int *)arg)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memchr(data, '\0', size);
	size_t lease_len = sep ? (size_t)(sep - data) : size;
	char dir[128], path[192];
	struct nr_error err = { 0 };
	struct hl_store s;
	struct ip_addr last;
	int n = 0, r;

	snprintf(dir, sizeof(dir), "%s", fuzz_tmpdir());
	if (hl_store_open(dir, "net", &s, &err) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/net/10.1.2.3", dir);
	fuzz_write_file(path, data, lease_len);
	snprintf(path, sizeof(path), "%s/net/2001:db8::3", dir);
	fuzz_write_file(path, data, lease_len);
	snprintf(path, sizeof(path), "%s/net/last_reserved_ip.0", dir);
	fuzz_write_file(path, sep ? sep + 1 : data, sep ? size - lease_len - 1 : 0);
	r = hl_store_foreach(&s, count, &n, &err);
	fuzz_check_error(r, &err);
	if (n != 2)
		abort();
	hl_store_last_reserved(&s, 0, &last);
	r = hl_store_release(&s, "ctr", "eth0", &err);
	fuzz_check_error(r, &err);
	snprintf(path, sizeof(path), "%s/net/10.1.2.3", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/net/2001:db8::3", dir);
	unlink(path);
	hl_store_close(&s);
	return 0;
}
