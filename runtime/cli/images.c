/* `netns-run images [OPTIONS] [REPOSITORY[:TAG]]` (and `image ls`): Docker's table,
 * one row per name (an untagged image as <none> <none>), newest first. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/image_fmt.h"
#include "image/store.h"

struct images_opts {
	bool quiet, no_trunc, digests;
	int dangling; /* -f dangling=true (1) or false (0); -1: no such filter */
	const char *format, *reference;
};

static int images_opt(int c, const char *arg, void *ctx)
{
	struct images_opts *o = ctx;

	switch (c) {
	case 'a': /* all: we keep no intermediate images to hide */
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case 1000:
		o->no_trunc = true;
		return 0;
	case 1001:
		o->digests = true;
		return 0;
	case 1002:
		o->format = arg;
		return 0;
	case 'f':
		/* Docker's filters that make sense here: dangling and reference (exact). */
		if (!strcmp(arg, "dangling=true") || !strcmp(arg, "dangling=1"))
			o->dangling = 1;
		else if (!strcmp(arg, "dangling=false") || !strcmp(arg, "dangling=0"))
			o->dangling = 0;
		else if (!strncmp(arg, "reference=", 10) && arg[10])
			o->reference = arg + 10;
		else
			return -1;
		return 0;
	}
	return -1;
}

/* Whether the argument REPOSITORY[:TAG] selects full (a store name): the repository
 * always, the tag only when one was given (`images bb` lists every bb). */
static bool matches(const char *filter, const struct img_ref *want, bool want_tag, const char *full)
{
	struct img_ref r;

	if (!filter)
		return true;
	if (img_ref_parse(full, &r, NULL) < 0 || strcmp(r.name, want->name))
		return false;
	return !want_tag || !strcmp(r.tag, want->tag);
}

static int add_row(json_t *rows, const struct img_image *im, const char *repo, const char *tag, bool no_trunc)
{
	char id[80], created[64], since[64], size[32];
	json_t *row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Containers", "N/A", "CreatedAt",
				im->created ? fmt_time_go(im->created, created, sizeof(created)) : "N/A",
				"CreatedSince", fmt_since(im->created, since, sizeof(since)), "Digest", "<none>", "ID",
				fmt_image_id(im->id, no_trunc, id, sizeof(id)), "Repository", repo, "SharedSize", "N/A",
				"Size", fmt_size(im->size, 3, size, sizeof(size)), "Tag", tag, "UniqueSize", "N/A",
				"VirtualSize", size);

	return row && json_array_append_new(rows, row) == 0 ? 0 : -1;
}

int cmd_images(int argc, char **argv)
{
	static const struct option extra[] = { { "all", no_argument, NULL, 'a' },
					       { "quiet", no_argument, NULL, 'q' },
					       { "no-trunc", no_argument, NULL, 1000 },
					       { "digests", no_argument, NULL, 1001 },
					       { "format", required_argument, NULL, 1002 },
					       { "filter", required_argument, NULL, 'f' },
					       { 0 } };
	static const char *const headers[] = { "Repository",   "REPOSITORY",   "Tag",        "TAG",
					       "Digest",       "DIGEST",       "ID",         "IMAGE ID",
					       "CreatedSince", "CREATED",      "CreatedAt",  "CREATED AT",
					       "Size",         "SIZE",         "Containers", "CONTAINERS",
					       "SharedSize",   "SHARED SIZE",  "UniqueSize", "UNIQUE SIZE",
					       "VirtualSize",  "VIRTUAL SIZE", NULL };
	static const char *const cols[] = { "Repository", "Tag", "ID", "CreatedSince", "Size", NULL };
	static const char *const cols_digests[] = { "Repository", "Tag", "Digest", "ID", "CreatedSince", "Size", NULL };
	struct images_opts o = { .dangling = -1 };
	struct nr_error err = { 0 };
	_cleanup_img_store_ struct img_store *st = NULL;
	struct img_image **list = NULL;
	struct img_ref want;
	bool want_tag = false;
	const char *filter = NULL;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run images [OPTIONS] [REPOSITORY[:TAG]]\n\nList images.\n\n"
			       "  -a, --all             Show all images (there are no intermediate images to hide)\n"
			       "      --digests         Show digests\n"
			       "  -f, --filter filter   dangling=true|false, reference=REPOSITORY[:TAG]\n"
			       "      --format string   'table', 'table TEMPLATE', 'json' (one object per line) or\n"
			       "                        'TEMPLATE' ({{.Repository}}, {{.Tag}}, {{.ID}}, {{.CreatedSince}},\n"
			       "                        {{.CreatedAt}}, {{.Size}}, {{.Digest}}, {{json .}})\n"
			       "      --no-trunc        Don't truncate output\n"
			       "  -q, --quiet           Only show image IDs\n",
			       "+haqf:", extra, images_opt, &o, 0);

	if (r <= 0)
		return -r;
	if (argc - optind > 1 || (argc - optind == 1 && o.reference))
		return cli_usage_error(argv[0], "requires at most 1 argument (see --help)");
	if (argc - optind == 1 || o.reference) {
		filter = o.reference ? o.reference : argv[optind];
		const char *slash = strrchr(filter, '/');
		want_tag = strchr(slash ? slash : filter, ':') != NULL;
		if (img_ref_parse(filter, &want, &err) < 0)
			return cli_error(&err);
	}
	if (cli_image_store_peek(&st, &err) < 0 || (st && img_image_list(st, &list, &err) < 0))
		return cli_error(&err);
	json_t *rows = json_array();
	for (size_t i = 0; rows && list && list[i]; i++) {
		const struct img_image *im = list[i];
		bool dangling = !im->tags || !im->tags[0];
		if (o.dangling >= 0 && dangling != (o.dangling == 1))
			continue;
		if (dangling) {
			if (!filter)
				r = add_row(rows, im, "<none>", "<none>", o.no_trunc);
			continue;
		}
		for (size_t k = 0; im->tags[k] && r >= 0; k++) {
			struct img_ref ref;
			if (!matches(filter, &want, want_tag, im->tags[k]) ||
			    img_ref_parse(im->tags[k], &ref, NULL) < 0)
				continue;
			r = add_row(rows, im, img_ref_familiar(ref.name), ref.tag[0] ? ref.tag : "<none>", o.no_trunc);
		}
	}
	img_image_list_free(list);
	if (!rows || r < 0) {
		json_decref(rows);
		nr_error_set(&err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		return cli_error(&err);
	}
	r = fmt_rows_or_ids(o.quiet, o.format, rows, o.digests ? cols_digests : cols, headers);
	json_decref(rows);
	return r < 0 ? RT_EXIT_RUNTIME : 0;
}
