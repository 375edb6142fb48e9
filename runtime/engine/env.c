#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"

/* Replace K's entry of *env with kv ("K=V"), or append it. */
static int set_env(char ***env, const char *kv)
{
	size_t n = strcspn(kv, "=");

	for (char **p = *env; p && *p; p++)
		if (!strncmp(*p, kv, n) && (*p)[n] == '=') {
			char *d = strdup(kv);
			if (!d)
				return -1;
			free(*p);
			*p = d;
			return 0;
		}
	return rt_strv_push(env, kv);
}

static bool has_key(char **env, const char *k)
{
	size_t n = strlen(k);

	for (char **p = env; p && *p; p++)
		if (!strncmp(*p, k, n) && (*p)[n] == '=')
			return true;
	return false;
}

char **env_build(const struct run_opts *o, const char *hostname)
{
	char **env = calloc(1, sizeof(*env));
	char buf[512];

	snprintf(buf, sizeof(buf), "HOSTNAME=%s", hostname);
	if (!env || set_env(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
	    set_env(&env, buf) < 0)
		goto fail;
	/* As Docker: the image's Env over our defaults (its PATH wins), -e over both. */
	for (size_t i = 0; o->image_env && o->image_env[i]; i++)
		if (strchr(o->image_env[i], '=') && set_env(&env, o->image_env[i]) < 0)
			goto fail;
	if (env_extend(&env, o) < 0 || (!has_key(env, "HOME") && set_env(&env, "HOME=/root") < 0))
		goto fail;
	return env;
fail:
	rt_strv_free(env);
	return NULL;
}

int env_extend(char ***env, const struct run_opts *o)
{
	for (size_t i = 0; i < o->n_env; i++) {
		if (strchr(o->env[i], '=')) {
			if (set_env(env, o->env[i]) < 0)
				return -1;
			continue;
		}
		const char *v = getenv(o->env[i]);
		char *kv;
		if (!v)
			continue;
		if (asprintf(&kv, "%s=%s", o->env[i], v) < 0)
			return -1;
		int r = set_env(env, kv);
		free(kv);
		if (r < 0)
			return -1;
	}
	return 0;
}
