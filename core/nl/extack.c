/* Extended-ack text: see extack.h. */
#include "extack.h"

#include <string.h>

/* The attributes follow the nlmsgerr and the request it echoes, or only that request's
 * header when the kernel capped the echo (NETLINK_CAP_ACK, NLM_F_CAPPED). */
void nlmsg_ext_ack_msg(const struct nlmsghdr *h, char *buf, size_t len)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const char *end = (const char *)h + h->nlmsg_len;
	const char *p;

	buf[0] = '\0';
	if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(*e) || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	p = (const char *)e + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		p += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			size_t n = a->nla_len - NLA_HDRLEN;
			if (n >= len)
				n = len - 1;
			memcpy(buf, p + NLA_HDRLEN, n);
			buf[n] = '\0';
			/* The kernel's string carries its own NUL; trim a trailing newline too. */
			n = strlen(buf);
			while (n && buf[n - 1] == '\n')
				buf[--n] = '\0';
			return;
		}
		p += NLA_ALIGN(a->nla_len);
	}
}
