#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "dns_log.h"
#include "engine/rt_error.h"

uint64_t dns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void upstreams_choose(struct dns_server *srv)
{
	char list[DNS_UPSTREAM_MAX * (INET6_ADDRSTRLEN + 1) + 1] = "";

	/* An internal network's responder forwards too, for a querier that is also on a
	 * network with a way out (view.h); its own containers get NXDOMAIN all the same. */
	dns_upstreams_discover(srv->names->servers, srv->names->n_servers, &srv->up);
	for (size_t i = 0; i < srv->up.n; i++) {
		char a[INET6_ADDRSTRLEN];
		strcat(list, i ? " " : "");
		strcat(list, ip_addr_format(&srv->up.addr[i], a, sizeof(a)));
	}
	if (srv->up.n)
		dns_log("upstream servers (from %s): %s", srv->up.source, list);
	else
		dns_log("warning: no upstream DNS server in %s: queries for other names get SERVFAIL", srv->up.source);
}

static int listener_add(struct dns_server *srv, const struct ip_addr *a, int type, struct nr_error *err)
{
	struct dns_listener *l = calloc(1, sizeof(*l));
	struct epoll_event ev = { .events = EPOLLIN };
	int r;

	if (!l)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = dns_listen(a, srv->port, type, &l->io.fd, err)) < 0) {
		free(l);
		return r;
	}
	l->io.kind = type == SOCK_DGRAM ? DNS_IO_UDP_LISTEN : DNS_IO_TCP_LISTEN;
	l->addr = *a;
	ev.data.ptr = l;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, l->io.fd, &ev) < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "epoll: %s", strerror(errno));
		close(l->io.fd);
		free(l);
		return r;
	}
	l->next = srv->listeners;
	srv->listeners = l;
	return 0;
}

static bool listening_on(const struct dns_server *srv, const struct ip_addr *a, enum dns_io_kind kind)
{
	for (const struct dns_listener *l = srv->listeners; l; l = l->next)
		if (l->io.kind == kind && ip_addr_equal(&l->addr, a))
			return true;
	return false;
}

