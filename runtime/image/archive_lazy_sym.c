#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "image/archive_lazy.h"

static void *handle;
static const char *load_error;

static void load(void)
{
	handle = dlopen(ARCHIVE_LAZY_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		load_error = dlerror();
}

void *archive_lazy_sym(const char *name)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	void *fn;

	pthread_once(&once, load);
	fn = handle ? dlsym(handle, name) : NULL;
	if (!fn) {
		fprintf(stderr, "netns-run: cannot use %s (%s): %s; install Debian's libarchive13\n",
			ARCHIVE_LAZY_SONAME, name, handle ? dlerror() : load_error);
		exit(125);
	}
	return fn;
}
