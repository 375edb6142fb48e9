/* The pty of a command run with a terminal (pty.h). */
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "userns.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int pty_socket_pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ? -errno : 0;
}

int pty_console_setup(int sock, const struct winsize *ws, const char **ret_what)
{
	int master, slave, unlock = 0, r = 0;

	*ret_what = "open /dev/ptmx";
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	/* TIOCGPTPEER opens the slave through the master itself, never by a path the
	 * container could have replaced (Linux 4.13; the reason runc uses it). */
	*ret_what = "open the pty's slave";
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
	    (slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		r = -errno;
		close(master);
		return r;
	}
	if (ws && ws->ws_row)
		ioctl(slave, TIOCSWINSZ, ws);
	*ret_what = "send the pty to the runtime";
	if (fds_send(sock, &master, 1) < 0)
		r = -EPIPE;
	close(master);
	close(sock);
	/* The controlling terminal of a session of its own: the slave's line discipline
	 * sends ^C's SIGINT to whichever process group is in the foreground, not to pid 1. */
	*ret_what = "make the pty the controlling terminal";
	if (r == 0 && (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0))
		r = -errno;
	*ret_what = "make the pty the command's stdio";
	for (int fd = 0; r == 0 && fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			r = -errno;
	close(slave);
	return r;
}

int pty_master_recv(int sock)
{
	int fd;

	if (fds_recv(sock, &fd, 1) != 1)
		return -EPIPE;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}
