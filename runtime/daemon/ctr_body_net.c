/* The networks of a container's create body (ctr_body_net.h).  Read, changed and written
 * whole under the engine's store lock, as the record is. */
#include "ctr_body_net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "create_body.h"
#include "ctr_json.h"
#include "engine/container.h"
#include "engine/rt.h"
#include "engine/rt_error.h"

/* NetworkingConfig.EndpointsConfig, made when absent; NULL on ENOMEM or a body whose
 * values are not objects there. */
static json_t *body_eps(json_t *body)
{
	json_t *nc = json_object_get(body, "NetworkingConfig"), *eps;

	if (!nc || json_is_null(nc)) {
		if (!(nc = json_object()) || json_object_set_new(body, "NetworkingConfig", nc) < 0)
			return NULL;
	}
	if (!json_is_object(nc))
		return NULL;
	eps = json_object_get(nc, "EndpointsConfig");
	if (!eps || json_is_null(eps)) {
		if (!(eps = json_object()) || json_object_set_new(nc, "EndpointsConfig", eps) < 0)
			return NULL;
	}
	return json_is_object(eps) ? eps : NULL;
}

static int body_save(const char *name, json_t *body, struct nr_error *err)
{
	_cleanup_free_ char *text = json_dumps(body, JSON_COMPACT);
	char path[600];
	int r;

	if (!text)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	rt_ctr_path(path, sizeof(path), name, CTR_CONFIG_FILE);
	if ((r = rt_write_file_atomic(path, text, 0600)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

int ctr_body_net_add(const char *name, const char *net, json_t *endpoint, struct nr_error *err)
{
	_cleanup_close_ int lock = ctr_store_lock(err);
	_cleanup_json_ json_t *body = NULL;
	const char *mode;
	json_t *eps;

	if (lock < 0)
		return lock;
	if (!(body = ctr_json_config_load(name)))
		return nr_error_set(err, RT_ERR_CONFLICT, ENOENT,
				    "container %s has no create body to keep network %s in for its next start", name,
				    net);
	mode = ctr_json_body_network_mode(body);
	if (!strcmp(mode, "none") || !strcmp(mode, "host") || !strncmp(mode, "container:", 10))
		return nr_error_set(err, RT_ERR_CONFLICT, EPERM,
				    "container %s uses network mode %s: it cannot be connected to network %s", name,
				    mode, net);
	if (!(eps = body_eps(body)))
		return nr_error_set(err, RT_ERR_SYSTEM, EINVAL, "the create body of %s is not one Docker's", name);
	if (!strcmp(mode, net) || json_object_get(eps, net))
		return nr_error_set(err, RT_ERR_CONFLICT, EEXIST, "endpoint with name %s already exists in network %s",
				    name, net);
	if (json_object_set_new(eps, net, endpoint ? json_deep_copy(endpoint) : json_object()) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return body_save(name, body, err);
}

int ctr_body_net_remove(const char *name, const char *net, struct nr_error *err)
{
	_cleanup_close_ int lock = ctr_store_lock(err);
	_cleanup_json_ json_t *body = NULL;
	json_t *eps, *hc;
	const char *key;
	json_t *v;

	if (lock < 0)
		return lock;
	if (!(body = ctr_json_config_load(name)))
		return -ENOENT;
	eps = json_object_get(json_object_get(body, "NetworkingConfig"), "EndpointsConfig");
	if (strcmp(ctr_json_body_network_mode(body), net)) {
		if (!json_is_object(eps) || json_object_del(eps, net) < 0)
			return -ENOENT;
		return body_save(name, body, err);
	}
	/* The first network goes: the next one configured takes its place, or none. */
	if (!(hc = json_object_get(body, "HostConfig")) || !json_is_object(hc))
		return nr_error_set(err, RT_ERR_SYSTEM, EINVAL, "the create body of %s is not one Docker's", name);
	if (json_is_object(eps)) {
		json_object_del(eps, net);
		if (!strcmp(net, "bridge"))
			json_object_del(eps, "default");
	}
	const char *next = "none";
	if (json_is_object(eps))
		json_object_foreach(eps, key, v) {
			next = key;
			break;
		}
	if (json_object_set_new(hc, "NetworkMode", json_string(next)) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return body_save(name, body, err);
}
