/* The daemon's listening sockets (server_run.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/server_run.h"
#include "engine/rt.h"
#include "engine/rt_error.h"

#define LISTEN_BACKLOG 128

bool listen_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return !strcmp(host, "localhost");
}

int listen_parse_tcp(const char *spec, char *host, size_t host_len, char *port, size_t port_len)
{
	const char *p = spec + strlen("tcp://"), *colon;
	size_t hn;

	if (strncmp(spec, "tcp://", 6) != 0)
		return -EINVAL;
	if (*p == '[') {
		const char *close = strchr(p, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		hn = (size_t)(close - p - 1);
		p++;
		colon = close + 1;
	} else {
		colon = strrchr(p, ':');
		if (!colon)
			return -EINVAL;
		hn = (size_t)(colon - p);
	}
	if (hn == 0 || hn >= host_len || strlen(colon + 1) == 0 || strlen(colon + 1) >= port_len ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) > 65535)
		return -EINVAL;
	memcpy(host, p, hn);
	host[hn] = '\0';
	snprintf(port, port_len, "%s", colon + 1);
	return 0;
}

/* A unix socket at path: the lock first (another daemon holding it: refused), then a
 * stale socket file is removed and ours bound, 0660 root:gid (0600 without a group). */
static int open_unix(struct server_listener *l, const char *path, const struct server_opts *o, struct nr_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char lock[sizeof(l->unix_path) + 8];
	gid_t gid = 0;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path) || path[0] != '/')
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "-H unix://%s: not an absolute path of at most %zu bytes", path,
				    sizeof(sa.sun_path) - 1);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	l->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->lock_fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "%s: %s", lock, strerror(errno));
	if (flock(l->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return nr_error_set(err, RT_ERR_CONFLICT, errno == EWOULDBLOCK ? EBUSY : errno,
				    "%s: another netns-run daemon serves this socket (its lock %s is held)", path,
				    lock);
	/* Ours now: whatever is at path is a dead daemon's leftover. */
	if (unlink(path) < 0 && errno != ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "removing the stale socket %s: %s", path,
				    strerror(errno));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "socket: %s", strerror(errno));
	l->fd = fd;
	memcpy(sa.sun_path, path, strlen(path));
	/* Bound with no permission for anyone but us until chown/chmod below. */
	mode_t old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "bind %s: %s", path, strerror(errno));
	snprintf(l->unix_path, sizeof(l->unix_path), "%s", path);
	r = listen_group(o, &gid, err);
	if (r < 0 && o->group_given)
		return r;
	if (r < 0) {
		dlog_warn("%s: %s; the socket stays root-only (0600)", path, err->msg);
		nr_error_clear(err);
	} else if (chown(path, 0, gid) < 0 || chmod(path, 0660) < 0) {
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "%s: setting group %s and mode 0660: %s", path, o->group,
				    strerror(errno));
	}
	if (listen(fd, LISTEN_BACKLOG) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "listen %s: %s", path, strerror(errno));
	return 0;
}

static int open_tcp(struct server_listener *l, const char *spec, const struct server_opts *o, struct nr_error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai = NULL;
	char host[256], port[16];
	int fd, r, one = 1;

	if (listen_parse_tcp(spec, host, sizeof(host), port, sizeof(port)) < 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-H %s: expected tcp://ADDRESS:PORT", spec);
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	l->tls = o->cert_pem && o->key_pem;
	l->verify_client = l->tls && o->ca_pem;
	if (!l->tls) {
		/* Docker's rule for dockerd: an API reachable from the network without TLS
		 * is root for anyone who can connect.  Refused, but on loopback when asked. */
		if (!listen_is_loopback(host))
			return nr_error_set(err, RT_ERR_USAGE, EPERM,
					    "-H %s: refusing to serve the API on a non-loopback address without TLS "
					    "(give --tlscert and --tlskey)",
					    spec);
		if (!o->insecure_tcp)
			return nr_error_set(err, RT_ERR_USAGE, EPERM,
					    "-H %s: TCP without TLS needs --insecure-tcp (or --tlscert and --tlskey)",
					    spec);
		dlog_warn("-H %s: serving the API over TCP WITHOUT TLS (--insecure-tcp): any local user who can "
			  "connect to this port controls the daemon, as root",
			  spec);
	}
	r = getaddrinfo(host, port, &hints, &ai);
	if (r != 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-H %s: %s", spec, gai_strerror(r));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "socket: %s", strerror(errno));
		goto out;
	}
	l->fd = fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "-H %s: %s", spec, strerror(errno));
		goto out;
	}
	r = 0;
