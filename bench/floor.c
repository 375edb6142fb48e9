/* floor: the kernel work of a bridge ADD and of its DEL, and nothing else: no config to
 * parse, no IPAM, no result to print, no lookups the kernel does not need.  bench/bridge.sh
 * runs it as a third contender beside our bridge and the reference, to show how far a
 * plugin is from what the kernel itself costs (docs/benchmarks.md, "Floor").
 *
 * Started the way the bench starts a plugin (bench/cni-time): CNI_COMMAND (ADD or DEL),
 * CNI_NETNS, CNI_IFNAME and CNI_CONTAINERID from the environment, stdin ignored.  The
 * network is given as arguments:
 *
 *	floor BRIDGE GATEWAY/LEN IPMASQ      (IPMASQ: true or false)
 *
 * The container's address is GATEWAY + 1 + i for CNI_CONTAINERID "...-<i>" (host-local
 * hands out addresses in that order), in GATEWAY's subnet.
 *
 * ADD, with the messages our bridge sends to the kernel (plugins/bridge, core/nl,
 * core/nft/nft_masq.c) in the bench's config (bridge present, hairpinMode, IPv4 only):
 * a veth pair created enslaved to BRIDGE with one queue each way and its peer born as
 * CNI_IFNAME in the container's namespace; the host end's IPv6 off, up, hairpin on; with
 * IPMASQ, the container's address added to set ctr4 of table inet netns-run (the
 * masquerade set element, with its owner comment; the table comes from a warm-up ADD of
 * our bridge); in the container, IPv6 off, accept_dad 0, arp_notify 1, the address, up,
 * the default route via GATEWAY.
 * DEL: the set element removed (its socket left open until exit, as our bridge defers that
 * close past the link deletion), then CNI_IFNAME deleted in the container.
 *
 * It runs only inside a bench script's sandbox (private network and mount namespaces,
 * NR_SANDBOXED=1), never in the host's own network namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nft/nft_masq.h"

/* The masquerade set of container addresses (core/nft/nft_masq.c). */
#define MASQ_SET4 "ctr4"

#define BUF_SIZE 8192
static char msg_buf[BUF_SIZE];
static char ack_buf[BUF_SIZE];
static unsigned int seq;

static void die(const char *what, int e)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(e));
	exit(1);
}

static int rtnl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		die("opening a netlink socket", errno);
	return fd;
}

static struct nlmsghdr *msg_new(uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg_buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++seq;
	return nlh;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, uint8_t family, int index)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = family;
	ifi->ifi_index = index;
	return ifi;
}

/* One request, one acknowledgement. */
static void talk(int fd, struct nlmsghdr *nlh, const char *what)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	const struct nlmsghdr *r = (const struct nlmsghdr *)ack_buf;
	ssize_t n;

	if (sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		die(what, errno);
	if ((n = recv(fd, ack_buf, sizeof(ack_buf), 0)) < 0)
		die(what, errno);
	if ((size_t)n < NLMSG_HDRLEN + sizeof(struct nlmsgerr) || r->nlmsg_type != NLMSG_ERROR)
		die(what, EPROTO);
	if (((const struct nlmsgerr *)mnl_nlmsg_get_payload(r))->error)
		die(what, -((const struct nlmsgerr *)mnl_nlmsg_get_payload(r))->error);
}

static int ifindex(int fd, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		die(name, errno);
	return ifr.ifr_ifindex;
}

static void sysctl_if(const char *family, const char *ifname, const char *key, const char *value)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 || write(fd, value, strlen(value)) < 0)
		die(path, errno);
	close(fd);
}

static void veth_add(int fd, const char *host, int bridge, int nsfd, const char *peer)
{
	struct nlmsghdr *nlh = msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data, *p;

	put_ifinfo(nlh, AF_UNSPEC, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)bridge);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow an ifinfomsg of its own. */
	memset(mnl_nlmsg_get_payload_tail(nlh), 0, MNL_ALIGN(sizeof(struct ifinfomsg)));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	talk(fd, nlh, "creating the veth pair");
}

static void link_up(int fd, int index)
{
	struct nlmsghdr *nlh = msg_new(RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = put_ifinfo(nlh, AF_UNSPEC, index);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	talk(fd, nlh, "setting a link up");
}

static void port_hairpin(int fd, int index)
{
	struct nlmsghdr *nlh = msg_new(RTM_SETLINK, 0);
	struct nlattr *pi;

	put_ifinfo(nlh, AF_BRIDGE, index);
	pi = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, BRIDGE_MODE_HAIRPIN);
	mnl_attr_nest_end(nlh, pi);
	talk(fd, nlh, "setting hairpin mode");
}

static void addr_add(int fd, int index, struct in_addr a, int len)
{
	struct nlmsghdr *nlh = msg_new(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct in_addr brd = { htonl(ntohl(a.s_addr) | (len ? 0xffffffffu >> len : 0xffffffffu)) };

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)len;
	ifa->ifa_index = (uint32_t)index;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_BROADCAST, sizeof(brd), &brd);
	talk(fd, nlh, "adding the address");
}

static void default_route(int fd, int index, struct in_addr gw)
{
	struct nlmsghdr *nlh = msg_new(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gw), &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	talk(fd, nlh, "adding the default route");
}

