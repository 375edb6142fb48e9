/* POST /containers/{id}/attach: Docker's hijacked stream onto the container's monitor
 * (engine/monitor.h), which already frames the output Docker's way; logs=1 replays the
 * log first (logs.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "engine/container.h"
#include "engine/monitor.h"
#include "engine/rt_error.h"
#include "events.h"
#include "logs.h"
#include "relay.h"
#include "routes.h"

/* How often an attach to a stopped container looks for its next start. */
#define ATTACH_WAIT_MS 20

struct attach_ctx {
	char name[RT_NAME_MAX];
	char id[RT_ID_LEN + 1];
	int mon; /* the monitor's attach stream; -1: not yet (the container is not running) */
	/* When the request came, for a wait for the next run: its monitor then, and the time
	 * from which the next run's log is shown (taken before the answer, after which the
	 * client starts the container). */
	pid_t mon_pid;
	unsigned long long mon_start;
	long long t0_ns;
	bool in, out, errs, logs, stream, tty;
	char detach[RELAY_DETACH_MAX]; /* ?detachKeys= (a tty's input only, as Docker) */
	size_t n_detach;
};

static void attach_free(void *p)
{
	struct attach_ctx *c = p;

	if (c->mon >= 0)
		close(c->mon);
	free(c);
}

/* Docker's attach to a stopped container waits for its next start (`docker start -a`
 * attaches first): until a monitor takes the attach, the container is gone, or the
 * client leaves. */
static int attach_wait_start(int sock, struct attach_ctx *c)
{
	struct nr_error err = { 0 };

	for (;;) {
		int fd = ctr_monitor_attach(c->name, c->in, c->out, c->errs, &err);
		if (fd >= 0)
			return fd;
		if (err.code != RT_ERR_CONFLICT)
			return -ENOENT;
		/* Only a full close (POLLHUP) ends the wait: the client's half-close is normal. */
		struct pollfd p = { .fd = sock, .events = 0 };
		if (poll(&p, 1, ATTACH_WAIT_MS) > 0 && (p.revents & (POLLHUP | POLLERR)))
			return -EPIPE;
	}
}

/* The same wait without input: the output of the next run comes from its log (followed
 * until its monitor is gone), so that a run shorter than the wait's period is not missed.
 * A new run: the record is no longer exited, or names another monitor. */
static void attach_follow_next_run(int sock, struct attach_ctx *c)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct timespec now;
	struct nr_error err = { 0 };

	clock_gettime(CLOCK_REALTIME, &now);
	struct ctr_log_query q = { .since_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec,
				   .tail = -1,
				   .follow = true };
	struct logs_out lo = { .fd = sock, .tty = c->tty, .out = c->out, .errs = c->errs };
	if (ctr_store_load(c->name, &rec, NULL) < 0)
		return relay_finish(sock);
	pid_t mon = rec->monitor;
	unsigned long long mon_start = rec->monitor_start;
	for (;;) {
		struct pollfd p = { .fd = sock, .events = 0 };
		if (poll(&p, 1, ATTACH_WAIT_MS) > 0 && (p.revents & (POLLHUP | POLLERR)))
			return;
		ctr_record_free(TAKE_PTR(rec));
		if (ctr_store_load(c->name, &rec, NULL) < 0)
			return relay_finish(sock); /* removed meanwhile */
		if (rec->status != CTR_EXITED || rec->monitor != mon || rec->monitor_start != mon_start)
			break;
	}
	if (logs_write(c->name, &q, &lo, &err) == -EPIPE)
		return;
	relay_finish(sock);
}

