/* A plugin's network configuration, as the runtime streams it on stdin (SPEC.md section 1,
 * "Plugin configuration objects", plus the fields section 3 adds: name, cniVersion,
 * runtimeConfig, prevResult).  Unknown keys stay in `root` for the plugin to read. */
#ifndef NETNS_RUN_CNI_CONFIG_H
#define NETNS_RUN_CNI_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "cni_env.h"
#include "cni_result.h"
#include "cni_version.h"

/* Larger input is refused (code 6) rather than read without bound. */
#define CNI_CONFIG_MAX_BYTES (4u << 20)

struct cni_conf {
	json_t *root; /* owned; every pointer below borrows from it */
	const char *cni_version;
	struct cni_version version;
	const char *name;
	const char *type;
	json_t *ipam;           /* NULL when absent */
	json_t *dns;            /* NULL when absent */
	json_t *capabilities;   /* NULL when absent */
	json_t *runtime_config; /* NULL when absent */
	json_t *args;           /* NULL when absent */
	json_t *prev_result_json;
	struct cni_result *prev_result; /* owned; NULL when absent */
};

/* Parse and validate.  Errors: not JSON / wrong types 6, unsupported or missing
 * cniVersion 1, missing or invalid name/type 7. */
int cni_conf_parse(const char *buf, size_t len, struct cni_conf *ret, struct nr_error *err);

/* The same for the command cmd: on DEL a malformed runtimeConfig, args or prevResult is
 * dropped (NULL) instead of failing, since DEL's state is keyed by container id and
 * interface.  cni_conf_parse() is this for ADD. */
int cni_conf_parse_for(const char *buf, size_t len, enum cni_cmd cmd, struct cni_conf *ret, struct nr_error *err);

/* The spec's version rules per command: CHECK needs 0.4.0, STATUS and GC need 1.1.0. */
int cni_conf_check_command(const struct cni_conf *c, enum cni_cmd cmd, struct nr_error *err);

void cni_conf_release(struct cni_conf *c);

/* Network and plugin names: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ (the spec's pattern). */
bool cni_name_valid(const char *name);

#endif
