#include "cni_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/json_field.h"

void cni_error_print(const struct nr_error *err, const char *cni_version)
{
	_cleanup_json_ json_t *o = json_pack("{s:s, s:i, s:s}", "cniVersion",
					     cni_version ? cni_version : CNI_VERSION_LATEST, "code",
					     err->code ? err->code : CNI_ERR_INTERNAL, "msg",
					     err->msg[0] ? err->msg : "unknown error");

	if (o && err->details[0])
		json_object_set_new(o, "details", json_string(err->details));
	if (o)
		json_dumpf(o, stdout, JSON_INDENT(4));
	else
		printf("{\"cniVersion\": \"%s\", \"code\": %d, \"msg\": \"out of memory\"}", CNI_VERSION_LATEST,
		       CNI_ERR_INTERNAL);
	fputc('\n', stdout);
	fflush(stdout);
}

static int print_json(json_t *o)
{
	int r = json_dumpf(o, stdout, JSON_INDENT(4));
	fputc('\n', stdout);
	return r < 0 || fflush(stdout) != 0 ? -EIO : 0;
}

static int print_versions(const char *buf, size_t len, struct nr_error *err)
{
	_cleanup_json_ json_t *in = NULL;
	_cleanup_json_ json_t *out = NULL;
	const char *ver = CNI_VERSION_LATEST;
	json_t *arr;
	int r;

	/* VERSION's stdin, when there is any, is {"cniVersion": "..."}: answer in that version
	 * if we speak it, else in our latest. */
	if (len > 0) {
		const char *asked = NULL;
		if ((r = json_parse_object(buf, len, "VERSION input", &in, err)) < 0)
			return r;
		if ((r = jfield_string(in, "cniVersion", "VERSION input", false, &asked, err)) < 0)
			return r;
		if (asked && cni_version_is_supported(asked))
			ver = asked;
	}
	if (!(out = json_pack("{s:s}", "cniVersion", ver)) || !(arr = json_array()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	json_object_set_new(out, "supportedVersions", arr);
	for (const char *const *v = cni_supported_versions; *v; v++)
		json_array_append_new(arr, json_string(*v));
	return print_json(out);
}

/* All of stdin; whitespace-only counts as empty. */
static int read_stdin(char **ret, size_t *ret_len, struct nr_error *err)
{
	size_t len, i;
	int r = fd_read_all(STDIN_FILENO, CNI_CONFIG_MAX_BYTES, ret, &len);

	if (r == -E2BIG)
		return nr_error_set(err, CNI_ERR_DECODE, E2BIG,
				    "network configuration on stdin is larger than %u bytes", CNI_CONFIG_MAX_BYTES);
	if (r < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot read the network configuration from stdin: %s",
				    strerror(-r));
	for (i = 0; i < len && strchr(" \t\r\n", (*ret)[i]); i++)
		;
	*ret_len = i == len ? 0 : len;
	return 0;
}

/* The operation for ctx->env.cmd; ADD fills res. */
static int dispatch(const struct cni_plugin_ops *ops, struct cni_plugin_ctx *ctx, struct cni_result *res,
		    struct nr_error *err)
{
	switch (ctx->env.cmd) {
	case CNI_CMD_ADD:
		return ops->add(ctx, res, err);
	case CNI_CMD_DEL:
		return ops->del(ctx, err);
	case CNI_CMD_CHECK:
		if (!ctx->conf.prev_result)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					    "CHECK needs prevResult in the network configuration");
		return ops->check(ctx, err);
	case CNI_CMD_STATUS:
		return ops->status ? ops->status(ctx, err) : 0;
	case CNI_CMD_GC:
		return ops->gc ? ops->gc(ctx, err) : 0;
	case CNI_CMD_VERSION:
		break;
	}
	return 0;
}

static int run_op(const struct cni_plugin_ops *ops, struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	_cleanup_json_ json_t *out = NULL;
	int r;

	if (ctx->env.cmd == CNI_CMD_ADD && !(res = cni_result_new()))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = dispatch(ops, ctx, res, err)) < 0 || ctx->env.cmd != CNI_CMD_ADD)
		return r;
	if (!(out = cni_result_to_json(res, ctx->conf.cni_version)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "cannot render the result");
	return print_json(out);
}

int cni_plugin_run_in_process(const struct cni_plugin_ops *ops, const struct cni_plugin_ctx *outer, enum cni_cmd cmd,
			      struct cni_result **ret, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	struct cni_plugin_ctx ctx = *outer;
	int r;

	if (ret)
		*ret = NULL;
	ctx.env.cmd = cmd;
	/* What the executable would refuse, this refuses: the command for the config's
	 * version, and CNI_ARGS against this plugin's own keys. */
	if ((r = cni_conf_check_command(&ctx.conf, cmd, err)) < 0)
		return r;
	if ((r = cni_args_parse(ctx.env.args, ops->known_args ? ops->known_args : (const char *const[]){ NULL },
				&ctx.args, err)) < 0)
		return r;
	if (cmd == CNI_CMD_ADD && !(res = cni_result_new()))
		r = nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	else
		r = dispatch(ops, &ctx, res, err);
	cni_args_free(&ctx.args);
	if (r >= 0 && ret)
		*ret = TAKE_PTR(res);
	return r < 0 ? r : 0;
}

