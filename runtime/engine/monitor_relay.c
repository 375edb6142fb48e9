/* The monitor's relay (monitor_internal.h): the command's output to the JSON log and to
 * every attacher, attachers' input to the command's stdin, new connections.  All of it
 * runs in one loop: the monitor's own before the start, ctr_run_wait's after (run.h's
 * hook).  Sockets and pipes are non-blocking: the command never waits for an attacher,
 * one that falls MON_BACKLOG_MAX behind is dropped. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "monitor_internal.h"

/* How long the end waits for attachers to take their last output. */
#define FINISH_FLUSH_MS 10000

void monitor_conn_drop(struct mon_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->obuf);
	c->obuf = NULL;
	c->olen = c->ocap = 0;
}

/* Send what the socket takes now; false when the peer is gone. */
static bool conn_flush(struct mon_conn *c)
{
	size_t off = 0;

	while (off < c->olen) {
		ssize_t w = send(c->fd, c->obuf + off, c->olen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0)
			return false;
		off += (size_t)w;
	}
	memmove(c->obuf, c->obuf + off, c->olen - off);
	c->olen -= off;
	return true;
}

static void conn_send(struct mon_conn *c, const void *b, size_t n)
{
	if (c->fd < 0)
		return;
	if (c->olen + n > MON_BACKLOG_MAX) {
		monitor_conn_drop(c); /* too far behind: the command goes on without it */
		return;
	}
	if (c->olen + n > c->ocap) {
		size_t cap = c->ocap ? c->ocap : 16384;
		while (cap < c->olen + n)
			cap *= 2;
		char *nb = realloc(c->obuf, cap);
		if (!nb) {
			monitor_conn_drop(c);
			return;
		}
		c->obuf = nb;
		c->ocap = cap;
	}
	memcpy(c->obuf + c->olen, b, n);
	c->olen += n;
	if (!conn_flush(c))
		monitor_conn_drop(c);
}

void monitor_output(struct monitor *m, enum ctr_stream s, const char *b, size_t n)
{
	ctr_jlog_write(m->log, s, b, n);
	for (size_t i = 0; i < m->n_conns; i++) {
		struct mon_conn *c = &m->conns[i];
		if (c->fd < 0 || c->kind != MON_CONN_ATTACH || !(s == CTR_STDERR ? c->err : c->out))
			continue;
		if (m->o.tty) {
			conn_send(c, b, n);
			continue;
		}
		/* Docker's multiplexed frame: stream, 0, 0, 0, then the size big-endian. */
		unsigned char h[8] = { (unsigned char)s, 0, 0, 0 };
		uint32_t len = htonl((uint32_t)n);
		memcpy(h + 4, &len, 4);
		if (c->olen + sizeof(h) + n > MON_BACKLOG_MAX) {
			monitor_conn_drop(c);
			continue;
		}
		conn_send(c, h, sizeof(h));
		conn_send(c, b, n);
	}
}

void monitor_tty_sink(void *ctx, const char *b, size_t n)
{
	monitor_output(ctx, CTR_STDOUT, b, n);
}

static bool wants_input(const struct monitor *m, const struct mon_conn *c)
{
	return c->kind == MON_CONN_ATTACH && c->in && !c->in_eof && m->mo->open_stdin;
}

/* The command's stdin is closed: input goes nowhere. */
static void close_input(struct monitor *m)
{
	if (m->in_wr >= 0)
		close(m->in_wr);
	m->in_wr = -1;
	m->close_in = false;
	for (size_t i = 0; i < m->n_conns; i++)
		m->conns[i].ilen = m->conns[i].ioff = 0;
}

/* Pending input into the command's stdin, as far as the pipe takes it. */
static void write_input(struct monitor *m)
{
	bool pending = false;

	for (size_t i = 0; i < m->n_conns && m->in_wr >= 0; i++) {
		struct mon_conn *c = &m->conns[i];
		while (c->ioff < c->ilen) {
			ssize_t w = write(m->in_wr, c->ibuf + c->ioff, c->ilen - c->ioff);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && errno == EAGAIN) {
				pending = true;
				break;
			}
			if (w <= 0) { /* EPIPE: the command closed its stdin */
				close_input(m);
				return;
			}
			c->ioff += (size_t)w;
		}
		if (c->ioff == c->ilen)
			c->ilen = c->ioff = 0;
	}
	if (!pending && m->close_in)
		close_input(m);
}