out:
	freeaddrinfo(ai);
	return r;
}

/* systemd's socket activation (sd_listen_fds(3)): LISTEN_PID is us, LISTEN_FDS sockets
 * from fd 3.  The variables are dropped so that our children do not take them. */
static int open_activated(const struct server_opts *o, struct server_listener **ret, size_t *ret_n,
			  struct nr_error *err)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	struct server_listener *l;
	long n;

	*ret_n = 0;
	if (!pid || !fds || atol(pid) != (long)getpid())
		return 0;
	n = atol(fds);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n <= 0 || n > SERVER_HOSTS_MAX)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "LISTEN_FDS=%s: expected 1 to %d sockets", fds,
				    SERVER_HOSTS_MAX);
	l = calloc((size_t)n, sizeof(*l));
	if (!l)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (long i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = 3 + (int)i, type = 0;
		socklen_t tlen = sizeof(type);

		l[i] = (struct server_listener){ .fd = fd, .lock_fd = -1 };
		snprintf(l[i].spec, sizeof(l[i].spec), "fd://%d", fd);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 || type != SOCK_STREAM) {
			listen_close(l, (size_t)n);
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "LISTEN_FDS: fd %d is not a stream socket", fd);
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		l[i].is_unix = ss.ss_family == AF_UNIX;
		if (!l[i].is_unix) {
			char host[INET6_ADDRSTRLEN] = "";
			if (ss.ss_family == AF_INET)
				inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
			else
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
			l[i].tls = o->cert_pem && o->key_pem;
			l[i].verify_client = l[i].tls && o->ca_pem;
			if (!l[i].tls && (!listen_is_loopback(host) || !o->insecure_tcp)) {
				listen_close(l, (size_t)n);
				return nr_error_set(err, RT_ERR_USAGE, EPERM,
						    "the TCP socket systemd passed (fd %d, %s) needs TLS (--tlscert, "
						    "--tlskey), or a loopback address and --insecure-tcp",
						    fd, host);
			}
		}
	}
	*ret = l;
	*ret_n = (size_t)n;
	return 1;
}

int listen_open(const struct server_opts *o, struct server_listener **ret, size_t *ret_n, struct nr_error *err)
{
	const char *def[] = { SERVER_SOCKET_DEFAULT };
	const char *const *hosts = o->n_hosts ? o->hosts : def;
	size_t n = o->n_hosts ? o->n_hosts : 1;
	struct server_listener *l;
	int r;

	r = open_activated(o, ret, ret_n, err);
	if (r != 0)
		return r < 0 ? r : 0;
	l = calloc(n, sizeof(*l));
	if (!l)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		l[i] = (struct server_listener){ .fd = -1, .lock_fd = -1 };
	for (size_t i = 0; i < n; i++) {
		snprintf(l[i].spec, sizeof(l[i].spec), "%s", hosts[i]);
		if (!strncmp(hosts[i], "unix://", 7)) {
			l[i].is_unix = true;
			r = open_unix(&l[i], hosts[i] + 7, o, err);
		} else if (!strncmp(hosts[i], "tcp://", 6)) {
			r = open_tcp(&l[i], hosts[i], o, err);
		} else {
			r = nr_error_set(err, RT_ERR_USAGE, EINVAL,
					 "-H %s: expected unix:///PATH or tcp://ADDRESS:PORT", hosts[i]);
		}
		if (r < 0) {
			listen_close(l, n);
			return r;
		}
	}
	*ret = l;
	*ret_n = n;
	return 0;
}

void listen_close(struct server_listener *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++) {
		if (l[i].fd >= 0)
			close(l[i].fd);
		/* The socket file goes before its lock is dropped: a daemon starting meanwhile
		 * waits for the lock, then makes its own. */
		if (l[i].unix_path[0])
			unlink(l[i].unix_path);
		if (l[i].lock_fd >= 0)
			close(l[i].lock_fd);
	}
	free(l);
}
