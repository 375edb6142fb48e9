/* What netns-run-overlay reads from the shared store (runtime/overlay/ovl_def.c): the first
 * byte picks the reader, the rest is the value.  A definition it accepts has a layout that
 * holds together (its subnets inside the network, a pick that is one of them, a format that
 * parses back the same); a holder's value formats and parses back; a key is a subnet of
 * the definition or refused; a duration is in range or refused. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "overlay/ovl_def.h"

static void definition(const char *buf, size_t len)
{
	struct ovl_def d, again;
	struct nr_error err = { 0 };
	struct ip_prefix p;
	int r = ovl_def_parse(buf, len, &d, &err);

	fuzz_check_error(r, &err);
	if (r < 0)
		return;
	if (ovl_def_check_layout(&d.network, d.subnet_len, NULL) < 0 || ovl_subnet_count(&d) < 2)
		abort();
	if (ovl_subnet_pick(&d, NULL, 0, NULL, (uint32_t)len * 2654435761u, &p) < 0 || p.len != d.subnet_len ||
	    !ip_prefix_contains(&d.network, &p.addr))
		abort();
	char *text = ovl_def_format(&d);
	if (!text)
		return;
	if (ovl_def_parse(text, strlen(text), &again, NULL) < 0 || again.subnet_len != d.subnet_len ||
	    again.vni != d.vni || again.lease_ttl != d.lease_ttl ||
	    !ip_addr_equal(&again.network.addr, &d.network.addr))
		abort();
	free(text);
}

static void holder(const char *buf, size_t len)
{
	struct ovl_host h, again;
	struct nr_error err = { 0 };
	int r = ovl_host_parse(buf, len, &h, &err);

	fuzz_check_error(r, &err);
	if (r < 0)
		return;
	char *text = ovl_host_format(&h);
	if (!text)
		return;
	if (ovl_host_parse(text, strlen(text), &again, NULL) < 0 || !ip_addr_equal(&again.vtep, &h.vtep) ||
	    again.has_mac != h.has_mac || (h.has_mac && memcmp(again.mac, h.mac, 6)))
		abort();
	free(text);
}

static void key_and_duration(const char *buf, size_t len)
{
	static const char def_json[] = "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\","
				       "\"created\":\"2026-12-04T00:00:00Z\",\"network\":\"10.20.0.0/16\","
				       "\"subnet_len\":24,\"vni\":42,\"port\":4789,\"mtu\":0,\"lease_ttl\":60}";
	char s[128];
	struct ovl_def d;
	struct ip_prefix p;
	int ttl;

	snprintf(s, sizeof(s), "%.*s", (int)(len < sizeof(s) - 1 ? len : sizeof(s) - 1), buf);
	if (ovl_def_parse(def_json, sizeof(def_json) - 1, &d, NULL) < 0)
		abort();
	if (ovl_subnet_from_key(&d, s, &p) >= 0 && (p.len != 24 || !ip_prefix_contains(&d.network, &p.addr)))
		abort();
	if (ovl_duration_parse(s, &ttl) >= 0 && ttl <= 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	const char *buf = (const char *)data + 1;
	size_t len = size - 1;
	switch (data[0] % 3) {
	case 0:
		definition(buf, len);
		break;
	case 1:
		holder(buf, len);
		break;
	default:
		key_and_duration(buf, len);
	}
	return 0;
}
