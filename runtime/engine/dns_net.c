/* DNS names of user networks (engine/dns_net.h): stubs so that callers link while the
 * real names file and responder lifecycle are written. */
#include "dns_net.h"

bool dns_net_enabled(const struct cni_netconf *conf)
{
	(void)conf;
	return false;
}

int dns_net_join(const char *network, bool internal, char *const *gateways, const struct dns_entry *e,
		 struct nr_error *err)
{
	(void)network, (void)internal, (void)gateways, (void)e, (void)err;
	return 0;
}

int dns_net_leave(const char *network, const char *id, struct nr_error *err)
{
	(void)network, (void)id, (void)err;
	return 0;
}

int dns_net_ensure(const char *network, struct nr_error *err)
{
	(void)network, (void)err;
	return 0;
}

int dns_net_remove(const char *network, struct nr_error *err)
{
	(void)network, (void)err;
	return 0;
}

int dns_net_gc(char *const *live_ids, struct nr_error *err)
{
	(void)live_ids, (void)err;
	return 0;
}
