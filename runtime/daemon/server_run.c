/* One MHD daemon per listener (server_run.h): a thread per connection, upgrades for
 * Docker's hijack, TLS on TCP, the limits against slow and greedy clients. */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/server.h"
#include "daemon/server_run.h"
#include "engine/rt_error.h"

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/* MHD reports every client that hangs up or times out: a debug matter. */
	dlog_debug("http: %s", msg);
}

void server_response_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Api-Version", API_VERSION_MAX);
	MHD_add_response_header(resp, "Docker-Experimental", "false");
	MHD_add_response_header(resp, "Ostype", "linux");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_SERVER, server_version());
}

bool server_client_allowed(const struct server_listener *l, struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci;
	unsigned status = 0;

	if (!l->verify_client)
		return true;
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return false;
	/* MHD asks for a certificate (MHD_OPTION_HTTPS_MEM_TRUST) but leaves judging it to
	 * us: no certificate, or one the CA did not sign, is refused. */
	if (gnutls_certificate_verify_peers2((gnutls_session_t)ci->tls_session, &status) < 0 || status != 0)
		return false;
	return gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &(unsigned){ 0 }) != NULL;
}

int server_start(struct server_listener *l, const struct server_opts *o, struct nr_error *err)
{
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_UPGRADE |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[16];
	size_t n = 0;

	if (l->tls)
		flags |= MHD_USE_TLS;
	server_watch_init(o->timeout);
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, l->fd, NULL };
	/* A client that sends its headers a byte at a time, or idles between requests, is
	 * cut after this; streams and hijacks turn it off for their connection. */
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, o->timeout, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, o->conn_limit, NULL };
	if (!l->is_unix)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip_limit, NULL };
	if (l->tls) {
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, o->key_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, o->cert_pem };
		if (l->verify_client)
			opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, o->ca_pem };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	/* The access handler's cls is the listener (TLS client checks); its daemon's port
	 * argument is ignored with a socket of our own. */
	l->d = MHD_start_daemon(flags, 0, NULL, NULL, server_access, l, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_NOTIFY_COMPLETED, server_completed, NULL,
				/* one that never finishes its headers is cut too (server_watch.c) */
				MHD_OPTION_NOTIFY_CONNECTION, server_watch_notify, NULL, MHD_OPTION_ARRAY, opts,
				MHD_OPTION_END);
	if (!l->d)
		return nr_error_set(err, RT_ERR_SYSTEM, EINVAL, "%s: libmicrohttpd would not start (%s)", l->spec,
				    l->tls ? "is the TLS key or certificate valid?" : "see the log above");
	return 0;
}

/* Seconds MHD_stop_daemon gets after the grace period. */
#define SERVER_STOP_WAIT 3

/* The daemons to stop, apart from the listeners (which the caller frees even when a
 * stop is left running). */
struct stopper {
	size_t n;
	struct MHD_Daemon *d[];
};

static void *stop_all(void *arg)
{
	struct stopper *st = arg;

	for (size_t i = 0; i < st->n; i++)
		if (st->d[i])
			MHD_stop_daemon(st->d[i]);
	free(st);
	return NULL;
}

void server_stop(struct server_listener *l, size_t n, unsigned grace)
{
	struct timespec t0, now;

	/* Stop accepting: the listening sockets come back to us. */
	for (size_t i = 0; i < n; i++)
		if (l[i].d) {
			MHD_socket fd = MHD_quiesce_daemon(l[i].d);
			/* Closed now: new clients are refused rather than left in the backlog.
			 * (MHD_INVALID_SOCKET: MHD kept it and closes it itself.) */
			if (fd != MHD_INVALID_SOCKET)
				close(fd);
			l[i].fd = -1;
		}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long busy = server_in_flight();
		if (busy == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= (time_t)grace) {
			dlog_info("shutdown: cutting %ld request(s) still in flight after %us", busy, grace);
			break;
		}
		usleep(20 * 1000);
	}
	/* Streams' readers and hijacked sessions wake up and end, every connection's socket
	 * is shut down; then MHD closes the connections and joins their threads. */
	server_cut_all();
	struct stopper *st = calloc(1, sizeof(*st) + n * sizeof(st->d[0]));
	pthread_t t;
	if (!st)
		return; /* the process is about to exit anyway */
	st->n = n;
	for (size_t i = 0; i < n; i++) {
		st->d[i] = l[i].d;
		l[i].d = NULL;
	}
	if (pthread_create(&t, NULL, stop_all, st) != 0) {
		stop_all(st);
		return;
	}
	/* A client that stopped reading an answer keeps MHD's thread waiting to write to
	 * it, a shut-down socket notwithstanding (the kernel reports no event to a writer
	 * on a full buffer); MHD_stop_daemon would wait for it for ever.  Bounded: the
	 * process exits with that thread still blocked. */
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SERVER_STOP_WAIT;
	if (pthread_timedjoin_np(t, NULL, &deadline) != 0) {
		dlog_warn("shutdown: connections still open after %ds (clients not reading); leaving them",
			  SERVER_STOP_WAIT);
		pthread_detach(t);
	}
}
