/* `netns-run load [-i FILE] [-q]`: a docker-archive or OCI archive into the store;
 * "Loaded image: bb:1" per named image, "Loaded image ID: sha256:…" per unnamed one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/image_fmt.h"
#include "image/archive.h"

static int load_opt(int c, const char *arg, void *ctx)
{
	if (c == 'i')
		*(const char **)ctx = arg;
	else if (c != 'q') /* quiet: we print no progress anyway */
		return -1;
	return 0;
}

int cmd_load(int argc, char **argv)
{
	static const struct option extra[] = { { "input", required_argument, NULL, 'i' },
					       { "quiet", no_argument, NULL, 'q' },
					       { 0 } };
	const char *input = NULL;
	struct nr_error err = { 0 };
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_close_ int fd = -1;
	struct img_loaded loaded = { 0 };
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run load [OPTIONS]\n\nLoad an image from a tar archive or STDIN: a docker save "
			       "archive or an OCI\nimage layout archive (maybe gzip or zstd compressed), detected.  An "
			       "archive\nmade with save --since needs its base image here.\n\n"
			       "  -i, --input string   Read from tar archive file, instead of STDIN\n"
			       "  -q, --quiet          Suppress the load output (there is no progress output)\n",
			       "+hi:q", extra, load_opt, &input, 0);

	if (r <= 0)
		return -r;
	if (optind < argc)
		return cli_usage_error("load", "accepts no arguments (see --help)");
	if (!input && isatty(STDIN_FILENO)) {
		fprintf(stderr, "netns-run load: requested load from stdin, but stdin is empty\n");
		return RT_EXIT_RUNTIME;
	}
	if (input && (fd = open(input, O_RDONLY | O_CLOEXEC)) < 0) {
		nr_error_set(&err, RT_ERR_USAGE, errno, "open %s: %s", input, strerror(errno));
		return cli_error(&err);
	}
	if (img_store_open(rt_paths()->state_dir, IMG_LOCK_EXCLUSIVE, &st, &err) < 0 ||
	    img_archive_load(st, input ? fd : STDIN_FILENO, &loaded, &err) < 0)
		return cli_error(&err);
	for (size_t i = 0; i < loaded.n; i++) {
		char fam[512];
		if (loaded.refs && loaded.refs[i])
			printf("Loaded image: %s\n", fmt_ref_familiar(loaded.refs[i], fam, sizeof(fam)));
		else
			printf("Loaded image ID: %s\n", loaded.ids[i]);
	}
	img_loaded_free(&loaded);
	return 0;
}
