#include "cni_version.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const cni_supported_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

static int parse_component(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > 100000)
			return -ERANGE;
		s++;
	}
	*out = (int)v;
	*p = s;
	return 0;
}

int cni_version_parse(const char *s, struct cni_version *ret)
{
	struct cni_version v;

	if (!s || parse_component(&s, &v.major) < 0 || *s++ != '.' || parse_component(&s, &v.minor) < 0 ||
	    *s++ != '.' || parse_component(&s, &v.patch) < 0 || *s != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

int cni_version_cmp(const struct cni_version *a, const struct cni_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

bool cni_version_at_least(const struct cni_version *v, int major, int minor, int patch)
{
	struct cni_version w = { major, minor, patch };
	return cni_version_cmp(v, &w) >= 0;
}

bool cni_version_is_supported(const char *s)
{
	for (const char *const *p = cni_supported_versions; *p; p++)
		if (strcmp(*p, s) == 0)
			return true;
	return false;
}
