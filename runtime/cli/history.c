/* `netns-run history [OPTIONS] IMAGE`: the image's history (engine/image_json.h), newest
 * first, in Docker's table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/json_field.h"
#include "cli/cli.h"
#include "cli/image_fmt.h"
#include "engine/image_json.h"
#include "image/store.h"

struct history_opts {
	bool quiet, no_trunc;
	const char *format;
};

static int history_opt(int c, const char *arg, void *ctx)
{
	struct history_opts *o = ctx;

	switch (c) {
	case 'q':
		o->quiet = true;
		return 0;
	case 'H': /* --human (default true): always */
		return 0;
	case 1000:
		o->no_trunc = true;
		return 0;
	case 1001:
		o->format = arg;
		return 0;
	}
	return -1;
}

/* Docker's formatter.Ellipsis: at most max runes, the last one "…" when cut. */
static void ellipsis(const char *s, size_t max, char *buf, size_t len)
{
	size_t runes = 0, i;

	for (i = 0; s[i]; i++)
		runes += ((unsigned char)s[i] & 0xc0) != 0x80;
	if (runes <= max) {
		snprintf(buf, len, "%s", s);
		return;
	}
	runes = 0;
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++runes == max)
			break;
	}
	snprintf(buf, len, "%.*s…", (int)i, s);
}

static int add_entry(json_t *rows, const char *id, long long created, const char *by, long long size,
		     const char *comment, bool no_trunc)
{
	char when[64], since[64], sz[32], by_buf[4096], *tab;

	snprintf(by_buf, sizeof(by_buf), "%s", by ? by : "");
	while ((tab = strchr(by_buf, '\t')))
		*tab = ' ';
	if (!no_trunc) {
		char full[4096];
		snprintf(full, sizeof(full), "%s", by_buf);
		ellipsis(full, 45, by_buf, sizeof(by_buf));
	}
	json_t *row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "Comment", comment ? comment : "", "CreatedAt",
				created ? fmt_time_rfc3339(created, when, sizeof(when)) : "N/A", "CreatedBy", by_buf,
				"CreatedSince", fmt_since(created, since, sizeof(since)), "ID", id, "Size",
				fmt_size(size, 3, sz, sizeof(sz)));

	return row && json_array_append_new(rows, row) == 0 ? 0 : -ENOMEM;
}

/* The rows, top first, from the engine's history (image_json.h). */
static int history_rows(const struct img_image *im, bool no_trunc, json_t *rows)
{
	_cleanup_json_ json_t *items = image_history_json(im);
	json_t *h;
	size_t i;
	char id[80];
	int r = items ? 0 : -ENOMEM;

	json_array_foreach(items, i, h) {
		const char *hid = json_string_value(json_object_get(h, "Id"));
		if (r < 0)
			break;
		r = add_entry(rows, strcmp(hid, "<missing>") ? fmt_image_id(hid, no_trunc, id, sizeof(id)) : hid,
			      json_integer_value(json_object_get(h, "Created")),
			      json_string_value(json_object_get(h, "CreatedBy")),
			      json_integer_value(json_object_get(h, "Size")),
			      json_string_value(json_object_get(h, "Comment")), no_trunc);
	}
	return r;
}

int cmd_history(int argc, char **argv)
{
	static const struct option extra[] = { { "quiet", no_argument, NULL, 'q' },
					       { "human", optional_argument, NULL, 'H' },
					       { "no-trunc", no_argument, NULL, 1000 },
					       { "format", required_argument, NULL, 1001 },
					       { 0 } };
	static const char *const headers[] = { "ID",        "IMAGE",      "CreatedSince", "CREATED",
					       "CreatedAt", "CREATED AT", "CreatedBy",    "CREATED BY",
					       "Size",      "SIZE",       "Comment",      "COMMENT",
					       NULL };
	static const char *const cols[] = { "ID", "CreatedSince", "CreatedBy", "Size", "Comment", NULL };
	struct history_opts o = { 0 };
	struct nr_error err = { 0 };
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_img_image_ struct img_image *im = NULL;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run history [OPTIONS] IMAGE\n\nShow the history of an image.\n\n"
			       "      --format string   'table', 'table TEMPLATE', 'json' or 'TEMPLATE'\n"
			       "  -H, --human           Print sizes and dates in human readable format (always)\n"
			       "      --no-trunc        Don't truncate output\n"
			       "  -q, --quiet           Only show image IDs\n",
			       "+hqH", extra, history_opt, &o, 1);

	if (r <= 0)
		return -r;
	if (argc - optind != 1)
		return cli_usage_error(argv[0], "requires exactly 1 argument (see --help)");
	if (cli_image_store_peek(&st, &err) < 0)
		return cli_error(&err);
	if (!st)
		nr_error_set(&err, RT_ERR_NOT_FOUND, ENOENT, "No such image: %s", argv[optind]);
	if (!st || img_image_find(st, argv[optind], &im, &err) < 0)
		return cli_error(&err);
	json_t *rows = json_array();
	if (!rows || history_rows(im, o.no_trunc, rows) < 0) {
		json_decref(rows);
		nr_error_set(&err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		return cli_error(&err);
	}
	r = fmt_rows_or_ids(o.quiet, o.format, rows, cols, headers);
	json_decref(rows);
	return r < 0 ? RT_EXIT_RUNTIME : 0;
}
