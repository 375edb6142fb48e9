/* The tuning plugin's work inside the container's network namespace: set (ADD), put back
 * (DEL) and compare (CHECK) sysctls and link attributes.  ADD changes nothing it cannot
 * undo: sysctls it wrote are written back, and the link restored, when a later step fails. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "base/cleanup.h"
#include "nl/sysctl.h"

#define SYSCTL_VALUE_MAX 1024

/* The original values of what c changes on a link in state cur. */
static void backup_of(const struct tun_conf *c, const struct link_attrs *cur, struct tun_backup *b)
{
	*b = (struct tun_backup){ 0 };
	if (c->mac && cur->has_mac) {
		b->has_mac = true;
		memcpy(b->mac, cur->mac, LINK_MAC_STRLEN);
	}
	if (c->promisc) {
		b->has_promisc = true;
		b->promisc = cur->flags & IFF_PROMISC;
	}
	if (c->mtu) {
		b->has_mtu = true;
		b->mtu = cur->mtu;
	}
	if (c->has_allmulti) {
		b->has_allmulti = true;
		b->allmulti = cur->flags & IFF_ALLMULTI;
	}
	if (c->has_txqlen) {
		b->has_txqlen = true;
		b->txqlen = cur->txqlen;
	}
}

/* A second ADD for the same attachment keeps the first one's originals: fields of old win. */
static void backup_merge(struct tun_backup *b, const struct tun_backup *old)
{
	if (old->has_mac) {
		b->has_mac = true;
		memcpy(b->mac, old->mac, LINK_MAC_STRLEN);
	}
	if (old->has_promisc)
		b->has_promisc = true, b->promisc = old->promisc;
	if (old->has_mtu)
		b->has_mtu = true, b->mtu = old->mtu;
	if (old->has_allmulti)
		b->has_allmulti = true, b->allmulti = old->allmulti;
	if (old->has_txqlen)
		b->has_txqlen = true, b->txqlen = old->txqlen;
}

/* Put the link as b says, in the reference's order (MTU, MAC, promisc, allmulti, txQLen);
 * every step is tried, the first failure is reported. */
static int link_restore(struct nlsock *s, const char *ifname, const struct tun_backup *b, struct nr_error *err)
{
	struct nr_error e = { 0 };
	int r, first = 0;

#define STEP(call)                                    \
	do {                                          \
		if ((r = (call)) < 0 && first == 0) { \
			first = r;                    \
			nr_error_copy(err, &e);       \
		}                                     \
	} while (0)
	if (b->has_mtu)
		STEP(link_set_mtu(s, ifname, b->mtu, &e));
	if (b->has_mac)
		STEP(link_set_mac(s, ifname, b->mac, &e));
	if (b->has_promisc)
		STEP(link_set_flag(s, ifname, IFF_PROMISC, b->promisc, &e));
	if (b->has_allmulti)
		STEP(link_set_flag(s, ifname, IFF_ALLMULTI, b->allmulti, &e));
	if (b->has_txqlen)
		STEP(link_set_txqlen(s, ifname, b->txqlen, &e));
#undef STEP
	return first;
}

static int link_apply(struct nlsock *s, const char *ifname, const struct tun_conf *c, struct nr_error *err)
{
	int r;

	if (c->mac && (r = link_set_mac(s, ifname, c->mac_norm, err)) < 0)
		return r;
	if (c->promisc && (r = link_set_flag(s, ifname, IFF_PROMISC, true, err)) < 0)
		return r;
	if (c->mtu && (r = link_set_mtu(s, ifname, c->mtu, err)) < 0)
		return r;
	if (c->has_allmulti && (r = link_set_flag(s, ifname, IFF_ALLMULTI, c->allmulti, err)) < 0)
		return r;
	if (c->has_txqlen && (r = link_set_txqlen(s, ifname, c->txqlen, err)) < 0)
		return r;
	return 0;
}

/* Write back the first n sysctls whose old value could be read (a write-only sysctl has
 * none to put back). */
static void sysctls_revert(const struct tun_conf *c, size_t n, const char *old, const bool *had)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct nr_error ignore = { 0 };
		if (had[i])
			sysctl_write(c->sysctls[i].path, old + i * SYSCTL_VALUE_MAX, &ignore);
	}
}

