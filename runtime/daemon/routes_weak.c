/* Until each handler file lands: every handler answers 501, so the daemon links and its
 * router can be tried.  (Removed when the last handler is in; a real one overrides a weak one.) */
#include "routes.h"

__attribute__((weak)) int h_ping(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_version(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_info(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_system_df(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_events(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_create(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_start(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_stop(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_kill(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_restart(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_wait(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_list(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_inspect(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_top(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_stats(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_delete(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_prune(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_rename(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_resize(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_attach(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_container_logs(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_exec_create(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_exec_start(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_exec_inspect(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_exec_resize(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_network_list(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_network_inspect(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_network_create(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_network_delete(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_network_connect(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_network_disconnect(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_network_prune(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_list(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_inspect(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_history(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_load(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_get(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_create(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_tag(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_delete(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_image_prune(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}

__attribute__((weak)) int h_commit(struct api_req *r)
{
	return api_reply_error(r, 501, "%s: not implemented yet", r->path);
}
