/* Terminals for a container's command (`-t`, and the daemon's `Tty: true`).  The pty is
 * made inside the container, on its own devpts instance (rootfs.c mounts one), by the
 * process that becomes the command: its slave is then /dev/pts/N in the container, as
 * `tty` shows, and no host pty is exposed.  The master travels to the runtime over a
 * unix socket (the console socket, as runc's), where tty_relay.h copies between it and
 * the caller's terminal. */
#ifndef NETNS_RUN_PTY_H
#define NETNS_RUN_PTY_H

#include <stdbool.h>
#include <sys/ioctl.h>

/* The console socket: [0] the runtime's end, [1] the command's; both close-on-exec. */
int pty_socket_pair(int sv[2]);

/* In the command's process, just before its exec: open a pty on the container's
 * /dev/ptmx, give it the window size ws (when its rows are not 0), send the master over
 * sock, and make the slave the controlling terminal of a new session and fds 0, 1, 2
 * (stdin too, as Docker's `-t` without `-i`).  Only system calls (it may run on a borrowed
 * stack, init.c).  -errno on failure, with the step's name in *ret_what. */
int pty_console_setup(int sock, const struct winsize *ws, const char **ret_what);

/* In the runtime: the master sent by pty_console_setup, made close-on-exec and
 * non-blocking; -errno (-EPIPE when the command went away before sending one). */
int pty_master_recv(int sock);

#endif