size_t monitor_pollfds(void *ctx, struct pollfd *p, size_t max)
{
	struct monitor *m = ctx;
	bool in_pending = false;
	size_t n = 0, k = 0;

	/* Dropped connections' slots are freed here, between rounds. */
	for (size_t i = 0; i < m->n_conns; i++)
		if (m->conns[i].fd >= 0)
			m->conns[k++] = m->conns[i];
	m->n_conns = k;
	if (m->lfd >= 0 && n < max) {
		p[n] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
		m->slots[n++].what = MON_SLOT_LISTEN;
	}
	if (m->state == MON_RUNNING && m->out_rd >= 0 && n < max) {
		p[n] = (struct pollfd){ .fd = m->out_rd, .events = POLLIN };
		m->slots[n++].what = MON_SLOT_OUT;
	}
	if (m->state == MON_RUNNING && m->err_rd >= 0 && n < max) {
		p[n] = (struct pollfd){ .fd = m->err_rd, .events = POLLIN };
		m->slots[n++].what = MON_SLOT_ERR;
	}
	for (size_t i = 0; i < m->n_conns; i++)
		in_pending |= m->conns[i].ioff < m->conns[i].ilen;
	if (m->in_wr >= 0 && in_pending && n < max) {
		p[n] = (struct pollfd){ .fd = m->in_wr, .events = POLLOUT };
		m->slots[n++].what = MON_SLOT_IN;
	}
	for (size_t i = 0; i < m->n_conns && n < max; i++) {
		struct mon_conn *c = &m->conns[i];
		short ev = 0;
		if (c->kind == MON_CONN_CMD || (wants_input(m, c) && m->in_wr >= 0 && c->ilen == 0))
			ev |= POLLIN;
		if (c->olen)
			ev |= POLLOUT;
		/* Even with no events: POLLHUP says the attacher went away. */
		p[n] = (struct pollfd){ .fd = c->fd, .events = ev };
		m->slots[n++].what = (int)i;
	}
	m->n_slots = n;
	return n;
}

