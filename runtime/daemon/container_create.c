/* POST /containers/create, /containers/{id}/start and /restart.
 *
 * Create checks the body here first (create_body.h: 400 and 404 in Docker's words, the
 * networks, the name), then spawns the container's monitor (monitor_main.c: this binary
 * with --monitor, through posix_spawn: nothing of the engine runs forked from a daemon
 * thread; netns-run-monitor, the same monitor in a program of its own, when it lies beside
 * this binary) and waits for its "ok ID NAME".  The monitor creates the container and waits
 * for "start" on its socket; this file then writes the body, normalised, as the
 * container's CTR_CONFIG_FILE (inspect, list and a later start read it).
 *
 * Start of a created container is the monitor's "start"; of an exited one, a new monitor
 * with --again from CTR_CONFIG_FILE first (a container made by `netns-run run` has none:
 * 409). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "create_body.h"
#include "engine/container.h"
#include "engine/ctr.h"
#include "engine/monitor.h"
#include "engine/net.h"
#include "engine/rt_error.h"
#include "events.h"
#include "modes.h"
#include "routes.h"

/* How long a monitor may take to create its container (an image's layers are mounted
 * at start, not here: this is a directory and a record). */
#define MONITOR_READY_MS 60000

/* See start_container: three of attach.c's 20 ms looks. */
#define START_AGAIN_GRACE_MS 60

extern char **environ;

/* The monitor's "ok ID NAME" or "err MESSAGE", read to EOF or the deadline. */
static int ready_read(int fd, char *buf, size_t size)
{
	size_t n = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n + 1 < size) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = MONITOR_READY_MS - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0)
			return -ETIMEDOUT;
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		ssize_t k = read(fd, buf + n, size - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	return (int)n;
}

/* The monitor's program: netns-run-monitor beside this binary (runtime/monitor/main.c: the
 * same monitor without the server's libraries, so it starts faster), else this binary. */
static char monitor_prog_path[4096];
static void monitor_prog_find(void)
{
	const char *self = daemon_self_path();
	const char *slash = strrchr(self, '/');
	int n = slash ? (int)(slash - self) : 0;

	if (slash &&
	    (size_t)snprintf(monitor_prog_path, sizeof(monitor_prog_path), "%.*s/netns-run-monitor", n, self) <
		    sizeof(monitor_prog_path) &&
	    access(monitor_prog_path, X_OK) == 0)
		return;
	snprintf(monitor_prog_path, sizeof(monitor_prog_path), "%s", self);
}

static const char *monitor_prog(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, monitor_prog_find);
	return monitor_prog_path;
}

static int spawn_fail(struct nr_error *err, int r, const char *what)
{
	return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot start the container's monitor (%s): %s", what,
			    strerror(-r));
}

/* Spawn name's monitor: a new container from body, or (body NULL) its start again.  The
 * container's id into ret_id once it says "ok". */
