/* `netns-run lab save (-t FILE | --name LAB)`: each node keeps what it has.  A node whose
 * kind has a configuration of its own writes it: FRR's vtysh, where the node has one,
 * `write memory` (to its /etc/frr, which a lab binds in from the host).  A linux node of
 * an image is committed as the image lab-<lab>-<node>:saved (engine/commit.h, what
 * `netns-run commit` does); one on the host's root has no layer worth an image. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/commit.h"
#include "engine/container.h"
#include "engine/rt.h"
#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/cmd_util.h"
#include "lab/lab_node.h"
#include "lab/lab_state.h"

static const char usage[] = "Usage: netns-run lab save (-t FILE | --name LAB)\n"
			    "\n"
			    "Ask each running node to write its configuration (FRR: `vtysh -c 'write memory'`\n"
			    "where the node has vtysh) and commit each linux node of an image as the image\n"
			    "lab-LAB-NODE:saved.\n"
			    "\n"
			    "  -t, --topo FILE  the lab of this topology file\n"
			    "  -n, --name LAB   the lab of this name\n"
			    "  -h, --help       this help\n";

/* The node's FRR configuration written: 1, 0 when the node has no vtysh. */
static int write_config(const struct lab_state_node *n, struct nr_error *err)
{
	char *argv[] = { "vtysh", "-c", "write memory", NULL };
	_cleanup_close_ int out = memfd_create("lab-save", MFD_CLOEXEC);
	char said[512] = "";
	int r, status;

	/* vtysh's chatter stays out of ours unless it fails. */
	if (out < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "memfd_create: %s", strerror(errno));
	if ((r = lab_node_exec(n->container, argv, out, &status, err)) < 0)
		return nr_error_wrap(err, r, "node %s", n->name);
	if (status == RT_EXIT_NOT_FOUND || status == RT_EXIT_CANNOT_EXEC)
		return 0;
	if (status == 0)
		return 1;
	ssize_t k = pread(out, said, sizeof(said) - 1, 0);
	said[k > 0 ? k : 0] = '\0';
	r = nr_error_set(err, RT_ERR_SYSTEM, EIO, "node %s: vtysh -c 'write memory' exited with status %d", n->name,
			 status);
	nr_error_details(err, "%s", said);
	return r;
}

static int commit(const char *lab, const struct lab_state_node *n, char *ref, size_t len, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	img_digest id;
	int r;

	if ((r = ctr_store_load(n->container, &rec, err)) < 0)
		return r;
	if (!rec->image)
		return 0;
	snprintf(ref, len, "lab-%s-%s:saved", lab, n->name);
	for (char *p = ref; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	struct ctr_commit_opts o = { .comment = "netns-run lab save", .ref = ref, .pause = true };
	if ((r = ctr_commit(n->container, &o, id, err)) < 0)
		return r;
	return 1;
}

int lab_cmd_save(int argc, char **argv)
{
	static const struct option longopts[] = { { "topo", required_argument, NULL, 't' },
						  { "name", required_argument, NULL, 'n' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	_cleanup_lab_state_ struct lab_state *st = NULL;
	struct nr_error err = { 0 };
	struct lab_cmd_common co;
	char lab[LAB_NAME_MAX];
	int failed = 0, rc = lab_cmd_options(argc, argv, 1, "save", usage, "+t:n:h", longopts, NULL, NULL, false, &co);

	if (rc <= 0)
		return -rc;
	if (lab_cmd_lab_name(co.file, co.name, lab, NULL, &err) < 0 || lab_state_load(lab, &st, &err) < 0)
		return lab_cmd_fail(&err);
	for (size_t i = 0; i < st->n_nodes; i++) {
		const struct lab_state_node *n = &st->nodes[i];
		char ref[RT_NAME_MAX * 2 + 16] = "";
		int r;
		if (n->kind != LAB_KIND_LINUX)
			continue;
		if ((r = write_config(n, &err)) < 0 || (r > 0 && printf("%s: configuration written\n", n->name) < 0)) {
			lab_print_error(&err);
			failed++;
			continue;
		}
		if ((r = commit(lab, n, ref, sizeof(ref), &err)) < 0) {
			nr_error_wrap(&err, r, "node %s", n->name);
			lab_print_error(&err);
			failed++;
		} else {
			printf(r > 0 ? "%s: committed as %s\n" : "%s: on the host's root, no image to commit\n",
			       n->name, ref);
		}
	}
	return failed ? LAB_EXIT_FAIL : 0;
}
