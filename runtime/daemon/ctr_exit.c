/* Exit statuses of removed containers (ctr_exit.h). */
#include "ctr_exit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/rt.h"

const char *ctr_exit_dir(char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/exits", rt_paths()->state_dir) >= len)
		return NULL;
	return buf;
}

void ctr_exit_prune(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime + CTR_EXIT_KEEP_S < now)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
}

bool ctr_exit_read(const char *name, long long since, int *ret_status)
{
	char dir[512], path[600], buf[32] = "";
	struct stat st;
	FILE *f;
	bool ok;

	if (!rt_name_valid(name) || !ctr_exit_dir(dir, sizeof(dir)))
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0 || st.st_mtime < since || !(f = fopen(path, "re")))
		return false;
	ok = fgets(buf, sizeof(buf), f) && sscanf(buf, "%d", ret_status) == 1;
	fclose(f);
	return ok;
}
