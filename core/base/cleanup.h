/* Cleanup attributes: every resource type has one, so each resource has one owner and
 * one cleanup path.  Ownership moves visibly with TAKE_PTR() / TAKE_FD(). */
#ifndef NETNS_RUN_CLEANUP_H
#define NETNS_RUN_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define TAKE_PTR(p)                        \
	({                                 \
		__typeof__(p) _tmp_ = (p); \
		(p) = NULL;                \
		_tmp_;                     \
	})

#define TAKE_FD(fd)               \
	({                        \
		int _tmp_ = (fd); \
		(fd) = -1;        \
		_tmp_;            \
	})

/* Declare `static inline void NAME(TYPE *p)` calling FREE_FN(*p) when *p is not NULL. */
#define DEFINE_PTR_CLEANUP(name, type, free_fn) \
	static inline void name(type *p)        \
	{                                       \
		if (*p)                         \
			free_fn(*p);            \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

DEFINE_PTR_CLEANUP(fclosep, FILE *, fclose)

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

#endif
