/* The exit watcher (events.h): one thread that sees containers end and publishes "die"
 * (with exitCode) and, after AutoRemove, "destroy".  The daemon is no container's parent
 * (each has a monitor process), so it cannot wait(2) for them: it holds a pidfd of each
 * watched container's init (and of its monitor), polls them, and on an end reads the
 * exit code the monitor writes into the record.  After a restart the daemon finds the
 * running containers on disk and watches them the same way. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ctr_exit.h"
#include "engine/container.h"
#include "engine/rt_error.h"
#include "events.h"
#include "events_bus.h"

/* A watch not backed by a pidfd (a container still being started, an init that died
 * before the monitor wrote its exit code) is looked at again this often, at most for
 * WATCH_PENDING_MAX_NS. */
#define WATCH_RECHECK_MS 5
#define WATCH_PENDING_MAX_NS (30 * 1000000000LL)
#define WATCH_MAX 4096
/* How long an AutoRemove container's exit code is waited for once its record is gone. */
#define WATCH_GONE_MAX_NS (5 * 1000000000LL)

struct watched {
	char name[RT_NAME_MAX];
	char id[RT_ID_LEN + 1];
	char image[256];
	bool rm;
	bool started; /* an init was seen (or the record said running) */
	bool died;    /* "die" published */
	int init_fd, mon_fd;
	long long pending_since; /* monotonic ns; 0: not pending */
	long long gone_since;    /* monotonic ns: the record was first found gone; 0: not */
	long long added;         /* unix time: an AutoRemove exit file older than this is another's */
	struct watched *next;
};

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watched *watch_list;
static size_t watch_n;
static int watch_wake = -1; /* eventfd: the list changed, or stop */
static bool watch_stopping, watch_running;
static pthread_t watch_thread;

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A pidfd of pid, only if it is still the process the record names (start time):
 * checked after the open, so a reused pid is never watched. */