static void link_del(int fd, const char *name)
{
	struct nlmsghdr *nlh = msg_new(RTM_DELLINK, 0);

	put_ifinfo(nlh, AF_UNSPEC, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	talk(fd, nlh, "deleting the container's link");
}

/* One element of the masquerade set, added or removed in a transaction of its own.  The
 * socket stays open until exit. */
static void masq_elem(uint16_t type, uint16_t flags, struct in_addr a, const char *owner)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct mnl_nlmsg_batch *b;
	struct nlmsghdr *nlh;
	ssize_t n;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("opening a nfnetlink socket", errno);
	if (!s || !e)
		die("masquerade element", ENOMEM);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_MASQ_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, MASQ_SET4);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &a, sizeof(a));
	if (owner) {
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_MASQ_OWNER_MAX + 8);

		if (!ud || !nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_ELEM_COMMENT, owner))
			die("masquerade element", ENOMEM);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	nftnl_set_elem_add(s, e);

	b = mnl_nlmsg_batch_start(msg_buf, sizeof(msg_buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), ++seq);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), type, NFPROTO_INET, flags | NLM_F_ACK, ++seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), ++seq);
	mnl_nlmsg_batch_next(b);
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0)
		die("sending the nftables transaction", errno);
	if ((n = mnl_socket_recvfrom(nl, ack_buf, sizeof(ack_buf))) < 0 ||
	    mnl_cb_run(ack_buf, (size_t)n, 0, mnl_socket_get_portid(nl), NULL, NULL) < 0)
		die(type == NFT_MSG_NEWSETELEM ? "adding the masquerade element" : "removing the masquerade element",
		    errno);
	mnl_nlmsg_batch_stop(b);
	nftnl_set_free(s);
}

/* The bench scripts export NR_SANDBOXED=1 as they enter their private namespaces.  Where
 * pid 1's namespace can be read, being in it is refused too. */
static bool sandboxed(void)
{
	const char *mark = getenv("NR_SANDBOXED");
	struct stat host, self;

	if (!mark || strcmp(mark, "1") != 0)
		return false;
	if (stat("/proc/1/ns/net", &host) < 0 || stat("/proc/self/ns/net", &self) < 0)
		return true;
	return host.st_dev != self.st_dev || host.st_ino != self.st_ino;
}

struct floor_args {
	const char *bridge, *ifname;
	int nsfd;
	struct in_addr addr, gw;
	int len;
	bool masq;
	char owner[NFT_MASQ_OWNER_MAX];
};

static void enter_container(const struct floor_args *a)
{
	if (setns(a->nsfd, CLONE_NEWNET) < 0)
		die("entering the container's network namespace", errno);
}

static void floor_add(const struct floor_args *a)
{
	char host[IFNAMSIZ];
	unsigned int rnd;
	int fd, idx;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		die("getrandom", errno);
	snprintf(host, sizeof(host), "veth%08x", rnd);
	fd = rtnl_open();
	veth_add(fd, host, ifindex(fd, a->bridge), a->nsfd, a->ifname);
	sysctl_if("ipv6", host, "disable_ipv6", "1");
	idx = ifindex(fd, host);
	link_up(fd, idx);
	port_hairpin(fd, idx);
	if (a->masq)
		masq_elem(NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL, a->addr, a->owner);

	enter_container(a);
	sysctl_if("ipv6", a->ifname, "disable_ipv6", "1");
	sysctl_if("ipv6", a->ifname, "accept_dad", "0");
	sysctl_if("ipv4", a->ifname, "arp_notify", "1");
	fd = rtnl_open();
	idx = ifindex(fd, a->ifname);
	addr_add(fd, idx, a->addr, a->len);
	link_up(fd, idx);
	default_route(fd, idx, a->gw);
}

static void floor_del(const struct floor_args *a)
{
	if (a->masq)
		masq_elem(NFT_MSG_DELSETELEM, 0, a->addr, NULL);
	enter_container(a);
	link_del(rtnl_open(), a->ifname);
}

int main(int argc, char **argv)
{
	const char *cmd = getenv("CNI_COMMAND"), *netns = getenv("CNI_NETNS"), *id = getenv("CNI_CONTAINERID");
	struct floor_args a = { .ifname = getenv("CNI_IFNAME") };
	const char *slash = argc == 4 ? strchr(argv[2], '/') : NULL;
	const char *dash = id ? strrchr(id, '-') : NULL;
	char gw[INET_ADDRSTRLEN];

	if (!slash || !cmd || !netns || !a.ifname || !dash || (size_t)(slash - argv[2]) >= sizeof(gw)) {
		fprintf(stderr,
			"usage: CNI_COMMAND=ADD|DEL CNI_NETNS=PATH CNI_IFNAME=NAME CNI_CONTAINERID=ID-<i> "
			"%s BRIDGE GATEWAY/LEN true|false\n",
			argv[0]);
		return 2;
	}
	if (!sandboxed()) {
		fprintf(stderr, "floor: runs only inside the bench's sandbox (NR_SANDBOXED=1, not pid 1's netns)\n");
		return 2;
	}
	memcpy(gw, argv[2], (size_t)(slash - argv[2]));
	gw[slash - argv[2]] = '\0';
	a.bridge = argv[1];
	a.len = atoi(slash + 1);
	a.masq = strcmp(argv[3], "true") == 0;
	if (inet_pton(AF_INET, gw, &a.gw) != 1 || a.len < 1 || a.len > 30)
		die(argv[2], EINVAL);
	a.addr.s_addr = htonl(ntohl(a.gw.s_addr) + 1 + (uint32_t)strtoul(dash + 1, NULL, 10));
	snprintf(a.owner, sizeof(a.owner), "floor %s %s", id, a.ifname);
	if ((a.nsfd = open(netns, O_RDONLY | O_CLOEXEC)) < 0)
		die(netns, errno);
	if (!strcmp(cmd, "ADD"))
		floor_add(&a);
	else if (!strcmp(cmd, "DEL"))
		floor_del(&a);
	else
		die(cmd, EINVAL);
	return 0;
}
