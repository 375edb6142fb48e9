/* This binary's path (modes.h) and version (server_run.h). */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon/modes.h"
#include "daemon/server_run.h"

#if __has_include("nr_version.h")
#include "nr_version.h"
#else /* built without the Makefile's header (the fuzz build) */
#define NR_VERSION "0.0.0-unknown"
#endif

static pthread_once_t self_once = PTHREAD_ONCE_INIT;
static char self_path[PATH_MAX];

static void self_resolve(void)
{
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);

	/* Without /proc the re-executions fail with a clear ENOENT on "". */
	self_path[n > 0 ? n : 0] = '\0';
}

const char *daemon_self_path(void)
{
	pthread_once(&self_once, self_resolve);
	return self_path;
}

const char *server_version(void)
{
	return "netns-run/" NR_VERSION;
}
