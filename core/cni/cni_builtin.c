#include "cni_builtin.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "cni_chain.h"
#include "cni_config.h"

/* The one place a plugin type is compared. */
static const struct cni_builtin *entry_of(const struct cni_builtin *table, const char *type)
{
	for (; table && table->type && type; table++)
		if (!strcmp(table->type, type))
			return table;
	return NULL;
}

const struct cni_plugin_ops *cni_builtin_find(const struct cni_builtin *table, const char *type, json_t *conf,
					      const char *cni_path)
{
	const struct cni_builtin *b = entry_of(table, type);
	char path[PATH_MAX];

	if (b && (b->in_process_for ? b->in_process_for(conf) : b->in_process) &&
	    cni_plugin_find(type, cni_path, path, sizeof(path), NULL) == 0 && cni_plugin_is_ours(path))
		return b->ops;
	return NULL;
}

int cni_builtin_host_each(const struct cni_builtin *table, const struct cni_netconf *n, cni_builtin_host_fn fn,
			  void *data, struct nr_error *err)
{
	json_t *p;
	size_t i;
	int r;

	json_array_foreach(json_object_get(n->list, "plugins"), i, p) {
		const struct cni_builtin *b = entry_of(table, json_string_value(json_get_go(p, "type")));
		if (b && b->ops->host && (r = fn(i, p, b, data, err)) != 0)
			return r;
	}
	return 0;
}

int cni_builtin_run(const struct cni_plugin_ops *ops, const struct cni_exec_req *req, json_t **ret_out,
		    struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	struct cni_plugin_ctx ctx = { 0 };
	enum cni_cmd cmd;
	int r;

	*ret_out = NULL;
	if (cni_cmd_parse(req->command, &cmd) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "CNI_COMMAND '%s' is not a CNI command",
				    req->command);
	ctx.env = (struct cni_env){
		.cmd = cmd,
		.container_id = req->container_id,
		.netns = req->netns,
		.ifname = req->ifname,
		.args = req->args,
		.path = req->path,
	};
	ctx.stdin_buf = req->stdin_buf;
	ctx.stdin_len = req->stdin_len;
	if ((r = cni_conf_parse_for(req->stdin_buf, req->stdin_len, cmd, &ctx.conf, err)) < 0)
		return r;
	r = cni_plugin_run_in_process(ops, &ctx, cmd, cmd == CNI_CMD_ADD ? &res : NULL, err);
	if (r >= 0 && res && !(*ret_out = cni_result_to_json(res, ctx.conf.cni_version)))
		r = nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "cannot render the result");
	cni_conf_release(&ctx.conf);
	return r < 0 ? r : 0;
}
