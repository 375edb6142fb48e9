/* Commands run in a node (lab_node.h): `netns-run exec` without a terminal, in a child
 * of ours, since ctr_exec moves its caller into the container's namespaces. */
#include <errno.h>
#include <string.h>

#include "engine/ctr.h"
#include "lab/lab_node.h"

struct exec_ctx {
	const char *ctr;
	char *const *argv;
};

static void exec_job(void *arg, size_t i)
{
	struct exec_ctx *ctx = arg;
	struct run_opts o = { 0 };
	struct tty_stdio io = { .in = -1, .out = 1, .term = -1 };
	struct nr_error err = { 0 };
	int status = 0;

	(void)i;
	o.argv = (char **)ctx->argv;
	int r = ctr_exec(ctx->ctr, &o, &io, -1, &status, &err);
	lab_job_report(r, status, &err);
}

int lab_node_exec(const char *ctr, char *const *argv, int out, int *ret_status, struct nr_error *err)
{
	struct exec_ctx ctx = { .ctr = ctr, .argv = argv };
	struct lab_job_result res;
	int r;

	if ((r = lab_jobs_run(1, exec_job, &ctx, &out, &res, err)) < 0)
		return r;
	if (res.r < 0) {
		nr_error_copy(err, &res.err);
		return res.r;
	}
	*ret_status = res.status;
	return 0;
}