static int pidfd_of(const struct ctr_record *rec, bool init)
{
	pid_t pid = init ? rec->pid : rec->monitor;
	int fd;

	if (pid <= 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -1;
	if (!(init ? ctr_init_alive(rec) : ctr_monitor_alive(rec))) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool fd_ended(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd < 0 || (poll(&p, 1, 0) > 0 && p.revents);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void publish(const struct watched *w, const char *action, const struct ctr_record *rec)
{
	json_t *a = json_object();
	int status = 137;

	if (!a)
		return;
	/* Docker's die always carries exitCode.  The record has it; an AutoRemove container
	 * took its record with it, and its monitor left the code in exits/NAME (ctr_exit.h);
	 * a container whose monitor was killed has none, and Docker says 137 for what it did
	 * not see end itself. */
	if (rec && rec->has_exit_code)
		status = rec->exit_code;
	else if (!rec)
		ctr_exit_read(w->name, w->added, &status);
	json_object_set_new(a, "name", json_string(w->name));
	if (w->image[0])
		json_object_set_new(a, "image", json_string(w->image));
	if (!strcmp(action, "die"))
		json_object_set_new(a, "exitCode", json_sprintf("%d", status));
	events_emit("container", action, w->id, a);
}

/* One look at w; true when it is done with (and to be dropped). */
static bool watch_step(struct watched *w)
{
	struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	bool loaded, done = false;

	if (!w->died && w->init_fd >= 0 && !fd_ended(w->init_fd))
		return false;
	if (w->died && w->mon_fd >= 0 && !fd_ended(w->mon_fd))
		return false;
	loaded = ctr_store_load(w->name, &rec, &err) >= 0;
	if (!w->died) {
		if (!w->started && loaded && rec->status != CTR_EXITED) {
			/* Watched before its start: wait for the init to appear. */
			if (ctr_init_alive(rec)) {
				w->started = true;
				w->init_fd = pidfd_of(rec, true);
				w->pending_since = w->init_fd >= 0 ? 0 : mono_ns();
				goto out;
			}
			if (ctr_monitor_alive(rec) && mono_ns() - w->pending_since < WATCH_PENDING_MAX_NS)
				goto out;
			done = true; /* never started: no die, as Docker's */
			goto out;
		}
		if (!loaded && w->rm) {
			int status;

			close_fd(&w->init_fd); /* ended: a timed look from now on, not a spin */

			/* AutoRemove took the record: its monitor leaves the exit code in
			 * exits/NAME (ctr_exit.h) just after; a failed start leaves none. */
			if (ctr_exit_read(w->name, w->added, &status)) {
				publish(w, "die", NULL);
				publish(w, "destroy", NULL);
				done = true;
			} else if (!w->gone_since) {
				w->gone_since = mono_ns();
			} else if (mono_ns() - w->gone_since > WATCH_GONE_MAX_NS) {
				done = true;
			}
			goto out;
		}
		if (!loaded && !w->started) {
			done = true; /* removed before it ran */
			goto out;
		}
		if (w->init_fd < 0 && loaded && rec->status != CTR_EXITED && ctr_init_alive(rec)) {
			/* Still running, watched without a pidfd (none to be had: an old kernel, no
			 * descriptor left): another try, else the next timed look. */
			w->init_fd = pidfd_of(rec, true);
			goto out;
		}
		close_fd(&w->init_fd);
		if (loaded && rec->status != CTR_EXITED && !rec->has_exit_code && ctr_monitor_alive(rec) &&
		    mono_ns() - (w->pending_since ? w->pending_since : (w->pending_since = mono_ns())) <
			    WATCH_PENDING_MAX_NS)
			goto out; /* the init ended; its monitor has not written the code yet */
		if (loaded && !rec->has_exit_code) {
			/* The monitor is gone, or gave up: what it left on disk is final now, and
			 * may be newer than what was read before it ended (an AutoRemove monitor
			 * removes the record, then exits). */
			ctr_record_free(rec);
			rec = NULL;
			loaded = ctr_store_load(w->name, &rec, &err) >= 0;
			if (!loaded && w->rm)
				goto out; /* the next look reads its code from exits/NAME */
		}
		publish(w, "die", loaded ? rec : NULL);
		w->died = true;
		w->pending_since = mono_ns();
		if (!w->rm) {
			done = true;
			goto out;
		}
		if (w->mon_fd >= 0 && !fd_ended(w->mon_fd))
			goto out;
		ctr_record_free(rec);
		rec = NULL;
		loaded = ctr_store_load(w->name, &rec, &err) >= 0;
	}
	/* Died with AutoRemove: "destroy" once the record is gone. */
	if (!loaded && err.code == RT_ERR_NOT_FOUND) {
		publish(w, "destroy", NULL);
		done = true;
	} else if ((loaded && !ctr_monitor_alive(rec)) || mono_ns() - w->pending_since > WATCH_PENDING_MAX_NS) {
		done = true; /* the monitor ended without removing it */
	}
out:
	ctr_record_free(rec);
	return done;
}

static void watched_free(struct watched *w)
{
	close_fd(&w->init_fd);
	close_fd(&w->mon_fd);
	free(w);
}

/* Whether w needs a timed look (no pidfd to wake the poll for it). */
static bool watch_pending(const struct watched *w)
{
	return (!w->died && w->init_fd < 0) || (w->died && w->rm && w->mon_fd < 0);
}

static void *watch_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd *p;
		size_t n = 1;
		int timeout = -1;
		uint64_t v;

		pthread_mutex_lock(&watch_lock);
		if (watch_stopping) {
			pthread_mutex_unlock(&watch_lock);
			break;
		}
		p = calloc(watch_n + 1, sizeof(*p));
		if (p) {
			p[0] = (struct pollfd){ .fd = watch_wake, .events = POLLIN };
			for (struct watched *w = watch_list; w; w = w->next) {
				int fd = w->died ? w->mon_fd : w->init_fd;

				if (fd >= 0)
					p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
				if (watch_pending(w))
					timeout = WATCH_RECHECK_MS;
			}
		}
		pthread_mutex_unlock(&watch_lock);
		if (!p) {
			/* No memory for the poll set: look again soon rather than stop watching. */
			usleep(100000);
			continue;
		}
		poll(p, n, timeout);
		free(p);
		if (read(watch_wake, &v, sizeof(v)) < 0 && errno != EAGAIN)
			break;
		pthread_mutex_lock(&watch_lock);
		for (struct watched **pw = &watch_list; *pw;) {
			struct watched *w = *pw;

			if (!watch_stopping && watch_step(w)) {
				*pw = w->next;
				watch_n--;
				watched_free(w);
			} else {
				pw = &w->next;
			}
		}
		pthread_mutex_unlock(&watch_lock);
	}
	return NULL;
}

static void wake(void)
{
	uint64_t one = 1;

	if (watch_wake >= 0 && write(watch_wake, &one, sizeof(one)) < 0) {
		/* The counter is full: the watcher has a wake-up pending anyway. */
	}
}

/* Add name (the caller holds watch_lock).  Quietly nothing when it is not there, already
 * watched, or the list is full: events are a best effort, never a handler's failure. */
static void watch_add_locked(const char *name)
{
	struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	struct watched *w;

	for (w = watch_list; w; w = w->next)
		if (!strcmp(w->name, name) && !w->died)
			return;
	if (watch_n >= WATCH_MAX)
		return;
	if (ctr_store_load(name, &rec, &err) < 0) {
		/* Already gone: an AutoRemove container that ended between its start and this
		 * call.  Its id and image are in its create and start events; its exit code
		 * comes in exits/NAME. */
		w = calloc(1, sizeof(*w));
		if (!w)
			return;
		if (!rt_name_valid(name) ||
		    !events_recent_container(name, w->id, sizeof(w->id), w->image, sizeof(w->image))) {
			free(w);
			return;
		}
		snprintf(w->name, sizeof(w->name), "%s", name);
		w->rm = w->started = true;
		w->init_fd = w->mon_fd = -1;
		w->added = time(NULL) - 1;
		w->pending_since = mono_ns();
		goto add;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		ctr_record_free(rec);
		return;
	}
	snprintf(w->name, sizeof(w->name), "%s", rec->name);
	snprintf(w->id, sizeof(w->id), "%s", rec->id);
	snprintf(w->image, sizeof(w->image), "%s", rec->image_ref ? rec->image_ref : "");
	w->rm = rec->rm;
	w->added = time(NULL) - 1;
	w->mon_fd = pidfd_of(rec, false);
	w->init_fd = -1;
	if (rec->status == CTR_EXITED) {
		w->started = true; /* ended already: the next look publishes its die */
	} else if (ctr_init_alive(rec)) {
		w->started = true;
		w->init_fd = pidfd_of(rec, true);
	} else {
		w->pending_since = mono_ns(); /* created, its start on the way */
	}
	if (w->started && w->init_fd < 0 && rec->status != CTR_EXITED)
		w->pending_since = mono_ns();
	ctr_record_free(rec);
add:
	w->next = watch_list;
	watch_list = w;
	watch_n++;
}

void events_watch_container(const char *name)
{
	bool running;

	if (!name)
		return;
	/* The daemon starts the watcher at its start (to pick up what runs on disk); a first
	 * container started before that starts it too. */
	pthread_mutex_lock(&watch_lock);
	running = watch_running || watch_stopping;
	pthread_mutex_unlock(&watch_lock);
	if (!running)
		events_watcher_start();
	pthread_mutex_lock(&watch_lock);
	if (watch_running && !watch_stopping)
		watch_add_locked(name);
	pthread_mutex_unlock(&watch_lock);
	wake();
}

int events_watcher_start(void)
{
	char **names = NULL;
	struct nr_error err = { 0 };
	int r;

	pthread_mutex_lock(&watch_lock);
	if (watch_running) {
		pthread_mutex_unlock(&watch_lock);
		return 0;
	}
	watch_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (watch_wake < 0) {
		r = -errno;
		pthread_mutex_unlock(&watch_lock);
		return r;
	}
	/* After a restart: the containers running now were started by an earlier daemon
	 * (or the CLI); their ends are ours to report too. */
	if (ctr_store_names(&names, &err) >= 0) {
		for (size_t i = 0; names[i]; i++) {
			struct ctr_record *rec = NULL;

			if (ctr_store_load(names[i], &rec, &err) >= 0 && ctr_running(rec))
				watch_add_locked(names[i]);
			ctr_record_free(rec);
		}
		rt_strv_free(names);
	}
	watch_stopping = false;
	r = -pthread_create(&watch_thread, NULL, watch_main, NULL);
	watch_running = r == 0;
	pthread_mutex_unlock(&watch_lock);
	return r;
}

void events_watcher_stop(void)
{
	bool running;

	pthread_mutex_lock(&watch_lock);
	running = watch_running;
	watch_stopping = true;
	pthread_mutex_unlock(&watch_lock);
	if (!running)
		return;
	wake();
	pthread_join(watch_thread, NULL);
	pthread_mutex_lock(&watch_lock);
	while (watch_list) {
		struct watched *w = watch_list;

		watch_list = w->next;
		watched_free(w);
	}
	watch_n = 0;
	watch_running = false;
	close(watch_wake);
	watch_wake = -1;
	pthread_mutex_unlock(&watch_lock);
}
