/* netns-run-dns [--internal] [--port N] [--foreground] DIR: the DNS responder of one user
 * network (engine/dns_net.h has the contract with the engine; docs/dns.md the behaviour).
 * Errors before it listens go to stderr with exit status 1; after, to DIR/log. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "dns/daemon.h"
#include "dns/dns_log.h"
#include "dns/server.h"
#include "engine/rt_error.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: netns-run-dns [--internal] [--port N] [--foreground] DIR\n");
}

static int run(int argc, char **argv, struct nr_error *err)
{
	static const struct option opts[] = {
		{ "internal", no_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct dns_server srv; /* large (answer buffers): not on the stack */
	_cleanup_close_ int dirfd = -1, pidfd = -1;
	bool internal = false, foreground = false;
	int port = 53, c, r, report = -1;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			internal = true;
			break;
		case 'f':
			foreground = true;
			break;
		case 'p':
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > 65535)
				return nr_error_set(err, RT_ERR_USAGE, EINVAL, "--port: \"%s\" is not a port number",
						    optarg);
			port = (int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "bad arguments");
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "one directory expected");
	}
	if ((dirfd = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "%s: %s", argv[optind], strerror(errno));
	if ((r = dns_pidfile_lock(dirfd, &pidfd, err)) < 0)
		return r;
	if ((r = dns_server_init(&srv, dirfd, "names", port, internal, err)) < 0)
		goto out;
	if (!foreground) {
		if ((r = dns_daemonize(&report, err)) < 0)
			goto out;
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || (r = dns_log_to_dir(dirfd)) < 0) {
			r = nr_error_set(err, RT_ERR_SYSTEM, r < 0 ? -r : errno, "cannot open the log: %s",
					 strerror(r < 0 ? -r : errno));
			dns_daemon_report(report, err->msg);
			_exit(1);
		}
		close(null);
	}
	if ((r = dns_pidfile_write(pidfd, getpid(), err)) < 0 || (r = dns_server_start(&srv, err)) < 0) {
		if (report >= 0) {
			dns_daemon_report(report, err->msg);
			_exit(1);
		}
		goto out;
	}
	if (report >= 0)
		dns_daemon_report(report, NULL);
	r = dns_server_run(&srv);
	if (r < 0) {
		dns_log("event loop: %s", strerror(-r));
		nr_error_set(err, RT_ERR_SYSTEM, -r, "event loop: %s", strerror(-r));
	}
out:
	dns_server_fini(&srv);
	return r;
}

int main(int argc, char **argv)
{
	struct nr_error err = { 0 };

	if (run(argc, argv, &err) < 0) {
		fprintf(stderr, "netns-run-dns: %s\n", err.msg);
		return 1;
	}
	return 0;
}
