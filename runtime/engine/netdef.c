/* `network create` and `network rm` of user networks (netdef.h). */
#include <errno.h>

#include "netdef.h"
#include "rt_error.h"

int netdef_create(const struct netdef_opts *o, struct cni_netconf **ret, struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_USAGE, ENOSYS, "network create: not implemented yet");
}

int netdef_remove(const char *name, struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_USAGE, ENOSYS, "network rm: not implemented yet");
}
