/* The daemon's listeners and the MHD daemons serving them (listen.c, server_run.c). */
#ifndef NETNS_RUN_DAEMON_SERVER_RUN_H
#define NETNS_RUN_DAEMON_SERVER_RUN_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

#define SERVER_HOSTS_MAX 16
#define SERVER_SOCKET_DEFAULT "unix:///run/netns-run.sock"
#define SERVER_GROUP_DEFAULT "netns-run"

struct server_opts {
	const char *hosts[SERVER_HOSTS_MAX]; /* -H, in order; none: SERVER_SOCKET_DEFAULT */
	size_t n_hosts;
	const char *tlscert, *tlskey, *tlscacert; /* files */
	char *cert_pem, *key_pem, *ca_pem;        /* their contents, read at start */
	bool insecure_tcp;
	const char *group; /* the unix sockets' group */
	bool group_given;  /* --group: it must exist; the default one is created if missing */
	unsigned timeout;  /* seconds a connection may idle (headers, keep-alive) */
	unsigned conn_limit, per_ip_limit;
	unsigned shutdown_timeout; /* seconds in-flight requests get at SIGTERM */
};

struct server_listener {
	char spec[320]; /* "unix:///run/netns-run.sock", "tcp://127.0.0.1:2376", "fd://3" */
	int fd;
	bool is_unix, tls, verify_client;
	char unix_path[108]; /* the socket we bound (removed at exit); "" for inherited ones */
	int lock_fd;         /* flock on unix_path.lock, held for the daemon's life */
	struct MHD_Daemon *d;
};

/* listen.c.  The listening sockets: systemd's (LISTEN_PID/LISTEN_FDS) when it passed
 * some, else one per -H.  Refused: a unix socket another daemon serves (its lock is
 * held), TCP without TLS but on a loopback address with --insecure-tcp. */
int listen_open(const struct server_opts *o, struct server_listener **ret, size_t *ret_n, struct nr_error *err);
void listen_close(struct server_listener *l, size_t n);
/* Whether addr:port (numeric) is a loopback address. */
bool listen_is_loopback(const char *host);
/* Split "tcp://HOST:PORT" ("[v6]:port" too) into host and port; -EINVAL when malformed. */
int listen_parse_tcp(const char *spec, char *host, size_t host_len, char *port, size_t port_len);

/* listen_group.c.  The gid for the unix sockets: o->group's; the default group is made
 * when missing (appended to /etc/group under lckpwdf(), no groupadd).  -ENOENT when there
 * is none to be had (the socket then stays root-only). */
int listen_group(const struct server_opts *o, gid_t *ret, struct nr_error *err);

/* server_run.c */
int server_start(struct server_listener *l, const struct server_opts *o, struct nr_error *err);
/* Stop accepting, give in-flight requests up to grace seconds, cut the rest, stop. */
void server_stop(struct server_listener *l, size_t n, unsigned grace);
/* The headers every answer carries (Api-Version, Ostype, Server, Docker-Experimental). */
void server_response_headers(struct MHD_Response *resp);
/* With --tlscacert: whether the client showed a certificate that CA signed. */
bool server_client_allowed(const struct server_listener *l, struct MHD_Connection *mc);

/* server.c */
long server_in_flight(void);
/* Wake every stream and hijacked connection so that they end. */
void server_cut_all(void);

/* server_self.c: "netns-run/VERSION" for the Server header and /version. */
const char *server_version(void);

#endif
