/* Port publishing specs in Docker's -p spelling, shared by the CLI's run and the daemon's
 * create body (PortBindings). */
#include "ports.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ipaddr.h"
#include "rt_error.h"

static int parse_range(const char *s, long *lo, long *hi)
{
	char *end;

	errno = 0;
	*lo = strtol(s, &end, 10);
	if (errno || end == s || *lo < 1 || *lo > 65535)
		return -EINVAL;
	*hi = *lo;
	if (*end == '-') {
		const char *p = end + 1;
		*hi = strtol(p, &end, 10);
		if (errno || end == p || *hi < *lo || *hi > 65535)
			return -EINVAL;
	}
	return *end ? -EINVAL : 0;
}

int parse_port_spec(const char *spec, json_t *arr, struct nr_error *err)
{
	char buf[256], hostip[64] = "";
	char *p = buf, *proto = "tcp", *slash, *colon;
	long hlo, hhi, clo, chi;

	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		goto bad;
	slash = strrchr(buf, '/');
	if (slash) {
		*slash = '\0';
		proto = slash + 1;
		if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-p %s: protocol must be tcp, udp or sctp",
					    spec);
	}
	if (*p == '[') { /* [v6]:... */
		char *close = strchr(p, ']');
		if (!close || close[1] != ':')
			goto bad;
		*close = '\0';
		snprintf(hostip, sizeof(hostip), "%s", p + 1);
		p = close + 2;
	} else {
		/* Three fields: the first is the host address. */
		char *c1 = strchr(p, ':');
		if (c1 && strchr(c1 + 1, ':')) {
			*c1 = '\0';
			snprintf(hostip, sizeof(hostip), "%s", p);
			p = c1 + 1;
		}
	}
	if (hostip[0]) {
		struct ip_addr a;
		if (ip_addr_parse(hostip, &a) < 0)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-p %s: %s is not an IP address", spec, hostip);
	}
	colon = strchr(p, ':');
	if (!colon)
		goto bad;
	*colon = '\0';
	if (parse_range(p, &hlo, &hhi) < 0 || parse_range(colon + 1, &clo, &chi) < 0)
		goto bad;
	if (hhi - hlo != chi - clo)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "-p %s: the host and container port ranges differ in length", spec);
	for (long i = 0; i <= hhi - hlo; i++) {
		json_t *m = json_pack("{s:i, s:i, s:s}", "hostPort", (int)(hlo + i), "containerPort", (int)(clo + i),
				      "protocol", proto);
		if (!m)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		if (hostip[0])
			json_object_set_new(m, "hostIP", json_string(hostip));
		json_array_append_new(arr, m);
	}
	return 0;
bad:
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-p %s: expected [HOSTIP:]HOSTPORT[-END]:CONTPORT[-END][/PROTO]",
			    spec);
}
