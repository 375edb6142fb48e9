/* Overlay networks in the engine (overlay_net.h). */
#include "overlay_net.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "base/lockfile.h"
#include "dns_proc.h"
#include "netdef.h"
#include "overlay/overlay.h"
#include "proc_spawn.h"
#include "rt.h"
#include "rt_error.h"

#define OVERLAY_BIN_NAME "netns-run-overlay"
/* The agent's start reads the store a few times, each bounded by the members' timeouts
 * (a few seconds when none answers), then claims and applies. */
#define AGENT_START_TIMEOUT_MS 30000

extern char **environ;

bool overlay_net_is(const struct cni_netconf *conf)
{
	struct netdef_meta m;

	netdef_meta_get(conf, &m);
	return m.ours && !strcmp(m.driver, "overlay");
}

int overlay_net_start(const char *name, struct nr_error *err)
{
	char dir[PATH_MAX], lock[PATH_MAX + 8], bin[PATH_MAX];
	_cleanup_close_ int fd = -1;
	int r;

	if ((r = overlay_dir(name, dir, sizeof(dir), err)) < 0)
		return r;
	if ((r = rt_mkdir_p(dir, 0755)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", dir, strerror(-r));
	snprintf(lock, sizeof(lock), "%s/lock", dir);
	if ((r = lockfile_take(lock, &fd, err)) < 0)
		return r;
	if (dns_proc_alive(dir))
		return 0;
	if ((r = proc_sibling_binary("NETNS_RUN_OVERLAY_BIN", OVERLAY_BIN_NAME, bin, sizeof(bin), err)) < 0)
		return r;
	if (access(bin, X_OK) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno,
				    "cannot run the overlay agent %s: %s (NETNS_RUN_OVERLAY_BIN names another)", bin,
				    strerror(errno));
	/* The caller's environment: the agent finds the same state and config directories. */
	char *argv[] = { bin, (char *)"agent", (char *)name, NULL };
	if ((r = proc_spawn_wait("the overlay agent", argv, environ, AGENT_START_TIMEOUT_MS, err)) < 0)
		return nr_error_wrap(err, r, "overlay network %s: the agent does not start (see %s/log)", name, dir);
	return 0;
}

bool overlay_net_agent_alive(const char *name)
{
	char dir[PATH_MAX];

	return overlay_dir(name, dir, sizeof(dir), NULL) >= 0 && dns_proc_alive(dir);
}

int overlay_net_ensure(const struct cni_netconf *conf, struct nr_error *err)
{
	return conf && overlay_net_is(conf) ? overlay_net_start(conf->name, err) : 0;
}

/* Seconds since an RFC 3339 UTC time; -1 when it does not parse. */
static long long age_of(const char *since)
{
	struct tm tm = { 0 };

	if (!since || !strptime(since, "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	return (long long)(time(NULL) - timegm(&tm));
}

void overlay_net_inspect(const struct cni_netconf *conf, json_t *net)
{
	json_t *meta = json_object_get(conf->list, "netns-run");
	const char *cidr = json_string_value(json_object_get(json_object_get(meta, "options"), "subnet"));
	_cleanup_json_ json_t *hosts = NULL;
	json_t *peers = json_array(), *list = json_array(), *h;
	char dir[PATH_MAX], path[PATH_MAX + 16];
	size_t i;

	if (!overlay_net_is(conf) || !peers || !list) {
		json_decref(peers);
		json_decref(list);
		return;
	}
	json_object_set_new(net, "Scope", json_string("global"));
	if (cidr)
		json_array_append_new(json_object_get(json_object_get(net, "IPAM"), "Config"),
				      json_pack("{s:s}", "Subnet", cidr));
	if (overlay_dir(conf->name, dir, sizeof(dir), NULL) >= 0) {
		snprintf(path, sizeof(path), "%s/hosts.json", dir);
		hosts = json_load_file(path, 0, NULL);
		json_object_set_new(net, "AgentRunning", json_boolean(dns_proc_alive(dir)));
	}
	json_array_foreach(hosts, i, h) {
		const char *name = json_string_value(json_object_get(h, "host"));
		const char *ip = json_string_value(json_object_get(h, "vtep"));
		const char *since = json_string_value(json_object_get(h, "since"));
		if (!name || !ip)
			continue;
		json_array_append_new(peers, json_pack("{s:s, s:s}", "Name", name, "IP", ip));
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:O, s:O, s:s, s:I, s:b}", "Name", name, "IP", ip, "Subnet",
						json_object_get(h, "subnet"), "MAC", json_object_get(h, "mac"), "Since",
						since ? since : "", "LeaseAge", (json_int_t)age_of(since), "Self",
						json_is_true(json_object_get(h, "self"))));
	}
	json_object_set_new(net, "Peers", peers);
	json_object_set_new(net, "Hosts", list);
}
