/* Clients' TCP connections (RFC 7766): each message is two length bytes and a query;
 * several may come one after the other on a connection and are answered in the order
 * their answers are ready.  Connections idle for DNS_TCP_IDLE_MS are closed; past
 * DNS_TCP_CLIENTS_MAX open ones, new ones are refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "server.h"

/* The most answers waiting for a slow reader before it is dropped. */
#define OUT_MAX (1u << 20)

static void lru_remove(struct dns_server *srv, struct dns_tcp_client *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		srv->clients_tail = c->prev;
	c->prev = c->next = NULL;
}

static void lru_touch(struct dns_server *srv, struct dns_tcp_client *c)
{
	if (srv->clients_tail != c) {
		lru_remove(srv, c);
		c->prev = srv->clients_tail;
		if (srv->clients_tail)
			srv->clients_tail->next = c;
		else
			srv->clients = c;
		srv->clients_tail = c;
	}
	c->idle_at = dns_now_ms() + DNS_TCP_IDLE_MS;
}

void dns_tcp_close(struct dns_server *srv, struct dns_tcp_client *c)
{
	if (c->in_flight)
		dns_fwd_forget_client(srv, c, -1);
	lru_remove(srv, c);
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->io.fd, NULL);
	close(c->io.fd);
	free(c->in);
	free(c->out);
	free(c);
	srv->n_clients--;
}

void dns_tcp_accept(struct dns_server *srv, struct dns_listener *l)
{
	struct sockaddr_storage peer;
	socklen_t peer_len = sizeof(peer);
	int fd = accept4(l->io.fd, (struct sockaddr *)&peer, &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct dns_tcp_client *c;
	struct epoll_event ev = { .events = EPOLLIN };

	if (fd < 0)
		return;
	/* Full: the newcomer is refused (closing another here could free an object whose
	 * event is still in this round's batch). */
	if (srv->n_clients >= DNS_TCP_CLIENTS_MAX || !(c = calloc(1, sizeof(*c)))) {
		close(fd);
		return;
	}
	c->io = (struct dns_io){ DNS_IO_TCP_CLIENT, fd };
	/* Who it is is looked up per query: the names may be reloaded meanwhile. */
	if (!dns_sockaddr_addr(&peer, &c->peer))
		c->peer.family = 0;
	ev.data.ptr = c;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		free(c);
		return;
	}
	srv->n_clients++;
	c->prev = srv->clients_tail;
	if (srv->clients_tail)
		srv->clients_tail->next = c;
	else
		srv->clients = c;
	srv->clients_tail = c;
	c->idle_at = dns_now_ms() + DNS_TCP_IDLE_MS;
}

static void arm(struct dns_server *srv, struct dns_tcp_client *c, bool writing)
{
	struct epoll_event ev = { .events = EPOLLIN | (writing ? EPOLLOUT : 0), .data.ptr = c };

	if (c->writing != writing && epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->io.fd, &ev) == 0)
		c->writing = writing;
}

/* Write what is queued; false when the connection failed. */
static bool flush(struct dns_server *srv, struct dns_tcp_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->io.fd, c->out + c->out_off, c->out_len - c->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			arm(srv, c, true);
			return true;
		}
		if (n <= 0)
			return false;
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	arm(srv, c, false);
	return true;
}

void dns_tcp_send(struct dns_server *srv, struct dns_tcp_client *c, const uint8_t *msg, size_t len)
{
	size_t need = c->out_len + 2 + len;

	if (need > OUT_MAX)
		return; /* a client not reading its answers loses them */
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 1024;
		uint8_t *o;
		while (cap < need)
			cap *= 2;
		if (!(o = realloc(c->out, cap)))
			return;
		c->out = o;
		c->out_cap = cap;
	}
	c->out[c->out_len] = (uint8_t)(len >> 8);
	c->out[c->out_len + 1] = (uint8_t)len;
	memcpy(c->out + c->out_len + 2, msg, len);
	c->out_len = need;
	/* Errors show up as EPOLLERR/EPOLLHUP on the next round, which closes the connection. */
	if (!c->writing)
		flush(srv, c);
}

/* Answer or forward every whole message in c->in. */
static void handle(struct dns_server *srv, struct dns_tcp_client *c)
{
	struct dns_answer_ctx ctx;
	size_t off = 0;

	dns_server_signals(srv);
	ctx = (struct dns_answer_ctx){ .internal = srv->internal, .can_forward = srv->up.n > 0 };
	dns_view_querier(srv->view, c->peer.family ? &c->peer : NULL, &ctx);

	while (c->in_len - off >= 2) {
		size_t len = ((size_t)c->in[off] << 8) | c->in[off + 1], out_len;
		struct dns_question q;

		if (c->in_len - off - 2 < len)
			break;
		switch (dns_answer(&ctx, c->in + off + 2, len, true, srv->tcp_buf, sizeof(srv->tcp_buf), &out_len,
				   &q)) {
		case DNS_REPLY:
			dns_tcp_send(srv, c, srv->tcp_buf, out_len);
			break;
		case DNS_FORWARD:
			dns_fwd_query(srv, c->in + off + 2, len, &q, -1, NULL, 0, c);
			break;
		case DNS_DROP:
			break;
		}
		off += 2 + len;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

void dns_tcp_event(struct dns_server *srv, struct dns_tcp_client *c, uint32_t events)
{
	if (events & EPOLLOUT && !flush(srv, c))
		goto close;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		ssize_t n;
		if (c->in_cap - c->in_len < 512) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 1024;
			uint8_t *in;
			if (cap > 2 + DNS_TCP_MAX + 1024)
				goto close; /* no message is that long */
			if (!(in = realloc(c->in, cap)))
				goto close;
			c->in = in;
			c->in_cap = cap;
		}
		n = recv(c->io.fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			goto close;
		c->in_len += (size_t)n;
		lru_touch(srv, c);
		handle(srv, c);
	}
	return;
close:
	dns_tcp_close(srv, c);
}

uint64_t dns_tcp_expire(struct dns_server *srv, uint64_t now)
{
	struct dns_tcp_client *c = srv->clients;

	while (c) {
		struct dns_tcp_client *next = c->next;
		if (c->idle_at > now)
			return c->idle_at;
		if (!c->in_flight && c->out_off >= c->out_len)
			dns_tcp_close(srv, c);
		else
			lru_touch(srv, c); /* busy: look again later */
		c = next;
	}
	return UINT64_MAX;
}