/* Listen on every gateway of srv->names not listened on yet. */
static int listeners_open(struct dns_server *srv, struct nr_error *err)
{
	for (size_t i = 0; i < srv->names->n_gateways; i++) {
		const struct ip_addr *a = &srv->names->gateways[i];
		int r = 0;
		if (!listening_on(srv, a, DNS_IO_UDP_LISTEN))
			r = listener_add(srv, a, SOCK_DGRAM, err);
		if (r >= 0 && !listening_on(srv, a, DNS_IO_TCP_LISTEN))
			r = listener_add(srv, a, SOCK_STREAM, err);
		/* A kernel without IPv6 cannot have that gateway either: the others still serve. */
		if (r == -EAFNOSUPPORT) {
			dns_log("warning: %s", err->msg);
			nr_error_clear(err);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Retire the listeners of addresses no longer among the gateways. */
static void listeners_prune(struct dns_server *srv)
{
	for (struct dns_listener **pl = &srv->listeners; *pl;) {
		struct dns_listener *l = *pl;
		bool keep = false;
		for (size_t i = 0; i < srv->names->n_gateways && !keep; i++)
			keep = ip_addr_equal(&l->addr, &srv->names->gateways[i]);
		if (keep) {
			pl = &l->next;
			continue;
		}
		*pl = l->next;
		dns_fwd_forget_client(srv, NULL, l->io.fd);
		epoll_ctl(srv->epfd, EPOLL_CTL_DEL, l->io.fd, NULL);
		l->next = srv->retired;
		srv->retired = l;
	}
}

static bool retired(const struct dns_server *srv, const struct dns_io *io)
{
	for (const struct dns_listener *l = srv->retired; l; l = l->next)
		if (&l->io == io)
			return true;
	return false;
}

static void listeners_free(struct dns_listener **list)
{
	while (*list) {
		struct dns_listener *l = *list;
		*list = l->next;
		close(l->io.fd);
		free(l);
	}
}

int dns_server_init(struct dns_server *srv, int dirfd, const char *names_path, int port, bool internal,
		    struct nr_error *err)
{
	sigset_t mask;
	int r;

	srv->epfd = srv->sig.fd = -1;
	srv->dirfd = dirfd;
	srv->names_path = names_path;
	srv->port = port;
	srv->internal = internal;
	dns_fwd_init(srv);
	if ((r = dns_view_load(dirfd, names_path, &srv->view, err)) < 0)
		return r;
	srv->names = srv->view->own;
	srv->names->internal = internal;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	/* The signals arrive on the signalfd, in the loop, never in a handler. */
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "sigprocmask: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	if ((srv->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "epoll: %s", strerror(errno));
	return listeners_open(srv, err);
}

/* After the fork: epoll registers a signalfd on the signal queue of the process that adds
 * it, so one added before fork() would never wake the daemon. */
static int signals_watch(struct dns_server *srv)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &srv->sig };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	srv->sig.kind = DNS_IO_SIGNAL;
	if ((srv->sig.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->sig.fd, &ev) < 0)
		return -errno;
	return 0;
}

static void view_notes(const struct dns_view *v)
{
	for (size_t i = 0; i < v->n_notes; i++)
		dns_log("%s", v->notes[i]);
}

int dns_server_start(struct dns_server *srv, struct nr_error *err)
{
	if (signals_watch(srv) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "signalfd: %s", strerror(errno));
	dns_log("netns-run-dns %d: %zu names, %zu addresses, %zu entries, %zu other networks; port %d%s", (int)getpid(),
		srv->names->n_names, srv->names->n_addrs, srv->names->n_entries, srv->view->n_nets, srv->port,
		srv->internal ? ", internal" : "");
	view_notes(srv->view);
	upstreams_choose(srv);
	return 0;
}

void dns_server_reload(struct dns_server *srv)
{
	struct dns_view *view = NULL;
	struct nr_error err = { 0 };

	if (dns_view_load(srv->dirfd, srv->names_path, &view, &err) < 0) {
		dns_log("reload: %s; keeping the names loaded before", err.msg);
		return;
	}
	dns_view_free(srv->view);
	srv->view = view;
	srv->names = view->own;
	srv->names->internal = srv->internal;
	view_notes(view);
	struct dns_names *names = view->own;
	if (listeners_open(srv, &err) < 0)
		dns_log("reload: %s", err.msg);
	listeners_prune(srv);
	dns_log("reloaded: %zu names, %zu addresses, %zu entries, %zu other networks", names->n_names, names->n_addrs,
		names->n_entries, view->n_nets);
	upstreams_choose(srv);
}

static void udp_flush(int fd, struct mmsghdr *replies, int nr)
{
	for (int sent = 0; sent < nr;) {
		int k = sendmmsg(fd, replies + sent, (unsigned)(nr - sent), MSG_DONTWAIT);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			sent++; /* that client's address fails (or the queue is full): skip it */
		else
			sent += k;
	}
}

/* A round of queries on a UDP listener.  Answers are packed one after the other in an
 * arena (most are under 100 bytes), so a round touches a few pages, not a page per answer. */
static void udp_event(struct dns_server *srv, struct dns_listener *l)
{
	static uint8_t in[DNS_BATCH][DNS_UDP_QUERY_MAX], arena[4 * DNS_UDP_MAX];
	struct dns_answer_ctx ctx;
	struct sockaddr_storage from[DNS_BATCH];
	struct mmsghdr msgs[DNS_BATCH], replies[DNS_BATCH];
	struct iovec iov[DNS_BATCH], riov[DNS_BATCH];
	size_t used = 0;
	int n, nr = 0;
	struct ip_addr src, last;
	bool have_last = false;

	for (int i = 0; i < DNS_BATCH; i++) {
		iov[i] = (struct iovec){ in[i], sizeof(in[i]) };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i],
							 .msg_namelen = sizeof(from[i]),
							 .msg_iov = &iov[i],
							 .msg_iovlen = 1 } };
	}
	n = recvmmsg(l->io.fd, msgs, DNS_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return;
	dns_server_signals(srv);
	if (retired(srv, &l->io))
		return; /* its gateway is gone: nobody to answer for */
	ctx = (struct dns_answer_ctx){ .internal = srv->internal, .can_forward = srv->up.n > 0 };
	for (int i = 0; i < n; i++) {
		struct dns_question q;
		size_t len;

		if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
			continue; /* larger than any query we take */
		/* A batch mostly comes from one client: its querier is looked up once. */
		if (!dns_sockaddr_addr(&from[i], &src)) {
			dns_view_querier(srv->view, NULL, &ctx);
			have_last = false;
		} else if (!have_last || !ip_addr_equal(&src, &last)) {
			dns_view_querier(srv->view, &src, &ctx);
			last = src;
			have_last = true;
		}
		if (sizeof(arena) - used < DNS_UDP_MAX) {
			udp_flush(l->io.fd, replies, nr);
			nr = 0;
			used = 0;
		}
		switch (dns_answer(&ctx, in[i], msgs[i].msg_len, false, arena + used, DNS_UDP_MAX, &len, &q)) {
		case DNS_REPLY:
			riov[nr] = (struct iovec){ arena + used, len };
			replies[nr] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i],
								     .msg_namelen = msgs[i].msg_hdr.msg_namelen,
								     .msg_iov = &riov[nr],
								     .msg_iovlen = 1 } };
			used += len;
			nr++;
			break;
		case DNS_FORWARD:
			dns_fwd_query(srv, in[i], msgs[i].msg_len, &q, l->io.fd, &from[i], msgs[i].msg_hdr.msg_namelen,
				      NULL);
			break;
		case DNS_DROP:
			break;
		}
	}
	udp_flush(l->io.fd, replies, nr);
}

