/* `netns-run rmi [-f] IMAGE...` (and `image rm`): "Untagged: bb:1", "Deleted: sha256:…". */
#include <stdio.h>

#include "cli/cli.h"
#include "engine/image_use.h"

static void rmi_report(void *ctx, enum image_rm_event ev, const char *what)
{
	(void)ctx;
	printf("%s: %s\n", ev == IMAGE_UNTAGGED ? "Untagged" : "Deleted", what);
}

struct rmi_opts {
	bool force;
};

static int rmi_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c == 'f')
		((struct rmi_opts *)ctx)->force = true;
	else if (c != 1000) /* --no-prune: we have no parent chains to prune */
		return -1;
	return 0;
}

int cmd_rmi(int argc, char **argv)
{
	static const struct option extra[] = { { "force", no_argument, NULL, 'f' },
					       { "no-prune", no_argument, NULL, 1000 },
					       { 0 } };
	struct rmi_opts o = { 0 };
	int status = 0,
	    r = cli_small_opts(argc, argv,
			       "Usage: netns-run rmi [OPTIONS] IMAGE [IMAGE...]\n\nRemove one or more images.  A name is "
			       "untagged, and the image goes with its\nlast name; an id removes the image with all its "
			       "names.  An image a container\nuses (any state) stays: removing its last name needs -f, "
			       "and it is then kept\nas <none> until the container is removed.\n\n"
			       "  -f, --force      remove the names even then; an image with several names by id\n"
			       "      --no-prune   accepted (there are no untagged parents to prune)\n",
			       "+hf", extra, rmi_opt, &o, 1);

	if (r <= 0)
		return -r;
	for (int i = optind; i < argc; i++) {
		struct nr_error err = { 0 };
		if (image_remove(argv[i], o.force, rmi_report, NULL, &err) < 0)
			status = cli_error(&err);
	}
	return status;
}
