/* What happens inside the new namespaces: the root file system, the security settings,
 * and the tiny init that runs as pid 1 and waits for the command. */
#ifndef NETNS_RUN_CHILD_H
#define NETNS_RUN_CHILD_H

#include <stdbool.h>

#include <jansson.h>

#include "base/error.h"
#include "cgroup.h"
#include "opts.h"
#include "security.h"

struct child_cfg {
	const struct run_opts *o;
	const char *ctr_dir; /* <state>/containers/<name>: upper, work, merged, etc files */
	const char *hostname;
	int join_netns_fd; /* --net=container:NAME: the owner's netns; -1 otherwise */
	/* read end: 'c' once the cgroups are made and limited, 'g' once the network is up */
	int go_fd;
	int err_fd;                      /* write end: a setup error's text; closed (EOF) on success */
	int status_fd;                   /* write end: the command's exit status (an int), just before init exits */
	char **envp;                     /* the command's environment */
	const struct cgroup_set *cgroup; /* the cgroups to join */
	bool in_unified;                 /* cloned into the v2 cgroup already */
	int fd_sock;                     /* --userns: the idmapped lower layers arrive here; -1 otherwise */
	int console_sock;                /* -t: the command sends its pty's master here (pty.h); -1 otherwise */
};

/* Runs in the cloned child; never returns. */
void child_main(const struct child_cfg *c) __attribute__((noreturn));

/* rootfs.c: the root in two steps around joining the cgroups.  prepare: private mounts,
 * overlay, /proc, /sys; finish: /sys/fs/cgroup, /dev, /etc files, volumes, pivot_root,
 * masks. */
int rootfs_prepare(const struct child_cfg *c, const int *layer_fds, int n_layers, struct nr_error *err);
int rootfs_finish(const struct child_cfg *c, struct nr_error *err);

/* The container's init: its name (comm, and /proc/1/cmdline). */
#define INIT_NAME "netns-run-init"

/* init_forget.c: where the kernel copied the runtime's argv and environment strings at
 * its exec (what /proc/PID/cmdline and environ read), in this process's memory. */
struct caller_block {
	char *start, *arg_end, *end; /* [start, arg_end): argv; [arg_end, end): envp */
};
/* -errno when /proc/self/stat is unreadable. */
int caller_block_find(struct caller_block *ret);
/* Overwrite it: cmdline then reads INIT_NAME, environ nothing; pointers into it dangle. */
void caller_block_forget(const struct caller_block *b);

/* init.c: fork the command, reap, forward signals; exits with the command's status.
 * Before the command starts, the init becomes non-dumpable and forgets the caller's
 * command line, environment (caller, found by child_main) and descriptors
 * (docs/security.md). */
void init_run(const struct child_cfg *c, const struct caller_block *caller) __attribute__((noreturn));

/* In the process that becomes exec's command: default signal dispositions, --user, death
 * with its parent (the exec client), the pty (console_sock >= 0, pty.h) or stdin, -w,
 * then exec with envp; exits 126/127 (docker's codes) when the exec fails. */
void exec_command(const struct run_opts *o, char **envp, int console_sock) __attribute__((noreturn));

#endif
