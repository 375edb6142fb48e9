#include "cni_env.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const cmd_names[] = {
	[CNI_CMD_ADD] = "ADD",       [CNI_CMD_DEL] = "DEL", [CNI_CMD_CHECK] = "CHECK",
	[CNI_CMD_STATUS] = "STATUS", [CNI_CMD_GC] = "GC",   [CNI_CMD_VERSION] = "VERSION",
};

/* Which variables each command requires (SPEC.md 1.1, section 2). */
enum {
	NEED_CONTAINERID = 1 << 0,
	NEED_NETNS = 1 << 1,
	NEED_IFNAME = 1 << 2,
	NEED_PATH = 1 << 3,
};

static const unsigned cmd_needs[] = {
	[CNI_CMD_ADD] = NEED_CONTAINERID | NEED_NETNS | NEED_IFNAME,
	[CNI_CMD_DEL] = NEED_CONTAINERID | NEED_IFNAME,
	[CNI_CMD_CHECK] = NEED_CONTAINERID | NEED_NETNS | NEED_IFNAME | NEED_PATH,
	[CNI_CMD_STATUS] = 0,
	[CNI_CMD_GC] = NEED_PATH,
	[CNI_CMD_VERSION] = 0,
};

const char *cni_cmd_name(enum cni_cmd cmd)
{
	return (unsigned)cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ? cmd_names[cmd] : "?";
}

int cni_cmd_parse(const char *s, enum cni_cmd *ret)
{
	for (unsigned i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (strcmp(s, cmd_names[i]) == 0) {
			*ret = (enum cni_cmd)i;
			return 0;
		}
	return -EINVAL;
}

bool cni_container_id_valid(const char *id)
{
	/* ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ */
	if (!id || !isalnum((unsigned char)id[0]))
		return false;
	for (const char *p = id + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

int cni_ifname_validate(const char *name, struct nr_error *err)
{
	if (!name || !*name)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "CNI_IFNAME is required");
	if (strlen(name) > CNI_IFNAME_MAX)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				    "CNI_IFNAME '%s' is %zu characters long; at most %d are allowed", name,
				    strlen(name), CNI_IFNAME_MAX);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "CNI_IFNAME must not be '%s'", name);
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
					    "CNI_IFNAME '%s' contains '%c'; '/', ':' and white space are not allowed",
					    name, *p);
	return 0;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static int require(const char *name, const char *value, struct nr_error *err)
{
	if (!value)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "%s is required for CNI_COMMAND=%s", name,
				    getenv("CNI_COMMAND"));
	return 0;
}

int cni_env_load(struct cni_env *ret, struct nr_error *err)
{
	struct cni_env env = { 0 };
	const char *cmd = env_nonempty("CNI_COMMAND");
	unsigned needs;
	int r;

	if (!cmd)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				    "CNI_COMMAND is not set; expected one of ADD, DEL, CHECK, STATUS, GC, VERSION");
	if (cni_cmd_parse(cmd, &env.cmd) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				    "CNI_COMMAND '%s' is unknown; expected one of ADD, DEL, CHECK, STATUS, GC, VERSION",
				    cmd);
	needs = cmd_needs[env.cmd];

	env.container_id = env_nonempty("CNI_CONTAINERID");
	env.netns = env_nonempty("CNI_NETNS");
	env.ifname = env_nonempty("CNI_IFNAME");
	env.args = env_nonempty("CNI_ARGS");
	env.path = env_nonempty("CNI_PATH");

	if ((needs & NEED_CONTAINERID) && (r = require("CNI_CONTAINERID", env.container_id, err)) < 0)
		return r;
	if (env.container_id && !cni_container_id_valid(env.container_id))
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				    "CNI_CONTAINERID '%s' is invalid: it must start with a letter or digit, followed by letters, digits, '_', '.' or '-'",
				    env.container_id);
	if ((needs & NEED_NETNS) && (r = require("CNI_NETNS", env.netns, err)) < 0)
		return r;
	if ((needs & NEED_IFNAME) && (r = require("CNI_IFNAME", env.ifname, err)) < 0)
		return r;
	if (env.ifname && (r = cni_ifname_validate(env.ifname, err)) < 0)
		return r;
	if ((needs & NEED_PATH) && (r = require("CNI_PATH", env.path, err)) < 0)
		return r;

	*ret = env;
	return 0;
}