static void attach_run(int sock, void *p)
{
	struct attach_ctx *c = p;

	if (c->logs) {
		struct ctr_log_query q = { .tail = -1 };
		struct logs_out lo = { .fd = sock, .tty = c->tty, .out = c->out, .errs = c->errs };
		struct nr_error err = { 0 };
		if (logs_write(c->name, &q, &lo, &err) == -EPIPE)
			return;
	}
	if (c->stream && c->mon < 0 && !c->in)
		return attach_follow_next_run(sock, c);
	if (c->stream && c->mon < 0 && (c->mon = attach_wait_start(sock, c)) < 0 && c->mon == -EPIPE)
		return;
	if (c->stream && c->mon >= 0) {
		struct relay rl = {
			.sock = sock,
			.in_fd = c->in ? c->mon : -1,
			.in_eof = RELAY_EOF_SHUT_WR,
			.out = { { .fd = c->mon, .stream = 0 } },
			.n_out = 1,
			.done_fd = -1,
			.n_detach = c->tty && c->in ? c->n_detach : 0,
		};
		memcpy(rl.detach, c->detach, sizeof(rl.detach));
		enum relay_end end = relay_run(&rl);
		if (end == RELAY_CLIENT_GONE)
			return;
		if (end == RELAY_DETACHED)
			events_emit("container", "detach", c->id, json_pack("{s:s}", "name", c->name));
	}
	relay_finish(sock);
}

int h_container_attach(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	struct attach_ctx c = { .mon = -1 };
	int ret;

	if ((ret = ctr_store_resolve(r->params[0], c.name, &err)) < 0 || (ret = ctr_store_load(c.name, &rec, &err)) < 0)
		return api_reply_nr_error(r, &err);
	/* The parameters first, as Docker checks them before it hijacks. */
	if (api_query_bool(r, "stream", false, &c.stream) < 0 || api_query_bool(r, "stdin", false, &c.in) < 0 ||
	    api_query_bool(r, "stdout", false, &c.out) < 0 || api_query_bool(r, "stderr", false, &c.errs) < 0 ||
	    api_query_bool(r, "logs", false, &c.logs) < 0)
		return api_reply_error(r, 400, "bad boolean parameter");
	if (relay_detach_keys(api_query(r, "detachKeys"), c.detach, &c.n_detach) < 0)
		return api_reply_error(r, 400, "Invalid detach keys (%s) provided", api_query(r, "detachKeys"));
	if (!api_hijack_asked(r))
		return api_reply_no_hijack(r); /* before the monitor is asked for anything */
	snprintf(c.id, sizeof(c.id), "%s", rec->id);
	c.tty = relay_ctr_tty(c.name);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	c.t0_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
	c.mon_pid = rec->monitor;
	c.mon_start = rec->monitor_start;
	/* Connected before the answer, so that a container that cannot be attached to (one of
	 * `netns-run run`, without a monitor) gets a status, not an empty stream.  An exited
	 * one waits for its next start in the stream. */
	if (c.stream && rec->status != CTR_EXITED &&
	    (c.mon = ctr_monitor_attach(c.name, c.in, c.out, c.errs, &err)) < 0) {
		char sock[512];
		rt_ctr_path(sock, sizeof(sock), c.name, CTR_MONITOR_SOCK);
		if (ctr_running(rec) && access(sock, F_OK) < 0)
			nr_error_set(&err, RT_ERR_CONFLICT, EINVAL,
				     "container %s was not started by the daemon: it cannot be attached to", c.name);
		if (rec->status == CTR_RUNNING || !c.logs)
			return api_reply_nr_error(r, &err);
		c.stream = false; /* a created container whose monitor died: its log only */
	}
	struct attach_ctx *heap = malloc(sizeof(*heap));
	if (!heap) {
		if (c.mon >= 0)
			close(c.mon);
		return api_reply_error(r, 500, "out of memory");
	}
	*heap = c;
	events_emit("container", "attach", rec->id, json_pack("{s:s}", "name", c.name));
	return api_reply_hijack(r,
				c.tty ? "application/vnd.docker.raw-stream"
				      : "application/vnd.docker.multiplexed-stream",
				attach_run, heap, attach_free);
}