static int monitor_spawn(const char *name, const char *body, char ret_id[RT_ID_LEN + 1], struct nr_error *err)
{
	_cleanup_close_ int memfd = -1, rd = -1, wr = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char line[NR_ERROR_MSG_MAX + 128];
	pid_t pid;
	int p[2], r, st;

	if (pipe2(p, O_CLOEXEC) < 0)
		return spawn_fail(err, -errno, "pipe");
	rd = p[0];
	wr = p[1];
	if (body) {
		memfd = memfd_create("create-body", MFD_CLOEXEC);
		if (memfd < 0)
			return spawn_fail(err, -errno, "memfd");
		if ((r = fd_write_all(memfd, body, strlen(body))) < 0)
			return spawn_fail(err, r, "memfd");
	}
	char *argv[] = { (char *)monitor_prog(),
			 "--monitor",
			 "--ready-fd",
			 "4",
			 body ? "--body-fd" : "--again",
			 body ? "3" : (char *)name,
			 body ? "--name" : NULL,
			 (char *)name,
			 NULL };
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* Its own signal dispositions and mask, whatever this thread's. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	/* The monitor outlives this daemon: it holds none of its descriptors, not even stderr. */
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
	posix_spawn_file_actions_adddup2(&fa, 0, 1);
	posix_spawn_file_actions_adddup2(&fa, 0, 2);
	if (body)
		posix_spawn_file_actions_adddup2(&fa, memfd, 3);
	posix_spawn_file_actions_adddup2(&fa, wr, 4);
	r = posix_spawn(&pid, monitor_prog(), &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r)
		return spawn_fail(err, -r, "spawn");
	close(TAKE_FD(wr));
	/* Its first process only forks the monitor and exits. */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r = ready_read(rd, line, sizeof(line));
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "the container's monitor did not answer: %s", strerror(-r));
	line[strcspn(line, "\n")] = '\0';
	if (!strncmp(line, "ok ", 3)) {
		char id[RT_ID_LEN + 2] = "";
		if (sscanf(line + 3, "%65s", id) != 1 || strlen(id) != RT_ID_LEN)
			return nr_error_set(err, RT_ERR_SYSTEM, EPROTO, "the container's monitor said \"%s\"", line);
		snprintf(ret_id, RT_ID_LEN + 1, "%s", id);
		return 0;
	}
	if (!strncmp(line, "err ", 4)) {
		/* Two creates of one name meet in the engine's store lock: the second is told so. */
		int kind = strstr(line, "already in use")                                 ? RT_ERR_CONFLICT
			   : strstr(line, "no such container") || strstr(line, "No such") ? RT_ERR_NOT_FOUND
											  : RT_ERR_SYSTEM;
		return nr_error_set(err, kind, EIO, "%s", line + 4);
	}
	return nr_error_set(err, RT_ERR_SYSTEM, EPROTO, "the container's monitor ended without a word%s%s",
			    *line ? ": " : "", line);
}

/* Each CNI network of the body must exist: Docker's 404 "network X not found". */
static int networks_check(const struct run_opts *o, struct nr_error *err)
{
	for (size_t i = 0; i < o->n_nets; i++) {
		struct net_plan p = { 0 };
		int r;
		if (net_mode_for_spec(o->nets[i].network)->mode != CTR_NET_CNI)
			continue;
		r = net_plan_make(o->nets[i].network, &p, err);
		net_plan_clear(&p);
		if (r == -ENOENT && err->code == RT_ERR_USAGE && strstr(err->msg, "no such network"))
			return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "network %s not found", o->nets[i].network);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Docker's words for a taken name, with the id of the container that has it. */
static int name_taken(const char *name, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	char dir[512];

	if (ctr_store_load(name, &rec, NULL) < 0 && access(rt_ctr_path(dir, sizeof(dir), name, NULL), F_OK) < 0)
		return 0;
	return nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
			    "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to "
			    "remove (or rename) that container to be able to reuse that name.",
			    name, rec ? rec->id : "");
}

/* A name as Docker makes them (adjective_noun); a number after it when taken. */
static int name_generate(char name[RT_NAME_MAX])
{
	static const char *const adj[] = { "brave", "calm",  "eager", "fond",  "happy", "jolly", "keen",  "lucid",
					   "merry", "nifty", "proud", "quiet", "sharp", "swift", "vivid", "wise" };
	static const char *const noun[] = { "babbage", "curie",   "darwin", "euler",    "fermi",   "gauss",
					    "hopper",  "knuth",   "lamarr", "lovelace", "noether", "pascal",
					    "ritchie", "shannon", "turing", "wozniak" };
	char id[RT_ID_LEN + 1];

	for (int i = 0; i < 64; i++) {
		if (rt_random_id(id) < 0)
			return -EIO;
		unsigned v = (unsigned)strtoul((char[]){ id[0], id[1], id[2], 0 }, NULL, 16);
		snprintf(name, RT_NAME_MAX, "%s_%s", adj[v & 15], noun[(v >> 4) & 15]);
		if (i > 0)
			snprintf(name + strlen(name), RT_NAME_MAX - strlen(name), "%d", i);
		if (!name_taken(name, NULL))
			return 0;
	}
	return -EEXIST;
}

