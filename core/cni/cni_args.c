#include "cni_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"

static bool key_known(const char *const *known, const char *key)
{
	if (!known)
		return true;
	for (; *known; known++)
		if (strcmp(*known, key) == 0)
			return true;
	return false;
}

/* The reference libraries read IgnoreUnknown as a boolean ("1"/"true", any case). */
static int parse_bool(const char *v, bool *ret)
{
	if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0)
		*ret = true;
	else if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

static int args_push(struct cni_args *a, const char *k, size_t klen, const char *v, struct nr_error *err)
{
	if (a->n >= CNI_ARGS_MAX)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, E2BIG, "CNI_ARGS has more than %d pairs", CNI_ARGS_MAX);
	a->items[a->n].key = strndup(k, klen);
	a->items[a->n].value = strdup(v);
	if (!a->items[a->n].key || !a->items[a->n].value) {
		free(a->items[a->n].key);
		free(a->items[a->n].value);
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	a->n++;
	return 0;
}

static int parse_pairs(char *copy, struct cni_args *a, struct nr_error *err)
{
	char *save = NULL;
	int r;

	for (char *pair = strtok_r(copy, ";", &save); pair; pair = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(pair, '=');
		if (!eq || eq == pair)
			return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL, "CNI_ARGS: '%s' is not a KEY=VALUE pair",
					    pair);
		r = args_push(a, pair, (size_t)(eq - pair), eq + 1, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int cni_args_parse(const char *s, const char *const *known, struct cni_args *ret, struct nr_error *err)
{
	struct cni_args a = { 0 };
	_cleanup_free_ char *copy = NULL;
	const char *ign;
	int r;

	if (s && *s) {
		copy = strdup(s);
		if (!copy)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		r = parse_pairs(copy, &a, err);
		if (r < 0)
			goto fail;
	}

	ign = cni_args_get(&a, "IgnoreUnknown");
	if (ign && parse_bool(ign, &a.ignore_unknown) < 0) {
		r = nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				 "CNI_ARGS: IgnoreUnknown='%s' is not a boolean (use 1, 0, true or false)", ign);
		goto fail;
	}
	if (!a.ignore_unknown)
		for (size_t i = 0; i < a.n; i++)
			if (strcmp(a.items[i].key, "IgnoreUnknown") != 0 && !key_known(known, a.items[i].key)) {
				r = nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
						 "CNI_ARGS: unknown key '%s' (set IgnoreUnknown=1 to ignore it)",
						 a.items[i].key);
				goto fail;
			}
	*ret = a;
	return 0;
fail:
	cni_args_free(&a);
	return r;
}

const char *cni_args_get(const struct cni_args *a, const char *key)
{
	for (size_t i = a->n; i > 0; i--)
		if (strcmp(a->items[i - 1].key, key) == 0)
			return a->items[i - 1].value;
	return NULL;
}

void cni_args_free(struct cni_args *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->items[i].key);
		free(a->items[i].value);
	}
	a->n = 0;
}
