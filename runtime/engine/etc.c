/* The container's /etc/hostname, /etc/hosts and /etc/resolv.conf, written into its
 * directory and bind-mounted over the root's by the child (rootfs.c).  They are rewritten
 * in place (O_TRUNC, never a rename) when a network is connected or disconnected: the
 * bind mount holds the inode. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "ctr.h"
#include "rt.h"
#include "rt_error.h"

struct buf {
	char s[8192];
	size_t used;
};

__attribute__((format(printf, 2, 3))) static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->used >= sizeof(b->s))
		return;
	va_start(ap, fmt);
	b->used += vsnprintf(b->s + b->used, sizeof(b->s) - b->used, fmt, ap);
	va_end(ap);
}

/* One line per address of every attachment, as Docker lists each endpoint's addresses. */
static size_t hosts_lines(struct buf *b, const struct ctr_record *rec, const char *hostname)
{
	size_t n = 0;

	for (size_t k = 0; rec && k <= rec->n_more; k++) {
		const struct ctr_network *a = k ? &rec->more[k - 1] : &rec->net;
		for (size_t i = 0; a->addresses && a->addresses[i]; i++) {
			char ip[64];
			snprintf(ip, sizeof(ip), "%s", a->addresses[i]);
			ip[strcspn(ip, "/")] = '\0';
			put(b, "%s\t%s\n", ip, hostname);
			n++;
		}
	}
	return n;
}

/* The responders of the DNS-enabled attachments (the first network's first), with the
 * host's search and options lines: names of the network, then the host's domains. */
static bool resolv_dns(struct buf *b, const struct ctr_record *rec)
{
	size_t n = 0;

	for (size_t k = 0; rec && k <= rec->n_more; k++) {
		const struct ctr_network *a = k ? &rec->more[k - 1] : &rec->net;
		for (size_t i = 0; a->dns && a->gateways && a->gateways[i]; i++, n++)
			put(b, "nameserver %s\n", a->gateways[i]);
	}
	if (!n)
		return false;
	_cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "search", 6) || !strncmp(line, "domain", 6) || !strncmp(line, "options", 7))
			put(b, "%s", line);
	return true;
}

/* The plugins' DNS when they gave one; else the host's resolvers, minus loopback ones
 * that mean nothing from inside another network namespace (docker does the same). */
static void resolv_plain(struct buf *b, bool host_net, const struct cni_result *res)
{
	if (res && (res->dns.n_nameservers || res->dns.n_search)) {
		for (size_t i = 0; i < res->dns.n_nameservers; i++)
			put(b, "nameserver %s\n", res->dns.nameservers[i]);
		if (res->dns.domain)
			put(b, "domain %s\n", res->dns.domain);
		for (size_t i = 0; i < res->dns.n_search; i++)
			put(b, "%s%s", i ? " " : "search ", res->dns.search[i]);
		if (res->dns.n_search)
			put(b, "\n");
		return;
	}
	_cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		if (!host_net && (!strncmp(line, "nameserver 127.", 15) || !strncmp(line, "nameserver ::1", 14)))
			continue;
		put(b, "%s", line);
	}
}

int etc_write(const char *ctr_dir, const char *hostname, bool host_net, const struct ctr_record *rec,
	      const struct cni_result *res, struct nr_error *err)
{
	struct buf b;
	char path[600];
	int r;

	snprintf(path, sizeof(path), "%s/hostname", ctr_dir);
	b.used = 0;
	put(&b, "%s\n", hostname);
	if ((r = rt_write_file(path, b.s, 0644)) < 0)
		goto fail;
	b.used = 0;
	put(&b, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (!hosts_lines(&b, rec, hostname))
		put(&b, "127.0.1.1\t%s\n", hostname);
	snprintf(path, sizeof(path), "%s/hosts", ctr_dir);
	if ((r = rt_write_file(path, b.s, 0644)) < 0)
		goto fail;
	b.used = 0;
	if (!resolv_dns(&b, rec))
		resolv_plain(&b, host_net, res);
	snprintf(path, sizeof(path), "%s/resolv.conf", ctr_dir);
	if ((r = rt_write_file(path, b.s, 0644)) < 0)
		goto fail;
	return 0;
fail:
	return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", path, strerror(-r));
}
