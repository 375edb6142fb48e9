/* `netns-run commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]`: prints the new image's id. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/commit.h"
#include "engine/container.h"

struct commit_cli {
	struct ctr_commit_opts o;
	char **changes;
	bool bad_pause;
};

static int commit_opt(int c, const char *arg, void *ctx)
{
	struct commit_cli *cc = ctx;

	switch (c) {
	case 'm':
		cc->o.comment = arg;
		return 0;
	case 'a':
		cc->o.author = arg;
		return 0;
	case 'c':
		return rt_strv_push(&cc->changes, arg);
	case 'p':
		/* A Go boolean flag: -p, --pause, --pause=true|false. */
		if (!arg || !strcmp(arg, "true") || !strcmp(arg, "1"))
			cc->o.pause = true;
		else if (!strcmp(arg, "false") || !strcmp(arg, "0"))
			cc->o.pause = false;
		else
			return -1;
		return 0;
	}
	return -1;
}

int cmd_commit(int argc, char **argv)
{
	static const struct option extra[] = { { "message", required_argument, NULL, 'm' },
					       { "author", required_argument, NULL, 'a' },
					       { "change", required_argument, NULL, 'c' },
					       { "pause", optional_argument, NULL, 'p' },
					       { 0 } };
	struct commit_cli cc = { .o.pause = true };
	struct nr_error err = { 0 };
	img_digest id;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\nCreate a new image from a container's "
			       "changes: its writable layer as one more\nlayer on the image it runs.  A container on the host's root "
			       "cannot be committed.\n\n"
			       "  -a, --author string    Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")\n"
			       "  -c, --change list      Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT,\n"
			       "                         ENV, WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL)\n"
			       "  -m, --message string   Commit message\n"
			       "  -p, --pause            Pause container during commit (default true; --pause=false)\n",
			       "+hm:a:c:p", extra, commit_opt, &cc, 1);

	if (r <= 0) {
		rt_strv_free(cc.changes);
		return -r;
	}
	if (argc - optind > 2) {
		rt_strv_free(cc.changes);
		return cli_usage_error("commit", "requires at least 1 and at most 2 arguments (see --help)");
	}
	cc.o.ref = argc - optind == 2 ? argv[optind + 1] : NULL;
	cc.o.changes = (const char *const *)cc.changes;
	r = ctr_commit(argv[optind], &cc.o, id, &err);
	rt_strv_free(cc.changes);
	if (r < 0)
		return cli_error(&err);
	puts(id);
	return 0;
}