/* Read every old value, then write; on a failure the ones written are put back. */
static int sysctls_apply(const struct tun_conf *c, char **ret_old, bool **ret_had, struct nr_error *err)
{
	_cleanup_free_ char *old = NULL;
	_cleanup_free_ bool *had = NULL;
	size_t i;
	int r;

	if (c->n_sysctls == 0)
		return 0;
	if (!(old = malloc(c->n_sysctls * SYSCTL_VALUE_MAX)) || !(had = calloc(c->n_sysctls, sizeof(*had))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	for (i = 0; i < c->n_sysctls; i++) {
		struct nr_error ignore = { 0 };
		had[i] = sysctl_read(c->sysctls[i].path, old + i * SYSCTL_VALUE_MAX, SYSCTL_VALUE_MAX, &ignore) == 0;
	}
	for (i = 0; i < c->n_sysctls; i++)
		if ((r = sysctl_write(c->sysctls[i].path, c->sysctls[i].value, err)) < 0) {
			sysctls_revert(c, i, old, had);
			return r;
		}
	*ret_old = TAKE_PTR(old);
	*ret_had = TAKE_PTR(had);
	return 0;
}

int tun_ns_add(void *arg, struct nr_error *err)
{
	struct tun_op *op = arg;
	const struct tun_conf *c = op->conf;
	_cleanup_nlsock_ struct nlsock *s = NULL;
	_cleanup_free_ char *old = NULL;
	_cleanup_free_ bool *had = NULL;
	struct tun_backup b, prev = { 0 };
	struct link_attrs cur = { 0 };
	bool had_prev = false;
	int r;

	if (tun_conf_changes_link(c)) {
		if ((r = nlsock_open(&s, err)) < 0 || (r = link_get_attrs(s, op->ifname, &cur, err)) < 0)
			return r;
	}
	/* The old values are kept so that a link step failing later puts the sysctls back too. */
	if ((r = sysctls_apply(c, &old, &had, err)) < 0 || !s)
		return r;

	backup_of(c, &cur, &b);
	if ((r = tun_backup_load(op->backup_path, &prev, err)) == 0) {
		had_prev = true;
		backup_merge(&b, &prev);
	} else if (r != -ENOENT)
		goto undo_sysctls;
	b.network = op->network;
	b.container_id = op->container_id;
	b.ifname = op->ifname;
	if ((r = tun_backup_save(c->data_dir, op->backup_path, &b, err)) < 0)
		goto undo_sysctls;
	if ((r = link_apply(s, op->ifname, c, err)) < 0) {
		struct tun_backup now;
		struct nr_error ignore = { 0 };

		/* Back to how this ADD found the link, and the backup file as it was. */
		backup_of(c, &cur, &now);
		link_restore(s, op->ifname, &now, &ignore);
		if (had_prev)
			tun_backup_save(c->data_dir, op->backup_path, &prev, &ignore);
		else
			unlink(op->backup_path);
		goto undo_sysctls;
	}
	return 0;

undo_sysctls:
	if (old)
		sysctls_revert(c, c->n_sysctls, old, had);
	return r;
}

int tun_ns_del(void *arg, struct nr_error *err)
{
	struct tun_op *op = arg;
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct link_attrs cur = { 0 };
	struct tun_backup b;
	int r;

	if ((r = tun_backup_load(op->backup_path, &b, err)) == -ENOENT)
		return 0; /* nothing was changed, or an earlier DEL put it back */
	if (r < 0 || (r = nlsock_open(&s, err)) < 0)
		return r;
	r = link_get_attrs(s, op->ifname, &cur, err);
	if (r == -ENODEV) {
		/* The interface is gone, and with it what was changed. */
		nr_error_clear(err);
		op->ret_drop_backup = true;
		return 0;
	}
	if (r < 0 || (r = link_restore(s, op->ifname, &b, err)) < 0)
		return r;
	op->ret_drop_backup = true;
	return 0;
}

int tun_ns_check(void *arg, struct nr_error *err)
{
	struct tun_op *op = arg;
	const struct tun_conf *c = op->conf;
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct link_attrs cur = { 0 };
	char v[SYSCTL_VALUE_MAX];
	size_t i;
	int r;

	for (i = 0; i < c->n_sysctls; i++) {
		if ((r = sysctl_read(c->sysctls[i].path, v, sizeof(v), err)) < 0)
			return r;
		if (strcmp(v, c->sysctls[i].value) != 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL,
					    "tuning: sysctl %s is \"%s\", configured \"%s\"", c->sysctls[i].key, v,
					    c->sysctls[i].value);
	}
	if ((r = nlsock_open(&s, err)) < 0 || (r = link_get_attrs(s, op->ifname, &cur, err)) < 0)
		return r;
	if (c->mac && (!cur.has_mac || strcmp(cur.mac, c->mac_norm) != 0))
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "tuning: MAC address of %s is %s, configured %s",
				    op->ifname, cur.has_mac ? cur.mac : "none", c->mac);
	if (c->promisc && !(cur.flags & IFF_PROMISC))
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL,
				    "tuning: promiscuous mode of %s is off, configured on", op->ifname);
	if (c->mtu && cur.mtu != c->mtu)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "tuning: MTU of %s is %u, configured %u", op->ifname,
				    cur.mtu, c->mtu);
	if (c->has_allmulti && !!(cur.flags & IFF_ALLMULTI) != c->allmulti)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL,
				    "tuning: all-multicast mode of %s is %s, configured %s", op->ifname,
				    c->allmulti ? "off" : "on", c->allmulti ? "on" : "off");
	if (c->has_txqlen && cur.txqlen != c->txqlen)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "tuning: txQLen of %s is %u, configured %u",
				    op->ifname, cur.txqlen, c->txqlen);
	return 0;
}
