/* Work on many nodes at once: each job runs in a forked child, at most `parallel` at a
 * time, and reports once on a pipe (its outcome and error).  A child may go on living
 * after its report (a node's monitor does: lab_node_start); a job that exits is reaped.
 *
 * Children, not threads: a container's monitor must be a process of its own, and a
 * command run in a node (ctr_exec) joins the node's namespaces, which a thread of a
 * process that goes on working in the host's cannot do for its mount and pid
 * namespaces. */
#ifndef NETNS_RUN_LAB_JOBS_H
#define NETNS_RUN_LAB_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct lab_job_result {
	int r;      /* 0 or a negative errno (err says why) */
	int status; /* what the job reported besides (a command's exit status) */
	bool stays; /* the job's process lives on after its report (lab_job_report_stay) */
	struct nr_error err;
};

/* In the child: fd 3 is the report pipe, the parent's other descriptors (bar 0, 1, 2)
 * are closed.  It must call lab_job_report once; returning from fn exits the child with
 * 0 (after a report) or 125. */
typedef void (*lab_job_fn)(void *ctx, size_t i);

#define LAB_JOB_FD 3

void lab_job_report(int r, int status, const struct nr_error *err);
/* A success after which the job's process goes on living (a monitor): not waited for. */
void lab_job_report_stay(void);
/* A job's process is killed when its caller dies, unless it calls this first. */
void lab_job_outlive(void);

/* How many jobs at once: $NETNS_RUN_LAB_PARALLEL, else LAB_JOBS_DEFAULT. */
#define LAB_JOBS_DEFAULT 16
size_t lab_jobs_parallel(void);

/* Run fn for i in [0, n) into results[i] (a child that died without a report: -EPIPE
 * with a message).  out (NULL: none) gives each job's stdout and stderr (out[i] < 0:
 * ours).  Returns the number of failed jobs, or a negative errno when nothing could
 * start (err). */
int lab_jobs_run(size_t n, lab_job_fn fn, void *ctx, const int *out, struct lab_job_result *results,
		 struct nr_error *err);

#endif
