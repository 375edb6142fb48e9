/* The hijacked stream's relay (relay.h).  One poll loop per connection: the client's
 * input is read only when what was read before has gone to in_fd (so a command that does
 * not read its input holds the client back, never the daemon's memory), and outputs are
 * copied as they come. */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "base/cleanup.h"
#include "create_body.h"
#include "engine/rt.h"

/* How long relay_finish waits for the client to close its side. */
#define RELAY_FINISH_MS 2000

static void fd_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* One read of an output to the client: 1 copied, 0 nothing yet, -1 the output ended
 * (EOF, or EIO: a pty whose slaves are all closed), -2 the client is gone. */
static int copy_out(int sock, const struct relay_out *o)
{
	char b[16384];
	ssize_t n = read(o->fd, b, sizeof(b));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	if ((o->stream ? api_write_frame(sock, o->stream, b, (size_t)n) : api_write_all(sock, b, (size_t)n)) < 0)
		return -2;
	return 1;
}

/* The command has ended: what its outputs still hold, without waiting for an EOF that a
 * process it left behind could hold back. */
static enum relay_end drain_outs(struct relay *r, bool *open)
{
	for (int i = 0; i < r->n_out; i++) {
		int c = 0;
		while (open[i] && (c = copy_out(r->sock, &r->out[i])) > 0)
			;
		if (open[i] && c == -2)
			return RELAY_CLIENT_GONE;
	}
	return RELAY_OUTPUT_DONE;
}

static void input_ended(struct relay *r)
{
	if (r->in_fd < 0)
		return;
	if (r->in_eof == RELAY_EOF_SHUT_WR)
		shutdown(r->in_fd, SHUT_WR);
	else if (r->in_eof == RELAY_EOF_CLOSE)
		close(TAKE_FD(r->in_fd));
}

enum relay_end relay_run(struct relay *r)
{
	char in[16384];
	size_t in_len = 0, in_off = 0;
	bool in_open = true, open[RELAY_OUTS_MAX];
	int n_open = r->n_out;
	struct pollfd p[2 + RELAY_OUTS_MAX + 1];
	const int P_SOCK = 0, P_IN = 1, P_OUT = 2, P_DONE = 2 + r->n_out;

	fd_set_nonblock(r->sock, false);
	if (r->in_fd >= 0)
		fd_set_nonblock(r->in_fd, true);
	for (int i = 0; i < r->n_out; i++) {
		fd_set_nonblock(r->out[i].fd, true);
		open[i] = true;
	}
	/* With done_fd the command's end ends the relay (it may close its outputs early and
	 * still read its input); without, the outputs' ends do. */
	while (n_open > 0 || r->done_fd >= 0) {
		bool pending = in_off < in_len;

		p[P_SOCK] = (struct pollfd){ .fd = r->sock, .events = in_open && !pending ? POLLIN : 0 };
		p[P_IN] = (struct pollfd){ .fd = pending ? r->in_fd : -1, .events = POLLOUT };
		for (int i = 0; i < r->n_out; i++)
			p[P_OUT + i] = (struct pollfd){ .fd = open[i] ? r->out[i].fd : -1, .events = POLLIN };
		p[P_DONE] = (struct pollfd){ .fd = r->done_fd, .events = POLLIN };
		if (poll(p, (nfds_t)P_DONE + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return RELAY_CLIENT_GONE;
		}
		for (int i = 0; i < r->n_out; i++) {
			if (!open[i] || !p[P_OUT + i].revents)
				continue;
			int c = copy_out(r->sock, &r->out[i]);
			if (c == -2)
				return RELAY_CLIENT_GONE;
			if (c == -1) {
				open[i] = false;
				n_open--;
			}
		}
		if (p[P_DONE].revents)
			return drain_outs(r, open);
		if (p[P_SOCK].revents & POLLIN) {
			ssize_t n = read(r->sock, in, sizeof(in));
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return RELAY_CLIENT_GONE;
			if (n == 0) {
				in_open = false;
				input_ended(r);
			} else if (n > 0 && r->in_fd >= 0) {
				in_off = 0;
				in_len = (size_t)n;
			}
		} else if (p[P_SOCK].revents & (POLLHUP | POLLERR)) {
			/* Both directions closed: the client left (a half-close is only POLLIN). */
			return RELAY_CLIENT_GONE;
		}
		/* Written at once when the input takes it, else when poll says it can. */
		while (in_off < in_len) {
			ssize_t w = write(r->in_fd, in + in_off, in_len - in_off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && errno != EAGAIN)
				in_off = in_len; /* nothing reads the input any more: it is dropped */
			if (w <= 0)
				break;
			in_off += (size_t)w;
		}
	}
	return RELAY_OUTPUT_DONE;
}

void relay_finish(int sock)
{
	struct timespec start, now;
	char b[4096];

	shutdown(sock, SHUT_WR);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = RELAY_FINISH_MS -
			    ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
		struct pollfd p = { .fd = sock, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return;
		ssize_t n = read(sock, b, sizeof(b));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return;
	}
}

bool relay_ctr_tty(const char *name)
{
	char path[512];
	json_t *tty;
	bool ret = false;

	rt_ctr_path(path, sizeof(path), name, CTR_CONFIG_FILE);
	json_t *cfg = json_load_file(path, 0, NULL);
	if (!cfg)
		return false;
	tty = json_object_get(cfg, "Tty");
	if (!tty)
		tty = json_object_get(json_object_get(cfg, "Config"), "Tty");
	ret = json_is_true(tty);
	json_decref(cfg);
	return ret;
}
