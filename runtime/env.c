#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"

static bool has_key(json_t *arr, const char *kv)
{
	size_t n = strcspn(kv, "="), i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		if (!strncmp(s, kv, n) && s[n] == '=')
			return true;
	}
	return false;
}

static void set_env(json_t *arr, const char *kv)
{
	size_t n = strcspn(kv, "="), i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		if (!strncmp(s, kv, n) && s[n] == '=') {
			json_array_set_new(arr, i, json_string(kv));
			return;
		}
	}
	json_array_append_new(arr, json_string(kv));
}

char **env_build(const struct run_opts *o, const char *hostname, json_t **ret_json)
{
	json_t *arr = json_array();
	char buf[512];
	char **env;

	if (!arr)
		return NULL;
	set_env(arr, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	snprintf(buf, sizeof(buf), "HOSTNAME=%s", hostname);
	set_env(arr, buf);
	env_extend(arr, o);
	if (!has_key(arr, "HOME="))
		set_env(arr, "HOME=/root");
	env = env_from_json(arr);
	if (ret_json)
		*ret_json = arr;
	else
		json_decref(arr);
	return env;
}

void env_extend(json_t *arr, const struct run_opts *o)
{
	for (size_t i = 0; i < o->n_env; i++) {
		if (strchr(o->env[i], '=')) {
			set_env(arr, o->env[i]);
			continue;
		}
		const char *v = getenv(o->env[i]);
		if (v) {
			char *kv;
			if (asprintf(&kv, "%s=%s", o->env[i], v) >= 0) {
				set_env(arr, kv);
				free(kv);
			}
		}
	}
}

char **env_from_json(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	char **env = calloc(n + 1, sizeof(*env));
	json_t *v;

	if (!env)
		return NULL;
	json_array_foreach(arr, i, v) {
		env[i] = strdup(json_string_value(v) ?: "");
		if (!env[i]) {
			env_free(env);
			return NULL;
		}
	}
	return env;
}

void env_free(char **env)
{
	if (!env)
		return;
	for (char **p = env; *p; p++)
		free(*p);
	free(env);
}
