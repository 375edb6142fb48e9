/* A container's life after create: stop, kill, wait, delete, prune, rename, resize
 * (Docker's status codes: 304 when there is nothing to do, 409 when the state forbids
 * it, 404 unknown). */
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "ctr_exit.h"
#include "ctr_json.h"
#include "engine/container.h"
#include "engine/ctr.h"
#include "engine/monitor.h"
#include "engine/rt_error.h"
#include "events.h"
#include "query_filter.h"
#include "routes.h"

/* The container r's path names, resolved, and its record. */
static int load(struct api_req *r, char name[RT_NAME_MAX], struct ctr_record **rec, struct nr_error *err)
{
	int ret = ctr_store_resolve(r->params[0], name, err);

	return ret < 0 ? ret : ctr_store_load(name, rec, err);
}

/* Running as Docker means it: the command started and lives. */
static bool is_running(const struct ctr_record *rec)
{
	return rec->status == CTR_RUNNING && ctr_running(rec);
}

int h_container_stop(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX];
	long t;

	if (api_query_long(r, "t", 10, &t) < 0 || t < -1 || t > 86400)
		return api_reply_error(r, 400, "t: expected a number of seconds");
	if (load(r, name, &rec, &err) < 0)
		return api_reply_nr_error(r, &err);
	if (!is_running(rec))
		return api_reply_empty(r, 304);
	if (ctr_stop(name, t < 0 ? 86400 : (int)t, &err) < 0)
		return api_reply_nr_error(r, &err);
	events_emit("container", "stop", rec->id, json_pack("{s:s}", "name", name));
	return api_reply_empty(r, 204);
}

/* "KILL", "SIGKILL", "sigterm", "9" (Docker's signal.ParseSignal). */
static int signal_parse(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return SIGKILL;
	errno = 0;
	n = strtol(s, &end, 10);
	if (!errno && end != s && !*end)
		return n > 0 && n < NSIG ? (int)n : -EINVAL;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < SIGRTMIN; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && !strcasecmp(abbrev, s))
			return i;
	}
	return -EINVAL;
}

int h_container_kill(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX], num[16];
	int sig = signal_parse(api_query(r, "signal"));

	if (sig < 0)
		return api_reply_error(r, 400, "Invalid signal: %s", api_query(r, "signal"));
	if (load(r, name, &rec, &err) < 0)
		return api_reply_nr_error(r, &err);
	if (!is_running(rec))
		return api_reply_error(r, 409, "Cannot kill container: %s: Container %s is not running", r->params[0],
				       rec->id);
	/* The signal goes to the container's init, which passes it on to the command. */
	int ret = ctr_signal_wait(rec, sig, 0);
	if (ret < 0 && ret != -ETIMEDOUT)
		return api_reply_error(r, 500, "Cannot kill container %s: %s", name, strerror(-ret));
	snprintf(num, sizeof(num), "%d", sig);
	events_emit("container", "kill", rec->id, json_pack("{s:s, s:s}", "name", name, "signal", num));
	return api_reply_empty(r, 204);
}

enum wait_cond { WAIT_NOT_RUNNING, WAIT_NEXT_EXIT, WAIT_REMOVED };

struct wait_ctx {
	char name[RT_NAME_MAX];
	enum wait_cond cond;
	long long since;
	/* What the container was when the wait began, for next-exit. */
	enum ctr_status status0;
	pid_t monitor0; /* its monitor then: a run after an exit has a new one */
	unsigned long long monitor_start0;
	int last_code; /* the last exit status a record showed */
};

