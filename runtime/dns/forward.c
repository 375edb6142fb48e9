/* Forwarding: a query that is not ours goes to the upstream servers in turn, under a
 * fresh random transaction id (so clients' ids never reach the outside and two clients'
 * equal ids never collide), and the answer goes back under the client's id.  An answer is
 * taken only when its id, its source (the upstream's address, port 53) and its question
 * all match what was sent.  After DNS_FWD_TIMEOUT_MS, a SERVFAIL or a REFUSED, the next
 * upstream is tried; after the last, the client gets SERVFAIL (or that last answer).
 * Queries that came over TCP go upstream over TCP; a UDP answer with TC set is passed on
 * as it is, so the client retries over TCP. */
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "dns_log.h"
#include "server.h"

#define UP_PORT 53

void dns_fwd_init(struct dns_server *srv)
{
	srv->up4 = (struct dns_io){ DNS_IO_UP_UDP, -1 };
	srv->up6 = (struct dns_io){ DNS_IO_UP_UDP, -1 };
}

static struct dns_io *up_socket(struct dns_server *srv, int family)
{
	struct dns_io *io = family == AF_INET ? &srv->up4 : &srv->up6;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = io };

	if (io->fd >= 0)
		return io;
	io->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (io->fd < 0)
		return NULL;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0) {
		close(io->fd);
		io->fd = -1;
		return NULL;
	}
	return io;
}

static void list_remove(struct dns_server *srv, struct dns_pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else if (srv->pend_head == p)
		srv->pend_head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else if (srv->pend_tail == p)
		srv->pend_tail = p->prev;
	p->prev = p->next = NULL;
}

/* Deadlines are all now + the same timeout, so appending keeps the list in order. */
static void list_append(struct dns_server *srv, struct dns_pending *p)
{
	p->prev = srv->pend_tail;
	p->next = NULL;
	if (srv->pend_tail)
		srv->pend_tail->next = p;
	else
		srv->pend_head = p;
	srv->pend_tail = p;
}

static void up_tcp_close(struct dns_server *srv, struct dns_pending *p)
{
	if (p->io.fd >= 0) {
		epoll_ctl(srv->epfd, EPOLL_CTL_DEL, p->io.fd, NULL);
		close(p->io.fd);
		p->io.fd = -1;
	}
	p->sent = 0;
	p->resp_len = 0;
}

static void pending_free(struct dns_server *srv, struct dns_pending *p)
{
	list_remove(srv, p);
	up_tcp_close(srv, p);
	srv->by_id[p->id] = 0;
	if (p->tclient)
		p->tclient->in_flight--;
	free(p->query);
	p->query = NULL;
	free(p->resp);
	p->resp = NULL;
	p->resp_cap = 0;
	srv->free_slots[srv->n_free++] = p->slot;
	srv->n_pending--;
}

static void reply(struct dns_server *srv, struct dns_pending *p, uint8_t *msg, size_t len)
{
	msg[0] = (uint8_t)(p->q.id >> 8); /* the client's id back */
	msg[1] = (uint8_t)p->q.id;
	if (p->tcp) {
		if (p->tclient)
			dns_tcp_send(srv, p->tclient, msg, len);
	} else if (p->client_fd >= 0) {
		sendto(p->client_fd, msg, len, MSG_DONTWAIT, (struct sockaddr *)&p->client, p->client_len);
	}
}

static void fail(struct dns_server *srv, struct dns_pending *p)
{
	uint8_t buf[512];
	size_t len = dns_answer_error(&p->q, LDNS_RCODE_SERVFAIL, true, buf, sizeof(buf));

	reply(srv, p, buf, len);
	pending_free(srv, p);
}

static int up_tcp_connect(struct dns_server *srv, struct dns_pending *p)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = p };
	struct sockaddr_storage ss;
	socklen_t sl = dns_sockaddr(&p->up_addr, UP_PORT, &ss);
	int fd = socket(p->up_addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	p->io = (struct dns_io){ DNS_IO_UP_TCP, fd };
	return 0;
}

/* Send p to upstream from on, moving past those that cannot be reached; SERVFAIL when
 * none is left. */
static void try_from(struct dns_server *srv, struct dns_pending *p, size_t from)
{
	list_remove(srv, p);
	up_tcp_close(srv, p);
	for (size_t i = from; i < srv->up.n; i++) {
		struct sockaddr_storage ss;
		socklen_t sl;
		struct dns_io *io;

		p->upstream = i;
		p->up_addr = srv->up.addr[i];
		if (p->tcp) {
			if (up_tcp_connect(srv, p) < 0)
				continue;
		} else {
			sl = dns_sockaddr(&p->up_addr, UP_PORT, &ss);
			if (!(io = up_socket(srv, p->up_addr.family)) ||
			    sendto(io->fd, p->query, p->query_len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl) < 0)
				continue;
		}
		p->deadline = dns_now_ms() + DNS_FWD_TIMEOUT_MS;
		list_append(srv, p);
		return;
	}
	fail(srv, p);
}

