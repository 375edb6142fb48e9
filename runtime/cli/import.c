/* `netns-run import [-c CHANGE]... [-m MSG] FILE|- [REPOSITORY[:TAG]]`: a root file
 * system tar as a one-layer image; prints its id. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/container.h"
#include "image/archive.h"

struct import_opts {
	char **changes;
	const char *message;
};

static int import_opt(int c, const char *arg, void *ctx)
{
	struct import_opts *o = ctx;

	if (c == 'c')
		return rt_strv_push(&o->changes, arg);
	if (c != 'm')
		return -1;
	o->message = arg;
	return 0;
}

int cmd_import(int argc, char **argv)
{
	static const struct option extra[] = { { "change", required_argument, NULL, 'c' },
					       { "message", required_argument, NULL, 'm' },
					       { 0 } };
	_cleanup_(rt_strv_freep) char **changes = NULL;
	struct import_opts o = { 0 };
	struct nr_error err = { 0 };
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_close_ int fd = -1;
	img_digest id;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run import [OPTIONS] file|- [REPOSITORY[:TAG]]\n\nImport the contents from a "
			       "tarball (maybe gzip or zstd compressed) to create a\nfilesystem image.\n\n"
			       "  -c, --change list       Apply Dockerfile instruction to the created image\n"
			       "  -m, --message string    Set commit message for imported image\n",
			       "+hc:m:", extra, import_opt, &o, 1);

	changes = o.changes;
	if (r <= 0)
		return -r;
	if (argc - optind > 2)
		return cli_usage_error("import", "requires at least 1 and at most 2 arguments (see --help)");
	const char *file = argv[optind], *ref = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (!strncmp(file, "http://", 7) || !strncmp(file, "https://", 8))
		return cli_usage_error("import", "netns-run does not reach the network: download %s first", file);
	if (!strcmp(file, "-")) {
		if (isatty(STDIN_FILENO))
			return cli_usage_error("import", "requested import from stdin, but stdin is a terminal");
		fd = dup(STDIN_FILENO);
	} else if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		nr_error_set(&err, RT_ERR_USAGE, errno, "open %s: %s", file, strerror(errno));
		return cli_error(&err);
	}
	/* -m: the contract of img_archive_import has no comment yet; accepted and dropped. */
	if (img_store_open(rt_paths()->state_dir, IMG_LOCK_EXCLUSIVE, &st, &err) < 0 ||
	    img_archive_import(st, fd, ref, (const char *const *)changes, id, &err) < 0)
		return cli_error(&err);
	puts(id);
	return 0;
}