int h_container_create(struct api_req *r)
{
	_cleanup_free_ char *text = NULL;
	struct create_body cb;
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX], id[RT_ID_LEN + 1], path[600];
	int ret;

	if (create_body_parse(r->body, r->body_len, api_query(r, "name"), &cb, &err) < 0 ||
	    networks_check(&cb.o, &err) < 0)
		goto fail;
	if (cb.o.name[0] && name_taken(cb.o.name, &err) < 0)
		goto fail;
	if (!(text = json_dumps(cb.body, JSON_COMPACT))) {
		nr_error_set(&err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	/* A generated name can be taken by a create running at the same time (the engine's
	 * lock tells): another one then. */
	for (int tries = 0;; tries++) {
		snprintf(name, sizeof(name), "%s", cb.o.name);
		if (!name[0] && name_generate(name) < 0) {
			nr_error_set(&err, RT_ERR_SYSTEM, EEXIST, "cannot find a free container name");
			goto fail;
		}
		if (monitor_spawn(name, text, id, &err) >= 0)
			break;
		if (cb.o.name[0] || err.code != RT_ERR_CONFLICT || tries == 8)
			goto fail;
		nr_error_clear(&err);
	}
	/* Written after the record exists: a list in between shows the record alone. */
	if ((ret = rt_write_file_atomic(rt_ctr_path(path, sizeof(path), name, CTR_CONFIG_FILE), text, 0600)) < 0) {
		nr_error_set(&err, RT_ERR_SYSTEM, -ret, "cannot write %s: %s", path, strerror(-ret));
		goto fail;
	}
	events_emit("container", "create", id, json_pack("{s:s, s:s}", "name", name, "image", cb.o.image));
	create_body_free(&cb);
	return api_reply_json(r, 201, json_pack("{s:s, s:[]}", "Id", id, "Warnings"));
fail:
	create_body_free(&cb);
	return api_reply_nr_error(r, &err);
}

/* Start name (resolved): its monitor's "start", after a new monitor when it has exited. */
static int start_container(const char *name, bool *ret_already, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	char id[RT_ID_LEN + 1];
	int r;

	*ret_already = false;
	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	if (ctr_running(rec)) {
		*ret_already = rec->status == CTR_RUNNING;
		if (*ret_already)
			return 0;
	}
	if (rec->status != CTR_CREATED || !ctr_monitor_alive(rec)) {
		/* A monitor that was killed left its record behind: bring it to exited first. */
		char path[600];
		if (access(rt_ctr_path(path, sizeof(path), name, CTR_CONFIG_FILE), F_OK) < 0)
			return nr_error_set(err, RT_ERR_CONFLICT, ENOENT,
					    "container %s was made by `netns-run run`: it has no create body (%s) to "
					    "start it again from; run it again with netns-run",
					    name, CTR_CONFIG_FILE);
		if (rec->status != CTR_EXITED)
			ctr_gc_reconcile(NULL, NULL, NULL);
		if ((r = monitor_spawn(name, NULL, id, err)) < 0)
			return r;
		/* An attach to a stopped container (`docker start -a` attaches first) looks for
		 * the next monitor every 20 ms (attach.c); a moment before the start lets it take
		 * this one, so that it sees the run's output from the start on, as Docker's. */
		usleep(START_AGAIN_GRACE_MS * 1000);
	}
	if ((r = ctr_monitor_start(name, err)) < 0)
		return r;
	events_emit("container", "start", rec->id, json_pack("{s:s}", "name", name));
	events_watch_container(name);
	return 0;
}

int h_container_start(struct api_req *r)
{
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX];
	bool already;

	if (ctr_store_resolve(r->params[0], name, &err) < 0 || start_container(name, &already, &err) < 0)
		return api_reply_nr_error(r, &err);
	return api_reply_empty(r, already ? 304 : 204);
}

int h_container_restart(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX];
	long t;
	bool already;

	if (api_query_long(r, "t", 10, &t) < 0 || t < -1)
		return api_reply_error(r, 400, "t: expected a number of seconds");
	if (ctr_store_resolve(r->params[0], name, &err) < 0 || ctr_store_load(name, &rec, &err) < 0)
		return api_reply_nr_error(r, &err);
	if (ctr_running(rec) && ctr_stop(name, t < 0 ? 10 : (int)t, &err) < 0)
		return api_reply_nr_error(r, &err);
	if (start_container(name, &already, &err) < 0)
		return api_reply_nr_error(r, &err);
	/* After the start's own event, as moby's daemon/restart.go logs it. */
	events_emit("container", "restart", rec->id, json_pack("{s:s}", "name", name));
	return api_reply_empty(r, 204);
}
