#include "start_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "rt_error.h"

static void close_end(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int start_channel_open(struct start_channel *ch, struct nr_error *err)
{
	if (pipe2(ch->go, O_CLOEXEC) < 0 || pipe2(ch->err, O_CLOEXEC) < 0 || pipe2(ch->status, O_CLOEXEC) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "pipe: %s", strerror(errno));
	return 0;
}

void start_channel_parent_side(struct start_channel *ch)
{
	close_end(&ch->go[0]);
	close_end(&ch->err[1]);
	close_end(&ch->status[1]);
}

void start_channel_close(struct start_channel *ch)
{
	for (int i = 0; i < 2; i++) {
		close_end(&ch->go[i]);
		close_end(&ch->err[i]);
		close_end(&ch->status[i]);
	}
}

bool start_send(int go_wr, enum start_msg m)
{
	char c = (char)m;

	return write(go_wr, &c, 1) == 1;
}

bool start_expect(int go_rd, enum start_msg m)
{
	char c;

	return read(go_rd, &c, 1) == 1 && c == (char)m;
}

void start_report_error(int err_wr, const struct nr_error *err)
{
	dprintf(err_wr, "%s", err->msg[0] ? err->msg : "the container's setup failed");
}

int start_wait_setup(int err_rd, struct nr_error *err)
{
	_cleanup_free_ char *msg = NULL;
	size_t len = 0;
	int r = fd_read_all(err_rd, 4096, &msg, &len);

	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "lost the container during its setup: %s", strerror(-r));
	if (len > 0)
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "%s", msg);
	return 0;
}

void start_send_status(int status_wr, int code)
{
	(void)!write(status_wr, &code, sizeof(code));
}

bool start_read_status(int status_rd, int *code)
{
	return read(status_rd, code, sizeof(*code)) == (ssize_t)sizeof(*code);
}
