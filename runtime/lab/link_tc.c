/* Link impairments (lab_link.h): a token bucket (core/nl/tc.c) for a rate; a netem qdisc
 * (an rtnetlink message of libnl's) for delay, jitter and loss.  netem is a module many
 * kernels lack (this project's test machine's among them): the kernel then answers
 * ENOENT, "Specified qdisc kind is unknown", and we say what that means. */
#include <errno.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/rt_error.h"
#include "lab/lab_link.h"
#include "nl/link.h"
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

/* RTM_NEWQDISC of a netem qdisc at ifindex's root, built here: libnl's own netem object
 * would pull its qdisc modules' constructors into every program linking this file, and
 * a unit test links libnl twice (static and shared), whose destructors then collide.
 * Delay and jitter go in nanoseconds (TCA_NETEM_LATENCY64, JITTER64: Linux 4.15), so no
 * scheduler ticks are involved; loss is the kernel's probability, a fraction of 2^32 - 1.
 * No handle, with CREATE|REPLACE: the kernel grafts a new netem in place of a root of
 * another kind (a tbf of ours) and changes a netem that is there; the handle of an
 * existing qdisc of another kind would be refused before netem is even looked up. */
static int netem_add(struct lab_ns *ns, int ifindex, const char *ifname, const struct lab_impair *im,
		     struct nr_error *err)
{
	struct tcmsg tm = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = TC_H_ROOT };
	struct tc_netem_qopt q = { .limit = 1000 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
	struct nlattr *opts;
	int r;

	if (im->loss > 0)
		q.loss = (uint32_t)(im->loss / 100.0 * 4294967295.0);
	if (!msg || nlmsg_append(msg, &tm, sizeof(tm), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, TCA_KIND, "netem") < 0 || !(opts = nla_nest_start(msg, TCA_OPTIONS)) ||
	    nlmsg_append(msg, &q, sizeof(q), NLMSG_ALIGNTO) < 0 ||
	    nla_put_s64(msg, TCA_NETEM_LATENCY64, (int64_t)im->delay * 1000) < 0 ||
	    nla_put_s64(msg, TCA_NETEM_JITTER64, (int64_t)im->jitter * 1000) < 0) {
		nlmsg_free(msg);
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	nla_nest_end(msg, opts);
	nlsock_reset(ns->s);
	r = nl_send_sync(ns->s->sk, msg); /* frees msg */
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
