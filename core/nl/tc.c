#include "tc.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_cleanup.h"

#define TIME_UNITS_PER_SEC 1000000.0

/* Scheduler ticks per microsecond, from /proc/net/psched as iproute2 and vishvananda/netlink
 * read it (t2us / us2t scaled by the clock's resolution); 15.625 (64 ns ticks) on every
 * kernel since 2.6.31 when the file cannot be read. */
static double ticks_per_usec(void)
{
	unsigned int t2us, us2t, clock_res;
	double r = 15.625;
	FILE *f = fopen("/proc/net/psched", "re");

	if (f && fscanf(f, "%08x%08x%08x", &t2us, &us2t, &clock_res) == 3 && us2t && clock_res)
		r = (double)t2us / us2t * (clock_res / TIME_UNITS_PER_SEC);
	if (f)
		fclose(f);
	return r;
}

/* A double into a uint32 as Go's conversion does for values in range; out of range it
 * saturates (Go's result is unspecified there). */
static uint32_t to_u32(double d)
{
	if (!(d >= 0))
		return 0;
	return d >= 4294967295.0 ? UINT32_MAX : (uint32_t)d;
}

int tc_tbf_compute(uint64_t rate_bits, uint64_t burst_bits, unsigned int latency_ms, struct tc_tbf *ret)
{
	uint64_t rate = rate_bits / 8;
	uint32_t burst = (uint32_t)(burst_bits / 8);
	double latency_us = TIME_UNITS_PER_SEC * (latency_ms / 1000.0);
	uint32_t usec;

	if (rate == 0)
		return -EINVAL;
	usec = to_u32((double)burst * TIME_UNITS_PER_SEC / (double)rate);
	ret->rate = rate;
	ret->buffer = to_u32((double)usec * ticks_per_usec());
	ret->limit = to_u32((double)rate * latency_us / TIME_UNITS_PER_SEC) + burst;
	return 0;
}

/* A request for ifindex's tc objects: the message, its tcmsg and its kind. */
static struct nl_msg *tc_msg(int type, int flags, int ifindex, uint32_t handle, uint32_t parent, uint32_t info,
			     const char *kind)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC,
			   .tcm_ifindex = ifindex,
			   .tcm_handle = handle,
			   .tcm_parent = parent,
			   .tcm_info = info };
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && (nlmsg_append(msg, &t, sizeof(t), NLMSG_ALIGNTO) < 0 ||
		    (kind && nla_put_string(msg, TCA_KIND, kind) < 0))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Send msg (taken) and wait for the kernel's answer. */
static int tc_send(struct nlsock *s, struct nl_msg *msg, struct nr_error *err, const char *what, int ifindex)
{
	int r;

	nlsock_reset(s);
	r = nl_send_sync(s->sk, msg); /* frees msg */
	if (r < 0)
		return nlsock_error(s, r, err, "%s on link %d", what, ifindex);
	return 0;
}

static int no_memory(struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
}

int tc_tbf_add(struct nlsock *s, int ifindex, uint32_t handle, const struct tc_tbf *t, struct nr_error *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	struct tc_tbf_qopt q = { .limit = t->limit, .buffer = t->buffer };
	struct nlattr *opts;

	/* Rates past 32 bits go in TCA_TBF_RATE64; the kernel takes the larger of the two. */
	q.rate.rate = t->rate > UINT32_MAX ? UINT32_MAX : (uint32_t)t->rate;
	msg = tc_msg(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, handle, TC_HANDLE_ROOT, 0, "tbf");
	if (!msg || !(opts = nla_nest_start(msg, TCA_OPTIONS)) || nla_put(msg, TCA_TBF_PARMS, sizeof(q), &q) < 0 ||
	    (t->rate > UINT32_MAX && nla_put_u64(msg, TCA_TBF_RATE64, t->rate) < 0))
		return no_memory(err);
	nla_nest_end(msg, opts);
	return tc_send(s, TAKE_PTR(msg), err, "adding a tbf qdisc", ifindex);
}

int tc_ingress_add(struct nlsock *s, int ifindex, struct nr_error *err)
{
	struct nl_msg *msg = tc_msg(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_HANDLE_INGRESS,
				    TC_HANDLE_INGRESS_PARENT, 0, "ingress");

	if (!msg)
		return no_memory(err);
	return tc_send(s, msg, err, "adding the ingress qdisc", ifindex);
}

int tc_redirect_add(struct nlsock *s, int ifindex, uint16_t prio, uint32_t flowid, int to_ifindex, struct nr_error *err)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
	/* A selector with one key that matches everything (mask 0 at offset 0); the keys are
	 * the selector's flexible array. */
	_Alignas(struct tc_u32_sel) unsigned char m[sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key)] = { 0 };
	struct tc_u32_sel *sel = (struct tc_u32_sel *)m;
	struct tc_mirred mirred = { .action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = to_ifindex };
	struct nlattr *opts, *acts, *act, *aopts;
	uint32_t info = TC_HANDLE(prio, htons(ETH_P_ALL));

	sel->flags = TC_U32_TERMINAL;
	sel->nkeys = 1;
	msg = tc_msg(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex, 0, TC_HANDLE_INGRESS, info, "u32");
	if (!msg || !(opts = nla_nest_start(msg, TCA_OPTIONS)) || nla_put_u32(msg, TCA_U32_CLASSID, flowid) < 0 ||
	    nla_put(msg, TCA_U32_SEL, sizeof(m), m) < 0 || !(acts = nla_nest_start(msg, TCA_U32_ACT)) ||
	    !(act = nla_nest_start(msg, 1)) || nla_put_string(msg, TCA_ACT_KIND, "mirred") < 0 ||
	    !(aopts = nla_nest_start(msg, TCA_ACT_OPTIONS)) ||
	    nla_put(msg, TCA_MIRRED_PARMS, sizeof(mirred), &mirred) < 0)
		return no_memory(err);
	nla_nest_end(msg, aopts);
	nla_nest_end(msg, act);
	nla_nest_end(msg, acts);
	nla_nest_end(msg, opts);
	return tc_send(s, TAKE_PTR(msg), err, "adding a redirect filter", ifindex);
}

