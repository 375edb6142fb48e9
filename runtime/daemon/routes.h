/* Every endpoint the daemon serves: the route table (routes.c) maps a method and a path
 * pattern to one of these handlers.  Each group of handlers is one file (named below)
 * with one owner.  A path the table lacks is answered 404 "page not found"-style by the
 * router, naming the endpoint as not implemented. */
#ifndef NETNS_RUN_DAEMON_ROUTES_H
#define NETNS_RUN_DAEMON_ROUTES_H

#include "api.h"

typedef int (*api_handler)(struct api_req *r);

enum api_body {
	API_BODY_NONE,   /* any body is read and ignored */
	API_BODY_WHOLE,  /* read whole (at most API_BODY_MAX) into r->body */
	API_BODY_STREAM, /* r->body_fd (the handler runs as the body arrives) */
};

struct api_route {
	const char *method;
	const char *pattern; /* "/containers/{}/start": {} matches one path segment, {*} one or more (image names) */
	api_handler fn;
	enum api_body body;
	/* The query parameters it takes, space-separated, as moby's api/swagger.yaml lists them
	 * for API 1.41 to 1.50 (and "details" of logs, which the docker CLI sends); any other
	 * is refused with 400, the rule for unknown parameters. */
	const char *query;
};

/* The table, ended by a zeroed entry. */
extern const struct api_route api_routes[];

/* Find the route for method and path (without "/vX.Y"); the {} segments' values go to
 * params (pointing into path_buf, a copy of path the caller owns).  NULL and *ret_status
 * 404 (no such path) or 405 (the path exists with another method). */
const struct api_route *api_route_find(const char *method, char *path_buf, const char **params, size_t *n_params,
				       unsigned *ret_status);
/* The first of the n keys that route does not take; NULL when it takes them all. */
const char *api_route_query_unknown(const struct api_route *route, const char *const *keys, size_t n);

/* system.c */
int h_ping(struct api_req *r);
int h_version(struct api_req *r);
int h_info(struct api_req *r);
int h_system_df(struct api_req *r);
/* events.c */
int h_events(struct api_req *r);

/* containers.c, container_create.c, container_life.c, container_list.c */
int h_container_create(struct api_req *r);
int h_container_start(struct api_req *r);
int h_container_stop(struct api_req *r);
int h_container_kill(struct api_req *r);
int h_container_restart(struct api_req *r);
int h_container_wait(struct api_req *r);
int h_container_list(struct api_req *r);
int h_container_inspect(struct api_req *r);
int h_container_top(struct api_req *r);
int h_container_stats(struct api_req *r);
int h_container_delete(struct api_req *r);
int h_container_prune(struct api_req *r);
int h_container_rename(struct api_req *r);
int h_container_resize(struct api_req *r);
/* attach.c, logs.c, exec.c */
int h_container_attach(struct api_req *r);
int h_container_logs(struct api_req *r);
int h_exec_create(struct api_req *r);
int h_exec_start(struct api_req *r);
int h_exec_inspect(struct api_req *r);
int h_exec_resize(struct api_req *r);
/* networks.c */
int h_network_list(struct api_req *r);
int h_network_inspect(struct api_req *r);
int h_network_create(struct api_req *r);
int h_network_delete(struct api_req *r);
int h_network_connect(struct api_req *r);
int h_network_disconnect(struct api_req *r);
int h_network_prune(struct api_req *r);
/* images.c, image_transfer.c */
int h_image_list(struct api_req *r);
int h_image_inspect(struct api_req *r);
int h_image_history(struct api_req *r);
int h_image_load(struct api_req *r);
int h_image_get(struct api_req *r);    /* GET /images/get?names= and GET /images/{}/get */
int h_image_create(struct api_req *r); /* ?fromSrc=- (import), ?fromImage= (pull: refused in the stream) */
int h_image_tag(struct api_req *r);
int h_image_delete(struct api_req *r);
int h_image_prune(struct api_req *r);
int h_commit(struct api_req *r);

#endif
