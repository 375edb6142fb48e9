/* The underlay address: given, an interface's first IPv4 address, or the one the kernel
 * would send from to the store (a connected UDP socket's local address: no packet leaves). */
#include "agent_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"

/* The device that has addr (ifindex and mtu), or the first IPv4 address of the device
 * named ifname (ifname non-NULL). */
static int device_find(const char *ifname, struct ovl_underlay *u, struct nr_error *err)
{
	struct ifaddrs *all, *i;
	int r = -ENOENT;

	if (getifaddrs(&all) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot list the host's addresses: %s", strerror(errno));
	for (i = all; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		const struct in_addr *a = &((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (ifname ? !strcmp(i->ifa_name, ifname) : !memcmp(a, &u->addr.v4, sizeof(*a))) {
			u->addr.family = AF_INET;
			u->addr.v4 = *a;
			u->ifindex = (int)if_nametoindex(i->ifa_name);
			struct ifreq ifr = { 0 };
			_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->ifa_name);
			u->mtu = fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : 1500;
			r = 0;
			break;
		}
	}
	freeifaddrs(all);
	return r;
}

/* The first member's host and port of "etcd://h:p,…" (or "http://h:p"). */
static int first_member(const char *endpoints, char *host, size_t hlen, char *port, size_t plen)
{
	const char *s = strstr(endpoints, "://");
	const char *end, *colon;

	s = s ? s + 3 : endpoints;
	end = s + strcspn(s, ",/");
	colon = memchr(s, ':', (size_t)(end - s));
	if (!colon || colon == s || (size_t)(colon - s) >= hlen || (size_t)(end - colon - 1) >= plen)
		return -EINVAL;
	snprintf(host, hlen, "%.*s", (int)(colon - s), s);
	snprintf(port, plen, "%.*s", (int)(end - colon - 1), colon + 1);
	return 0;
}

static int route_source(const char *endpoints, struct ip_addr *ret, struct nr_error *err)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *ai = NULL;
	struct sockaddr_in local;
	socklen_t len = sizeof(local);
	char host[256], port[16];
	int r;

	/* No port: etcd's 2379, as the client takes it. */
	if (first_member(endpoints, host, sizeof(host), port, sizeof(port)) < 0) {
		const char *s = strstr(endpoints, "://");
		s = s ? s + 3 : endpoints;
		snprintf(host, sizeof(host), "%.*s", (int)strcspn(s, ",/"), s);
		snprintf(port, sizeof(port), "2379");
	}
	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "cannot find the underlay address: store member %s: %s (give --opt underlay=IFACE|ADDR)",
				    host, gai_strerror(r));
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r = fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
			    getsockname(fd, (struct sockaddr *)&local, &len) < 0
		    ? -errno
		    : 0;
	freeaddrinfo(ai);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot find the underlay address: no route to %s: %s",
				    host, strerror(-r));
	ret->family = AF_INET;
	ret->v4 = local.sin_addr;
	return 0;
}

int ovl_underlay_find(const char *underlay, const char *endpoints, struct ovl_underlay *ret, struct nr_error *err)
{
	struct ovl_underlay u = { .mtu = 1500 };
	int r;

	if (underlay && *underlay && ip_addr_parse(underlay, &u.addr) < 0) {
		if ((r = device_find(underlay, &u, err)) < 0)
			return r == -ENOENT ? nr_error_set(err, RT_ERR_USAGE, ENODEV,
							   "underlay %s: neither an IPv4 address nor a device with one",
							   underlay)
					    : r;
		*ret = u;
		return 0;
	}
	if (underlay && *underlay) {
		if (u.addr.family != AF_INET)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "underlay %s: IPv4 only", underlay);
	} else if ((r = route_source(endpoints, &u.addr, err)) < 0) {
		return r;
	}
	/* The device that has it, for its MTU; an address on no device is refused (VXLAN
	 * needs a local address). */
	if ((r = device_find(NULL, &u, err)) < 0) {
		char a[IP_PREFIX_STRLEN];
		return r == -ENOENT ? nr_error_set(err, RT_ERR_USAGE, EADDRNOTAVAIL,
						   "underlay address %s is on no device of this host",
						   ip_addr_format(&u.addr, a, sizeof(a)))
				    : r;
	}
	*ret = u;
	return 0;
}
