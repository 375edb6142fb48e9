/* Until the topology parser (topology.c) lands on this branch: weak stand-ins that say
 * so, so that the lab's other verbs link.  topology.c's definitions replace them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rt_error.h"
#include "lab/topology.h"

__attribute__((weak)) int lab_topo_parse_file(const char *path, struct lab_topo **ret, struct nr_error *err)
{
	(void)ret;
	return nr_error_set(err, RT_ERR_USAGE, ENOSYS, "%s: the topology parser is not built in yet", path);
}

__attribute__((weak)) void lab_topo_free(struct lab_topo *t)
{
	free(t);
}

__attribute__((weak)) long lab_topo_node(const struct lab_topo *t, const char *name)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return (long)i;
	return -1;
}

__attribute__((weak)) const char *lab_kind_name(enum lab_kind k)
{
	return k == LAB_KIND_LINUX ? "linux" : k == LAB_KIND_BRIDGE ? "bridge" : "host";
}
