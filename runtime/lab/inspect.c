/* A lab's nodes as they are now (inspect.h). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container.h"
#include "engine/rt_error.h"
#include "lab/inspect.h"
#include "nl/link.h"
#include "nl/nlsock.h"

static void linux_view(struct lab_node_view *v)
{
	_cleanup_record_ struct ctr_record *rec = NULL;

	if (ctr_store_load(v->n->container, &rec, NULL) < 0) {
		v->state = "missing";
		return;
	}
	v->state = ctr_running(rec) ? "running" : "exited";
	v->pid = ctr_running(rec) ? rec->pid : 0;
	if (rec->net.mode == CTR_NET_CNI && rec->net.addresses && rec->net.addresses[0])
		snprintf(v->mgmt, sizeof(v->mgmt), "%s", rec->net.addresses[0]);
}

static void bridge_view(struct nlsock *s, struct lab_node_view *v)
{
	bool up;

	if (!s || link_is_up(s, v->n->name, &up, NULL) < 0)
		v->state = "missing";
	else
		v->state = up ? "up" : "down";
}

int lab_inspect_nodes(const struct lab_state *st, struct lab_node_view **ret, struct nr_error *err)
{
	struct lab_node_view *v = calloc(st->n_nodes + 1, sizeof(*v));
	_cleanup_nlsock_ struct nlsock *s = NULL;

	if (!v)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	nlsock_open(&s, NULL);
	for (size_t i = 0; i < st->n_nodes; i++) {
		v[i].n = &st->nodes[i];
		if (v[i].n->kind == LAB_KIND_LINUX)
			linux_view(&v[i]);
		else if (v[i].n->kind == LAB_KIND_BRIDGE)
			bridge_view(s, &v[i]);
		else
			v[i].state = "host";
	}
	*ret = v;
	return 0;
}

json_t *lab_inspect_json(const struct lab_state *st, const struct lab_node_view *v)
{
	json_t *o = json_pack("{s:s, s:s?, s:s?}", "name", st->name, "topology", st->topology, "mgmt_network",
			      st->mgmt_network);
	json_t *nodes = json_array(), *links = json_array();

	for (size_t i = 0; o && nodes && i < st->n_nodes; i++) {
		const struct lab_state_node *n = v[i].n;
		json_t *labels = lab_labels_json(n->labels);
		json_array_append_new(nodes, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:i, s:o*}", "name", n->name,
						       "kind", lab_kind_name(n->kind), "state", v[i].state, "container",
						       n->container[0] ? n->container : NULL, "mgmt_ipv4",
						       v[i].mgmt[0] ? v[i].mgmt : NULL, "pid", (int)v[i].pid, "labels",
						       labels));
	}
	for (size_t i = 0; o && links && i < st->n_links; i++)
		json_array_append_new(links, json_pack("{s:s, s:s}", "a", st->links[i].a, "b", st->links[i].b));
	if (!o || !nodes || !links || json_object_set_new(o, "nodes", nodes) < 0 ||
	    json_object_set_new(o, "links", links) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void lab_inspect_print(const struct lab_state *st, const struct lab_node_view *v)
{
	printf("LAB %s%s%s\n", st->name, st->topology ? "  " : "", st->topology ? st->topology : "");
	printf("%-20s %-7s %-8s %-20s %-8s %s\n", "NODE", "KIND", "STATE", "MGMT-IPV4", "PID", "CONTAINER");
	for (size_t i = 0; i < st->n_nodes; i++) {
		char pid[16];
		snprintf(pid, sizeof(pid), "%d", (int)v[i].pid);
		printf("%-20s %-7s %-8s %-20s %-8s %s\n", v[i].n->name, lab_kind_name(v[i].n->kind), v[i].state,
		       v[i].mgmt[0] ? v[i].mgmt : "-", v[i].pid ? pid : "-",
		       v[i].n->container[0] ? v[i].n->container : "-");
	}
	printf("%-28s %s\n", "LINK A", "LINK B");
	for (size_t i = 0; i < st->n_links; i++)
		printf("%-28s %s\n", st->links[i].a, st->links[i].b);
}