void dns_fwd_query(struct dns_server *srv, const uint8_t *query, size_t len, const struct dns_question *q, int fd,
		   const struct sockaddr_storage *addr, socklen_t addr_len, struct dns_tcp_client *tclient)
{
	struct dns_pending *p;
	size_t off = tclient ? 2 : 0;
	uint16_t id, slot;

	if (!srv->by_id && !(srv->by_id = calloc(65536, sizeof(*srv->by_id))))
		goto servfail;
	if (!srv->n_free && srv->n_pool < DNS_FWD_MAX) {
		if (!(srv->pool[srv->n_pool] = calloc(1, sizeof(struct dns_pending))))
			goto servfail;
		srv->pool[srv->n_pool]->io.fd = -1;
		srv->free_slots[srv->n_free++] = (uint16_t)srv->n_pool++;
	}
	if (!srv->n_free)
		goto servfail; /* DNS_FWD_MAX in flight: shed load rather than grow */
	/* A fresh unpredictable id not in use (there are at most DNS_FWD_MAX of 65536). */
	do
		id = (uint16_t)arc4random_uniform(65536);
	while (srv->by_id[id]);
	slot = srv->free_slots[srv->n_free - 1];
	p = srv->pool[slot];
	if (!(p->query = malloc(len + off)))
		goto servfail;
	srv->n_free--;
	srv->n_pending++;
	srv->by_id[id] = (uint16_t)(slot + 1);
	p->slot = slot;
	p->id = id;
	p->q = *q;
	memcpy(p->query + off, query, len);
	p->query[off] = (uint8_t)(id >> 8);
	p->query[off + 1] = (uint8_t)id;
	if (off) {
		p->query[0] = (uint8_t)(len >> 8);
		p->query[1] = (uint8_t)len;
	}
	p->query_len = len + off;
	p->tcp = tclient != NULL;
	p->tclient = tclient;
	if (tclient)
		tclient->in_flight++;
	p->client_fd = fd;
	if (addr)
		memcpy(&p->client, addr, addr_len);
	p->client_len = addr_len;
	p->sent = p->resp_len = 0;
	p->prev = p->next = NULL;
	try_from(srv, p, 0);
	return;
servfail : {
	uint8_t buf[512];
	size_t n = dns_answer_error(q, LDNS_RCODE_SERVFAIL, true, buf, sizeof(buf));
	if (tclient)
		dns_tcp_send(srv, tclient, buf, n);
	else
		sendto(fd, buf, n, MSG_DONTWAIT, (const struct sockaddr *)addr, addr_len);
}
}

/* Whether msg answers p: same question (name in any case, type, class). */
static bool answer_matches(const struct dns_pending *p, const uint8_t *msg, size_t len)
{
	ldns_rdf *name = NULL;
	size_t pos = LDNS_HEADER_SIZE;
	bool ok;

	if (len < LDNS_HEADER_SIZE || !LDNS_QR_WIRE(msg) || LDNS_QDCOUNT(msg) != 1)
		return false;
	if (ldns_wire2dname(&name, msg, len, &pos) != LDNS_STATUS_OK)
		return false;
	ok = pos + 4 <= len && ldns_rdf_size(name) == p->q.name_len &&
	     strncasecmp((const char *)ldns_rdf_data(name), (const char *)p->q.name, p->q.name_len) == 0 &&
	     ldns_read_uint16(msg + pos) == p->q.type && ldns_read_uint16(msg + pos + 2) == p->q.qclass;
	ldns_rdf_deep_free(name);
	return ok;
}

/* An answer for p arrived: pass it on, or try the next upstream. */
static void answered(struct dns_server *srv, struct dns_pending *p, uint8_t *msg, size_t len)
{
	int rcode = LDNS_RCODE_WIRE(msg);

	if ((rcode == LDNS_RCODE_SERVFAIL || rcode == LDNS_RCODE_REFUSED) && p->upstream + 1 < srv->up.n) {
		try_from(srv, p, p->upstream + 1);
		return;
	}
	reply(srv, p, msg, len);
	pending_free(srv, p);
}

