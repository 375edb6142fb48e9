/* The responder process (dns_proc.h): its pid file is a proc_pidfile.h one. */
#include "dns_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "proc_pidfile.h"
#include "proc_spawn.h"
#include "rt_error.h"

#define DNS_BIN_NAME "netns-run-dns"
/* How long the responder gets to say it listens (it binds a few sockets and reads two
 * small files: milliseconds). */
#define SPAWN_TIMEOUT_MS 5000
#define WHAT "the DNS responder"

int dns_proc_binary(char *buf, size_t len, struct nr_error *err)
{
	return proc_sibling_binary("NETNS_RUN_DNS_BIN", DNS_BIN_NAME, buf, len, err);
}

bool dns_proc_alive(const char *dir)
{
	return proc_pidfile_alive(dir);
}

int dns_proc_signal(const char *dir, int sig, struct nr_error *err)
{
	return proc_pidfile_signal(dir, WHAT, sig, err);
}

int dns_proc_stop(const char *dir, struct nr_error *err)
{
	return proc_pidfile_stop(dir, WHAT, err);
}

int dns_proc_spawn(const char *dir, bool internal, struct nr_error *err)
{
	char bin[PATH_MAX], env_resolv[PATH_MAX + 32];
	const char *resolv = getenv("NETNS_RUN_RESOLV_CONF");
	char *argv[4], *envp[2] = { NULL, NULL };
	int r, i = 0;

	if ((r = dns_proc_binary(bin, sizeof(bin), err)) < 0)
		return r;
	if (access(bin, X_OK) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno,
				    "cannot run the DNS responder %s: %s (NETNS_RUN_DNS_BIN names another)", bin,
				    strerror(errno));
	argv[i++] = bin;
	if (internal)
		argv[i++] = (char *)"--internal";
	argv[i++] = (char *)dir;
	argv[i] = NULL;
	/* A clean environment: the responder is long-lived and shared by every container
	 * of the network; only where its upstreams come from is passed on (tests). */
	if (resolv && *resolv) {
		snprintf(env_resolv, sizeof(env_resolv), "NETNS_RUN_RESOLV_CONF=%s", resolv);
		envp[0] = env_resolv;
	}
	if ((r = proc_spawn_wait("the DNS responder", argv, envp, SPAWN_TIMEOUT_MS, err)) < 0)
		return r;
	if (!dns_proc_alive(dir))
		return nr_error_set(err, RT_ERR_SYSTEM, EIO,
				    "the DNS responder %s said it started but does not hold %s/pid (see %s/log)", bin,
				    dir, dir);
	return 0;
}
