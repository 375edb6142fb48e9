/* ptrace_attach PID: try PTRACE_ATTACH on PID, as an attacker in a container would with
 * its pid 1.  Prints "attached" and exits 0 on success (then exits without detaching
 * anything on purpose: the kernel detaches, and the tracee stays in the group stop the
 * attach's SIGSTOP put it in); otherwise prints the error's name and exits 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ptrace_attach PID\n");
		return 2;
	}
	if (ptrace(PTRACE_ATTACH, (pid_t)atoi(argv[1]), NULL, NULL) < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	printf("attached\n");
	return 0;
}
