/* The daemon's container monitor (engine/monitor.h) and JSON log (engine/log_json.h)
 * from the shell, for tests/integration/daemon_monitor.sh:
 *
 *   monitor_drive monitor [-t] [-i] [-o] [-a] [--rm] [-s ROWSxCOLS] [-l SIZE:FILES] [-w DIR] [-v HOST:CONT]
 *                         NAME [--] CMD...
 *       a monitor of container NAME running CMD on the host's root, --net=none (-t tty,
 *       -i open_stdin, -o stdin_once, -a again); forks it off (setsid, stdio on
 *       /dev/null, its stderr appended to $MONITOR_DRIVE_ERRLOG when set), prints its
 *       ready line ("ok ID NAME") and exits 0, or 1 after "err …"
 *   monitor_drive start NAME
 *   monitor_drive resize NAME ROWS COLS
 *   monitor_drive attach [-d] [-r FILE] NAME IN OUT ERR
 *       the stream to stdout (-d: Docker's frames taken apart, stream 1 to stdout and 2
 *       to stderr, a bad frame exits 3); stdin to the stream when IN, its EOF a
 *       half-close; ends when the monitor closes the stream.  -r: FILE is created once
 *       the monitor said "ok" (a test's cue that the attacher is there)
 *   monitor_drive logs [-f] [-n TAIL] [-S SINCE_NS] [-U UNTIL_NS] NAME
 *       one line per entry: "STREAM TIME_NS TEXT" (TEXT as written, newline included)
 * A failure prints the error's message on stderr and exits 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "engine/log_json.h"
#include "engine/monitor.h"
#include "engine/opts.h"
#include "engine/security.h"

static int fail(const struct nr_error *err)
{
	fprintf(stderr, "monitor_drive: %s\n", err->msg);
	return 1;
}

static int cmd_monitor(int argc, char **argv)
{
	static struct run_opts o;
	struct monitor_opts mo = { 0 };
	struct nr_error err = { 0 };
	static const struct option longopts[] = { { "rm", no_argument, NULL, 'r' }, { 0 } };
	int c, fds[2];

	memset(&o, 0, sizeof(o));
	o.net = "none";
	o.nets[0].network = "none";
	o.n_nets = 1;
	o.log_max_size = 10 << 20;
	o.log_max_files = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+tioas:l:w:v:", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.tty = true;
			break;
		case 'i':
			mo.open_stdin = true;
			break;
		case 'o':
			mo.stdin_once = true;
			break;
		case 'a':
			mo.again = true;
			break;
		case 'r':
			o.rm = true;
			break;
		case 'w':
			o.workdir = optarg;
			break;
		case 'v': {
			char *colon = strchr(optarg, ':');
			if (!colon || o.n_vols == sizeof(o.vols) / sizeof(o.vols[0]))
				return 2;
			*colon = '\0';
			o.vols[o.n_vols++] = (struct volume){ .host = optarg, .cont = colon + 1 };
			break;
		}
		case 's':
			if (sscanf(optarg, "%hux%hu", &o.tty_rows, &o.tty_cols) != 2)
				return 2;
			break;
		case 'l':
			if (sscanf(optarg, "%lld:%d", &o.log_max_size, &o.log_max_files) != 2)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 2)
		return 2;
	snprintf(o.name, sizeof(o.name), "%s", argv[optind]);
	o.argv = argv + optind + 1;
	if (!strcmp(o.argv[0], "--") && o.argv[1])
		o.argv++;
	if (security_prepare(&o, &err) < 0)
		return fail(&err);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return 1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) { /* as the daemon starts its monitors: a session of its own */
		const char *errlog = getenv("MONITOR_DRIVE_ERRLOG");
		int null = open("/dev/null", O_RDWR);
		int e = errlog ? open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0600) : -1;
		close(fds[0]);
		setsid();
		dup2(null, 0);
		dup2(null, 1);
		dup2(e >= 0 ? e : null, 2);
		_exit(ctr_monitor_main(&o, &mo, fds[1]));
	}
	close(fds[1]);
	_cleanup_free_ char *msg = NULL;
	size_t len = 0;
	fd_read_all(fds[0], 4096, &msg, &len);
	fputs(msg ? msg : "err (nothing)\n", stdout);
	return msg && !strncmp(msg, "ok ", 3) ? 0 : 1;
}

