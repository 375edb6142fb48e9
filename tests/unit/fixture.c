#include "fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

void fixture_rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int fixture_state_dir(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(dir))
		return -1;
	return setenv("NETNS_RUN_STATE_DIR", dir, 1);
}
