/* nftables transport: see nft.h.  The batch pattern follows nftables' mnl_batch_talk():
 * every message carries NLM_F_ACK, the whole transaction goes out in one sendmsg, and the
 * kernel has queued every reply by the time that returns (netlink delivery to the kernel
 * is synchronous), so reading until the socket is empty collects every ACK. */
#include "nft.h"

#include <errno.h>
#include <libnftnl/common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nft_cleanup.h"
#include "nl/extack.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define BATCH_PAGE (64 * 1024)
#define BATCH_MAX_MSGS 256
#define RECV_SIZE (64 * 1024)

struct nft_batch {
	char *buf;
	struct mnl_nlmsg_batch *b;
	uint32_t first_seq; /* seq of the first message after begin */
	unsigned n;         /* messages between begin and end */
	bool pending;       /* the current message still needs mnl_nlmsg_batch_next() */
	bool overflow;
	const char *what[BATCH_MAX_MSGS];
};

static uint32_t seq_counter;

static uint32_t next_seq(void)
{
	if (!seq_counter)
		seq_counter = (uint32_t)time(NULL);
	return seq_counter++;
}

int nft_sock_open(struct nft_sock **ret, struct nr_error *err)
{
	_cleanup_free_ struct nft_sock *s = calloc(1, sizeof(*s));
	_cleanup_mnl_socket_ struct mnl_socket *nl = NULL;
	int one = 1, e;

	if (!s)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if (!(nl = mnl_socket_open(NETLINK_NETFILTER))) {
		e = errno;
		return nr_error_set(err, CNI_ERR_INTERNAL, e, "cannot open a nfnetlink socket: %s", strerror(e));
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		e = errno;
		return nr_error_set(err, CNI_ERR_INTERNAL, e, "cannot bind a nfnetlink socket: %s", strerror(e));
	}
	/* Best effort: kernels before 4.12 have no extended ack. */
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(nl);
	s->seq = next_seq();
	s->nl = TAKE_PTR(nl);
	*ret = TAKE_PTR(s);
	return 0;
}

void nft_close_list_flush(struct nft_close_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		mnl_socket_close(l->socks[i]);
	l->n = 0;
}

size_t nft_close_list_fds(const struct nft_close_list *l, int *fds, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n && n < max; i++)
		fds[n++] = mnl_socket_get_fd(l->socks[i]);
	return n;
}

void nft_sock_close(struct nft_sock *s)
{
	struct nft_close_list *l;

	if (!s)
		return;
	l = s->defer;
	if (l && s->committed && l->n < sizeof(l->socks) / sizeof(l->socks[0]))
		l->socks[l->n++] = s->nl;
	else
		mnl_socket_close(s->nl);
	free(s);
}

static int sock_error(struct nft_sock *s, int e, struct nr_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int sock_error(struct nft_sock *s, int e, struct nr_error *err, const char *fmt, ...)
{
	char ctx[NR_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	if (e <= 0)
		e = EIO;
	if (s && s->last_extack[0])
		return nr_error_set(err, CNI_ERR_INTERNAL, e, "%s: %s (kernel: %s)", ctx, strerror(e), s->last_extack);
	return nr_error_set(err, CNI_ERR_INTERNAL, e, "%s: %s", ctx, strerror(e));
}

int nft_batch_new(struct nft_batch **ret, struct nr_error *err)
{
	_cleanup_nft_batch_ struct nft_batch *b = calloc(1, sizeof(*b));

	/* The page plus as much again: mnl lets the last message overrun the page.  Zeroed:
	 * libmnl before 1.0.5 does not clear attribute padding, which would go to the kernel
	 * uninitialised (valgrind: "sendto points to uninitialised bytes"). */
	if (!b || !(b->buf = calloc(2, BATCH_PAGE)) || !(b->b = mnl_nlmsg_batch_start(b->buf, BATCH_PAGE)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->b), next_seq());
	mnl_nlmsg_batch_next(b->b);
	b->first_seq = next_seq();
	/* Reserve the sequence numbers of the messages to come. */
	seq_counter += BATCH_MAX_MSGS + 1;
	*ret = TAKE_PTR(b);
	return 0;
}

void nft_batch_free(struct nft_batch *b)
{
	if (!b)
		return;
	mnl_nlmsg_batch_stop(b->b); /* NULL is fine: it is free() */
	free(b->buf);
	free(b);
}

static void batch_settle(struct nft_batch *b)
{
	if (!b->pending)
		return;
	b->pending = false;
	if (!mnl_nlmsg_batch_next(b->b))
		b->overflow = true;
}

struct nlmsghdr *nft_batch_msg(struct nft_batch *b, uint16_t type, uint16_t family, uint16_t flags, const char *what)
{
	struct nlmsghdr *nlh;

	batch_settle(b);
	if (b->overflow || b->n >= BATCH_MAX_MSGS) {
		b->overflow = true;
		return NULL;
	}
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->b), type, family, flags | NLM_F_ACK,
				    b->first_seq + b->n);
	b->what[b->n++] = what;
	b->pending = true;
	return nlh;
}

unsigned nft_batch_count(const struct nft_batch *b)
{
	return b->n;
}

const void *nft_batch_data(struct nft_batch *b, size_t *ret_len)
{
	batch_settle(b);
	*ret_len = mnl_nlmsg_batch_size(b->b);
	return mnl_nlmsg_batch_head(b->b);
}