static bool from_upstream(const struct dns_pending *p, const struct sockaddr_storage *ss)
{
	if (ss->ss_family != p->up_addr.family)
		return false;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		return s->sin_port == htons(UP_PORT) && s->sin_addr.s_addr == p->up_addr.v4.s_addr;
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	return s6->sin6_port == htons(UP_PORT) && IN6_ARE_ADDR_EQUAL(&s6->sin6_addr, &p->up_addr.v6);
}

void dns_fwd_udp_event(struct dns_server *srv, struct dns_io *io)
{
	static uint8_t bufs[DNS_UP_BATCH][DNS_UDP_MAX];
	struct mmsghdr msgs[DNS_UP_BATCH];
	struct iovec iov[DNS_UP_BATCH];
	struct sockaddr_storage from[DNS_UP_BATCH];
	int n;

	for (int i = 0; i < DNS_UP_BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i],
							 .msg_namelen = sizeof(from[i]),
							 .msg_iov = &iov[i],
							 .msg_iovlen = 1 } };
	}
	n = recvmmsg(io->fd, msgs, DNS_UP_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		size_t len = msgs[i].msg_len;
		struct dns_pending *p;
		uint16_t slot;

		/* Longer than any client of ours asked for (DNS_UDP_MAX): cut, so not passed on;
		 * the timeout moves on to the next server. */
		if (len < LDNS_HEADER_SIZE || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ||
		    !(slot = srv->by_id ? srv->by_id[LDNS_ID_WIRE(bufs[i])] : 0))
			continue;
		p = srv->pool[slot - 1];
		if (p->tcp || !from_upstream(p, &from[i]) || !answer_matches(p, bufs[i], len))
			continue; /* late, spoofed or stray: ignored */
		answered(srv, p, bufs[i], len);
	}
}

void dns_fwd_tcp_event(struct dns_server *srv, struct dns_pending *p, uint32_t events)
{
	ssize_t n;

	if (p->sent < p->query_len) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = p };
		int e = 0;
		socklen_t el = sizeof(e);

		if ((events & (EPOLLERR | EPOLLHUP)) || getsockopt(p->io.fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 || e)
			goto next;
		n = send(p->io.fd, p->query + p->sent, p->query_len - p->sent, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			goto next;
		p->sent += (size_t)n;
		if (p->sent == p->query_len && epoll_ctl(srv->epfd, EPOLL_CTL_MOD, p->io.fd, &ev) < 0)
			goto next;
		return;
	}
	for (;;) {
		size_t want = p->resp_len < 2 ? 2 : 2 + (size_t)ldns_read_uint16(p->resp);
		if (p->resp_len >= 2 && want < 2 + LDNS_HEADER_SIZE)
			goto next;
		if (p->resp_len == want && want > 2)
			break;
		if (p->resp_cap < want) {
			uint8_t *r = realloc(p->resp, want);
			if (!r)
				goto next;
			p->resp = r;
			p->resp_cap = want;
		}
		n = recv(p->io.fd, p->resp + p->resp_len, want - p->resp_len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			goto next;
		p->resp_len += (size_t)n;
	}
	if (!answer_matches(p, p->resp + 2, p->resp_len - 2) || ldns_read_uint16(p->resp + 2) != p->id)
		goto next;
	answered(srv, p, p->resp + 2, p->resp_len - 2);
	return;
next:
	try_from(srv, p, p->upstream + 1);
}

uint64_t dns_fwd_expire(struct dns_server *srv, uint64_t now)
{
	while (srv->pend_head && srv->pend_head->deadline <= now) {
		struct dns_pending *p = srv->pend_head;
		try_from(srv, p, p->upstream + 1);
	}
	return srv->pend_head ? srv->pend_head->deadline : UINT64_MAX;
}

void dns_fwd_forget_client(struct dns_server *srv, struct dns_tcp_client *tclient, int fd)
{
	for (struct dns_pending *p = srv->pend_head; p; p = p->next) {
		if (tclient && p->tclient == tclient) {
			p->tclient = NULL;
			tclient->in_flight--;
		}
		if (fd >= 0 && !p->tcp && p->client_fd == fd)
			p->client_fd = -1;
	}
}

void dns_fwd_fini(struct dns_server *srv)
{
	while (srv->pend_head)
		pending_free(srv, srv->pend_head);
	for (size_t i = 0; i < srv->n_pool; i++)
		free(srv->pool[i]);
	srv->n_pool = srv->n_free = 0;
	free(srv->by_id);
	srv->by_id = NULL;
	if (srv->up4.fd >= 0)
		close(srv->up4.fd);
	if (srv->up6.fd >= 0)
		close(srv->up6.fd);
	srv->up4.fd = srv->up6.fd = -1;
}
