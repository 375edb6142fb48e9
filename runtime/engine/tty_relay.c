/* The pty relay (tty_relay.h).  The master is non-blocking: input is written as far as
 * the pty takes it and the rest waits in buf (while the output keeps being read, so a
 * command that does not read its input cannot stall its output); output is written to
 * out_fd as it comes. */
#include "tty_relay.h"

#include <errno.h>
#include <termios.h>
#include <unistd.h>

void tty_relay_init(struct tty_relay *r, int master, const struct tty_stdio *io)
{
	r->master = master;
	r->in_fd = io->in;
	r->out_fd = io->out;
	r->sink = io->sink;
	r->sink_ctx = io->sink_ctx;
	r->term_fd = io->term;
	r->len = r->off = 0;
	r->hup = false;
}

void tty_relay_pollfds(const struct tty_relay *r, struct pollfd *p)
{
	bool pending = r->off < r->len;

	if (r->master < 0) { /* no pty: nothing to relay (without -t the command has our fds) */
		p[0] = p[1] = (struct pollfd){ .fd = -1 };
		return;
	}
	p[0] = (struct pollfd){ .fd = pending ? -1 : r->in_fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = r->hup ? -1 : r->master, .events = POLLIN | (pending ? POLLOUT : 0) };
}

static void write_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the caller's output went away: the command's output is dropped */
		b += w;
		n -= (size_t)w;
	}
}

/* Copy one read's worth of output: > 0 copied, -EAGAIN nothing yet, else no slave is
 * open any more (EIO) and nothing is left. */
static int copy_output(struct tty_relay *r)
{
	char b[16384];
	ssize_t n = read(r->master, b, sizeof(b));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	if (n == 0)
		return -EIO;
	if (r->sink)
		r->sink(r->sink_ctx, b, (size_t)n);
	else
		write_all(r->out_fd, b, (size_t)n);
	return 1;
}

static void flush_input(struct tty_relay *r)
{
	while (r->off < r->len) {
		ssize_t w = write(r->master, r->buf + r->off, r->len - r->off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			r->off = r->len; /* the pty is gone: nothing will read it */
		if (w <= 0)
			return;
		r->off += (size_t)w;
	}
}

void tty_relay_handle(struct tty_relay *r, const struct pollfd *p)
{
	if (p[1].revents & POLLIN)
		copy_output(r);
	else if (p[1].revents & (POLLHUP | POLLERR))
		r->hup = true; /* no slave open any more: stop polling it (it would report this forever) */
	if (p[0].revents) {
		ssize_t n = read(r->in_fd, r->buf, sizeof(r->buf));
		if (n > 0) {
			r->off = 0;
			r->len = (size_t)n;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			/* End of input: as a terminal's ^D, so a shell reading it ends. */
			r->in_fd = -1;
			r->buf[0] = 4;
			r->off = 0;
			r->len = 1;
		}
	}
	if (r->off < r->len)
		flush_input(r);
}

void tty_relay_drain(struct tty_relay *r)
{
	/* A slave's writes reach the master through the kernel's flip buffer, a moment
	 * later; with every slave closed the master's read waits for it (and then says
	 * EIO), with one still open (a process left in the container) we wait a bounded
	 * while for the output to settle. */
	while (r->master >= 0) {
		struct pollfd p = { .fd = r->master, .events = POLLIN };
		int n = copy_output(r);
		if (n > 0)
			continue;
		if (n != -EAGAIN || poll(&p, 1, 100) <= 0 || !(p.revents & POLLIN))
			break;
	}
}

void tty_relay_resize(struct tty_relay *r, const struct winsize *ws)
{
	if (r->master >= 0 && ws->ws_row)
		ioctl(r->master, TIOCSWINSZ, ws);
}

void tty_relay_sync_size(struct tty_relay *r)
{
	struct winsize ws;

	if (r->term_fd >= 0 && ioctl(r->term_fd, TIOCGWINSZ, &ws) == 0)
		tty_relay_resize(r, &ws);
}

void tty_relay_close(struct tty_relay *r)
{
	if (r->master >= 0)
		close(r->master);
	r->master = -1;
}
