/* `netns-run image SUBVERB`: ls, inspect, rm, prune, tag, history, load, save, import
 * (Docker's management command); inspect and prune live here, the others are the
 * top-level verbs' files. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/image_fmt.h"
#include "engine/image_json.h"
#include "engine/image_use.h"
#include "image/store.h"

/* --format: json alone (Docker's Go templates are not ours). */
static int inspect_opt(int c, const char *arg, void *ctx)
{
	(void)ctx;
	return c == 'f' && (!strcmp(arg, "json") || !strcmp(arg, "{{json .}}")) ? 0 : -1;
}

int cmd_image_inspect(int argc, char **argv)
{
	static const struct option extra[] = { { "format", required_argument, NULL, 'f' }, { 0 } };
	struct nr_error err = { 0 };
	_cleanup_img_store_ struct img_store *st = NULL;
	int status = 0,
	    r = cli_small_opts(argc, argv,
			       "Usage: netns-run image inspect [OPTIONS] IMAGE [IMAGE...]\n\nDisplay detailed "
			       "information on one or more images, as a JSON array.\n\n"
			       "  -f, --format string   json (the only one)\n",
			       "+hf:", extra, inspect_opt, NULL, 1);

	if (r <= 0)
		return -r;
	if (cli_image_store_peek(&st, &err) < 0)
		return cli_error(&err);
	json_t *all = json_array();
	for (int i = optind; all && i < argc; i++) {
		_cleanup_img_image_ struct img_image *im = NULL;
		struct nr_error e = { 0 };
		json_t *one;
		if (!st)
			nr_error_set(&e, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", argv[i]);
		if (!st || img_image_find(st, argv[i], &im, &e) < 0) {
			status = cli_error(&e);
			continue;
		}
		if (!(one = image_inspect_json(im)) || json_array_append_new(all, one) < 0)
			status = RT_EXIT_RUNTIME;
	}
	_cleanup_free_ char *text = all ? json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(all);
	if (!text)
		return RT_EXIT_RUNTIME;
	puts(text);
	return status;
}

struct prune_ctx {
	bool all, force, any;
};

static int prune_opt(int c, const char *arg, void *vctx)
{
	struct prune_ctx *ctx = vctx;

	(void)arg;
	if (c == 'a')
		ctx->all = true;
	else if (c == 'f')
		ctx->force = true;
	else
		return -1;
	return 0;
}

/* Docker's prune output: "Deleted Images:", then "untagged: X" / "deleted: sha256:…". */
static void prune_report(void *vctx, enum image_rm_event ev, const char *what)
{
	struct prune_ctx *ctx = vctx;

	if (!ctx->any)
		puts("Deleted Images:");
	ctx->any = true;
	printf("%s: %s\n", ev == IMAGE_UNTAGGED ? "untagged" : "deleted", what);
}

/* Docker's confirmation: anything but y/yes (any case) on stdin says no. */
static bool confirm(const char *warning)
{
	char line[64] = "";

	printf("%s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

int cmd_image_prune(int argc, char **argv)
{
	static const struct option extra[] = { { "all", no_argument, NULL, 'a' },
					       { "force", no_argument, NULL, 'f' },
					       { 0 } };
	struct prune_ctx ctx = { 0 };
	struct nr_error err = { 0 };
	long long bytes = 0;
	char size[32];
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run image prune [OPTIONS]\n\nRemove unused images: untagged ones no container "
			       "uses.\n\n"
			       "  -a, --all     Remove all unused images, not just dangling ones\n"
			       "  -f, --force   Do not prompt for confirmation\n",
			       "+haf", extra, prune_opt, &ctx, 0);

	if (r <= 0)
		return -r;
	if (optind < argc)
		return cli_usage_error("image prune", "accepts no arguments (see --help)");
	/* Not confirmed: nothing removed, and Docker (24) still says how much. */
	if (!ctx.force &&
	    !confirm(ctx.all ? "WARNING! This will remove all images without at least one container associated to them."
			     : "WARNING! This will remove all dangling images."))
		goto done;
	if (image_prune(ctx.all, NULL, NULL, prune_report, &ctx, &bytes, &err) < 0)
		return cli_error(&err);
	if (ctx.any)
		putchar('\n');
done:
	printf("Total reclaimed space: %s\n", fmt_size(bytes, 4, size, sizeof(size)));
	return 0;
}

static const char usage[] = "Usage: netns-run image COMMAND\n\nManage images\n\nCommands:\n"
			    "  history     Show the history of an image\n"
			    "  import      Import the contents from a tarball to create a filesystem image\n"
			    "  inspect     Display detailed information on one or more images\n"
			    "  load        Load an image from a tar archive or STDIN\n"
			    "  ls          List images\n"
			    "  prune       Remove unused images\n"
			    "  rm          Remove one or more images\n"
			    "  save        Save one or more images to a tar archive (streamed to STDOUT by default)\n"
			    "  tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n";

int cmd_image(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} sub[] = {
		{ "ls", cmd_images }, { "list", cmd_images },     { "inspect", cmd_image_inspect },
		{ "rm", cmd_rmi },    { "remove", cmd_rmi },      { "prune", cmd_image_prune },
		{ "tag", cmd_tag },   { "history", cmd_history }, { "load", cmd_load },
		{ "save", cmd_save }, { "import", cmd_import },   { "pull", cmd_pull },
		{ "push", cmd_pull },
	};

	if (argc < 2) {
		fputs(usage, stderr);
		return RT_EXIT_RUNTIME;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name))
			return sub[i].fn(argc - 1, argv + 1);
	return cli_usage_error("image", "unknown command '%s' (see netns-run image --help)", argv[1]);
}
