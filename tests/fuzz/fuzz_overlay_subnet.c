/* The overlay's subnet file (plugins/overlay/subnet.c), as the plugin reads it: whatever
 * it accepts is a lease the plugin can use (the subnet inside the network, an IPv4 VTEP,
 * interface names that fit); with it as "self", the remotes diff (plan.c) takes remotes
 * made of the same bytes without deleting anything from an empty device. */
#include "fuzz.h"
#include "overlay/ovl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct overlay_subnet s;
	struct nr_error err = { 0 };
	struct ovl_entries empty = { 0 }, set = { 0 }, del = { 0 };
	struct overlay_remote r[4];
	int rc = ovl_subnet_parse((const char *)data, size, "fuzz", &s, &err);

	fuzz_check_error(rc, &err);
	if (rc < 0)
		return 0;
	if (s.network.addr.family != AF_INET || s.subnet.len < s.network.len ||
	    !ip_prefix_contains(&s.network, &s.subnet.addr) || s.vtep.family != AF_INET || !s.device[0] ||
	    !s.bridge[0] || strnlen(s.device, sizeof(s.device)) == sizeof(s.device) || s.vni > 0xffffff ||
	    s.mtu < 576 || !s.port)
		abort();
	/* Remotes from the input's bytes: the diff from nothing never deletes, and never
	 * sets more than one entry of each kind per remote. */
	memset(r, 0, sizeof(r));
	memcpy(r, data, size < sizeof(r) ? size : sizeof(r));
	for (size_t i = 0; i < 4; i++) {
		r[i].subnet.addr.family = (r[i].subnet.addr.family & 1) ? AF_INET : AF_INET6;
		r[i].vtep.family = AF_INET;
		r[i].subnet.len &= 63;
	}
	if (ovl_plan(&s, r, 4, &empty, &set, &del) < 0)
		abort();
	if (del.n_routes || del.n_neighs || del.n_fdbs || set.n_routes > 4 || set.n_routes != set.n_fdbs ||
	    set.n_routes != set.n_neighs)
		abort();
	ovl_entries_free(&set);
	return 0;
}
