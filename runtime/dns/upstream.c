#include "upstream.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"

void dns_upstreams_parse(const char *text, size_t len, struct dns_upstreams *ret)
{
	size_t start = 0;

	ret->n = 0;
	for (size_t i = 0; i <= len; i++) {
		char line[256], *tok, *save = NULL;
		size_t l;

		if (i < len && text[i] != '\n')
			continue;
		l = i - start;
		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, text + start, l);
		line[l] = '\0';
		start = i + 1;
		tok = strtok_r(line, " \t\r", &save);
		if (!tok || strcmp(tok, "nameserver") != 0 || !(tok = strtok_r(NULL, " \t\r#;", &save)))
			continue;
		if (ret->n < DNS_UPSTREAM_MAX && ip_addr_parse(tok, &ret->addr[ret->n]) == 0)
			ret->n++;
	}
}

static bool is_loopback(const struct ip_addr *a)
{
	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->v6);
}

static bool only_loopback(const struct dns_upstreams *u)
{
	for (size_t i = 0; i < u->n; i++)
		if (!is_loopback(&u->addr[i]))
			return false;
	return u->n > 0;
}

static void read_conf(const char *path, struct dns_upstreams *ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len;

	ret->n = 0;
	snprintf(ret->source, sizeof(ret->source), "%s", path);
	if (fd < 0 || fd_read_all(fd, 1 << 20, &buf, &len) < 0)
		return;
	dns_upstreams_parse(buf, len, ret);
}

void dns_upstreams_discover(const struct ip_addr *servers, size_t n_servers, struct dns_upstreams *ret)
{
	const char *env = getenv("NETNS_RUN_RESOLV_CONF");
	struct dns_upstreams resolved;

	memset(ret, 0, sizeof(*ret));
	if (n_servers) {
		for (size_t i = 0; i < n_servers && ret->n < DNS_UPSTREAM_MAX; i++)
			ret->addr[ret->n++] = servers[i];
		snprintf(ret->source, sizeof(ret->source), "the names file");
		return;
	}
	/* An explicit file is taken as it is, loopback servers included: they are reachable
	 * from the responder, which runs in the host's network namespace. */
	if (env && *env) {
		read_conf(env, ret);
		return;
	}
	read_conf(DNS_RESOLV_CONF, ret);
	if (!only_loopback(ret))
		return;
	/* A loopback stub (127.0.0.53): the servers it forwards to, when it says. */
	read_conf(DNS_RESOLVED_CONF, &resolved);
	if (resolved.n && !only_loopback(&resolved)) {
		*ret = resolved;
		return;
	}
	/* Else the loopback servers themselves: reachable from here, though not from a container. */
}

socklen_t dns_sockaddr(const struct ip_addr *a, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		s->sin_addr = a->v4;
		return sizeof(*s);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	s6->sin6_addr = a->v6;
	return sizeof(*s6);
}