/* Every executable linked with this skeleton carries this ELF note, early in the file,
 * so that cni_plugin_is_ours() can tell our plugins from others of the same name.  The
 * text changes when what our plugins share in process (host-local's store) changes. */
#define NR_NOTE_DESC "netns-run cni plugin v1"
struct nr_elf_note {
	uint32_t namesz, descsz, type;
	char name[12];
	char desc[24];
};
__attribute__((used, section(".note.netns-run"), aligned(4))) static const struct nr_elf_note nr_note = {
	.namesz = sizeof("netns-run"),
	.descsz = sizeof(NR_NOTE_DESC),
	.type = 1,
	.name = "netns-run",
	.desc = NR_NOTE_DESC,
};
_Static_assert(sizeof(NR_NOTE_DESC) == sizeof(nr_note.desc), "the note's desc must fill its field exactly");

bool cni_plugin_is_ours(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char head[4096];
	ssize_t n;

	if (fd < 0 || (n = pread(fd, head, sizeof(head), 0)) <= 0)
		return false;
	return memmem(head, (size_t)n, nr_note.desc, sizeof(nr_note.desc)) != NULL;
}

int cni_plugin_main(const struct cni_plugin_ops *ops)
{
	struct cni_plugin_ctx ctx = { 0 };
	_cleanup_free_ char *buf = NULL;
	struct nr_error err = { 0 };
	size_t len = 0;
	int r;

	if ((r = cni_env_load(&ctx.env, &err)) < 0)
		goto fail;
	if ((r = read_stdin(&buf, &len, &err)) < 0)
		goto fail;
	if (ctx.env.cmd == CNI_CMD_VERSION) {
		r = print_versions(buf, len, &err);
		goto done;
	}
	ctx.stdin_buf = buf;
	ctx.stdin_len = len;
	if ((r = cni_conf_parse_for(buf, len, ctx.env.cmd, &ctx.conf, &err)) < 0)
		goto fail;
	if ((r = cni_conf_check_command(&ctx.conf, ctx.env.cmd, &err)) < 0)
		goto fail;
	if ((r = cni_args_parse(ctx.env.args, ops->known_args ? ops->known_args : (const char *const[]){ NULL },
				&ctx.args, &err)) < 0)
		goto fail;
	r = run_op(ops, &ctx, &err);
done:
	if (r < 0)
		goto fail;
	cni_args_free(&ctx.args);
	cni_conf_release(&ctx.conf);
	return 0;
fail:
	cni_error_print(&err, ctx.conf.cni_version);
	cni_args_free(&ctx.args);
	cni_conf_release(&ctx.conf);
	return 1;
}

int cni_gc_valid_attachments(const struct cni_conf *conf, json_t **ret, struct nr_error *err)
{
	json_t *v = json_get_go(conf->root, "cni.dev/valid-attachments");
	size_t i;
	json_t *a;

	if (!v)
		v = json_get_go(conf->root, "cni.dev/attachments");
	if (v && !json_is_array(v))
		return nr_error_set(err, CNI_ERR_DECODE, EINVAL, "cni.dev/valid-attachments must be an array");
	json_array_foreach(v, i, a) {
		if (!json_is_object(a) || !json_is_string(json_get_go(a, "containerID")) ||
		    !json_is_string(json_get_go(a, "ifname")))
			return nr_error_set(err, CNI_ERR_DECODE, EINVAL,
					    "cni.dev/valid-attachments[%zu] must be an object with string containerID and ifname",
					    i);
	}
	*ret = v;
	return 0;
}

const char *const cni_chain_args[] = {
	"IP", "MAC", "K8S_POD_NAME", "K8S_POD_NAMESPACE", "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID", NULL,
};

bool cni_gc_owner_valid(const char *owner, void *valid)
{
	const char *slash = strrchr(owner, '/');
	char id[256];

	if (!slash || (size_t)(slash - owner) >= sizeof(id))
		return true;
	memcpy(id, owner, (size_t)(slash - owner));
	id[slash - owner] = '\0';
	return cni_gc_attachment_valid(valid, id, slash + 1);
}

bool cni_gc_attachment_valid(json_t *valid, const char *container_id, const char *ifname)
{
	size_t i;
	json_t *a;

	json_array_foreach(valid, i, a) {
		const char *id = json_string_value(json_get_go(a, "containerID"));
		const char *ifn = json_string_value(json_get_go(a, "ifname"));
		if (id && ifn && strcmp(id, container_id) == 0 && strcmp(ifn, ifname) == 0)
			return true;
	}
	return false;
}
