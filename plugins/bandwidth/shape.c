/* One attachment's shaping, as the reference does it: traffic to the container through a
 * token bucket at the root of the host veth; traffic from it redirected from the host
 * veth's ingress (a u32 filter with a mirred action) to an ifb device whose root is the
 * other token bucket. */
#include <errno.h>
#include <string.h>

#include "bw.h"
#include "nl/ifb.h"
#include "nl/link.h"
#include "nl/netns.h"
#include "nl/tc.h"

#define TBF_HANDLE TC_HANDLE(1, 0)
#define REDIRECT_PRIO 1
#define REDIRECT_FLOWID TC_HANDLE(1, 1)

struct peer_query {
	const char *ifname;
	int peer;
	char kind[32];
};

/* In the container's namespace: the kind of its interface and IFLA_LINK, which for a veth
 * is the peer's index in the peer's namespace. */
static int query_peer(void *arg, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct peer_query *q = arg;
	int r;

	if ((r = nlsock_open(&s, err)) < 0 || (r = link_kind(s, q->ifname, q->kind, sizeof(q->kind), err)) < 0)
		return r;
	return link_peer_index(s, q->ifname, &q->peer, err);
}

int bw_host_find(const struct cni_plugin_ctx *ctx, const struct cni_result *prev, struct bw_host *ret,
		 struct nr_error *err)
{
	struct peer_query q = { .ifname = ctx->env.ifname };
	_cleanup_nlsock_ struct nlsock *s = NULL;
	_cleanup_close_ int nsfd = -1;
	struct link_shape ls;
	int r;

	if (!prev || prev->n_ifaces == 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "bandwidth: prevResult has no interfaces");
	if ((r = netns_open(ctx->env.netns, &nsfd, err)) < 0)
		return r;
	if ((r = netns_run(nsfd, query_peer, &q, err)) < 0)
		return nr_error_wrap(err, r, "container interface %s has no veth peer", q.ifname);
	if (strcmp(q.kind, "veth") != 0 || q.peer <= 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL,
				    "container interface %s has no veth peer (a %s link)", q.ifname,
				    *q.kind ? q.kind : "physical");
	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if (link_shape_of(s, q.peer, &ls, err) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENODEV, "veth peer with index %d is not in host ns", q.peer);
	for (size_t i = 0; i < prev->n_ifaces; i++) {
		const struct cni_iface *f = &prev->ifaces[i];
		if (!f->sandbox && f->name && !strcmp(f->name, ls.name)) {
			*ret = (struct bw_host){ .ifindex = q.peer, .mtu = ls.mtu, .txqlen = ls.txqlen };
			memcpy(ret->name, ls.name, sizeof(ret->name));
			return 0;
		}
	}
	return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ENOENT,
			    "no veth peer of container interface found in host ns (%s, the peer of %s, is not a "
			    "host interface of prevResult)",
			    ls.name, q.ifname);
}

/* What bw_shape has made so far, for undoing it. */
struct made {
	bool root, ingress, ifb;
};

static void undo(struct nlsock *s, const struct bw_conf *c, const struct bw_host *h, const struct made *m)
{
	struct nr_error ignored = { 0 };

	if (m->ingress)
		tc_qdisc_del(s, h->ifindex, TC_HANDLE_INGRESS_PARENT, TC_HANDLE_INGRESS, &ignored);
	if (m->ifb)
		link_delete(s, c->ifb, &ignored);
	if (m->root)
		tc_qdisc_del(s, h->ifindex, TC_HANDLE_ROOT, TBF_HANDLE, &ignored);
}

static int shape_egress(struct nlsock *s, const struct bw_conf *c, const struct bw_host *h, struct made *m,
			char mac[18], struct nr_error *err)
{
	struct tc_tbf t;
	int ifb = 0, r;

	tc_tbf_compute(c->lim.egress_rate, c->lim.egress_burst, BW_LATENCY_MS, &t);
	/* The ifb's qdisc first, while it is down (ifb.h); traffic reaches it only once the
	 * redirect exists. */
	if ((r = ifb_create(s, c->ifb, h->mtu, h->txqlen, false, &ifb, err)) < 0)
		return r;
	m->ifb = true;
	if ((r = tc_tbf_add(s, ifb, TBF_HANDLE, &t, err)) < 0)
		return nr_error_wrap(err, r, "shaping the traffic from the container on %s", c->ifb);
	if ((r = link_set_up(s, c->ifb, true, err)) < 0 || (r = link_get_mac(s, c->ifb, mac, err)) < 0)
		return r;
	if ((r = tc_ingress_add(s, h->ifindex, err)) < 0)
		return nr_error_wrap(err, r, "redirecting the traffic from the container on %s", h->name);
	m->ingress = true;
	if ((r = tc_redirect_add(s, h->ifindex, REDIRECT_PRIO, REDIRECT_FLOWID, ifb, err)) < 0)
		return nr_error_wrap(err, r, "redirecting the traffic from the container on %s to %s", h->name, c->ifb);
	return 0;
}

