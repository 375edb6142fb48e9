/* The container's /etc/hostname, /etc/hosts and /etc/resolv.conf, written into its
 * directory and bind-mounted over the root's by the child (rootfs.c). */
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "ctr.h"
#include "rt.h"
#include "rt_error.h"

int etc_write(const char *ctr_dir, const char *hostname, bool host_net, const struct cni_result *res,
	      struct nr_error *err)
{
	char path[600], hosts[2048], ip[64] = "";
	size_t used = 0;
	int r;

	snprintf(path, sizeof(path), "%s/hostname", ctr_dir);
	snprintf(hosts, sizeof(hosts), "%s\n", hostname);
	if ((r = rt_write_file(path, hosts, 0644)) < 0)
		goto fail;
	for (size_t i = 0; res && i < res->n_ips && !ip[0]; i++) {
		snprintf(ip, sizeof(ip), "%s", res->ips[i].address);
		ip[strcspn(ip, "/")] = '\0';
	}
	snprintf(hosts, sizeof(hosts), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n",
		 ip[0] ? ip : "127.0.1.1", hostname);
	snprintf(path, sizeof(path), "%s/hosts", ctr_dir);
	if ((r = rt_write_file(path, hosts, 0644)) < 0)
		goto fail;
	/* The plugins' DNS when they gave one; else the host's resolvers, minus loopback ones
	 * that mean nothing from inside another network namespace (docker does the same). */
	char rbuf[4096] = "";
	if (res && (res->dns.n_nameservers || res->dns.n_search)) {
		for (size_t i = 0; i < res->dns.n_nameservers; i++)
			used += snprintf(rbuf + used, sizeof(rbuf) - used, "nameserver %s\n", res->dns.nameservers[i]);
		if (res->dns.domain && used < sizeof(rbuf))
			used += snprintf(rbuf + used, sizeof(rbuf) - used, "domain %s\n", res->dns.domain);
		for (size_t i = 0; i < res->dns.n_search && used < sizeof(rbuf); i++)
			used += snprintf(rbuf + used, sizeof(rbuf) - used, "%s%s", i ? " " : "search ",
					 res->dns.search[i]);
		if (res->dns.n_search && used < sizeof(rbuf))
			used += snprintf(rbuf + used, sizeof(rbuf) - used, "\n");
	} else {
		_cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
		char line[512];
		while (f && fgets(line, sizeof(line), f) && used < sizeof(rbuf)) {
			if (!host_net &&
			    (!strncmp(line, "nameserver 127.", 15) || !strncmp(line, "nameserver ::1", 14)))
				continue;
			used += snprintf(rbuf + used, sizeof(rbuf) - used, "%s", line);
		}
	}
	snprintf(path, sizeof(path), "%s/resolv.conf", ctr_dir);
	if ((r = rt_write_file(path, rbuf, 0644)) < 0)
		goto fail;
	return 0;
fail:
	return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", path, strerror(-r));
}
