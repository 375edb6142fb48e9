/* Delegation to the IPAM plugin named by ipam.type, with our stdin and environment.
 *
 * When that plugin is host-local and the host-local found on CNI_PATH is ours (it carries
 * our ELF note), its operations run in this process instead: the same code, the same
 * files and lock, the same rules for versions and CNI_ARGS, without a fork and exec —
 * about a fifth of an ADD (docs/benchmarks.md).  Any other IPAM plugin, the reference
 * host-local included, is executed as the spec describes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/json_field.h"
#include "br.h"
#include "cni/cni_exec.h"
#include "host-local/hostlocal.h"

static bool ipam_in_process(const struct cni_plugin_ctx *ctx, const char *type)
{
	char path[PATH_MAX];

	return strcmp(type, hostlocal_ops.name) == 0 &&
	       cni_plugin_find(type, ctx->env.path, path, sizeof(path), NULL) == 0 && cni_plugin_is_ours(path);
}

static int ipam_exec(const struct cni_plugin_ctx *ctx, const char *type, const char *cmd, struct cni_result **ret,
		     struct nr_error *err)
{
	_cleanup_json_ json_t *out = NULL;
	char what[96];
	int r;

	if ((r = cni_exec_delegate(type, cmd, ctx->stdin_buf, ctx->stdin_len, &out, err)) < 0 || !ret)
		return r;
	snprintf(what, sizeof(what), "result of IPAM plugin %s", type);
	if (!out)
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s is empty", what);
	return cni_result_parse(out, what, ret, err);
}

int br_ipam(const struct cni_plugin_ctx *ctx, const struct br_conf *c, const char *cmd, struct cni_result **ret,
	    struct nr_error *err)
{
	enum cni_cmd command;
	int r;

	if (ret)
		*ret = NULL;
	if (!c->ipam_type)
		return 0;
	if (cni_cmd_parse(cmd, &command) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "unknown IPAM command %s", cmd);
	if (ipam_in_process(ctx, c->ipam_type))
		r = cni_plugin_run_in_process(&hostlocal_ops, ctx, command, ret, err);
	else
		r = ipam_exec(ctx, c->ipam_type, cmd, ret, err);
	if (r < 0)
		return nr_error_wrap(err, r, "IPAM plugin %s (%s)", c->ipam_type, cmd);
	if (ret && (*ret)->n_ips == 0) {
		cni_result_free(*ret);
		*ret = NULL;
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "IPAM plugin %s returned no IP addresses",
				    c->ipam_type);
	}
	return 0;
}

void br_ipam_undo(const struct cni_plugin_ctx *ctx, const struct br_conf *c)
{
	struct nr_error ignored = { 0 };

	br_ipam(ctx, c, "DEL", NULL, &ignored);
}
