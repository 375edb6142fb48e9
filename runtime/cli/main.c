/* netns-run: run a command in its own namespaces, networked through CNI plugins.
 * `netns-run run [OPTIONS] CMD` (or `netns-run OPTION... [--] CMD`) and the verbs of docs/cli.md. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
	"Usage: netns-run run [OPTIONS] COMMAND [ARG...]\n"
	"       netns-run OPTION... [--] COMMAND [ARG...]   (run, when the first word is an option or --)\n"
	"       netns-run VERB [OPTIONS] ...\n"
	"\n"
	"Verbs:\n"
	"  run       run a command in a new container\n"
	"  ps        list containers\n"
	"  exec      run a command in a running container\n"
	"  stop      stop a container\n"
	"  rm        remove a container\n"
	"  inspect   a container's record as JSON (runs the plugins' CHECK)\n"
	"  network   ls | inspect NAME | rm NAME... | prune | reload\n"
	"  commit    create a new image from a container's changes\n"
	"  diff      a container's changes to its file system (A/C/D)\n"
	"  images    list images\n"
	"  image     ls | inspect | rm | prune | tag | history | load | save | import\n"
	"  load      load images from a docker save or OCI archive (-i FILE or stdin)\n"
	"  save      save images to an archive (-o FILE or stdout; --since BASE: diff only)\n"
	"  import    a root file system tar as an image\n"
	"  rmi       remove images\n"
	"  tag       name an image\n"
	"  history   an image's layers and how they were made\n"
	"  gc        clean up after containers whose netns-run was killed, and the image store\n"
	"  version   the client's and the engine's versions\n"
	"  daemon    serve the Docker Engine API (netns-run-daemon; docs/daemon.md)\n"
	"  lab       network labs from a topology file (netns-run-lab; docs/labs.md)\n"
	"\n"
	"`netns-run VERB --help` describes each.  Environment: NETNS_RUN_STATE_DIR,\n"
	"NETNS_RUN_CONFIG_DIR, NETNS_RUN_CNI_PATH, NETNS_RUN_CNI_CACHE_DIR (see docs/cli.md).\n";

static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
} verbs[] = {
	{ "run", cmd_run },         { "ps", cmd_ps },           { "exec", cmd_exec },       { "stop", cmd_stop },
	{ "rm", cmd_rm },           { "inspect", cmd_inspect }, { "network", cmd_network }, { "gc", cmd_gc },
	{ "version", cmd_version }, { "load", cmd_load },       { "save", cmd_save },       { "import", cmd_import },
	{ "images", cmd_images },   { "rmi", cmd_rmi },         { "image", cmd_image },     { "history", cmd_history },
	{ "tag", cmd_tag },         { "commit", cmd_commit },   { "diff", cmd_diff },       { "pull", cmd_pull },
	{ "push", cmd_pull },       { "login", cmd_pull },      { "daemon", cmd_daemon },   { "lab", cmd_lab },
};

int main(int argc, char **argv)
{
	/* Our waits for the container's init and exec's command need their statuses: a caller
	 * that ignores SIGCHLD (as `ignore_all` or some supervisors do) must not have the
	 * kernel reap them for us. */
	signal(SIGCHLD, SIG_DFL);
	if (argc < 2) {
		fputs(usage, stderr);
		return RT_EXIT_RUNTIME;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	/* No verb: `netns-run [OPTIONS] [--] COMMAND` is run's shorthand (getopt skips
	 * argv[0]).  Any other first word is refused, as docker does: a mistyped or future
	 * verb (`netns-run lod -i x`) must not start a container on the default bridge. */
	if (argv[1][0] == '-')
		return cmd_run(argc, argv);
	fprintf(stderr,
		"netns-run: unknown command '%s'; to run a program: netns-run run %s ... or netns-run -- %s ... (see "
		"netns-run --help)\n",
		argv[1], argv[1], argv[1]);
	return RT_EXIT_RUNTIME;
}
