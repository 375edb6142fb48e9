/* Link impairments (lab_link.h): a token bucket (core/nl/tc.c) for a rate; netem through
 * libnl-route's qdisc objects for delay, jitter and loss.  netem is a module many
 * kernels lack (this project's test machine's among them): the kernel then answers
 * ENOENT, "Specified qdisc kind is unknown", and we say what that means. */
#include <errno.h>
#include <linux/pkt_sched.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/tc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/rt_error.h"
#include "lab/lab_link.h"
#include "nl/link.h"
/* libnl's tc.h has its own TC_HANDLE, the same major:minor: ours is the one used here. */
#undef TC_HANDLE
#include "nl/tc.h"

/* How long a packet may wait in the bucket's queue. */
#define LAB_TBF_LATENCY_MS 50

static const struct {
	const char *unit;
	double factor; /* to bits per second */
} rate_units[] = {
	{ "bit", 1 },     { "kbit", 1e3 },   { "mbit", 1e6 },      { "gbit", 1e9 },
	{ "tbit", 1e12 }, { "kibit", 1024 }, { "mibit", 1048576 }, { "gibit", 1073741824.0 },
	{ "bps", 8 },     { "kbps", 8e3 },   { "mbps", 8e6 },      { "gbps", 8e9 },
	{ "", 1 },
};

int lab_rate_parse(const char *s, uint64_t *ret)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v > 0) || *s == '-')
		return -EINVAL;
	for (size_t i = 0; i < sizeof(rate_units) / sizeof(rate_units[0]); i++)
		if (!strcasecmp(end, rate_units[i].unit)) {
			double bits = v * rate_units[i].factor;
			if (bits < 8 || bits > 1e15)
				return -EINVAL;
			*ret = (uint64_t)bits;
			return 0;
		}
	return -EINVAL;
}

int lab_time_parse(const char *s, unsigned int *ret)
{
	char *end;
	double v = strtod(s, &end), f;

	if (end == s || v < 0 || *s == '-')
		return -EINVAL;
	if (!*end || !strcmp(end, "ms"))
		f = 1000;
	else if (!strcmp(end, "us"))
		f = 1;
	else if (!strcmp(end, "s"))
		f = 1e6;
	else
		return -EINVAL;
	if (v * f > 60e6)
		return -EINVAL;
	*ret = (unsigned int)(v * f);
	return 0;
}

DEFINE_PTR_CLEANUP(rtnl_qdisc_putp, struct rtnl_qdisc *, rtnl_qdisc_put)

static int netem_add(struct lab_ns *ns, int ifindex, const char *ifname, const struct lab_impair *im,
		     struct nr_error *err)
{
	_cleanup_(rtnl_qdisc_putp) struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	int r;

	if (!q)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	/* No handle: with CREATE|REPLACE the kernel then grafts a new netem in place of a root
	 * of another kind (a tbf of ours, say), and changes a netem that is there; a handle
	 * of an existing qdisc of another kind would be refused before netem is looked up. */
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	if ((r = rtnl_tc_set_kind(TC_CAST(q), "netem")) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, ENOMEM, "libnl has no netem");
	/* netem's delay and jitter in microseconds (libnl turns them into ticks); loss as
	 * the kernel's probability, a fraction of 2^32 - 1. */
	rtnl_netem_set_delay(q, (int)im->delay);
	rtnl_netem_set_jitter(q, (int)im->jitter);
	if (im->loss > 0)
		rtnl_netem_set_loss(q, (int)(uint32_t)(im->loss / 100.0 * 4294967295.0));
	nlsock_reset(ns->s);
	r = rtnl_qdisc_add(ns->s->sk, q, NLM_F_CREATE | NLM_F_REPLACE);
	if (r >= 0)
		return 0;
	r = nlsock_error(ns->s, r, err, "adding a netem qdisc to %s", ifname);
	if (r == -ENOENT || r == -EOPNOTSUPP)
		return nr_error_set(err, RT_ERR_USAGE, EOPNOTSUPP,
				    "delay, jitter and loss need the kernel's netem qdisc (sch_netem), which this kernel "
				    "does not have (it answered: %s); a rate (--rate, tbf) works without it",
				    ns->s->last_extack[0] ? ns->s->last_extack : strerror(-r));
	return r;
}

int lab_link_impair(struct lab_ns *ns, const char *ifname, const struct lab_impair *im, struct nr_error *err)
{
	struct link_attrs a;
	struct tc_tbf tbf;
	int r;

	if ((r = link_get_attrs(ns->s, ifname, &a, err)) < 0)
		return r;
	bool netem = im->delay || im->jitter || im->loss > 0;
	if (netem && im->rate)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "a rate together with delay, jitter or loss is not supported: set one or the other");
	/* netem first, before the old root goes: refused, it leaves the link as it was. */
	if (netem)
		return netem_add(ns, a.ifindex, ifname, im, err);
	if ((r = tc_qdisc_del(ns->s, a.ifindex, TC_HANDLE_ROOT, 0, err)) < 0 || im->clear)
		return r;
	/* The bucket holds at least two of the link's largest frames, or a frame bigger
	 * than the bucket would never pass; else 10 ms of the rate. */
	uint64_t burst = im->rate / 100, min = (uint64_t)(a.mtu + 14) * 8 * 2;
	if ((r = tc_tbf_compute(im->rate, burst > min ? burst : min, LAB_TBF_LATENCY_MS, &tbf)) < 0)
		return nr_error_set(err, RT_ERR_USAGE, -r, "rate too low");
	return tc_tbf_add(ns->s, a.ifindex, TC_HANDLE(1, 0), &tbf, err);
}