/* The dump's state: the link, the caller's function and what it returned. */
struct qdisc_walk {
	int ifindex;
	int (*fn)(const struct tc_qdisc *q, void *arg);
	void *arg;
	int ret;
};

static void parse_tbf(struct nlattr *opts, struct tc_qdisc *q)
{
	struct nlattr *tb[TCA_TBF_MAX + 1];
	struct tc_tbf_qopt p;

	if (!opts || nla_parse_nested(tb, TCA_TBF_MAX, opts, NULL) < 0 || !tb[TCA_TBF_PARMS] ||
	    nla_len(tb[TCA_TBF_PARMS]) < (int)sizeof(p))
		return;
	memcpy(&p, nla_data(tb[TCA_TBF_PARMS]), sizeof(p));
	q->has_tbf = true;
	q->tbf.rate = p.rate.rate;
	q->tbf.buffer = p.buffer;
	q->tbf.limit = p.limit;
	if (tb[TCA_TBF_RATE64] && nla_len(tb[TCA_TBF_RATE64]) >= 8)
		q->tbf.rate = nla_get_u64(tb[TCA_TBF_RATE64]);
}

static int qdisc_valid(struct nl_msg *msg, void *arg)
{
	struct qdisc_walk *w = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[TCA_MAX + 1];
	struct tc_qdisc q = { 0 };
	struct tcmsg *t;

	if (h->nlmsg_type != RTM_NEWQDISC || nlmsg_parse(h, sizeof(*t), tb, TCA_MAX, NULL) < 0)
		return NL_SKIP;
	t = nlmsg_data(h);
	/* A dump lists every link's qdiscs whatever tcm_ifindex says. */
	if (t->tcm_ifindex != w->ifindex || w->ret)
		return NL_SKIP;
	q.ifindex = t->tcm_ifindex;
	q.handle = t->tcm_handle;
	q.parent = t->tcm_parent;
	if (tb[TCA_KIND])
		nla_strlcpy(q.kind, tb[TCA_KIND], sizeof(q.kind));
	if (!strcmp(q.kind, "tbf"))
		parse_tbf(tb[TCA_OPTIONS], &q);
	w->ret = w->fn(&q, w->arg);
	return NL_SKIP;
}

int tc_qdisc_walk(struct nlsock *s, int ifindex, int (*fn)(const struct tc_qdisc *q, void *arg), void *arg,
		  struct nr_error *err)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex };
	struct qdisc_walk w = { .ifindex = ifindex, .fn = fn, .arg = arg };
	struct nl_cb *sock_cb, *cb;
	int r;

	nlsock_reset(s);
	if ((r = nl_send_simple(s->sk, RTM_GETQDISC, NLM_F_DUMP, &t, sizeof(t))) < 0)
		return nlsock_error(s, r, err, "listing the qdiscs of link %d", ifindex);
	/* The socket's callbacks (its error handler) with ours for the answers;
	 * nl_socket_get_cb() hands out a reference of its own. */
	sock_cb = nl_socket_get_cb(s->sk);
	cb = nl_cb_clone(sock_cb);
	nl_cb_put(sock_cb);
	if (!cb)
		return no_memory(err);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, qdisc_valid, &w);
	r = nl_recvmsgs(s->sk, cb);
	nl_cb_put(cb);
	if (r < 0)
		return nlsock_error(s, r, err, "listing the qdiscs of link %d", ifindex);
	return w.ret;
}

struct qdisc_find {
	uint32_t parent;
	struct tc_qdisc *ret;
};

static int find_parent(const struct tc_qdisc *q, void *arg)
{
	struct qdisc_find *f = arg;

	if (q->parent != f->parent)
		return 0;
	*f->ret = *q;
	return 1;
}

int tc_qdisc_get(struct nlsock *s, int ifindex, uint32_t parent, struct tc_qdisc *ret, struct nr_error *err)
{
	struct qdisc_find f = { .parent = parent, .ret = ret };

	return tc_qdisc_walk(s, ifindex, find_parent, &f, err);
}

int tc_qdisc_del(struct nlsock *s, int ifindex, uint32_t parent, uint32_t handle, struct nr_error *err)
{
	struct nl_msg *msg = tc_msg(RTM_DELQDISC, 0, ifindex, handle, parent, 0, NULL);
	int r;

	if (!msg)
		return no_memory(err);
	r = tc_send(s, msg, err, "deleting a qdisc", ifindex);
	/* Already gone, or its link is: what was asked (ENOENT: no such qdisc; EINVAL: only the
	 * default one, which has handle 0; ENODEV: no link). */
	if (r == -ENOENT || r == -EINVAL || r == -ENODEV) {
		nr_error_clear(err);
		return 0;
	}
	return r;
}
