/* Docker's reference grammar (distribution/reference: regexp.go, normalize.go), by hand:
 *
 *   reference   := name [ ":" tag ] [ "@" digest ]
 *   name        := [ domain "/" ] path-component ( "/" path-component )*
 *   domain      := host [ ":" port ]      host: dns labels joined by ".", or [ipv6]
 *   path-comp   := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag         := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *
 * and its normalisation: a first component that has no '.' or ':' and is not
 * "localhost" is not a registry, so the name is on docker.io, and a single component
 * there is under library/. */
#include "image/ref.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/rt_error.h"

#define DEFAULT_DOMAIN "docker.io"
#define LEGACY_DOMAIN "index.docker.io"

static int bad(struct nr_error *err, const char *why)
{
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid reference format: %s", why);
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component of s[0..n). */
static bool path_component_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		/* A separator: ".", "_", "__" or a run of "-", between alphanumerics. */
		size_t j = i;
		if (s[i] == '.') {
			j = i + 1;
		} else if (s[i] == '_') {
			j = i + 1 + (i + 1 < n && s[i + 1] == '_');
		} else if (s[i] == '-') {
			while (j < n && s[j] == '-')
				j++;
		} else {
			return false;
		}
		if (j >= n || !is_lower_alnum(s[j]))
			return false;
		i = j;
	}
	return true;
}

static bool domain_label_valid(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool domain_valid(const char *s, size_t n)
{
	size_t host_end = n;
	const char *colon;

	if (n == 0)
		return false;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close || close == s + 1)
			return false;
		for (const char *p = s + 1; p < close; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':')
				return false;
		host_end = (size_t)(close - s) + 1;
	} else {
		colon = memchr(s, ':', n);
		if (colon)
			host_end = (size_t)(colon - s);
		for (size_t i = 0, start = 0; i <= host_end; i++) {
			if (i == host_end || s[i] == '.') {
				if (!domain_label_valid(s + start, i - start))
					return false;
				start = i + 1;
			}
		}
	}
	if (host_end == n)
		return true;
	if (s[host_end] != ':' || host_end + 1 == n)
		return false;
	for (size_t i = host_end + 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool tag_valid(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128)
		return false;
	if (!isalnum((unsigned char)t[0]) && t[0] != '_')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
			return false;
	return true;
}

static bool all_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Docker's splitDockerDomain: the first of several components is a registry when it has a
 * '.' or a ':', is "localhost", or has an uppercase letter (a path component cannot). */
static bool first_is_domain(const char *s, size_t n)
{
	if (memchr(s, '.', n) || memchr(s, ':', n))
		return true;
	if (n == strlen("localhost") && strncmp(s, "localhost", n) == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

int img_ref_parse(const char *s, struct img_ref *ret, struct nr_error *err)
{
	char name[IMG_REF_NAME_MAX * 2];
	const char *at, *slash, *tag = NULL, *domain, *remote;
	size_t name_len, domain_len;
	struct img_ref r = { 0 };
	char full[IMG_REF_NAME_MAX + 16];

	if (!s || !*s)
		return bad(err, "repository name must have at least one component");
	at = strchr(s, '@');
	if (at) {
		if (!img_digest_valid(at + 1))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid reference format: bad digest in \"%s\"",
					    s);
		memcpy(r.digest, at + 1, IMG_DIGEST_LEN + 1);
		name_len = (size_t)(at - s);
	} else {
		name_len = strlen(s);
	}
	if (name_len >= sizeof(name))
		return bad(err, "repository name must not be more than 255 characters");
	memcpy(name, s, name_len);
	name[name_len] = '\0';
	/* The tag is after the last ':' that follows the last '/' (a registry's port is not a tag). */
	slash = strrchr(name, '/');
	char *colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		*colon = '\0';
		tag = colon + 1;
		if (!tag_valid(tag))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid reference format: bad tag in \"%s\"",
					    s);
	}
	if (!name[0])
		return bad(err, "repository name must have at least one component");
	if (all_hex64(name, strlen(name)))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "invalid repository name (%s), cannot specify 64-byte hexadecimal strings", name);

	slash = strchr(name, '/');
	if (!slash || !first_is_domain(name, (size_t)(slash - name))) {
		domain = DEFAULT_DOMAIN;
		domain_len = strlen(DEFAULT_DOMAIN);
		remote = name;
	} else {
		domain = name;
		domain_len = (size_t)(slash - name);
		remote = slash + 1;
		if (!domain_valid(domain, domain_len))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "invalid reference format: bad registry in \"%s\"", s);
		if (domain_len == strlen(LEGACY_DOMAIN) && strncmp(domain, LEGACY_DOMAIN, domain_len) == 0) {
			domain = DEFAULT_DOMAIN;
			domain_len = strlen(DEFAULT_DOMAIN);
		}
	}
	for (const char *p = remote; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			return bad(err, "repository name must be lowercase");
	for (const char *p = remote, *e;; p = e + 1) {
		e = strchr(p, '/');
		if (!path_component_valid(p, e ? (size_t)(e - p) : strlen(p)))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid reference format: \"%s\"", s);
		if (!e)
			break;
	}
	bool library = domain_len == strlen(DEFAULT_DOMAIN) && strncmp(domain, DEFAULT_DOMAIN, domain_len) == 0 &&
		       !strchr(remote, '/');
	int n = snprintf(full, sizeof(full), "%.*s/%s%s", (int)domain_len, domain, library ? "library/" : "", remote);
	if (n < 0 || (size_t)n >= sizeof(r.name))
		return bad(err, "repository name must not be more than 255 characters");
	memcpy(r.name, full, (size_t)n + 1);
	if (tag)
		snprintf(r.tag, sizeof(r.tag), "%s", tag);
	else if (!r.digest[0])
		snprintf(r.tag, sizeof(r.tag), "latest");
	*ret = r;
	return 0;
}

int img_ref_format(const struct img_ref *r, char *buf, size_t len)
{
	int n;

	if (r->tag[0] && r->digest[0])
		n = snprintf(buf, len, "%s:%s@%s", r->name, r->tag, r->digest);
	else if (r->tag[0])
		n = snprintf(buf, len, "%s:%s", r->name, r->tag);
	else
		n = snprintf(buf, len, "%s@%s", r->name, r->digest);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

const char *img_ref_familiar(const char *full_name)
{
	static const char lib[] = DEFAULT_DOMAIN "/library/";
	static const char dom[] = DEFAULT_DOMAIN "/";

	if (strncmp(full_name, lib, sizeof(lib) - 1) == 0 && !strchr(full_name + sizeof(lib) - 1, '/'))
		return full_name + sizeof(lib) - 1;
	if (strncmp(full_name, dom, sizeof(dom) - 1) == 0)
		return full_name + sizeof(dom) - 1;
	return full_name;
}
