/* The lab topology parser (runtime/lab/topology.h) on arbitrary YAML: every failure is a
 * well-formed error, and what parses is a lab deploy can trust: endpoints name nodes, each
 * name fits its buffer, no more nodes than LAB_NODES_MAX. */
#include "fuzz.h"
#include "lab/cmd.h"
#include "lab/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	struct lab_topo *t = NULL;
	int r = lab_topo_parse_buf((const char *)data, size, "fuzz.yml", &t, &err);

	fuzz_check_error(r, &err);
	if (r < 0) {
		if (t)
			abort();
		return 0;
	}
	if (!t || !t->n_nodes || t->n_nodes > LAB_NODES_MAX + 1 || strnlen(t->name, LAB_NAME_MAX) == LAB_NAME_MAX)
		abort();
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!t->nodes[i].name[0] || lab_topo_node(t, t->nodes[i].name) != (long)i)
			abort();
	for (size_t i = 0; i < t->n_links; i++) {
		const struct lab_link *l = &t->links[i];
		if (l->a.node >= t->n_nodes || l->b.node >= t->n_nodes || !l->a.ifname[0] || !l->b.ifname[0] ||
		    l->mtu < 68 || l->mtu > 65535)
			abort();
	}
	lab_topo_free(t);
	return 0;
}
