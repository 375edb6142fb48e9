/* The responder's event loop: one thread, one epoll set holding the signalfd, a UDP and a
 * TCP listener per gateway address, the upstream sockets and the TCP connections.  UDP
 * queries are read and answered in batches (recvmmsg/sendmmsg). */
#ifndef NETNS_RUN_DNS_SERVER_H
#define NETNS_RUN_DNS_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "answer.h"
#include "base/error.h"
#include "names.h"
#include "upstream.h"
#include "view.h"

enum dns_io_kind {
	DNS_IO_SIGNAL,
	DNS_IO_UDP_LISTEN,
	DNS_IO_TCP_LISTEN,
	DNS_IO_TCP_CLIENT,
	DNS_IO_UP_UDP,
	DNS_IO_UP_TCP
};

/* What an epoll event points at: every object with an fd in the set starts with one. */
struct dns_io {
	enum dns_io_kind kind;
	int fd;
};

struct dns_listener {
	struct dns_io io; /* DNS_IO_UDP_LISTEN or DNS_IO_TCP_LISTEN */
	struct ip_addr addr;
	struct dns_listener *next;
};

/* A client's TCP connection: length-prefixed queries in, answers out (RFC 7766). */
struct dns_tcp_client {
	struct dns_io io;
	struct dns_tcp_client *prev, *next; /* least recently active first */
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	uint64_t idle_at;    /* closed then, when nothing is in flight */
	struct ip_addr peer; /* the querier (view.h); family 0: unknown, refused */
	unsigned in_flight;
	bool writing; /* EPOLLOUT armed */
};

/* A forwarded query waiting for its upstream (forward.c). */
struct dns_pending {
	struct dns_io io;                /* DNS_IO_UP_TCP: the upstream connection; fd -1 over UDP */
	struct dns_pending *prev, *next; /* by deadline */
	uint64_t deadline;
	uint16_t id;           /* ours, as sent upstream */
	uint16_t slot;         /* in the pool */
	struct dns_question q; /* q.id: the client's */
	uint8_t *query;        /* as sent: our id; over TCP, two length bytes first */
	size_t query_len;
	size_t upstream; /* index in the server's upstreams being tried */
	struct ip_addr up_addr;
	bool tcp;
	int client_fd; /* UDP: the listener the query came in on (-1: gone) */
	struct sockaddr_storage client;
	socklen_t client_len;
	struct dns_tcp_client *tclient; /* TCP: the client (NULL: gone) */
	size_t sent;                    /* TCP upstream: bytes of query written */
	uint8_t *resp;
	size_t resp_len, resp_cap;
};

#define DNS_FWD_MAX 4000        /* forwarded queries in flight; more: SERVFAIL */
#define DNS_FWD_TIMEOUT_MS 2000 /* per upstream server, then the next */
#define DNS_TCP_CLIENTS_MAX 128
#define DNS_TCP_IDLE_MS 10000
#define DNS_BATCH 32
/* A UDP query longer than this is dropped (a question and an OPT record take under 300). */
#define DNS_UDP_QUERY_MAX 1536
/* Upstream answers read per round. */
#define DNS_UP_BATCH 8

struct dns_server {
	int epfd;
	struct dns_io sig;
	int dirfd;              /* DIR, for names and the log */
	const char *names_path; /* "names", in dirfd */
	int port;
	bool internal;
	bool stop;
	struct dns_view *view;   /* every network's names, and who is on which (view.h) */
	struct dns_names *names; /* view->own: this network's */
	struct dns_upstreams up;
	struct dns_listener *listeners;
	/* Listeners a reload let go of: out of the epoll set, closed after the round, where
	 * no event of the round can still point at them. */
	struct dns_listener *retired;
	struct dns_tcp_client *clients, *clients_tail;
	size_t n_clients;
	/* forward.c */
	struct dns_io up4, up6; /* unconnected UDP sockets towards the upstreams (fd -1 until used) */
	struct dns_pending *pend_head, *pend_tail;
	struct dns_pending *pool[DNS_FWD_MAX];
	uint16_t free_slots[DNS_FWD_MAX];
	size_t n_free, n_pool, n_pending;
	uint16_t *by_id; /* our id -> pool slot + 1 (65536 entries) */
	/* answers built here before they are sent */
	uint8_t tcp_buf[DNS_TCP_MAX];
};

uint64_t dns_now_ms(void);

/* Set up srv for DIR: names loaded, upstreams chosen, listeners bound on port. */
int dns_server_init(struct dns_server *srv, int dirfd, const char *names_path, int port, bool internal,
		    struct nr_error *err);
/* In the process that will run the loop (after daemonizing, the log in place): watch
 * the signals, log what was loaded and choose the upstreams. */
int dns_server_start(struct dns_server *srv, struct nr_error *err);
/* Run until SIGTERM or SIGINT; 0, or negative errno when the loop itself fails. */
int dns_server_run(struct dns_server *srv);
void dns_server_fini(struct dns_server *srv);
/* SIGHUP: names and upstreams again; listeners for new gateways, retired for gone ones. */
void dns_server_reload(struct dns_server *srv);
/* The signals waiting, acted on now (a SIGHUP reloads).  Called before a round of queries
 * is answered: the engine signals before the container whose names changed can start, so
 * a query that container sends finds the signal pending, and is answered from its names
 * (not refused as a stranger's, nor its name unknown). */
void dns_server_signals(struct dns_server *srv);

/* listen.c */
int dns_listen(const struct ip_addr *a, int port, int type, int *ret_fd, struct nr_error *err);

/* tcpconn.c */
void dns_tcp_accept(struct dns_server *srv, struct dns_listener *l);
void dns_tcp_event(struct dns_server *srv, struct dns_tcp_client *c, uint32_t events);
/* Queue an answer (len bytes, no length prefix) to c. */
void dns_tcp_send(struct dns_server *srv, struct dns_tcp_client *c, const uint8_t *msg, size_t len);
void dns_tcp_close(struct dns_server *srv, struct dns_tcp_client *c);
/* Close idle connections; the time of the next check (UINT64_MAX: none). */
uint64_t dns_tcp_expire(struct dns_server *srv, uint64_t now);

/* forward.c */
void dns_fwd_init(struct dns_server *srv);
void dns_fwd_fini(struct dns_server *srv);
/* Forward query (len bytes, as from the client) for q, the answer to go back to a UDP
 * client (fd, addr) or a TCP client (tclient non-NULL). */
void dns_fwd_query(struct dns_server *srv, const uint8_t *query, size_t len, const struct dns_question *q, int fd,
		   const struct sockaddr_storage *addr, socklen_t addr_len, struct dns_tcp_client *tclient);
void dns_fwd_udp_event(struct dns_server *srv, struct dns_io *io);
void dns_fwd_tcp_event(struct dns_server *srv, struct dns_pending *p, uint32_t events);
/* Move on past timed-out upstreams; the next deadline (UINT64_MAX: none). */
uint64_t dns_fwd_expire(struct dns_server *srv, uint64_t now);
/* Whether an upstream's msg (len bytes) answers q: a response to the same question (name
 * in any case, type, class). */
bool dns_fwd_answer_matches(const struct dns_question *q, const uint8_t *msg, size_t len);
/* A client connection or listener is going away: its answers are dropped. */
void dns_fwd_forget_client(struct dns_server *srv, struct dns_tcp_client *tclient, int fd);

#endif
