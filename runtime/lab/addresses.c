/* lab_read_addresses (lab.h): each link end's addresses, read over rtnetlink in its
 * node's namespace (a socket opened there once per node), for the picture.  A node that
 * does not run leaves its ends without addresses: the picture is drawn all the same. */
#include <errno.h>
#include <stdlib.h>

#include "engine/container.h"
#include "engine/rt_error.h"
#include "lab/lab.h"
#include "lab/lab_link.h"
#include "lab/lab_state.h"
#include "nl/addr.h"
#include "nl/link.h"

static int push_addr(const struct ip_prefix *p, void *arg)
{
	char buf[64];

	/* The kernel's IPv6 link-local addresses say nothing about the lab. */
	if (p->addr.family == AF_INET6 && p->addr.bytes[0] == 0xfe && (p->addr.bytes[1] & 0xc0) == 0x80)
		return 0;
	return rt_strv_push(arg, ip_prefix_format(p, buf, sizeof(buf))) < 0 ? -ENOMEM : 0;
}

static int node_ns(const struct lab_topo *t, size_t i, struct lab_ns *ns)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	char ctr[RT_NAME_MAX];

	if (t->nodes[i].kind != LAB_KIND_LINUX)
		return lab_ns_open(NULL, ns, NULL);
	if (lab_container_name(t->name, t->nodes[i].name, ctr, NULL) < 0 || ctr_store_load(ctr, &rec, NULL) < 0 ||
	    !ctr_running(rec) || !rec->netns_path)
		return -ESRCH;
	return lab_ns_open(rec->net.mode == CTR_NET_HOST ? NULL : rec->netns_path, ns, NULL);
}

static int read_end(struct lab_ns *ns, struct lab_endpoint *e, struct nr_error *err)
{
	int ifindex, r;

	rt_strv_free(e->addrs);
	e->addrs = NULL;
	if (ns->fd < 0 || (ifindex = link_index(ns->s, e->ifname, NULL)) < 0)
		return 0;
	if (!(e->addrs = calloc(1, sizeof(char *))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	r = addr_list(ns->s, ifindex, AF_UNSPEC, push_addr, &e->addrs, err);
	if (r == -ENOMEM)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return r < 0 ? r : 0;
}

int lab_read_addresses(struct lab_topo *t, struct nr_error *err)
{
	_cleanup_free_ struct lab_ns *ns = calloc(t->n_nodes + 1, sizeof(*ns));
	_cleanup_free_ char *tried = calloc(t->n_nodes + 1, 1);
	_cleanup_free_ size_t *left = calloc(t->n_nodes + 1, sizeof(*left));
	int r = 0;

	if (!ns || !tried || !left)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < t->n_nodes; i++)
		ns[i].fd = -1;
	for (size_t i = 0; i < t->n_links; i++) {
		left[t->links[i].a.node]++;
		left[t->links[i].b.node]++;
	}
	/* A node's namespace is open from its first end to its last (two descriptors a node,
	 * and a lab has up to LAB_NODES_MAX nodes). */
	for (size_t i = 0; r >= 0 && i < t->n_links; i++) {
		struct lab_endpoint *ends[2] = { &t->links[i].a, &t->links[i].b };
		for (size_t k = 0; r >= 0 && k < 2; k++) {
			size_t n = ends[k]->node;
			if (!tried[n]) {
				tried[n] = 1;
				node_ns(t, n, &ns[n]);
			}
			r = read_end(&ns[n], ends[k], err);
			if (--left[n] == 0)
				lab_ns_close(&ns[n]);
		}
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		lab_ns_close(&ns[i]);
	return r;
}
