/* ctnetlink: dump the table, keep the original tuples that match, delete each by its tuple
 * (the kernel deletes by exact tuple; a filtered flush exists only for marks).  The tuple
 * attribute is copied back as the kernel sent it, so nothing is re-encoded. */
#include "conntrack.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nl_cleanup.h"

struct victim {
	uint8_t tuple[128]; /* the CTA_TUPLE_ORIG attribute, header included */
	uint16_t len;
	uint16_t zone; /* host order; 0 = none */
	uint8_t af;
};

struct dump {
	const struct ct_match *m;
	size_t n_m;
	struct victim *v;
	size_t n, cap;
};

static int parse_nested(const struct nlattr *a, const struct nlattr **tb, int max)
{
	const struct nlattr *x;

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	mnl_attr_for_each_nested(x, a) {
		int t = mnl_attr_get_type(x);
		if (t <= max)
			tb[t] = x;
	}
	return 0;
}

static bool one_matches(const struct ct_match *m, int af, uint8_t proto, uint16_t port, const struct nlattr **ip)
{
	if ((m->af && m->af != af) || m->proto != proto || m->port != port)
		return false;
	if (!m->dst.family)
		return true;
	if (m->dst.family != af)
		return false;
	if (af == AF_INET)
		return ip[CTA_IP_V4_DST] && mnl_attr_get_payload_len(ip[CTA_IP_V4_DST]) == 4 &&
		       !memcmp(mnl_attr_get_payload(ip[CTA_IP_V4_DST]), m->dst.bytes, 4);
	return ip[CTA_IP_V6_DST] && mnl_attr_get_payload_len(ip[CTA_IP_V6_DST]) == 16 &&
	       !memcmp(mnl_attr_get_payload(ip[CTA_IP_V6_DST]), m->dst.bytes, 16);
}

static bool tuple_matches(const struct nlattr *orig, int af, const struct dump *d)
{
	const struct nlattr *t[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1], *pr[CTA_PROTO_MAX + 1];
	uint16_t port;
	uint8_t proto;

	parse_nested(orig, t, CTA_TUPLE_MAX);
	if (!t[CTA_TUPLE_PROTO] || !t[CTA_TUPLE_IP])
		return false;
	parse_nested(t[CTA_TUPLE_PROTO], pr, CTA_PROTO_MAX);
	if (!pr[CTA_PROTO_NUM] || !pr[CTA_PROTO_DST_PORT])
		return false;
	proto = mnl_attr_get_u8(pr[CTA_PROTO_NUM]);
	port = ntohs(mnl_attr_get_u16(pr[CTA_PROTO_DST_PORT]));
	parse_nested(t[CTA_TUPLE_IP], ip, CTA_IP_MAX);
	for (size_t i = 0; i < d->n_m; i++)
		if (one_matches(&d->m[i], af, proto, port, ip))
			return true;
	return false;
}

static int on_entry(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *orig = NULL, *zone = NULL;
	struct victim *v;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == CTA_TUPLE_ORIG)
			orig = a;
		else if (mnl_attr_get_type(a) == CTA_ZONE)
			zone = a;
	}
	if (!orig || orig->nla_len > sizeof(v->tuple) || !tuple_matches(orig, g->nfgen_family, d))
		return MNL_CB_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct victim *nv = realloc(d->v, cap * sizeof(*nv));
		if (!nv) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		d->v = nv;
		d->cap = cap;
	}
	v = &d->v[d->n++];
	memcpy(v->tuple, orig, orig->nla_len);
	v->len = orig->nla_len;
	v->zone = zone ? ntohs(mnl_attr_get_u16(zone)) : 0;
	v->af = g->nfgen_family;
	return MNL_CB_OK;
}

static struct nlmsghdr *ct_msg(char *buf, uint16_t type, uint16_t flags, int af, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = (uint8_t)af;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	return nlh;
}

/* Send one request and run its replies through cb (NULL: just the ACK). */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, char *buf, size_t len)
{
	uint32_t portid = mnl_socket_get_portid(nl), seq = nlh->nlmsg_seq;
	int r;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, len);
		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
	} while (r > 0);
	return r < 0 ? -errno : 0;
}

int conntrack_flush(const struct ct_match *m, size_t n, unsigned *ret_deleted, struct nr_error *err)
{
	_cleanup_(mnl_closep) struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	_cleanup_free_ char *buf = malloc(MNL_SOCKET_BUFFER_SIZE * 4);
	struct dump d = { .m = m, .n_m = n };
	uint32_t seq = (uint32_t)time(NULL);
	unsigned deleted = 0;
	int r = 0;

	if (ret_deleted)
		*ret_deleted = 0;
	if (n == 0)
		return 0;
	if (!buf)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "conntrack: cannot open a ctnetlink socket: %s",
				    strerror(errno));
	/* AF_UNSPEC: both families in one walk. */
	r = talk(nl, ct_msg(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC, seq++), on_entry, &d, buf,
		 MNL_SOCKET_BUFFER_SIZE * 4);
	if (r < 0) {
		free(d.v);
		return nr_error_set(err, CNI_ERR_INTERNAL, -r, "conntrack: reading the table: %s", strerror(-r));
	}
	for (size_t i = 0; i < d.n; i++) {
		struct nlmsghdr *nlh = ct_msg(buf, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, d.v[i].af, seq++);
		memcpy(mnl_nlmsg_get_payload_tail(nlh), d.v[i].tuple, d.v[i].len);
		nlh->nlmsg_len += MNL_ALIGN(d.v[i].len);
		if (d.v[i].zone)
			mnl_attr_put_u16(nlh, CTA_ZONE, htons(d.v[i].zone));
		r = talk(nl, nlh, NULL, NULL, buf, MNL_SOCKET_BUFFER_SIZE * 4);
		if (r == -ENOENT) /* gone meanwhile */
			r = 0;
		if (r < 0)
			break;
		deleted++;
	}
	free(d.v);
	if (r < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, -r, "conntrack: deleting an entry: %s", strerror(-r));
	if (ret_deleted)
		*ret_deleted = deleted;
	return 0;
}
