/* Linux nodes started as detached containers, in parallel (lab_node.h).  Each job is the
 * node's monitor, as `netns-run run -d`'s forked process is: it creates and starts the
 * container, reports, then waits for the command and tears the container down when it
 * ends (its stop or the lab's destroy). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "engine/ctr.h"
#include "engine/proc_io.h"
#include "engine/rt_error.h"
#include "engine/run.h"
#include "engine/security.h"
#include "lab/lab_node.h"

struct start_ctx {
	const struct lab_topo *t;
	const size_t *idx;
	char (*names)[RT_NAME_MAX];
};

static void start_job(void *arg, size_t i)
{
	struct start_ctx *ctx = arg;
	const struct lab_node *n = &ctx->t->nodes[ctx->idx[i]];
	struct lab_node_opts no;
	struct ctr_run *c = NULL;
	struct nr_error err = { 0 };
	int r, status = 0;

	/* The node outlives the deploy, in a session of its own: the caller's terminal and
	 * its signals are not the node's. */
	lab_job_outlive();
	setsid();
	signal(SIGPIPE, SIG_IGN);
	/* Signals sent to the monitor reach the node's init (run.h: ctr_run_wait). */
	static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	int sfd = rt_signals_take(forwarded, sizeof(forwarded) / sizeof(forwarded[0]), 0);
	if ((r = lab_node_opts_build(ctx->t, n, ctx->names[i], &no, &err)) < 0) {
		lab_job_report(r, 0, &err);
		return;
	}
	if ((r = security_prepare(&no.o, &err)) < 0 || (r = ctr_run_create(&no.o, &c, &err)) < 0) {
		lab_job_report(r, 0, &err);
		lab_node_opts_free(&no);
		return;
	}
	rt_stdio_to_log(ctr_run_log_fd(c));
	if ((r = ctr_run_start(c, &err)) < 0) {
		lab_job_report(r, 0, &err);
		ctr_run_free(c);
		lab_node_opts_free(&no);
		return;
	}
	lab_job_report_stay();
	r = ctr_run_wait(c, sfd, &status, &err);
	if (r < 0)
		fprintf(stderr, "netns-run lab: node %s: %s\n", n->name, err.msg);
	ctr_run_free(c);
	lab_node_opts_free(&no);
	_exit(status);
}

int lab_nodes_start(const struct lab_topo *t, const size_t *idx, char (*names)[RT_NAME_MAX], size_t n,
		    struct lab_job_result *results, struct nr_error *err)
{
	struct start_ctx ctx = { .t = t, .idx = idx, .names = names };

	return lab_jobs_run(n, start_job, &ctx, NULL, results, err);
}
