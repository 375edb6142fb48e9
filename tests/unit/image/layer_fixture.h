/* Shared by the layer unit tests: a scratch directory, tars built in memory with
 * libarchive's writer, file helpers.  Header-only, as host-local/hl_fixture.h. */
#ifndef NR_TEST_LAYER_FIXTURE_H
#define NR_TEST_LAYER_FIXTURE_H

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rt.h"

static char lf_dir[] = "/tmp/nr-layer-test.XXXXXX";

static inline int lf_setup(void **state)
{
	(void)state;
	strcpy(lf_dir, "/tmp/nr-layer-test.XXXXXX");
	return mkdtemp(lf_dir) ? 0 : -1;
}

static inline int lf_teardown(void **state)
{
	(void)state;
	return rt_rm_rf(lf_dir) < 0 ? -1 : 0;
}

/* lf_dir + "/" + rel, in a static buffer (one at a time). */
static inline const char *lf_path(const char *rel)
{
	static char buf[2][512];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", lf_dir, rel);
	return buf[i];
}

static inline void lf_write(const char *rel, const char *text)
{
	FILE *f = fopen(lf_path(rel), "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* One entry of a test tar: type 'f' file (data), 'd' dir, 'l' symlink (link), 'h' hard
 * link (link). */
struct lf_entry {
	char type;
	const char *name;
	const char *arg;
};

/* A pax tar of the entries in a memfd, at offset 0. */
static inline int lf_tar(const struct lf_entry *v, size_t n)
{
	int fd = memfd_create("tar", MFD_CLOEXEC);
	struct archive *a = archive_write_new();

	if (fd < 0 || !a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_copy_pathname(e, v[i].name);
		archive_entry_set_perm(e, v[i].type == 'd' ? 0755 : 0644);
		archive_entry_set_filetype(e, v[i].type == 'd' ? AE_IFDIR : v[i].type == 'l' ? AE_IFLNK : AE_IFREG);
		if (v[i].type == 'l')
			archive_entry_copy_symlink(e, v[i].arg);
		if (v[i].type == 'h')
			archive_entry_copy_hardlink(e, v[i].arg);
		if (v[i].type == 'f')
			archive_entry_set_size(e, (la_int64_t)strlen(v[i].arg));
		if (archive_write_header(a, e) != ARCHIVE_OK)
			abort();
		if (v[i].type == 'f' && archive_write_data(a, v[i].arg, strlen(v[i].arg)) < 0)
			abort();
		archive_entry_free(e);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_write_free(a);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

#endif