static void accept_conns(struct monitor *m)
{
	for (;;) {
		int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or a client that gave up meanwhile */
		if (m->n_conns >= MON_CONN_MAX) {
			static const char busy[] = "err too many connections to the monitor\n";
			send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		m->conns[m->n_conns++] = (struct mon_conn){ .fd = fd, .kind = MON_CONN_CMD };
	}
}

/* The command line, read as it comes; what follows it (an attacher's first input) is
 * kept as input. */
static void read_command(struct monitor *m, struct mon_conn *c)
{
	ssize_t n = recv(c->fd, c->line + c->line_len, sizeof(c->line) - 1 - c->line_len, 0);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		monitor_conn_drop(c);
		return;
	}
	c->line_len += (size_t)n;
	c->line[c->line_len] = '\0';
	nl = memchr(c->line, '\n', c->line_len);
	if (!nl) {
		if (c->line_len == sizeof(c->line) - 1) {
			static const char msg[] = "err command line too long\n";
			send(c->fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			monitor_conn_drop(c);
		}
		return;
	}
	*nl = '\0';
	size_t rest = c->line_len - (size_t)(nl + 1 - c->line);
	memcpy(c->ibuf, nl + 1, rest);
	c->ilen = rest;
	c->ioff = 0;
	monitor_command(m, c);
	if (c->fd >= 0 && !wants_input(m, c))
		c->ilen = 0;
}

static void read_input(struct monitor *m, struct mon_conn *c)
{
	ssize_t n = recv(c->fd, c->ibuf, sizeof(c->ibuf), 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		c->ilen = (size_t)n;
		c->ioff = 0;
		return;
	}
	/* EOF (the attacher's half-close) or an error: its input ended.  With a tty the
	 * command's input stays open (Docker's CloseStdin applies without one only): a
	 * client that detached (its keys) leaves the container running. */
	c->in_eof = true;
	if (m->mo->stdin_once && !m->o.tty)
		m->close_in = true;
}

void monitor_handle(void *ctx, const struct pollfd *p, size_t n)
{
	struct monitor *m = ctx;
	char buf[65536];

	for (size_t i = 0; i < n && i < m->n_slots; i++) {
		int what = m->slots[i].what;
		if (!p[i].revents)
			continue;
		if (what == MON_SLOT_LISTEN) {
			accept_conns(m);
		} else if (what == MON_SLOT_OUT || what == MON_SLOT_ERR) {
			int *fd = what == MON_SLOT_OUT ? &m->out_rd : &m->err_rd;
			ssize_t r = read(*fd, buf, sizeof(buf));
			if (r > 0)
				monitor_output(m, what == MON_SLOT_OUT ? CTR_STDOUT : CTR_STDERR, buf, (size_t)r);
			else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(*fd);
				*fd = -1;
			}
		} else if (what == MON_SLOT_IN) {
			write_input(m);
		} else {
			struct mon_conn *c = &m->conns[what];
			if (c->fd < 0 || c->fd != p[i].fd)
				continue; /* dropped during this round */
			if (p[i].revents & POLLOUT && !conn_flush(c)) {
				monitor_conn_drop(c);
				continue;
			}
			if (p[i].revents & POLLIN) {
				if (c->kind == MON_CONN_CMD)
					read_command(m, c);
				else
					read_input(m, c);
			} else if (p[i].revents & (POLLHUP | POLLERR)) {
				monitor_conn_drop(c);
			}
		}
	}
	/* Input that came with a command line, or an EOF to pass on. */
	write_input(m);
}

/* The command and every process of its container are gone, so the pipes end; a bounded
 * wait all the same (a descriptor passed out of the container could hold them open). */
static void drain_pipes(struct monitor *m)
{
	long long deadline = clock_now_ms() + 2000;
	char buf[65536];

	while ((m->out_rd >= 0 || m->err_rd >= 0) && clock_now_ms() < deadline) {
		struct pollfd p[2] = { { .fd = m->out_rd, .events = POLLIN }, { .fd = m->err_rd, .events = POLLIN } };
		if (poll(p, 2, 200) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			int *fd = i ? &m->err_rd : &m->out_rd;
			if (*fd < 0 || !p[i].revents)
				continue;
			ssize_t r = read(*fd, buf, sizeof(buf));
			if (r > 0)
				monitor_output(m, i ? CTR_STDERR : CTR_STDOUT, buf, (size_t)r);
			else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(*fd);
				*fd = -1;
			}
		}
	}
}

void monitor_finish(struct monitor *m)
{
	long long deadline = clock_now_ms() + FINISH_FLUSH_MS;

	drain_pipes(m);
	ctr_jlog_flush(m->log);
	for (;;) {
		struct pollfd p[MON_CONN_MAX];
		size_t n = 0;
		for (size_t i = 0; i < m->n_conns; i++) {
			struct mon_conn *c = &m->conns[i];
			p[i] = (struct pollfd){ .fd = c->fd >= 0 && c->olen ? c->fd : -1, .events = POLLOUT };
			n += p[i].fd >= 0;
		}
		long long left = deadline - clock_now_ms();
		if (!n || left <= 0)
			break;
		if (poll(p, m->n_conns, (int)left) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < m->n_conns; i++)
			if (p[i].revents && !conn_flush(&m->conns[i]))
				monitor_conn_drop(&m->conns[i]);
	}
	for (size_t i = 0; i < m->n_conns; i++) {
		if (m->conns[i].fd >= 0)
			shutdown(m->conns[i].fd, SHUT_RDWR);
		monitor_conn_drop(&m->conns[i]);
	}
	m->n_conns = 0;
}
