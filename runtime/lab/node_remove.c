/* A lab's containers removed (lab_node.h).  Every init is killed before any is waited
 * for: their monitors then tear down side by side, and the records go one by one once
 * there is nothing left but a directory. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "engine/container.h"
#include "engine/ctr.h"
#include "engine/rt_error.h"
#include "lab/lab_node.h"

int lab_nodes_remove(char (*names)[RT_NAME_MAX], size_t n, struct lab_job_result *results, struct nr_error *err)
{
	int failed = 0;

	(void)err;
	for (size_t i = 0; i < n; i++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		/* SIGKILL as `rm -f` sends it: a lab node keeps nothing worth a graceful stop
		 * (`lab save` is the way to keep its state). */
		if (ctr_store_load(names[i], &rec, NULL) >= 0 && ctr_running(rec))
			ctr_signal_wait(rec, SIGKILL, 0);
	}
	for (size_t i = 0; i < n; i++) {
		struct lab_job_result *res = &results[i];
		*res = (struct lab_job_result){ 0 };
		res->r = ctr_remove(names[i], true, NULL, &res->err);
		if (res->r == -ENOENT)
			res->r = 0;
		if (res->r < 0) {
			nr_error_wrap(&res->err, res->r, "container %s", names[i]);
			failed++;
		}
	}
	return failed;
}