int bw_shape(const struct bw_conf *c, const struct bw_host *h, char mac[18], struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct made m = { 0 };
	struct tc_tbf t;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if (bw_ingress(&c->lim)) {
		tc_tbf_compute(c->lim.ingress_rate, c->lim.ingress_burst, BW_LATENCY_MS, &t);
		if ((r = tc_tbf_add(s, h->ifindex, TBF_HANDLE, &t, err)) < 0)
			return nr_error_wrap(err, r, "shaping the traffic to the container on %s", h->name);
		m.root = true;
	}
	if (bw_egress(&c->lim) && (r = shape_egress(s, c, h, &m, mac, err)) < 0) {
		undo(s, c, h, &m);
		return r;
	}
	return 0;
}

/* Delete h's qdisc at parent when it is of this kind (and handle, unless 0). */
static int del_if(struct nlsock *s, const struct bw_host *h, uint32_t parent, const char *kind, uint32_t handle,
		  struct nr_error *err)
{
	struct tc_qdisc q;
	int r = tc_qdisc_get(s, h->ifindex, parent, &q, err);

	if (r <= 0)
		return r;
	if (strcmp(q.kind, kind) != 0 || (handle && q.handle != handle))
		return 0;
	return tc_qdisc_del(s, h->ifindex, parent, q.handle, err);
}

int bw_unshape(const struct bw_conf *c, const struct bw_host *h, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	/* The redirect first: with the ifb gone it would drop what the container sends. */
	if (h && bw_egress(&c->lim) &&
	    (r = del_if(s, h, TC_HANDLE_INGRESS_PARENT, "ingress", TC_HANDLE_INGRESS, err)) < 0)
		return r;
	if (h && bw_ingress(&c->lim) && (r = del_if(s, h, TC_HANDLE_ROOT, "tbf", TBF_HANDLE, err)) < 0)
		return r;
	return link_delete(s, c->ifb, err);
}

/* The kernel keeps the bucket in nanoseconds in 32 bits and reports it back in ticks. */
static uint32_t buffer_as_read(uint32_t ticks)
{
	const uint32_t max = UINT32_MAX >> 6;

	return ticks > max ? max : ticks;
}

static int check_tbf(struct nlsock *s, int ifindex, const char *name, uint64_t rate_bits, uint64_t burst_bits,
		     struct nr_error *err)
{
	struct tc_qdisc q;
	struct tc_tbf want;
	int r;

	tc_tbf_compute(rate_bits, burst_bits, BW_LATENCY_MS, &want);
	if ((r = tc_qdisc_get(s, ifindex, TC_HANDLE_ROOT, &q, err)) < 0)
		return r;
	if (r == 0 || !q.has_tbf)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
				    "Failed to find qdisc: no tbf qdisc at the root of %s", name);
	if (q.tbf.rate != want.rate)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "Rate doesn't match on %s: %llu bytes/s, not %llu",
				    name, (unsigned long long)q.tbf.rate, (unsigned long long)want.rate);
	if (q.tbf.limit != want.limit)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "Limit doesn't match on %s: %u bytes, not %u", name,
				    q.tbf.limit, want.limit);
	if (q.tbf.buffer != buffer_as_read(want.buffer))
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "Buffer doesn't match on %s: %u ticks, not %u", name,
				    q.tbf.buffer, buffer_as_read(want.buffer));
	return 0;
}

int bw_check(const struct bw_conf *c, const struct bw_host *h, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	struct tc_qdisc q;
	int r, ifb;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	if (bw_ingress(&c->lim) &&
	    (r = check_tbf(s, h->ifindex, h->name, c->lim.ingress_rate, c->lim.ingress_burst, err)) < 0)
		return r;
	if (!bw_egress(&c->lim))
		return 0;
	if ((ifb = link_index(s, c->ifb, err)) < 0)
		return nr_error_wrap(err, ifb, "get ifb device");
	if ((r = check_tbf(s, ifb, c->ifb, c->lim.egress_rate, c->lim.egress_burst, err)) < 0)
		return r;
	if ((r = tc_qdisc_get(s, h->ifindex, TC_HANDLE_INGRESS_PARENT, &q, err)) < 0)
		return r;
	if (r == 0 || strcmp(q.kind, "ingress") != 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
				    "Failed to find qdisc: no ingress qdisc on %s (the traffic from the container is "
				    "not redirected to %s)",
				    h->name, c->ifb);
	return 0;
}
