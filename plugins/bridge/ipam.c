/* Delegation to the IPAM plugin named by ipam.type, with our stdin and environment. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "br.h"
#include "cni_exec.h"
#include "json_field.h"

int br_ipam(const struct cni_plugin_ctx *ctx, const struct br_conf *c, const char *cmd, struct cni_result **ret,
	    struct nr_error *err)
{
	_cleanup_json_ json_t *out = NULL;
	char what[96];
	int r;

	if (ret)
		*ret = NULL;
	if (!c->ipam_type)
		return 0;
	if ((r = cni_exec_delegate(c->ipam_type, cmd, ctx->stdin_buf, ctx->stdin_len, &out, err)) < 0)
		return nr_error_wrap(err, r, "IPAM plugin %s (%s)", c->ipam_type, cmd);
	if (!ret)
		return 0;
	snprintf(what, sizeof(what), "result of IPAM plugin %s", c->ipam_type);
	if (!out)
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "%s is empty", what);
	if ((r = cni_result_parse(out, what, ret, err)) < 0)
		return r;
	if ((*ret)->n_ips == 0) {
		cni_result_free(*ret);
		*ret = NULL;
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "%s has no IP addresses", what);
	}
	return 0;
}

void br_ipam_undo(const struct cni_plugin_ctx *ctx, const struct br_conf *c)
{
	struct nr_error ignored = { 0 };

	br_ipam(ctx, c, "DEL", NULL, &ignored);
}
