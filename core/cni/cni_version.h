/* CNI specification versions: which we speak, parsing and comparing them. */
#ifndef NETNS_RUN_CNI_VERSION_H
#define NETNS_RUN_CNI_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#define CNI_VERSION_LATEST "1.1.0"

struct cni_version {
	int major, minor, patch;
};

/* NULL-terminated, oldest first: what VERSION reports and configs may ask for. */
extern const char *const cni_supported_versions[];

/* Parse "MAJOR.MINOR.PATCH" (decimal, no leading sign, nothing trailing). */
int cni_version_parse(const char *s, struct cni_version *ret);

int cni_version_cmp(const struct cni_version *a, const struct cni_version *b);

/* a >= "major.minor.patch" */
bool cni_version_at_least(const struct cni_version *v, int major, int minor, int patch);

bool cni_version_is_supported(const char *s);

#endif