void dns_server_signals(struct dns_server *srv)
{
	struct signalfd_siginfo si;
	bool reload = false;

	while (read(srv->sig.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload = true;
		else
			srv->stop = true;
	}
	if (reload)
		dns_server_reload(srv);
}

int dns_server_run(struct dns_server *srv)
{
	struct epoll_event evs[64];

	while (!srv->stop) {
		uint64_t now = dns_now_ms(), next;
		int timeout, n;

		next = dns_fwd_expire(srv, now);
		uint64_t t = dns_tcp_expire(srv, now);
		if (t < next)
			next = t;
		timeout = next == UINT64_MAX ? -1 : next <= now ? 0 : (int)(next - now);
		n = epoll_wait(srv->epfd, evs, 64, timeout);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct dns_io *io = evs[i].data.ptr;
			if (retired(srv, io))
				continue;
			switch (io->kind) {
			case DNS_IO_SIGNAL:
				dns_server_signals(srv);
				break;
			case DNS_IO_UDP_LISTEN:
				udp_event(srv, (struct dns_listener *)io);
				break;
			case DNS_IO_TCP_LISTEN:
				dns_tcp_accept(srv, (struct dns_listener *)io);
				break;
			case DNS_IO_TCP_CLIENT:
				dns_tcp_event(srv, (struct dns_tcp_client *)io, evs[i].events);
				break;
			case DNS_IO_UP_UDP:
				dns_fwd_udp_event(srv, io);
				break;
			case DNS_IO_UP_TCP:
				dns_fwd_tcp_event(srv, (struct dns_pending *)io, evs[i].events);
				break;
			}
		}
		listeners_free(&srv->retired);
	}
	dns_log("stopping");
	return 0;
}

void dns_server_fini(struct dns_server *srv)
{
	while (srv->clients)
		dns_tcp_close(srv, srv->clients);
	dns_fwd_fini(srv);
	listeners_free(&srv->listeners);
	listeners_free(&srv->retired);
	dns_view_free(srv->view);
	srv->view = NULL;
	srv->names = NULL;
	if (srv->sig.fd >= 0)
		close(srv->sig.fd);
	if (srv->epfd >= 0)
		close(srv->epfd);
}
