/* The last step of a deploy: each new node's exec list (deploy.h).  A command's output
 * goes to a memory file, not a pipe: a daemon a command starts (FRR's, say) keeps its
 * descriptors, and nothing here may wait for their end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/rt_error.h"
#include "lab/deploy.h"
#include "lab/lab_node.h"

struct exec_lists {
	struct deploy *d;
	const size_t *idx;
};

static void list_job(void *arg, size_t k)
{
	struct exec_lists *x = arg;
	size_t i = x->idx[k];
	const struct lab_node *n = &x->d->t->nodes[i];
	struct nr_error err = { 0 };
	int r, status, in = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* No command of a list reads the deploy's input (a terminal, say). */
	if (in > 0) {
		dup2(in, 0);
		close(in);
	}
	for (size_t c = 0; n->exec[c]; c++) {
		char *argv[] = { "sh", "-c", n->exec[c], NULL };
		if ((r = lab_node_exec(x->d->ctrs[i], argv, -1, &status, &err)) < 0) {
			nr_error_wrap(&err, r, "node %s: exec '%s'", n->name, n->exec[c]);
			lab_job_report(r, 0, &err);
			return;
		}
		if (status != 0) {
			r = nr_error_set(&err, RT_ERR_SYSTEM, EIO, "node %s: exec '%s' exited with status %d", n->name,
					 n->exec[c], status);
			lab_job_report(r, status, &err);
			return;
		}
	}
	lab_job_report(0, 0, NULL);
}

/* The output of node's commands, each line prefixed, on stdout. */
static void print_output(const char *node, int fd)
{
	char buf[4096];
	ssize_t n;
	off_t off = 0;
	bool bol = true;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t k = 0; k < n; k++) {
			if (bol)
				printf("%s: ", node);
			putchar(buf[k]);
			bol = buf[k] == '\n';
		}
		off += n;
	}
	if (!bol)
		putchar('\n');
	fflush(stdout);
}

int deploy_exec_lists(struct deploy *d, struct nr_error *err)
{
	const struct lab_topo *t = d->t;
	_cleanup_free_ size_t *idx = calloc(t->n_nodes + 1, sizeof(*idx));
	_cleanup_free_ int *out = calloc(t->n_nodes + 1, sizeof(*out));
	_cleanup_free_ struct lab_job_result *res = calloc(t->n_nodes + 1, sizeof(*res));
	struct exec_lists x = { .d = d, .idx = idx };
	size_t n = 0;
	int r = 0;

	if (!idx || !out || !res)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lab_node *nd = &t->nodes[i];
		const struct lab_state_node *sn = lab_state_node(d->st, nd->name);
		/* A node this call started, or one whose list a killed deploy left unfinished. */
		if (nd->kind != LAB_KIND_LINUX || !nd->exec || !nd->exec[0] ||
		    (!d->node_made[i] && sn && sn->configured))
			continue;
		if ((out[n] = memfd_create("lab-exec", MFD_CLOEXEC)) < 0) {
			r = nr_error_set(err, RT_ERR_SYSTEM, errno, "memfd_create: %s", strerror(errno));
			break;
		}
		idx[n++] = i;
	}
	if (r == 0 && n && (r = lab_jobs_run(n, list_job, &x, out, res, err)) > 0) {
		for (size_t k = 0; k < n; k++)
			if (res[k].r < 0) {
				nr_error_copy(err, &res[k].err);
				r = res[k].r;
				break;
			}
	}
	for (size_t k = 0; k < n; k++) {
		print_output(t->nodes[idx[k]].name, out[k]);
		close(out[k]);
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < d->st->n_nodes; i++)
		if (d->st->nodes[i].kind == LAB_KIND_LINUX && lab_topo_node(t, d->st->nodes[i].name) >= 0)
			d->st->nodes[i].configured = true;
	return 0;
}
