#include "etcd_endpoints.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

static const struct {
	const char *prefix;
	bool tls;
} schemes[] = { { "etcd://", false }, { "etcds://", true }, { "http://", false }, { "https://", true } };

static int bad(struct nr_error *err, const char *spec, const char *why)
{
	return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
			    "store '%.200s': %s (expected etcd://HOST:PORT[,HOST:PORT...] or etcds://...)", spec, why);
}

static bool host_char(char ch, bool v6)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
	       ch == '.' || (v6 && ch == ':');
}

/* One "HOST[:PORT]" of len bytes at s. */
static int parse_member(const char *spec, const char *s, size_t len, bool tls, struct etcd_member *m,
			struct nr_error *err)
{
	const char *host = s, *end = s + len, *p;
	size_t host_len;
	unsigned long port = ETCD_DEFAULT_PORT;
	bool v6 = len && *s == '[';

	if (v6) {
		const char *close = memchr(s, ']', len);
		if (!close)
			return bad(err, spec, "an IPv6 address without its ']'");
		host = s + 1;
		host_len = (size_t)(close - host);
		p = close + 1;
	} else {
		p = memchr(s, ':', len);
		p = p ? p : end;
		host_len = (size_t)(p - s);
	}
	if (host_len == 0 || host_len > 253)
		return bad(err, spec, "a member without a host name");
	for (size_t i = 0; i < host_len; i++)
		if (!host_char(host[i], v6))
			return bad(err, spec, "a host name may hold letters, digits, '-' and '.' only");
	if (p < end) {
		char buf[8];
		char *e;

		if (*p != ':' || end - p < 2 || end - p > 6)
			return bad(err, spec, "a member's port must follow ':' (1-65535)");
		memcpy(buf, p + 1, (size_t)(end - p - 1));
		buf[end - p - 1] = '\0';
		if (buf[0] < '0' || buf[0] > '9')
			return bad(err, spec, "a member's port must be 1-65535");
		port = strtoul(buf, &e, 10);
		if (*e || port == 0 || port > 65535)
			return bad(err, spec, "a member's port must be 1-65535");
	}
	snprintf(m->name, sizeof(m->name), v6 ? "[%.*s]:%lu" : "%.*s:%lu", (int)host_len, host, port);
	snprintf(m->url, sizeof(m->url), "%s://%s", tls ? "https" : "http", m->name);
	return 0;
}

int etcd_endpoints_parse(const char *spec, bool tls, struct etcd_member **ret, size_t *ret_n, bool *ret_tls,
			 struct nr_error *err)
{
	_cleanup_free_ struct etcd_member *members = NULL;
	const char *s = NULL;
	size_t n = 0;

	if (!spec || !*spec)
		return bad(err, "", "empty");
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strncmp(spec, schemes[i].prefix, strlen(schemes[i].prefix))) {
			s = spec + strlen(schemes[i].prefix);
			tls = tls || schemes[i].tls;
			break;
		}
	if (!s)
		return bad(err, spec, "unknown scheme");
	members = calloc(ETCD_MAX_MEMBERS, sizeof(*members));
	if (!members)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		/* http://a:1,http://b:2 as etcdctl's --endpoints takes it */
		for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (n && len > strlen(schemes[i].prefix) &&
			    !strncmp(s, schemes[i].prefix, strlen(schemes[i].prefix))) {
				if (schemes[i].tls != tls)
					return bad(err, spec, "members mix http and https");
				s += strlen(schemes[i].prefix);
				len -= strlen(schemes[i].prefix);
				break;
			}
		if (len && s[len - 1] == '/') /* a trailing slash, as in http://h:2379/ */
			len--;
		if (n == ETCD_MAX_MEMBERS)
			return bad(err, spec, "more than 16 members");
		int r = parse_member(spec, s, len, tls, &members[n], err);
		if (r < 0)
			return r;
		n++;
		if (!comma)
			break;
		s = comma + 1;
	}
	*ret = TAKE_PTR(members);
	*ret_n = n;
	*ret_tls = tls;
	return 0;
}
