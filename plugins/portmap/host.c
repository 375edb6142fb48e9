/* Host settings a published port needs besides its nftables elements. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "nl/conntrack.h"
#include "nl/sysctl.h"
#include "pm.h"

int pm_route_localnet(const struct cni_result *prev, struct nr_error *err)
{
	int r;

	/* The host-side interfaces (bridge, host veth): where 127.0.0.1-sourced packets
	 * leave after DNAT, which the kernel drops as martians without route_localnet. */
	for (size_t i = 0; i < prev->n_ifaces; i++) {
		const struct cni_iface *f = &prev->ifaces[i];

		if (f->sandbox || !f->name)
			continue;
		r = sysctl_if_write(AF_INET, f->name, "route_localnet", "1", err);
		if (r == -ENOENT) { /* an interface the result names but the host lacks */
			nr_error_clear(err);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int pm_flush_udp(const struct pm_attach *a, struct nr_error *err)
{
	static const uint8_t zero[16];
	struct ct_match m[NFT_PORTMAP_MAX];
	struct nr_error ignored = { 0 };
	char count[32];
	size_t n = 0;
	int r;

	for (size_t i = 0; i < a->n_maps && n < NFT_PORTMAP_MAX; i++) {
		const struct pm_map *p = &a->maps[i];

		if (p->proto != IPPROTO_UDP)
			continue;
		m[n] = (struct ct_match){ .af = p->host_ip.family, .proto = IPPROTO_UDP, .port = p->host_port };
		if (p->host_ip.family && memcmp(p->host_ip.bytes, zero, 16))
			m[n].dst = p->host_ip;
		n++;
	}
	if (n == 0)
		return 0;
	/* The dump walks the kernel's host-wide conntrack hash whatever this namespace holds;
	 * a namespace that tracks no connection at all has nothing to flush. */
	if (sysctl_read("net/netfilter/nf_conntrack_count", count, sizeof(count), &ignored) == 0 &&
	    strcmp(count, "0") == 0)
		return 0;
	if ((r = conntrack_flush(m, n, NULL, err)) < 0)
		return nr_error_wrap(err, r, "flushing the UDP conntrack entries of the published ports");
	return 0;
}
