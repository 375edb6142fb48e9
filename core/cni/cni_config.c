#include "cni_config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "base/json_field.h"
#include "cni_env.h"

bool cni_name_valid(const char *name)
{
	/* The same pattern as container ids. */
	return cni_container_id_valid(name);
}

static int parse_version(struct cni_conf *c, struct nr_error *err)
{
	int r = jfield_string(c->root, "cniVersion", "network configuration", false, &c->cni_version, err);

	if (r < 0)
		return r;
	if (!c->cni_version)
		return nr_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL,
				    "network configuration has no cniVersion; supported versions are 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0");
	if (!cni_version_is_supported(c->cni_version) || cni_version_parse(c->cni_version, &c->version) < 0)
		return nr_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL,
				    "cniVersion '%s' is not supported; supported versions are 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0",
				    c->cni_version);
	return 0;
}

static int parse_identity(struct cni_conf *c, struct nr_error *err)
{
	const char *what = "network configuration";
	int r;

	if ((r = jfield_string(c->root, "name", what, true, &c->name, err)) < 0 ||
	    (r = jfield_string(c->root, "type", what, true, &c->type, err)) < 0)
		return r;
	if (!cni_name_valid(c->name))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "network name '%s' is invalid: it must start with a letter or digit, followed by letters, digits, '_', '.' or '-'",
				    c->name);
	if (!*c->type || strchr(c->type, '/') || strchr(c->type, '\\'))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "plugin type '%s' is invalid: it must be a file name, without '/' or '\\'",
				    c->type);
	return 0;
}

/* The arguments of this one call: runtimeConfig, args and prevResult.  DEL undoes state
 * keyed by container id and interface, so on DEL a malformed one is dropped (left NULL, as
 * if absent) rather than failing: a DEL that fails strands everything the chain's later
 * plugins would have removed (docs/go-clients.md). */
static int parse_call_args(struct cni_conf *c, bool lenient, struct nr_error *err)
{
	const char *what = "network configuration";
	struct nr_error ignored = { 0 };
	struct nr_error *e = lenient ? &ignored : err;
	int r;

	if (((r = jfield_object(c->root, "runtimeConfig", what, false, &c->runtime_config, e)) < 0 ||
	     (r = jfield_object(c->root, "args", what, false, &c->args, e)) < 0 ||
	     (r = jfield_object(c->root, "prevResult", what, false, &c->prev_result_json, e)) < 0) &&
	    !lenient)
		return r;
	if (c->prev_result_json && (r = cni_result_parse(c->prev_result_json, "prevResult", &c->prev_result, e)) < 0) {
		if (!lenient)
			return r;
		c->prev_result_json = NULL;
	}
	return 0;
}

static int parse_sections(struct cni_conf *c, bool lenient, struct nr_error *err)
{
	const char *what = "network configuration";
	int r;

	if ((r = jfield_object(c->root, "ipam", what, false, &c->ipam, err)) < 0 ||
	    (r = jfield_object(c->root, "dns", what, false, &c->dns, err)) < 0 ||
	    (r = jfield_object(c->root, "capabilities", what, false, &c->capabilities, err)) < 0)
		return r;
	if (c->ipam) {
		const char *t = NULL;
		if ((r = jfield_string(c->ipam, "type", "ipam", false, &t, err)) < 0)
			return r;
	}
	return parse_call_args(c, lenient, err);
}

int cni_conf_parse(const char *buf, size_t len, struct cni_conf *ret, struct nr_error *err)
{
	return cni_conf_parse_for(buf, len, CNI_CMD_ADD, ret, err);
}

int cni_conf_parse_for(const char *buf, size_t len, enum cni_cmd cmd, struct cni_conf *ret, struct nr_error *err)
{
	struct cni_conf c = { 0 };
	int r;

	if (len > CNI_CONFIG_MAX_BYTES)
		return nr_error_set(err, CNI_ERR_DECODE, E2BIG,
				    "network configuration is %zu bytes; at most %u are accepted", len,
				    CNI_CONFIG_MAX_BYTES);
	if ((r = json_parse_object(buf, len, "network configuration", &c.root, err)) < 0)
		return r;
	if ((r = parse_version(&c, err)) < 0 || (r = parse_identity(&c, err)) < 0 ||
	    (r = parse_sections(&c, cmd == CNI_CMD_DEL, err)) < 0) {
		cni_conf_release(&c);
		return r;
	}
	*ret = c;
	return 0;
}

int cni_conf_check_command(const struct cni_conf *c, enum cni_cmd cmd, struct nr_error *err)
{
	const char *need = NULL;

	if (cmd == CNI_CMD_CHECK && !cni_version_at_least(&c->version, 0, 4, 0))
		need = "0.4.0";
	else if ((cmd == CNI_CMD_STATUS || cmd == CNI_CMD_GC) && !cni_version_at_least(&c->version, 1, 1, 0))
		need = "1.1.0";
	if (need)
		return nr_error_set(err, CNI_ERR_INCOMPATIBLE_VERSION, EINVAL,
				    "CNI_COMMAND=%s needs cniVersion %s or later; the configuration has %s",
				    cni_cmd_name(cmd), need, c->cni_version);
	return 0;
}

void cni_conf_release(struct cni_conf *c)
{
	cni_result_free(c->prev_result);
	json_decref(c->root);
	memset(c, 0, sizeof(*c));
}
