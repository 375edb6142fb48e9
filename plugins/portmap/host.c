/* Host settings a published port needs besides its nftables elements. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "nft/nft_localnet.h"
#include "nl/conntrack.h"
#include "nl/link.h"
#include "nl/nlsock.h"
#include "nl/sysctl.h"
#include "pm.h"

bool pm_localnet_needed(const struct pm_attach *a)
{
	static const uint8_t zero[4];

	if (!a->snat || a->ctr4.addr.family != AF_INET)
		return false;
	for (size_t i = 0; i < a->n_maps; i++) {
		const struct ip_addr *h = &a->maps[i].host_ip;

		if (h->family == 0 || (h->family == AF_INET && (!memcmp(h->bytes, zero, 4) || h->bytes[0] == 127)))
			return true;
	}
	return false;
}

static int localnet_set(const char *ifname, bool on, void *data, struct nr_error *err)
{
	int r = sysctl_if_write(AF_INET, ifname, "route_localnet", on ? "1" : "0", err);

	if (r == -ENOENT) { /* an interface the result names but the host lacks, or gone since */
		nr_error_clear(err);
		return 0;
	}
	return r;
}

static const struct nft_localnet_hook localnet_hook = { .set = localnet_set };

/* The names of prev's host-side interfaces (no sandbox), at most NAMES_MAX. */
#define NAMES_MAX 8

static size_t host_ifaces(const struct cni_result *prev, const char *names[NAMES_MAX])
{
	size_t n = 0;

	for (size_t i = 0; prev && i < prev->n_ifaces && n < NAMES_MAX; i++)
		if (!prev->ifaces[i].sandbox && prev->ifaces[i].name && *prev->ifaces[i].name)
			names[n++] = prev->ifaces[i].name;
	return n;
}

/* Those of names[0..n) where IPv4 is routed: not a port of another of them (a bridge's
 * port hands its packets to the bridge, whose route_localnet is the one that counts; the
 * host veth of a ptp-style plugin is routed itself), and present. */
static size_t routed_ifaces(const char *names[], size_t n, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	int index[NAMES_MAX];
	size_t kept = 0;

	if (nlsock_open(&s, err) < 0) {
		nr_error_clear(err);
		return n; /* cannot tell: all of them, as before */
	}
	for (size_t i = 0; i < n; i++)
		index[i] = link_index(s, names[i], NULL);
	for (size_t i = 0; i < n; i++) {
		int master = 0;
		bool port = false;

		if (index[i] <= 0 || link_master_of(s, index[i], &master, NULL) < 0)
			continue;
		for (size_t j = 0; j < n && master > 0; j++)
			port = port || index[j] == master;
		if (!port)
			names[kept++] = names[i];
	}
	return kept;
}

int pm_localnet_hold(const struct pm_attach *a, const struct cni_result *prev, struct nr_error *err)
{
	const char *names[NAMES_MAX];
	size_t n = host_ifaces(prev, names);

	n = routed_ifaces(names, n, err);
	return nft_localnet_hold(a->owner, &a->ctr4.addr, names, n, &localnet_hook, err);
}

int pm_localnet_release(const struct pm_attach *a, const struct cni_result *prev, struct nr_error *err)
{
	const char *names[NAMES_MAX], *off[NAMES_MAX];
	size_t n = host_ifaces(prev, names), n_off = 0;

	if (prev && a->ctr4.addr.family != AF_INET)
		return 0; /* no IPv4 address: ADD made no entry */
	/* An attachment that needs route_localnet may have none of our entries (made by a
	 * version without the guard, which left route_localnet=1 behind, or flushed away):
	 * its interfaces are turned off all the same when nothing else needs them. */
	if (pm_localnet_needed(a)) {
		n_off = host_ifaces(prev, off);
		n_off = routed_ifaces(off, n_off, err);
	}
	return nft_localnet_release(a->owner, &a->ctr4.addr, names, n, off, n_off, &localnet_hook, err);
}

int pm_localnet_check(const struct pm_attach *a, const struct cni_result *prev, struct nr_error *err)
{
	const char *names[NAMES_MAX];
	size_t n = host_ifaces(prev, names);

	if (!pm_localnet_needed(a))
		return 0;
	n = routed_ifaces(names, n, err);
	return nft_localnet_check(a->owner, &a->ctr4.addr, names, n, err);
}

int pm_localnet_gc(bool (*valid)(const char *owner, void *data), void *data, struct nr_error *err)
{
	return nft_localnet_gc(valid, data, &localnet_hook, err);
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
