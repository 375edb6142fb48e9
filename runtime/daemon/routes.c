/* The route table (routes.h): Docker Engine API paths, as in moby's api/swagger.yaml. */
#include <stddef.h>

#include "routes.h"

const struct api_route api_routes[] = {
	{ "GET", "/_ping", h_ping, API_BODY_NONE, "" },
	{ "HEAD", "/_ping", h_ping, API_BODY_NONE, "" },
	{ "GET", "/version", h_version, API_BODY_NONE, "" },
	{ "GET", "/info", h_info, API_BODY_NONE, "" },
	{ "GET", "/system/df", h_system_df, API_BODY_NONE, "type verbose" },
	{ "GET", "/events", h_events, API_BODY_NONE, "since until filters" },

	{ "POST", "/containers/create", h_container_create, API_BODY_WHOLE, "name platform" },
	{ "GET", "/containers/json", h_container_list, API_BODY_NONE, "all limit size filters" },
	{ "POST", "/containers/prune", h_container_prune, API_BODY_NONE, "filters" },
	{ "GET", "/containers/{}/json", h_container_inspect, API_BODY_NONE, "size" },
	{ "POST", "/containers/{}/start", h_container_start, API_BODY_NONE, "detachKeys" },
	{ "POST", "/containers/{}/stop", h_container_stop, API_BODY_NONE, "signal t" },
	{ "POST", "/containers/{}/kill", h_container_kill, API_BODY_NONE, "signal" },
	{ "POST", "/containers/{}/restart", h_container_restart, API_BODY_NONE, "signal t" },
	{ "POST", "/containers/{}/wait", h_container_wait, API_BODY_NONE, "condition" },
	{ "POST", "/containers/{}/attach", h_container_attach, API_BODY_NONE,
	  "detachKeys logs stream stdin stdout stderr" },
	{ "GET", "/containers/{}/logs", h_container_logs, API_BODY_NONE,
	  "follow stdout stderr since until timestamps tail details" },
	{ "POST", "/containers/{}/resize", h_container_resize, API_BODY_NONE, "h w" },
	{ "GET", "/containers/{}/top", h_container_top, API_BODY_NONE, "ps_args" },
	{ "GET", "/containers/{}/stats", h_container_stats, API_BODY_NONE, "stream one-shot" },
	{ "POST", "/containers/{}/rename", h_container_rename, API_BODY_NONE, "name" },
	{ "DELETE", "/containers/{}", h_container_delete, API_BODY_NONE, "v force link" },
	{ "POST", "/containers/{}/exec", h_exec_create, API_BODY_WHOLE, "" },

	{ "POST", "/exec/{}/start", h_exec_start, API_BODY_WHOLE, "" },
	{ "GET", "/exec/{}/json", h_exec_inspect, API_BODY_NONE, "" },
	{ "POST", "/exec/{}/resize", h_exec_resize, API_BODY_NONE, "h w" },

	{ "GET", "/networks", h_network_list, API_BODY_NONE, "filters" },
	{ "POST", "/networks/create", h_network_create, API_BODY_WHOLE, "" },
	{ "POST", "/networks/prune", h_network_prune, API_BODY_NONE, "filters" },
	{ "GET", "/networks/{}", h_network_inspect, API_BODY_NONE, "verbose scope" },
	{ "DELETE", "/networks/{}", h_network_delete, API_BODY_NONE, "" },
	{ "POST", "/networks/{}/connect", h_network_connect, API_BODY_WHOLE, "" },
	{ "POST", "/networks/{}/disconnect", h_network_disconnect, API_BODY_WHOLE, "" },

	{ "GET", "/images/json", h_image_list, API_BODY_NONE, "all filters shared-size digests manifests" },
	{ "POST", "/images/load", h_image_load, API_BODY_STREAM, "quiet platform" },
	{ "GET", "/images/get", h_image_get, API_BODY_NONE, "names platform" },
	{ "POST", "/images/create", h_image_create, API_BODY_STREAM,
	  "fromImage fromSrc repo tag message changes platform" },
	{ "POST", "/images/prune", h_image_prune, API_BODY_NONE, "filters" },
	{ "GET", "/images/{*}/json", h_image_inspect, API_BODY_NONE, "manifests" },
	{ "GET", "/images/{*}/history", h_image_history, API_BODY_NONE, "platform" },
	{ "GET", "/images/{*}/get", h_image_get, API_BODY_NONE, "platform" },
	{ "POST", "/images/{*}/tag", h_image_tag, API_BODY_NONE, "repo tag" },
	{ "DELETE", "/images/{*}", h_image_delete, API_BODY_NONE, "force noprune platforms" },
	{ "POST", "/commit", h_commit, API_BODY_WHOLE, "container repo tag comment author pause changes" },
	{ NULL, NULL, NULL, API_BODY_NONE, NULL },
};
