/* The CNI_* environment of a plugin invocation, validated per command as SPEC.md
 * ("Parameters" and each operation's "Input") requires. */
#ifndef NETNS_RUN_CNI_ENV_H
#define NETNS_RUN_CNI_ENV_H

#include <stdbool.h>

#include "base/error.h"

enum cni_cmd {
	CNI_CMD_ADD,
	CNI_CMD_DEL,
	CNI_CMD_CHECK,
	CNI_CMD_STATUS,
	CNI_CMD_GC,
	CNI_CMD_VERSION,
};

/* Longest interface name Linux takes: IFNAMSIZ (16) less the NUL. */
#define CNI_IFNAME_MAX 15

struct cni_env {
	enum cni_cmd cmd;
	/* Borrowed from the process environment; NULL when unset (or empty where optional). */
	const char *container_id;
	const char *netns;
	const char *ifname;
	const char *args;
	const char *path;
};

const char *cni_cmd_name(enum cni_cmd cmd);
int cni_cmd_parse(const char *s, enum cni_cmd *ret);

/* Read and validate the environment; a missing or malformed variable is code 4
 * (CNI_ERR_INVALID_ENV) with the variable's name in the message. */
int cni_env_load(struct cni_env *ret, struct nr_error *err);

/* Spec rules, usable on their own (the runtime validates what it will send). */
bool cni_container_id_valid(const char *id);
int cni_ifname_validate(const char *name, struct nr_error *err);

#endif