/* Read every queued reply of a batch; record the first error. */
static int batch_read(struct nft_sock *s, struct nft_batch *b, unsigned *acks, int *err_idx)
{
	_cleanup_free_ char *buf = malloc(RECV_SIZE);
	int fd = mnl_socket_get_fd(s->nl);

	if (!buf)
		return -ENOMEM;
	*acks = 0;
	*err_idx = -1;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const struct nlmsghdr *h;
		ssize_t n;
		int len;

		/* Everything is queued already; once the socket is empty we are done. */
		if (poll(&pfd, 1, 0) <= 0)
			return 0;
		n = recv(fd, buf, RECV_SIZE, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		len = (int)n;
		for (h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e;

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			(*acks)++;
			e = mnl_nlmsg_get_payload(h);
			if (e->error == 0 || s->last_errno)
				continue;
			s->last_errno = -e->error;
			nlmsg_ext_ack_msg(h, s->last_extack, sizeof(s->last_extack));
			if (h->nlmsg_seq >= b->first_seq && h->nlmsg_seq < b->first_seq + b->n)
				*err_idx = (int)(h->nlmsg_seq - b->first_seq);
		}
	}
}

int nft_batch_commit(struct nft_sock *s, struct nft_batch *b, struct nr_error *err)
{
	unsigned acks;
	int idx, r;

	s->last_errno = 0;
	s->last_extack[0] = '\0';
	batch_settle(b);
	if (b->overflow)
		return sock_error(NULL, ENOBUFS, err, "building an nftables transaction of %u messages", b->n);
	if (b->n == 0)
		return 0;
	nftnl_batch_end(mnl_nlmsg_batch_current(b->b), b->first_seq + BATCH_MAX_MSGS);
	mnl_nlmsg_batch_next(b->b);
	if (mnl_socket_sendto(s->nl, mnl_nlmsg_batch_head(b->b), mnl_nlmsg_batch_size(b->b)) < 0)
		return sock_error(NULL, errno, err, "sending an nftables transaction");
	r = batch_read(s, b, &acks, &idx);
	if (r < 0)
		return sock_error(NULL, -r, err, "reading the nftables transaction's replies");
	if (s->last_errno) {
		if (idx >= 0)
			return sock_error(s, s->last_errno, err, "%s", b->what[idx]);
		return sock_error(s, s->last_errno, err, "committing an nftables transaction");
	}
	if (acks < b->n)
		return sock_error(NULL, EIO, err, "nftables transaction: %u of %u messages acknowledged", acks, b->n);
	s->committed = true;
	return 0;
}

/* mnl_cb_run2() hands the same data to data and control callbacks, so both go through a
 * context that knows the socket (for the error) and the caller's callback. */
struct dump_ctx {
	struct nft_sock *s;
	mnl_cb_t cb;
	void *data;
};

static int dump_on_data(const struct nlmsghdr *h, void *data)
{
	struct dump_ctx *c = data;

	return c->cb(h, c->data);
}

static int dump_on_error(const struct nlmsghdr *h, void *data)
{
	struct dump_ctx *c = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

	if (h->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	c->s->last_errno = -e->error;
	nlmsg_ext_ack_msg(h, c->s->last_extack, sizeof(c->s->last_extack));
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* With a control array libmnl uses none of its defaults, so DONE needs its own. */
static int dump_on_done(const struct nlmsghdr *h, void *data)
{
	return MNL_CB_STOP;
}

int nft_dump(struct nft_sock *s, uint16_t type, uint16_t family, void (*build)(struct nlmsghdr *nlh, void *data),
	     mnl_cb_t cb, void *data, const char *what, struct nr_error *err)
{
	return nft_query(s, type, family, NLM_F_DUMP, build, cb, data, what, err);
}

int nft_query(struct nft_sock *s, uint16_t type, uint16_t family, uint16_t flags,
	      void (*build)(struct nlmsghdr *nlh, void *data), mnl_cb_t cb, void *data, const char *what,
	      struct nr_error *err)
{
	_cleanup_free_ char *buf = calloc(1, RECV_SIZE); /* the request is built in it: see nft_batch_new */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { 0 };
	struct dump_ctx c = { .s = s, .cb = cb, .data = data };
	struct nlmsghdr *nlh;
	uint32_t seq = s->seq++;
	int r;

	s->last_errno = 0;
	s->last_extack[0] = '\0';
	if (!buf)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	/* A single GET ends with its ACK; a dump with NLMSG_DONE. */
	if (!(flags & NLM_F_DUMP))
		flags |= NLM_F_ACK;
	nlh = nftnl_nlmsg_build_hdr(buf, type, family, flags, seq);
	if (build)
		build(nlh, data);
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return sock_error(NULL, errno, err, "%s: sending the request", what);
	ctl[NLMSG_ERROR] = dump_on_error;
	ctl[NLMSG_DONE] = dump_on_done;
	do {
		ssize_t n = mnl_socket_recvfrom(s->nl, buf, RECV_SIZE);
		if (n < 0)
			return sock_error(NULL, errno, err, "%s: reading the reply", what);
		errno = 0;
		r = mnl_cb_run2(buf, (size_t)n, seq, s->portid, dump_on_data, &c, ctl, NLMSG_MIN_TYPE);
		if (r == MNL_CB_ERROR && errno == 0)
			errno = EIO;
	} while (r > 0);
	if (r < 0)
		return sock_error(s, s->last_errno ? s->last_errno : errno, err, "%s", what);
	return 0;
}
