/* netns-run-daemon: the Docker Engine API over the netns-run engine (docs/daemon.md).
 * Also, re-executed with --monitor or --exec, a container's monitor or one exec's
 * process (modes.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "daemon/dlog.h"
#include "daemon/events.h"
#include "daemon/modes.h"
#include "daemon/server_run.h"
#include "engine/plugins.h"
#include "engine/rt.h"
#include "engine/rt_error.h"

static const char usage[] =
	"Usage: netns-run-daemon [OPTIONS]   (or: netns-run daemon [OPTIONS])\n"
	"\n"
	"Serves the Docker Engine API (1.41 to 1.50) over the netns-run engine.\n"
	"\n"
	"  -H, --host unix:///PATH     a unix socket (repeatable; default unix:///run/netns-run.sock)\n"
	"  -H, --host tcp://ADDR:PORT  a TCP socket: needs --tlscert and --tlskey, or a loopback\n"
	"                              address and --insecure-tcp\n"
	"      --tlscert FILE          the server's certificate (PEM)\n"
	"      --tlskey FILE           its key (PEM)\n"
	"      --tlscacert FILE        require client certificates signed by this CA\n"
	"      --insecure-tcp          allow TCP without TLS on a loopback address\n"
	"  -G, --group GROUP           the unix sockets' group (default netns-run, created if missing)\n"
	"      --log-file FILE         log there too (besides stderr)\n"
	"  -D, --debug                 log every request\n"
	"      --timeout SECONDS       cut connections idle or slow this long (default 30)\n"
	"      --shutdown-timeout SECONDS  what in-flight requests get at SIGTERM (default 5)\n"
	"      --max-connections N     at most N connections per socket (default 1024)\n"
	"      --max-connections-per-ip N  on TCP sockets (default 64)\n"
	"\n"
	"Systemd socket activation (LISTEN_FDS) replaces -H.  See docs/daemon.md.\n";

enum {
	OPT_TLSCERT = 256,
	OPT_TLSKEY,
	OPT_TLSCACERT,
	OPT_INSECURE_TCP,
	OPT_LOG_FILE,
	OPT_TIMEOUT,
	OPT_SHUTDOWN_TIMEOUT,
	OPT_MAX_CONN,
	OPT_MAX_CONN_IP,
};

static int read_pem(const char *opt, const char *path, char **ret, struct nr_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len;
	int r;

	if (fd < 0)
		return nr_error_set(err, RT_ERR_USAGE, errno, "%s %s: %s", opt, path, strerror(errno));
	r = fd_read_all(fd, 1 << 20, ret, &len);
	if (r < 0)
		return nr_error_set(err, RT_ERR_USAGE, -r, "%s %s: %s", opt, path, strerror(-r));
	return 0;
}

static int parse_uint(const char *opt, const char *s, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > max || s[0] == '-') {
		fprintf(stderr, "netns-run-daemon: %s %s: expected a number up to %u\n", opt, s, max);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct server_opts *o, const char **log_file)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "group", required_argument, NULL, 'G' },
		{ "debug", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "tlscert", required_argument, NULL, OPT_TLSCERT },
		{ "tlskey", required_argument, NULL, OPT_TLSKEY },
		{ "tlscacert", required_argument, NULL, OPT_TLSCACERT },
		{ "insecure-tcp", no_argument, NULL, OPT_INSECURE_TCP },
		{ "log-file", required_argument, NULL, OPT_LOG_FILE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT },
		{ "max-connections", required_argument, NULL, OPT_MAX_CONN },
		{ "max-connections-per-ip", required_argument, NULL, OPT_MAX_CONN_IP },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+H:G:Dh", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (o->n_hosts == SERVER_HOSTS_MAX) {
				fprintf(stderr, "netns-run-daemon: at most %d -H\n", SERVER_HOSTS_MAX);
				return -EINVAL;
			}
			o->hosts[o->n_hosts++] = optarg;
			break;
		case 'G':
			o->group = optarg;
			o->group_given = true;
			break;
		case 'D':
			dlog_set_debug(true);
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		case OPT_TLSCERT:
			o->tlscert = optarg;
			break;
		case OPT_TLSKEY:
			o->tlskey = optarg;
			break;
		case OPT_TLSCACERT:
			o->tlscacert = optarg;
			break;
		case OPT_INSECURE_TCP:
			o->insecure_tcp = true;
			break;
		case OPT_LOG_FILE:
			*log_file = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_uint("--timeout", optarg, 86400, &o->timeout) < 0 || o->timeout == 0)
				return -EINVAL;
			break;
		case OPT_SHUTDOWN_TIMEOUT:
			if (parse_uint("--shutdown-timeout", optarg, 3600, &o->shutdown_timeout) < 0)
				return -EINVAL;
			break;
		case OPT_MAX_CONN:
			if (parse_uint("--max-connections", optarg, 65536, &o->conn_limit) < 0 || !o->conn_limit)
				return -EINVAL;
			break;
		case OPT_MAX_CONN_IP:
			if (parse_uint("--max-connections-per-ip", optarg, 65536, &o->per_ip_limit) < 0 ||
			    !o->per_ip_limit)
				return -EINVAL;
			break;
		default:
			fprintf(stderr, "netns-run-daemon: bad option %s (see --help)\n", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netns-run-daemon: unexpected argument %s (see --help)\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->tlscert != !o->tlskey) {
		fprintf(stderr, "netns-run-daemon: --tlscert and --tlskey go together\n");
		return -EINVAL;
	}
	if (o->tlscacert && !o->tlscert) {
		fprintf(stderr, "netns-run-daemon: --tlscacert needs --tlscert and --tlskey\n");
		return -EINVAL;
	}
	return 0;
}

static int serve(struct server_opts *o)
{
	struct server_listener *l = NULL;
	struct nr_error err = { 0 };
	size_t n = 0;
	sigset_t set;
	int sig = 0, r;

	if ((o->tlscert && (read_pem("--tlscert", o->tlscert, &o->cert_pem, &err) < 0 ||
			    read_pem("--tlskey", o->tlskey, &o->key_pem, &err) < 0)) ||
	    (o->tlscacert && read_pem("--tlscacert", o->tlscacert, &o->ca_pem, &err) < 0))
		goto fail;
	r = listen_open(o, &l, &n, &err);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (server_start(&l[i], o, &err) < 0) {
			server_stop(l, n, 0);
			listen_close(l, n);
			goto fail;
		}
		dlog_info("API listening on %s%s", l[i].spec, l[i].tls ? " (TLS)" : "");
	}
	dlog_info("netns-run-daemon %s started (pid %d, state %s)", server_version(), (int)getpid(),
		  rt_paths()->state_dir);
	/* The containers running now (started by an earlier daemon, or the CLI) are watched
	 * for their end, so that /events and wait report it. */
	r = events_watcher_start();
	if (r < 0)
		dlog_warn("no container exit watcher (%s): die events come only from this daemon's own stops",
			  strerror(-r));

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	while (sigwait(&set, &sig) != 0)
		;
	dlog_info("%s: stopping (in-flight requests get %us; containers keep running)", strsignal(sig),
		  o->shutdown_timeout);
	/* /events streams end first (their clients see the end of the answer), then the rest. */
	events_stop();
	server_stop(l, n, o->shutdown_timeout);
	listen_close(l, n);
	dlog_info("stopped");
	return 0;
