/* A lab's wiring (link.c): the network namespaces of its nodes, each with an rtnetlink
 * socket opened inside it once (a socket stays bound to the namespace it was made in,
 * so no further setns is needed), and the veth pairs between them. */
#ifndef NETNS_RUN_LAB_LINK_H
#define NETNS_RUN_LAB_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "lab/topology.h"
#include "nl/nlsock.h"

struct lab_ns {
	int fd;           /* the namespace; -1 when not open */
	struct nlsock *s; /* a socket in it */
	bool host;        /* the host's (bridge and host nodes, network-mode host) */
	int bridge;       /* a bridge node: the bridge's ifindex (its ports are enslaved to it) */
};

/* path NULL: the host's namespace (the one this process is in). */
int lab_ns_open(const char *path, struct lab_ns *ret, struct nr_error *err);
void lab_ns_close(struct lab_ns *ns);

/* Both ends of link l exist already: 1; neither: 0; one: RT_ERR_CONFLICT naming it.
 * a_new/b_new: l is one of the lab's from an earlier deploy, and that end's namespace was
 * made by this one (the node's container made again).  The other end, found alone and a
 * veth with its peer in another namespace, is then the leftover of the pair whose peer
 * was in the node's previous namespace (which the kernel dismantles later, in its own
 * time, or never while something holds it): it is deleted, and the link counts as
 * absent (0). */
int lab_link_exists(const struct lab_topo *t, const struct lab_link *l, struct lab_ns *a, bool a_new, struct lab_ns *b,
		    bool b_new, struct nr_error *err);
/* The veth pair of l: a's end made in a's namespace with its peer born in b's
 * (IFLA_NET_NS_FD), names, MTU and MACs as given; an end on a bridge node enslaved to
 * it; both ends up.  On failure nothing of it is left.  The error names the link. */
int lab_link_create(const struct lab_topo *t, const struct lab_link *l, struct lab_ns *a, struct lab_ns *b,
		    struct nr_error *err);
/* Delete the pair by a's end (the peer goes with it); gone already is success. */
int lab_link_delete(struct lab_ns *a, const char *ifname, struct nr_error *err);

/* Impairments of one end of a link (link_tc.c), as tc sets them: a rate is a tbf
 * qdisc at the root; delay, jitter and loss need the kernel's netem qdisc. */
struct lab_impair {
	uint64_t rate;              /* bits per second; 0: none */
	unsigned int delay, jitter; /* microseconds */
	double loss;                /* percent */
	bool clear;                 /* remove what is there (back to the default qdisc) */
};

/* "10mbit", "1gbit", "500kbit", "64000" (bit/s), "1mbps" (bytes/s) into bits per second;
 * tc's units.  -EINVAL when it is not one. */
int lab_rate_parse(const char *s, uint64_t *ret);
/* "10ms", "100us", "1s", "5" (ms) into microseconds; -EINVAL when it is not one. */
int lab_time_parse(const char *s, unsigned int *ret);

/* Set im on the link ifname of ns: the root qdisc replaced.  Without netem in the kernel,
 * delay/jitter/loss are refused with RT_ERR_USAGE saying so, nothing changed. */
int lab_link_impair(struct lab_ns *ns, const char *ifname, const struct lab_impair *im, struct nr_error *err);

/* "r1:eth1" into buf (LAB_ENDPOINT_MAX). */
const char *lab_endpoint_name(const struct lab_topo *t, const struct lab_endpoint *e, char *buf, size_t len);

#endif
