/* `netns-run gc [-q]` */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/image_fmt.h"
#include "engine/commit.h"
#include "engine/ctr.h"
#include "image/store.h"

struct gc_ctx {
	bool quiet;
	bool networks; /* the plugins' phase: its failures are shown even with -q */
};

static void gc_report(void *vctx, enum ctr_gc_event ev, const char *name, const struct nr_error *e)
{
	const struct gc_ctx *ctx = vctx;

	switch (ev) {
	case CTR_GC_FAILED:
		if (!ctx->quiet || ctx->networks)
			rt_print_error(e);
		break;
	case CTR_GC_NO_RECORD:
		if (!ctx->quiet)
			printf("removed %s (no record)\n", name);
		break;
	case CTR_GC_CLEANED_UP:
		if (!ctx->quiet)
			printf("cleaned up %s\n", name);
		break;
	case CTR_GC_NETWORK_DONE:
		if (!ctx->quiet)
			printf("network %s: plugins collected garbage\n", name);
		break;
	}
}

int cmd_gc(int argc, char **argv)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
						  { "quiet", no_argument, NULL, 'q' },
						  { 0 } };
	struct nr_error err = { 0 };
	struct gc_ctx ctx = { 0 };
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hq", longopts, NULL)) != -1) {
		if (c == 'h') {
			puts("Usage: netns-run gc [-q]\n\n"
			     "Tear down containers whose processes are gone but whose network, cgroups or\n"
			     "netns file remain (a netns-run that was killed), then run every network's\n"
			     "plugins' GC with the attachments still in use, and remove the netns-run\n"
			     "cgroup parents no container uses; thaw containers a killed commit left\n"
			     "frozen; and clean the image store: partial blobs and layers a killed load\n"
			     "or commit left in its tmp/, layers and blobs no image uses.\n\n"
			     "  -q, --quiet   print nothing but errors");
			return 0;
		}
		if (c == 'q') {
			ctx.quiet = true;
			continue;
		}
		return cli_usage_error("gc", "unknown option %s (see --help)", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("gc", "takes no arguments (see --help)");
	if (ctr_gc_reconcile(gc_report, &ctx, &err) < 0)
		return cli_error(&err);
	if ((r = ctr_commit_thaw_orphans(&err)) < 0)
		return cli_error(&err);
	if (r > 0 && !ctx.quiet)
		printf("thawed %d container%s frozen by a killed commit\n", r, r == 1 ? "" : "s");
	ctx.networks = true;
	r = ctr_gc_networks(gc_report, &ctx);
	int status = r < 0 ? RT_EXIT_RUNTIME : 0;
	/* The image store last, under its exclusive lock: a load or commit in progress
	 * holds it, so nothing of theirs is taken for garbage. */
	_cleanup_img_store_ struct img_store *st = NULL;
	long long bytes = 0;
	char size[32];
	char dir[PATH_MAX];
	struct stat sb;
	snprintf(dir, sizeof(dir), "%s/images", rt_paths()->state_dir);
	if (stat(dir, &sb) < 0)
		return status; /* no image store: nothing to collect, and none is made */
	if (img_store_open(rt_paths()->state_dir, IMG_LOCK_EXCLUSIVE, &st, &err) < 0 ||
	    img_store_gc(st, &bytes, &err) < 0) {
		rt_print_error(&err);
		return RT_EXIT_RUNTIME;
	}
	if (bytes > 0 && !ctx.quiet)
		printf("image store: reclaimed %s\n", fmt_size(bytes, 4, size, sizeof(size)));
	return status;
}
