/* Traffic control over rtnetlink (libnl messages; never tc(8)): token-bucket qdiscs, the
 * ingress qdisc, a redirect of a link's ingress to another link, and a read-back of the
 * qdiscs of a link.  Handles are the kernel's 32-bit major:minor values. */
#ifndef NETNS_RUN_TC_H
#define NETNS_RUN_TC_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "nlsock.h"

#define TC_HANDLE(maj, min) (((uint32_t)(maj) << 16) | ((uint32_t)(min)&0xffffu))
#define TC_HANDLE_ROOT 0xffffffffu
#define TC_HANDLE_INGRESS_PARENT 0xfffffff1u /* TC_H_INGRESS */
#define TC_HANDLE_INGRESS TC_HANDLE(0xffff, 0)

/* A token bucket as the kernel takes it (struct tc_tbf_qopt's units). */
struct tc_tbf {
	uint64_t rate;   /* bytes per second */
	uint32_t buffer; /* the bucket, in scheduler ticks (time to send it at rate) */
	uint32_t limit;  /* bytes that may wait in the queue */
};

/* The bucket of rate_bits bits per second and burst_bits bits, with room for latency_ms
 * of queueing, computed as the reference bandwidth plugin (vishvananda/netlink's tick
 * conversion from /proc/net/psched): rate and burst in bytes, rounded down; the bucket is
 * the burst's transmission time in ticks; the limit is latency's worth of rate plus the
 * burst.  -EINVAL when the rate is under a byte per second. */
int tc_tbf_compute(uint64_t rate_bits, uint64_t burst_bits, unsigned int latency_ms, struct tc_tbf *ret);

/* Add a tbf qdisc with handle as the root of ifindex (fails with -EEXIST if there is a
 * root qdisc other than the default one already). */
int tc_tbf_add(struct nlsock *s, int ifindex, uint32_t handle, const struct tc_tbf *t, struct nr_error *err);

/* Add the ingress qdisc (ffff:) to ifindex. */
int tc_ingress_add(struct nlsock *s, int ifindex, struct nr_error *err);

/* Under ifindex's ingress qdisc, a u32 filter with priority prio matching every packet
 * (every protocol) whose one action redirects it to the egress of to_ifindex (mirred
 * egress redirect); flowid is the classid the filter reports. */
int tc_redirect_add(struct nlsock *s, int ifindex, uint16_t prio, uint32_t flowid, int to_ifindex,
		    struct nr_error *err);

/* A qdisc of a link as read back. */
struct tc_qdisc {
	int ifindex;
	uint32_t handle, parent;
	char kind[16];
	bool has_tbf; /* kind "tbf" with its parameters below */
	struct tc_tbf tbf;
};

/* Call fn for each qdisc of ifindex; a non-zero return stops the walk and is returned. */
int tc_qdisc_walk(struct nlsock *s, int ifindex, int (*fn)(const struct tc_qdisc *q, void *arg), void *arg,
		  struct nr_error *err);

/* The qdisc of ifindex with this parent (TC_HANDLE_ROOT, TC_HANDLE_INGRESS_PARENT) into
 * *ret: 1, or 0 when the link has none there (the kernel's default root is reported like
 * any other qdisc, with its kind). */
int tc_qdisc_get(struct nlsock *s, int ifindex, uint32_t parent, struct tc_qdisc *ret, struct nr_error *err);

/* Delete the qdisc with this parent and handle from ifindex; one that is not there (or
 * the link itself) counts as deleted. */
int tc_qdisc_del(struct nlsock *s, int ifindex, uint32_t parent, uint32_t handle, struct nr_error *err);

#endif