static int write_all_fd(int fd, const char *b, size_t n)
{
	return fd_write_all(fd, b, n) < 0 ? -1 : 0;
}

/* Docker's frames from the stream, taken apart as they come. */
struct demux {
	unsigned char h[8];
	size_t hlen;
	uint32_t left;
	int stream;
};

static int demux_feed(struct demux *d, const char *b, size_t n)
{
	while (n) {
		if (d->left == 0) {
			size_t take = 8 - d->hlen < n ? 8 - d->hlen : n;
			memcpy(d->h + d->hlen, b, take);
			d->hlen += take;
			b += take;
			n -= take;
			if (d->hlen < 8)
				return 0;
			uint32_t len;
			memcpy(&len, d->h + 4, 4);
			d->left = ntohl(len);
			d->stream = d->h[0];
			d->hlen = 0;
			if ((d->stream != 1 && d->stream != 2) || d->h[1] || d->h[2] || d->h[3] || d->left == 0)
				return -1;
			continue;
		}
		size_t take = d->left < n ? d->left : n;
		if (write_all_fd(d->stream, b, take) < 0)
			return -1;
		d->left -= (uint32_t)take;
		b += take;
		n -= take;
	}
	return 0;
}

static int cmd_attach(int argc, char **argv)
{
	struct nr_error err = { 0 };
	struct demux d = { 0 };
	bool demux = false, in_open = true;
	char buf[65536];

	const char *cue = NULL;
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "+dr:")) != -1) {
		if (c == 'd')
			demux = true;
		else if (c == 'r')
			cue = optarg;
		else
			return 2;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 5)
		return 2;
	bool in = argv[2][0] == '1';
	int fd = ctr_monitor_attach(argv[1], in, argv[3][0] == '1', argv[4][0] == '1', &err);
	if (fd < 0)
		return fail(&err);
	if (cue)
		close(open(cue, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	in_open = in;
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = in_open ? 0 : -1, .events = POLLIN } };
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents) {
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			if (demux ? demux_feed(&d, buf, (size_t)n) < 0 : write_all_fd(1, buf, (size_t)n) < 0) {
				fprintf(stderr, "monitor_drive: a bad frame\n");
				return 3;
			}
		}
		if (p[1].revents) {
			ssize_t n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				shutdown(fd, SHUT_WR); /* the half-close: stdin_once closes the command's */
				in_open = false;
			} else if (write_all_fd(fd, buf, (size_t)n) < 0) {
				in_open = false;
			}
		}
	}
	close(fd);
	return demux && (d.hlen || d.left) ? 3 : 0;
}

static int print_entry(void *ctx, const struct ctr_log_entry *e)
{
	(void)ctx;
	printf("%s %lld ", e->stream == CTR_STDERR ? "stderr" : "stdout", e->time_ns);
	fwrite(e->text, 1, e->len, stdout);
	fflush(stdout);
	return 0;
}

static int cmd_logs(int argc, char **argv)
{
	struct ctr_log_query q = { .tail = -1 };
	struct nr_error err = { 0 };
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "+fn:S:U:")) != -1) {
		if (c == 'f')
			q.follow = true;
		else if (c == 'n')
			q.tail = atol(optarg);
		else if (c == 'S')
			q.since_ns = atoll(optarg);
		else if (c == 'U')
			q.until_ns = atoll(optarg);
		else
			return 2;
	}
	if (argc - optind != 1)
		return 2;
	return ctr_jlog_read(argv[optind], &q, print_entry, NULL, &err) < 0 ? fail(&err) : 0;
}

int main(int argc, char **argv)
{
	struct nr_error err = { 0 };

	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "monitor"))
		return cmd_monitor(argc - 1, argv + 1);
	if (!strcmp(argv[1], "start") && argc == 3)
		return ctr_monitor_start(argv[2], &err) < 0 ? fail(&err) : 0;
	if (!strcmp(argv[1], "resize") && argc == 5)
		return ctr_monitor_resize(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]), &err) < 0
			       ? fail(&err)
			       : 0;
	if (!strcmp(argv[1], "attach"))
		return cmd_attach(argc - 1, argv + 1);
	if (!strcmp(argv[1], "logs"))
		return cmd_logs(argc - 1, argv + 1);
usage:
	fprintf(stderr, "usage: monitor_drive monitor|start|resize|attach|logs … (see the source)\n");
	return 2;
}
