/* The container's init is a fork of netns-run that never execs (init.c): without this it
 * would carry the caller's command line and whole environment, which the kernel shows
 * as /proc/1/cmdline (to everyone in the container) and /proc/1/environ.  Both files
 * read the init's memory, the block at the top of the stack where the kernel copied
 * argv and envp at the runtime's exec: clearing the environ array or setenv changes
 * nothing they show, so the block itself is overwritten.  (PR_SET_MM could point them
 * elsewhere instead, but needs CAP_SYS_RESOURCE in the host's user namespace, which the
 * init lacks under --userns or a runtime that is itself in a user namespace; and the
 * old bytes would still be in memory.) */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "child.h"
#include "rt.h"

int caller_block_find(struct caller_block *ret)
{
	/* proc(5): arg_start, arg_end, env_start, env_end */
	unsigned long long v[4];
	int r = rt_proc_stat(0, 48, 4, v, NULL);

	if (r < 0)
		return r;
	if (!(v[0] < v[1] && v[1] <= v[3]))
		return -EIO;
	ret->start = (char *)(uintptr_t)v[0];
	ret->arg_end = (char *)(uintptr_t)v[1];
	ret->end = (char *)(uintptr_t)v[3];
	return 0;
}

void caller_block_forget(const struct caller_block *b)
{
	extern char **environ;
	static const char title[] = INIT_NAME;
	size_t len = (size_t)(b->end - b->start), arg_len = (size_t)(b->arg_end - b->start);
	size_t n = len - 1 < sizeof(title) - 1 ? len - 1 : sizeof(title) - 1;

	environ = NULL;
	memset(b->start, 0, len);
	memcpy(b->start, title, n);
	/* The kernel reads cmdline as [arg_start, arg_end) unless the byte at arg_end - 1
	 * is not NUL: then, as setproctitle(3) relies on, up to the first NUL from
	 * arg_start.  So the title alone shows, whether the caller's argv was longer than
	 * it (mark that byte) or shorter (the title runs over it into the old environment
	 * block). */
	if (arg_len - 1 > n)
		b->start[arg_len - 1] = ' ';
}