fail:
	dlog_error("%s", err.msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct server_opts o = {
		.timeout = 30,
		.shutdown_timeout = 5,
		.conn_limit = 1024,
		.per_ip_limit = 64,
	};
	const char *log_file = NULL;
	struct nr_error err = { 0 };
	sigset_t set;
	int r;

	daemon_self_path(); /* resolved before anything can move the binary */
	/* The modes are this binary re-executed by the daemon, whose signal mask and ignored
	 * SIGPIPE survive exec: a monitor and the containers it starts get the defaults. */
	sigfillset(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (argc > 1 && !strcmp(argv[1], "--monitor"))
		return daemon_monitor_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--exec"))
		return daemon_exec_main(argc, argv);

	r = parse_args(argc, argv, &o, &log_file);
	if (r != 0)
		return r > 0 ? 0 : 1;
	/* The daemon serves every client: a plugin it calls itself (network connect, the
	 * teardown of a container whose monitor died) runs as an executable (plugins.c). */
	rt_plugins_bridge_inline(false);
	if (log_file && dlog_open_file(log_file, &err) < 0) {
		fprintf(stderr, "netns-run-daemon: %s\n", err.msg);
		return 1;
	}
	/* A client that leaves makes writes to its socket or stream pipe fail with EPIPE
	 * (the writer then stops), never kill the daemon.  SIGTERM and SIGINT are taken by
	 * sigwait in this thread alone: blocked before any thread starts, so every thread
	 * inherits the mask. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	r = serve(&o);
	free(o.cert_pem);
	free(o.key_pem);
	free(o.ca_pem);
	dlog_close();
	return r;
}