static int pidfd_of_monitor(const struct ctr_record *rec)
{
	if (!rec->monitor || !rt_pid_is(rec->monitor, rec->monitor_start))
		return -1;
	int fd = (int)syscall(SYS_pidfd_open, rec->monitor, 0);
	if (fd >= 0 && !rt_pid_is(rec->monitor, rec->monitor_start)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One look: 1 with *code when the condition holds, 0 to wait on (*pidfd: the monitor's
 * to watch, or -1). */
static int wait_check(struct wait_ctx *w, int *code, int *pidfd)
{
	_cleanup_record_ struct ctr_record *rec = NULL;

	bool exited = false;

	*pidfd = -1;
	/* An init that is gone while its monitor lives: the monitor has yet to save the exit
	 * code (wait for it); a monitor gone too was killed, and nobody will.  Unless it saved
	 * the exit and ended between our load and our looks at the processes: a second load,
	 * after the looks, sees whatever it saved. */
	for (int look = 0; look < 2; look++) {
		ctr_record_free(rec);
		rec = NULL;
		if (ctr_store_load(w->name, &rec, NULL) < 0) {
			/* Gone: removed.  An AutoRemove container's status is its monitor's note. */
			if (!ctr_exit_read(w->name, w->since - 1, code))
				*code = w->last_code;
			return 1;
		}
		if (rec->has_exit_code)
			w->last_code = rec->exit_code;
		exited = rec->status == CTR_EXITED;
		if (exited || rec->status != CTR_RUNNING || ctr_running(rec) || ctr_monitor_alive(rec))
			break;
		exited = look == 1;
	}
	*code = w->last_code;
	switch (w->cond) {
	case WAIT_NOT_RUNNING:
		if (rec->status != CTR_RUNNING || exited)
			return 1;
		break;
	case WAIT_NEXT_EXIT:
		/* Not `started`: two runs may start within one second. */
		if (exited && (w->status0 != CTR_EXITED || rec->monitor != w->monitor0 ||
			       rec->monitor_start != w->monitor_start0))
			return 1;
		break;
	case WAIT_REMOVED:
		break;
	}
	*pidfd = pidfd_of_monitor(rec);
	return 0;
}

/* What a wait wakes on in the container's directory: its record saved (a rename over
 * state.json), removed, or the directory itself removed or renamed. */
#define WAIT_DIR_EVENTS \
	(IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
/* A look this often all the same: a change the directory does not show (an init killed
 * along with its monitor), and without inotify (its instances are a per-user limit). */
#define WAIT_LOOK_MS 1000
#define WAIT_LOOK_NO_INOTIFY_MS 100

/* Watch name's directory on ino (before a look, so no change between the look and the
 * poll is missed); a directory already gone is seen by the look. */
static void wait_watch(int ino, const char *name)
{
	char dir[512];

	if (ino >= 0)
		inotify_add_watch(ino, rt_ctr_path(dir, sizeof(dir), name, NULL), WAIT_DIR_EVENTS | IN_ONLYDIR);
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void wait_stream(int out, void *p)
{
	struct wait_ctx *w = p;
	_cleanup_close_ int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	int code = 0;

	for (;;) {
		int pidfd;
		wait_watch(ino, w->name);
		if (wait_check(w, &code, &pidfd) > 0)
			break;
		/* The record's changes, and the monitor's end (a monitor killed before it saved
		 * anything), wake the wait; the client's leaving ends it (POLLHUP/POLLERR). */
		struct pollfd fds[3] = { { .fd = out, .events = 0 },
					 { .fd = ino, .events = POLLIN },
					 { .fd = pidfd, .events = POLLIN } };
		int n = poll(fds, 3, ino >= 0 ? WAIT_LOOK_MS : WAIT_LOOK_NO_INOTIFY_MS);
		if (pidfd >= 0)
			close(pidfd);
		if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			return;
		if (n > 0 && (fds[1].revents & POLLIN))
			drain(ino);
	}
	json_t *body = json_pack("{s:i, s:n}", "StatusCode", code, "Error");
	if (body)
		api_write_json_line(out, body);
	json_decref(body);
}

int h_container_wait(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	const char *c = api_query(r, "condition");
	struct wait_ctx *w;

	if (!(w = calloc(1, sizeof(*w))))
		return api_reply_error(r, 500, "out of memory");
	if (!c || !*c || !strcmp(c, "not-running"))
		w->cond = WAIT_NOT_RUNNING;
	else if (!strcmp(c, "next-exit"))
		w->cond = WAIT_NEXT_EXIT;
	else if (!strcmp(c, "removed"))
		w->cond = WAIT_REMOVED;
	else {
		free(w);
		return api_reply_error(r, 400, "invalid condition: \"%s\"", c);
	}
	if (load(r, w->name, &rec, &err) < 0) {
		free(w);
		return api_reply_nr_error(r, &err);
	}
	w->since = time(NULL);
	w->status0 = rec->status == CTR_RUNNING && !ctr_running(rec) ? CTR_EXITED : rec->status;
	w->monitor0 = rec->monitor;
	w->monitor_start0 = rec->monitor_start;
	w->last_code = rec->has_exit_code ? rec->exit_code : 0;
	return api_reply_stream(r, 200, "application/json", wait_stream, w, free);
}

int h_container_delete(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 }, warn = { 0 };
	char name[RT_NAME_MAX];
	bool force, volumes;

	if (api_query_bool(r, "force", false, &force) < 0 || api_query_bool(r, "v", false, &volumes) < 0)
		return api_reply_error(r, 400, "force, v: expected a boolean");
	if (load(r, name, &rec, &err) < 0)
		return api_reply_nr_error(r, &err);
	if (is_running(rec) && !force)
		return api_reply_error(r, 409,
				       "cannot remove container \"/%s\": container is running: stop the container before "
				       "removing or force remove",
				       name);
	/* v: a container's volumes here are bind mounts of the host's, never removed. */
	if (ctr_remove(name, force, &warn, &err) < 0)
		return api_reply_nr_error(r, &err);
	events_emit("container", "destroy", rec->id, json_pack("{s:s}", "name", name));
	return api_reply_empty(r, 204);
}

static long long tree_bytes;
static int tree_add(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F)
		tree_bytes += (long long)st->st_blocks * 512;
	return 0;
}

/* The disk a container's directory takes (its writable layer, log, files). */
static long long dir_bytes(const char *name)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char dir[512];
	long long n;

	/* nftw's callback has no context: one walk at a time. */
	pthread_mutex_lock(&lock);
	tree_bytes = 0;
	nftw(rt_ctr_path(dir, sizeof(dir), name, NULL), tree_add, 16, FTW_PHYS | FTW_MOUNT);
	n = tree_bytes;
	pthread_mutex_unlock(&lock);
	return n;
}

int h_container_prune(struct api_req *r)
{
	_cleanup_strv_ char **names = NULL;
	struct nr_error err = { 0 };
	json_t *deleted = json_array();
	long long bytes = 0;
	struct qfilters f;
	struct qprune p;

	if (!deleted)
		return api_reply_error(r, 500, "out of memory");
	if (qprune_parse(api_query(r, "filters"), NULL, &f, &p, &err) < 0 || ctr_store_names(&names, &err) < 0) {
		qfilters_release(&f);
		json_decref(deleted);
		return api_reply_nr_error(r, &err);
	}
	for (size_t i = 0; names[i]; i++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		struct nr_error e = { 0 };
		/* Docker prunes every container not running, created ones too; an exited one
		 * whose monitor still tears it down is left to it. */
		if (ctr_store_load(names[i], &rec, NULL) < 0 || ctr_running(rec) ||
		    (rec->status == CTR_EXITED && ctr_monitor_alive(rec)))
			continue;
		_cleanup_json_ json_t *config = ctr_json_config_load(names[i]);
		_cleanup_json_ json_t *labels = ctr_json_labels(config);
		if (!qprune_match(&p, rec->created * 1000000000LL, labels))
			continue;
		long long n = dir_bytes(names[i]);
		if (ctr_remove(names[i], false, NULL, &e) < 0)
			continue; /* started again meanwhile, or its teardown failed: kept */
		bytes += n;
		json_array_append_new(deleted, json_string(rec->id));
		events_emit("container", "destroy", rec->id, json_pack("{s:s}", "name", names[i]));
	}
	qfilters_release(&f);
	/* Docker sends null for none. */
	if (!json_array_size(deleted)) {
		json_decref(deleted);
		deleted = json_null();
	}
	return api_reply_json(r, 200,
			      json_pack("{s:o, s:I}", "ContainersDeleted", deleted, "SpaceReclaimed",
					(json_int_t)bytes));
}

int h_container_rename(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL, *other = NULL;
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX];
	const char *to = api_query(r, "name");

	if (!to || !*to)
		return api_reply_error(r, 400, "name: the new name is required");
	if (*to == '/')
		to++;
	if (load(r, name, &rec, &err) < 0)
		return api_reply_nr_error(r, &err);
	if (!strcmp(name, to))
		return api_reply_error(r, 400, "Renaming a container with the same name as its current name");
	if (ctr_store_load(to, &other, NULL) >= 0)
		return api_reply_error(r, 409,
				       "Conflict. The container name \"/%s\" is already in use by container \"%s\". You "
				       "have to remove (or rename) that container to be able to reuse that name.",
				       to, other->id);
	if (ctr_rename(name, to, &err) < 0)
		return api_reply_nr_error(r, &err);
	events_emit("container", "rename", rec->id, json_pack("{s:s, s:s}", "name", to, "oldName", name));
	return api_reply_empty(r, 204);
}

int h_container_resize(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX];
	long h, w;

	if (api_query_long(r, "h", 0, &h) < 0 || api_query_long(r, "w", 0, &w) < 0 || h < 0 || w < 0 || h > 65535 ||
	    w > 65535)
		return api_reply_error(r, 400, "h, w: expected a number of rows and columns");
	if (ctr_store_resolve(r->params[0], name, &err) < 0 || ctr_store_load(name, &rec, &err) < 0 ||
	    ctr_monitor_resize(name, (unsigned)h, (unsigned)w, &err) < 0)
		return api_reply_nr_error(r, &err);
	/* moby's attributes: the new size, as strings. */
	json_t *a = json_pack("{s:s, s:o, s:o}", "name", name, "height", json_sprintf("%ld", h), "width",
			      json_sprintf("%ld", w));
	events_emit("container", "resize", rec->id, a);
	return api_reply_empty(r, 200);
}
