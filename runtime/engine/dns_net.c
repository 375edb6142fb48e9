/* Container names on DNS-enabled networks (dns_net.h): the names file edited under
 * DIR/lock (dns_file.c does the text), then the responder told (dns_proc.c).
 *
 * Beside names, lock and pid, DIR holds "internal" (empty; present when the network
 * forwards nothing), so that a responder restarted by ensure or gc, which are not told,
 * gets the same command line as the one join started.  The responder writes DIR/log.
 * When the last entry goes, the responder is stopped and names and pid removed; DIR
 * stays with its lock file (removing a lock file others may be waiting on would let two
 * holders in) until the network goes (dns_net_remove, gc). */
#include "dns_net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "container.h"
#include "dns_file.h"
#include "dns_proc.h"
#include "net.h"
#include "netdef.h"
#include "rt.h"
#include "rt_error.h"

/* The names file of a network with every container of a large host on it stays far
 * below this; more is not a file we wrote. */
#define NAMES_MAX (16u << 20)

DEFINE_PTR_CLEANUP(closedirp, DIR *, closedir)

bool dns_net_enabled(const struct cni_netconf *conf)
{
	struct netdef_meta m;

	if (!conf)
		return false;
	netdef_meta_get(conf, &m);
	return m.ours && m.dns;
}

/* <state>/dns/<network> into buf.  The name becomes a path: nothing that leaves dns/. */
static int net_dir(const char *network, char *buf, size_t len, struct nr_error *err)
{
	if (!network || !*network || network[0] == '.' || strchr(network, '/'))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "\"%s\" is not a network name", network ? network : "");
	if ((size_t)snprintf(buf, len, "%s/dns/%s", rt_paths()->state_dir, network) >= len)
		return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG, "network name %s is too long", network);
	return 0;
}

static const char *dir_file(char *buf, size_t len, const char *dir, const char *file)
{
	snprintf(buf, len, "%s/%s", dir, file);
	return buf;
}

/* Take DIR/lock; create: make DIR first, else *ret_fd = -1 when there is no DIR.  A lock
 * file unlinked while we waited for it (the network's directory removed) is no lock:
 * take the new one. */
static int dir_lock(const char *dir, bool create, int *ret_fd, struct nr_error *err)
{
	char path[PATH_MAX];
	int r;

	dir_file(path, sizeof(path), dir, "lock");
	*ret_fd = -1;
	for (int tries = 0; tries < 100; tries++) {
		if (create && (r = rt_mkdir_p(dir, 0755)) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", dir, strerror(-r));
		_cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT : 0), 0600);
		if (fd < 0) {
			if (!create && errno == ENOENT)
				return 0;
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", path, strerror(errno));
		}
		while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
			;
		if (r < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot lock %s: %s", path, strerror(errno));
		struct stat held, now;
		if (fstat(fd, &held) == 0 && stat(path, &now) == 0 && held.st_dev == now.st_dev &&
		    held.st_ino == now.st_ino) {
			*ret_fd = TAKE_FD(fd);
			return 0;
		}
	}
	return nr_error_set(err, RT_ERR_SYSTEM, EAGAIN, "cannot lock %s: it keeps being removed", path);
}

