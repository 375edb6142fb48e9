/* Host settings a published port needs besides its nftables elements. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "conntrack.h"
#include "pm.h"
#include "sysctl.h"

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
	static const int fams[2] = { AF_INET, AF_INET6 };
	static const uint8_t zero[16];
	int r;

	for (size_t i = 0; i < a->n_maps; i++) {
		const struct pm_map *m = &a->maps[i];

		if (m->proto != IPPROTO_UDP)
			continue;
		for (int f = 0; f < 2; f++) {
			const struct ip_addr *dst = NULL;
			if (m->host_ip.family && m->host_ip.family != fams[f])
				continue;
			if (m->host_ip.family && memcmp(m->host_ip.bytes, zero, 16))
				dst = &m->host_ip;
			if ((r = conntrack_flush_dport(fams[f], IPPROTO_UDP, m->host_port, dst, NULL, err)) < 0)
				return nr_error_wrap(err, r, "flushing UDP conntrack entries of host port %u",
						     m->host_port);
		}
	}
	return 0;
}
