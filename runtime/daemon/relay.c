/* The hijacked stream's relay (relay.h).  One poll loop per connection: the client's
 * input is read only when what was read before has gone to in_fd (so a command that does
 * not read its input holds the client back, never the daemon's memory), and outputs are
 * copied as they come. */
#include "relay.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
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

int relay_detach_keys(const char *spec, char ret[RELAY_DETACH_MAX], size_t *ret_len)
{
	size_t n = 0;

	if (!spec || !*spec)
		spec = "ctrl-p,ctrl-q";
	for (const char *p = spec;;) {
		size_t len = strcspn(p, ",");
		char k;
		if (len == 1) {
			k = p[0];
		} else if (len == 6 && !strncasecmp(p, "ctrl-", 5)) {
			char c = (char)tolower((unsigned char)p[5]);
			if (c >= 'a' && c <= 'z')
				k = (char)(c - 'a' + 1);
			else if (strchr("@[\\]^_", c))
				k = (char)(c == '@' ? 0 : c - '[' + 27);
			else
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		if (n == RELAY_DETACH_MAX)
			return -EINVAL;
		ret[n++] = k;
		if (!p[len])
			break;
		p += len + 1;
	}
	*ret_len = n;
	return 0;
}

/* Docker's escape proxy over one read: b[0..n) becomes in out (room for n plus the keys)
 * what goes on to the command; *held, how much of the keys the bytes so far matched.
 * true: the keys came (out has what preceded them). */
static bool detach_filter(const struct relay *r, size_t *held, const char *b, size_t n, char *out, size_t *ret_len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (b[i] == r->detach[*held]) {
			if (++*held == r->n_detach) {
				*ret_len = o;
				return true;
			}
			continue;
		}
		/* Not the keys after all: what was held goes on, and this byte may start them. */
		memcpy(out + o, r->detach, *held);
		o += *held;
		*held = 0;
		if (b[i] == r->detach[0]) {
			if (++*held == r->n_detach) {
				*ret_len = o;
				return true;
			}
			continue;
		}
		out[o++] = b[i];
	}
	*ret_len = o;
	return false;
}

enum relay_end relay_run(struct relay *r)
{
	char raw[16384], in[sizeof(raw) + RELAY_DETACH_MAX];
	size_t in_len = 0, in_off = 0, held = 0;
	bool detached = false;
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
			ssize_t n = read(r->sock, raw, sizeof(raw));
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return RELAY_CLIENT_GONE;
			if (n == 0) {
				in_open = false;
				input_ended(r);
			} else if (n > 0 && r->n_detach) {
				in_off = 0;
				detached = detach_filter(r, &held, raw, (size_t)n, in, &in_len);
				if (r->in_fd < 0)
					in_len = 0;
			} else if (n > 0 && r->in_fd >= 0) {
				in_off = 0;
				in_len = (size_t)n;
				memcpy(in, raw, in_len);
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
		/* What came before the keys was passed on (as far as the input took it). */
		if (detached)
			return RELAY_DETACHED;
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
