/* host-local: the ipam object of the network configuration, parsed. */
#ifndef NETNS_RUN_HOST_LOCAL_CONFIG_H
#define NETNS_RUN_HOST_LOCAL_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "cni/cni_plugin.h"
#include "range.h"

#define HL_DEFAULT_DATA_DIR "/var/lib/cni/networks"

struct hl_conf {
	const char *name; /* network name: the store's directory */
	const char *data_dir;
	const char *resolv_conf; /* NULL when absent */
	struct hl_rangeset *sets;
	size_t n_sets;
	json_t *routes;      /* borrowed, validated; NULL when absent */
	struct ip_addr *req; /* requested addresses, in order of precedence */
	size_t n_req;
};

int hl_conf_load(const struct cni_plugin_ctx *ctx, struct hl_conf *ret, struct nr_error *err);
void hl_conf_release(struct hl_conf *c);

#endif
