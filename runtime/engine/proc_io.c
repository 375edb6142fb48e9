#include "proc_io.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

int rt_signals_take(const int *sigs, size_t n, int sfd_flags)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	for (size_t i = 0; i < n; i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	for (size_t i = 0; i < n; i++)
		signal(sigs[i], SIG_DFL);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | sfd_flags);
	return fd < 0 ? -errno : fd;
}

void rt_stdio_to_log(int log_fd)
{
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (in >= 0 && log_fd >= 0) {
		dup2(in, 0);
		dup2(log_fd, 1);
		dup2(log_fd, 2);
	}
	if (in > 2)
		close(in);
}
