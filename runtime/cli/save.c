/* `netns-run save [-o FILE] [--format docker|oci] [--since BASE] IMAGE...` */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/cli.h"
#include "image/archive.h"

struct save_opts {
	const char *output, *since;
	enum img_archive_format format;
};

static int save_opt(int c, const char *arg, void *ctx)
{
	struct save_opts *o = ctx;

	switch (c) {
	case 'o':
		o->output = arg;
		return 0;
	case 1000:
		if (!strcmp(arg, "docker") || !strcmp(arg, "docker-archive"))
			o->format = IMG_ARCHIVE_DOCKER;
		else if (!strcmp(arg, "oci") || !strcmp(arg, "oci-archive"))
			o->format = IMG_ARCHIVE_OCI;
		else
			return -1;
		return 0;
	case 1001:
		o->since = arg;
		return 0;
	}
	return -1;
}

/* An unnamed file in FILE's directory (O_TMPFILE): a save killed while writing leaves
 * nothing.  Where the file system has no O_TMPFILE, a named FILE.tmp-XXXXXX, unlinked on
 * failure (a kill leaves that one). */
static int open_unnamed(const char *output, char *tmp, size_t len, bool *ret_named, struct nr_error *err)
{
	_cleanup_free_ char *copy = strdup(output);
	int fd;

	if (!copy)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	fd = open(dirname(copy), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	*ret_named = fd < 0;
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd >= 0 ? fd
			       : nr_error_set(err, RT_ERR_USAGE, errno, "failed to save image: cannot create %s: %s",
					      output, strerror(errno));
	if ((size_t)snprintf(tmp, len, "%s.tmp-XXXXXX", output) >= len)
		return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG, "%s: name too long", output);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return nr_error_set(err, RT_ERR_USAGE, errno, "failed to save image: cannot create %s: %s", tmp,
				    strerror(errno));
	fchmod(fd, 0644);
	return fd;
}

/* The complete archive under its name: an unnamed file is linked as FILE.tmp-XXXXXX and
 * renamed over FILE (linkat cannot replace), a named one renamed. */
static int publish(int fd, bool named, char *tmp, size_t len, const char *output, struct nr_error *err)
{
	char proc[64];

	if (!named) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		for (int i = 0;; i++) {
			snprintf(tmp, len, "%s.tmp-%d-%d", output, (int)getpid(), i);
			if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
				break;
			if (errno != EEXIST || i == 100)
				return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot name %s: %s", output,
						    strerror(errno));
		}
	}
	if (rename(tmp, output) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot rename %s to %s: %s", tmp, output,
				    strerror(errno));
	return 0;
}

static int save_to_file(const struct img_store *st, const char *const *what, size_t n, const struct save_opts *o,
			struct nr_error *err)
{
	char tmp[PATH_MAX] = "";
	bool named;
	int fd, r;

	if ((fd = open_unnamed(o->output, tmp, sizeof(tmp), &named, err)) < 0)
		return fd;
	r = img_archive_save(st, what, n, o->format, o->since, fd, err);
	if (r >= 0 && fsync(fd) < 0)
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write %s: %s", o->output, strerror(errno));
	if (r >= 0)
		r = publish(fd, named, tmp, sizeof(tmp), o->output, err);
	if (close(fd) < 0 && r >= 0)
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write %s: %s", o->output, strerror(errno));
	if (r < 0 && tmp[0])
		unlink(tmp);
	return r;
}

int cmd_save(int argc, char **argv)
{
	static const struct option extra[] = { { "output", required_argument, NULL, 'o' },
					       { "format", required_argument, NULL, 1000 },
					       { "since", required_argument, NULL, 1001 },
					       { 0 } };
	struct save_opts o = { .format = IMG_ARCHIVE_DOCKER };
	struct nr_error err = { 0 };
	_cleanup_img_store_ struct img_store *st = NULL;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run save [OPTIONS] IMAGE [IMAGE...]\n\nSave one or more images to a tar archive (streamed "
			       "to STDOUT by default).\n\n"
			       "  -o, --output string   Write to a file, instead of STDOUT\n"
			       "      --format string   docker (docker save's layout, the default) or oci (an OCI image layout)\n"
			       "      --since string    leave out the layers this image (name or id) has: the archive\n"
			       "                        loads only where that image is present (diff-only distribution)\n",
			       "+ho:", extra, save_opt, &o, 1);

	if (r <= 0)
		return -r;
	if (!o.output && isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"netns-run save: cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
		return RT_EXIT_RUNTIME;
	}
	if (img_store_open(rt_paths()->state_dir, IMG_LOCK_SHARED, &st, &err) < 0)
		return cli_error(&err);
	const char *const *what = (const char *const *)argv + optind;
	size_t n = (size_t)(argc - optind);
	r = o.output ? save_to_file(st, what, n, &o, &err)
		     : img_archive_save(st, what, n, o.format, o.since, STDOUT_FILENO, &err);
	return r < 0 ? cli_error(&err) : 0;
}