static int names_load(const char *dir, struct dns_file *n, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = open(dir_file(path, sizeof(path), dir, "names"), O_RDONLY | O_CLOEXEC);
	size_t len;
	int r;

	if (fd < 0 && errno != ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", path, strerror(errno));
	if (fd >= 0 && (r = fd_read_all(fd, NAMES_MAX, &text, &len)) < 0)
		return nr_error_set(err, r == -E2BIG ? RT_ERR_CORRUPT : RT_ERR_SYSTEM, r, "cannot read %s: %s", path,
				    strerror(-r));
	if (dns_file_parse(text, n) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return 0;
}

/* Replace DIR/names (none when no entry is left). */
static int names_store(const char *dir, const struct dns_file *n, struct nr_error *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	int r;

	dir_file(path, sizeof(path), dir, "names");
	if (n->n == 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot remove %s: %s", path, strerror(errno));
		return 0;
	}
	if (!(text = dns_file_format(n)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = rt_write_file_atomic(path, text, 0644)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

static bool dir_internal(const char *dir)
{
	char path[PATH_MAX];

	return access(dir_file(path, sizeof(path), dir, "internal"), F_OK) == 0;
}

static int set_internal(const char *dir, bool internal, struct nr_error *err)
{
	char path[PATH_MAX];

	dir_file(path, sizeof(path), dir, "internal");
	if (internal) {
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", path, strerror(errno));
		close(fd);
	} else if (unlink(path) < 0 && errno != ENOENT) {
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot remove %s: %s", path, strerror(errno));
	}
	return 0;
}

/* Something to serve and somewhere to listen. */
static bool servable(const struct dns_file *n)
{
	return n->n > 0 && n->gateways && n->gateways[0];
}

/* The responder stopped and its pid file gone (under DIR/lock: nobody starts another). */
static int responder_stop(const char *dir, struct nr_error *err)
{
	char path[PATH_MAX];
	int r;

	if ((r = dns_proc_stop(dir, err)) < 0)
		return r;
	unlink(dir_file(path, sizeof(path), dir, "pid"));
	return r;
}

/* Bring the responder in line with n, just written: stopped without entries, started
 * when not running, told to re-read names otherwise (it opens listeners for gateways
 * that are new then, keeping the others: no restart, no lost query). */
static int responder_sync(const char *dir, const struct dns_file *n, struct nr_error *err)
{
	int r;

	if (n->n == 0)
		return responder_stop(dir, err);
	if (!servable(n))
		return 0;
	if (dns_proc_alive(dir))
		return (r = dns_proc_signal(dir, SIGHUP, err)) < 0 ? r : 0;
	return dns_proc_spawn(dir, dir_internal(dir), err);
}

/* Every responder reads every network's names (a container on several networks is
 * answered from all of them, dns_net.h): after a change to one network's names, the
 * responders of the others re-read them too.  Called with no DIR/lock held (it takes each
 * other network's in turn, never two at once: no lock order to keep), after the change is
 * written: a responder either starts after that (and reads it) or is running when its lock
 * is ours (and gets SIGHUP).  A directory without a pid file has no responder to tell.
 * Best effort: the change is made; a responder that cannot be told is one that is broken,
 * restarted (reading everything) by the next command touching its network. */
static void others_reload(const char *changed)
{
	char top[PATH_MAX];
	struct dirent *de;

	snprintf(top, sizeof(top), "%s/dns", rt_paths()->state_dir);
	_cleanup_(closedirp) DIR *d = opendir(top);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char dir[PATH_MAX], pid[PATH_MAX];
		struct nr_error e = { 0 };
		_cleanup_close_ int lock = -1;

		if (de->d_name[0] == '.' || (changed && !strcmp(de->d_name, changed)) ||
		    (size_t)snprintf(dir, sizeof(dir), "%s/%s", top, de->d_name) >= sizeof(dir))
			continue;
		if (access(dir_file(pid, sizeof(pid), dir, "pid"), F_OK) < 0)
			continue;
		if (dir_lock(dir, false, &lock, &e) < 0 || lock < 0)
			continue;
		dns_proc_signal(dir, SIGHUP, &e);
	}
}

static int join_locked(const char *network, bool internal, char *const *gateways, const struct dns_entry *e,
		       struct nr_error *err)
{
	_cleanup_(dns_file_clear) struct dns_file n = { 0 };
	_cleanup_close_ int lock = -1;
	char dir[PATH_MAX];
	int r;

	if ((r = net_dir(network, dir, sizeof(dir), err)) < 0 || (r = dir_lock(dir, true, &lock, err)) < 0 ||
	    (r = names_load(dir, &n, err)) < 0)
		goto fail;
	if ((r = dns_file_set(&n, e, gateways, err)) < 0 || (r = set_internal(dir, internal, err)) < 0 ||
	    (r = names_store(dir, &n, err)) < 0 || (r = responder_sync(dir, &n, err)) < 0)
		goto fail;
	return 0;
fail:
	return nr_error_wrap(err, r, "DNS names of network %s", network ? network : "");
}

int dns_net_join(const char *network, bool internal, char *const *gateways, const struct dns_entry *e,
		 struct nr_error *err)
{
	int r = join_locked(network, internal, gateways, e, err);

	if (r >= 0)
		others_reload(network);
	return r;
}

/* 1 when id's entry was dropped. */
static int leave_locked(const char *network, const char *id, struct nr_error *err)
{
	_cleanup_(dns_file_clear) struct dns_file n = { 0 };
	_cleanup_close_ int lock = -1;
	char dir[PATH_MAX];
	int r;

	if ((r = net_dir(network, dir, sizeof(dir), err)) < 0 || (r = dir_lock(dir, false, &lock, err)) < 0)
		goto fail;
	if (lock < 0)
		return 0; /* nothing was ever served on this network */
	if ((r = names_load(dir, &n, err)) < 0)
		goto fail;
	if (!dns_file_drop(&n, id))
		return 0; /* already gone: a repeated teardown */
	if ((r = names_store(dir, &n, err)) < 0 || (r = responder_sync(dir, &n, err)) < 0)
		goto fail;
	return 1;
fail:
	return nr_error_wrap(err, r, "DNS names of network %s", network ? network : "");
}

int dns_net_leave(const char *network, const char *id, struct nr_error *err)
{
	int r = leave_locked(network, id, err);

	if (r > 0)
		others_reload(network);
	return r < 0 ? r : 0;
}

/* Under DIR/lock: start the responder when names has something to serve and none runs. */
static int ensure_locked(const char *dir, struct nr_error *err)
{
	_cleanup_(dns_file_clear) struct dns_file n = { 0 };
	int r;

	if ((r = names_load(dir, &n, err)) < 0)
		return r;
	if (!servable(&n) || dns_proc_alive(dir))
		return 0;
	/* A dead responder's pid file is left as it was; the new one rewrites it. */
	return (r = dns_proc_spawn(dir, dir_internal(dir), err)) < 0 ? r : 1;
}

int dns_net_ensure(const char *network, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	char dir[PATH_MAX];
	int r;

	if ((r = net_dir(network, dir, sizeof(dir), err)) < 0)
		goto fail;
	/* Under DIR/lock even to see it alive: the probe takes the pid file's lock for an
	 * instant, and a responder being started by a join meanwhile would find it taken and
	 * refuse to run. */
	if ((r = dir_lock(dir, false, &lock, err)) < 0)
		goto fail;
	if (lock < 0)
		return 0;
	if ((r = ensure_locked(dir, err)) < 0)
		goto fail;
	return 0;
fail:
	return nr_error_wrap(err, r, "DNS responder of network %s", network ? network : "");
}

/* Stop DIR's responder and remove DIR. */
static int dir_remove(const char *dir, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	int r;

	if ((r = dir_lock(dir, false, &lock, err)) < 0)
		return r;
	if ((r = dns_proc_stop(dir, err)) < 0)
		return r;
	/* Removed with its lock held: a join waiting on it sees the lock file gone and
	 * makes DIR again (dir_lock). */
	if ((r = rt_rm_rf(dir)) < 0 && r != -ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot remove %s: %s", dir, strerror(-r));
	return 0;
}

int dns_net_remove(const char *network, struct nr_error *err)
{
	char dir[PATH_MAX];
	int r;

	if ((r = net_dir(network, dir, sizeof(dir), err)) < 0 || (r = dir_remove(dir, err)) < 0)
		return nr_error_wrap(err, r, "DNS responder of network %s", network ? network : "");
	return 0;
}

/* gc of one network's DIR: entries of containers not alive dropped, then the responder
 * as for join/leave.  How many things it changed. */
static int gc_one(const char *dir, char *const *live_ids, struct nr_error *err)
{
	_cleanup_(dns_file_clear) struct dns_file n = { 0 };
	_cleanup_close_ int lock = -1;
	bool was_alive;
	int r;

	if ((r = dir_lock(dir, false, &lock, err)) < 0)
		return r;
	if (lock < 0)
		return 0;
	if ((r = names_load(dir, &n, err)) < 0)
		return r;
	size_t dropped = dns_file_keep(&n, live_ids);
	was_alive = dns_proc_alive(dir);
	if (dropped == 0 && (n.n > 0 || !was_alive))
		return ensure_locked(dir, err);
	if ((r = names_store(dir, &n, err)) < 0 || (r = responder_sync(dir, &n, err)) < 0)
		return r;
	return (int)dropped + (was_alive != dns_proc_alive(dir));
}

/* Whether a network of that name can be named (engine/net.h's list). */
static bool net_known(char *const *names, const char *name)
{
	for (; names && *names; names++)
		if (!strcmp(*names, name))
			return true;
	return false;
}

int dns_net_gc(char *const *live_ids, struct nr_error *err)
{
	_cleanup_strv_ char **networks = NULL;
	struct cni_netconf **nets = NULL;
	char top[PATH_MAX];
	size_t n_nets = 0;
	struct nr_error e = { 0 };
	int r, first = 0, changed = 0;
	bool listed;

	snprintf(top, sizeof(top), "%s/dns", rt_paths()->state_dir);
	_cleanup_(closedirp) DIR *d = opendir(top);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", top, strerror(errno));
	}
	/* Without the list of networks (a conflist that does not parse), no directory is
	 * taken for a removed network's: entries are still collected. */
	listed = net_list(&nets, &n_nets, &e) >= 0;
	for (size_t i = 0; i < n_nets; i++) {
		if (listed && rt_strv_push(&networks, nets[i]->name) < 0)
			listed = false;
		cni_netconf_free(nets[i]);
	}
	free(nets);
	if (listed && !networks)
		networks = calloc(1, sizeof(*networks));
	if (!networks)
		listed = false;
	struct dirent *de;
	while ((de = readdir(d))) {
		char dir[PATH_MAX];
		if (de->d_name[0] == '.' || (size_t)snprintf(dir, sizeof(dir), "%s/%s", top, de->d_name) >= sizeof(dir))
			continue;
		struct stat st;
		if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		nr_error_clear(&e);
		if (listed && !net_known(networks, de->d_name))
			r = (r = dir_remove(dir, &e)) < 0 ? r : 1;
		else
			r = gc_one(dir, live_ids, &e);
		if (r < 0) {
			nr_error_wrap(&e, r, "DNS names of network %s", de->d_name);
			if (!first) {
				nr_error_copy(err, &e);
				first = r;
			}
			continue;
		}
		changed += r;
	}
	/* Entries dropped somewhere: every responder re-reads (those gc_one synced too: one
	 * reload more, no harm). */
	if (changed > 0)
		others_reload(NULL);
	return first < 0 ? first : changed;
}
