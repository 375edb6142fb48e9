/* The temporary-directory fixture of the host-local unit tests, shared by the store and
 * index tests (header-only: the Makefile links only the .c files directly under
 * tests/unit with each test).
 * Include after <cmocka.h>.  A failed assertion longjmps past any cleanup attribute, so
 * everything a test may leave open is closed in the teardown. */
#ifndef NETNS_RUN_TEST_HL_FIXTURE_H
#define NETNS_RUN_TEST_HL_FIXTURE_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "host-local/store.h"

struct hl_fx {
	char dir[64];       /* the temporary directory, /tmp/nr-hl.XXXXXX */
	char net[96];       /* <dir>/net: the store of network "net" */
	int dirfd;          /* dir, for an index driven on it with no store around */
	struct hl_index ix; /* that index */
	struct hl_store s;  /* the store of "net" */
};

static inline int hl_fx_teardown(void **state)
{
	struct hl_fx *f = *state;

	hl_index_abandon(&f->ix);
	hl_store_close(&f->s);
	if (f->dirfd >= 0)
		close(f->dirfd);
	fixture_rm_tree(f->dir);
	free(f);
	return 0;
}

static inline int hl_fx_make(void **state, bool open_store)
{
	struct hl_fx *f = calloc(1, sizeof(*f));
	struct nr_error err = { 0 };

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nr-hl.XXXXXX");
	f->ix = (struct hl_index)HL_INDEX_INIT;
	f->s = (struct hl_store)HL_STORE_INIT;
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->net, sizeof(f->net), "%s/net", f->dir);
	*state = f;
	if ((f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (open_store && hl_store_open(f->dir, "net", &f->s, &err) < 0)) {
		hl_fx_teardown(state); /* cmocka skips the teardown of a failed setup */
		return -1;
	}
	return 0;
}

static inline void hl_fx_write(const char *dir, const char *name, const char *data)
{
	char path[192];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_true(fputs(data, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static inline void hl_fx_read(const char *dir, const char *name, char *buf, size_t len)
{
	char path[192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
}

static inline bool hl_fx_exists(const char *dir, const char *name)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

#endif
