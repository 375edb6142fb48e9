/* `netns-run tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]` */
#include <stdio.h>

#include "cli/cli.h"
#include "image/store.h"

int cmd_tag(int argc, char **argv)
{
	struct nr_error err = { 0 };
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_img_image_ struct img_image *im = NULL;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nCreate a tag TARGET_IMAGE that "
			       "refers to SOURCE_IMAGE (moving it from the image it named before).\n",
			       "+h", NULL, NULL, NULL, 2);

	if (r <= 0)
		return -r;
	if (argc - optind != 2)
		return cli_usage_error("tag", "requires exactly 2 arguments (see --help)");
	if (img_store_open(rt_paths()->state_dir, IMG_LOCK_EXCLUSIVE, &st, &err) < 0 ||
	    img_image_find(st, argv[optind], &im, &err) < 0 || img_tag_set(st, argv[optind + 1], im->id, &err) < 0)
		return cli_error(&err);
	return 0;
}
