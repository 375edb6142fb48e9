/* GET /containers/json (list), /containers/{id}/json (inspect), /top and /stats: what
 * the records, the kept create bodies (ctr_json.h), /proc and the cgroups say. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/json_field.h"
#include "base/timefmt.h"
#include "ctr_json.h"
#include "engine/cgroup.h"
#include "engine/container.h"
#include "engine/image_run.h"
#include "engine/rt_error.h"
#include "query_filter.h"
#include "routes.h"

static char *join_argv(char *const *argv)
{
	size_t n = 1;
	char *s;

	for (size_t i = 0; argv && argv[i]; i++)
		n += strlen(argv[i]) + 1;
	if (!(s = calloc(1, n)))
		return NULL;
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* The list's filters (query_filter.h), names compiled, before/since resolved to their
 * containers' creation times. */
struct filters {
	struct qfilters q;
	regex_t names[QFILTER_MAX];
	size_t n_names;
	long long before_ns, since_ns; /* 0: not given */
};

static void filters_free(struct filters *f)
{
	for (size_t i = 0; i < f->n_names; i++)
		regfree(&f->names[i]);
	qfilters_release(&f->q);
}

/* When the container was made, to the nanosecond where its directory's birth time says
 * (the record keeps seconds; before/since must order two made in the same second). */
static long long created_ns(const struct ctr_record *rec)
{
	char dir[512];
	struct statx sx;

	if (statx(AT_FDCWD, rt_ctr_path(dir, sizeof(dir), rec->name, NULL), 0, STATX_BTIME, &sx) == 0 &&
	    (sx.stx_mask & STATX_BTIME) && sx.stx_btime.tv_sec == rec->created)
		return sx.stx_btime.tv_sec * 1000000000LL + sx.stx_btime.tv_nsec;
	return rec->created * 1000000000LL;
}

/* before=/since=: a container's id, id prefix or name; Docker's 404 when there is none. */
static int filter_container_time(const struct filters *f, const char *key, long long *ret, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	const char *v[2];
	char name[RT_NAME_MAX];
	int r;

	if (!qfilters_get(&f->q, key, v, 2))
		return 0;
	if ((r = ctr_store_resolve(v[0], name, err)) < 0 || (r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	*ret = created_ns(rec);
	return 0;
}

static int filters_parse(const char *text, struct filters *f, struct nr_error *err)
{
	static const char *const keys[] = { "status", "name", "id", "label", "exited", "before", "since", NULL };
	static const char *const states[] = { "created", "restarting", "running", "removing",
					      "paused",  "exited",     "dead",    NULL };
	const char *v[QFILTER_MAX];
	size_t n;
	int r;

	memset(f, 0, sizeof(*f));
	if ((r = qfilters_parse(text, &f->q, err)) < 0 || (r = qfilters_check_keys(&f->q, keys, err)) < 0)
		return r;
	n = qfilters_get(&f->q, "status", v, QFILTER_MAX);
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		for (size_t k = 0; states[k]; k++)
			known = known || !strcmp(v[i], states[k]);
		if (!known)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid filter 'status=%s'", v[i]);
	}
	n = qfilters_get(&f->q, "name", v, QFILTER_MAX);
	for (; f->n_names < n; f->n_names++)
		if (regcomp(&f->names[f->n_names], v[f->n_names], REG_EXTENDED | REG_NOSUB))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "invalid filter 'name=%s': not a regular expression", v[f->n_names]);
	if ((r = filter_container_time(f, "before", &f->before_ns, err)) < 0 ||
	    (r = filter_container_time(f, "since", &f->since_ns, err)) < 0)
		return r;
	return 0;
}

/* Whether any value of key satisfies pred (true when key is not filtered on). */
static bool filter_any(const struct filters *f, const char *key, bool (*pred)(const char *v, const void *ctx),
		       const void *ctx)
{
	const char *v[QFILTER_MAX];
	size_t n = qfilters_get(&f->q, key, v, QFILTER_MAX);

	for (size_t i = 0; i < n; i++)
		if (pred(v[i], ctx))
			return true;
	return n == 0;
}

static bool pred_eq(const char *v, const void *ctx)
{
	return !strcmp(v, ctx);
}

static bool pred_prefix(const char *v, const void *ctx)
{
	return !strncmp(ctx, v, strlen(v));
}

static bool filters_match(const struct filters *f, const struct ctr_record *rec, json_t *labels)
{
	char slash[RT_NAME_MAX + 1], code[16];
	const char *v[QFILTER_MAX];
	bool name_ok = !f->n_names;
	size_t n;

	snprintf(slash, sizeof(slash), "/%s", rec->name);
	for (size_t i = 0; i < f->n_names; i++)
		name_ok = name_ok || !regexec(&f->names[i], slash, 0, NULL, 0);
	/* Every label= must hold (Docker's MatchKVList), unlike the other keys' any. */
	n = qfilters_get(&f->q, "label", v, QFILTER_MAX);
	for (size_t i = 0; i < n; i++)
		if (!qfilters_label_match(labels, v[i]))
			return false;
	if (f->before_ns || f->since_ns) {
		long long c = created_ns(rec);
		if ((f->before_ns && c >= f->before_ns) || (f->since_ns && c <= f->since_ns))
			return false;
	}
	snprintf(code, sizeof(code), "%d", rec->has_exit_code ? rec->exit_code : -1);
	return name_ok && filter_any(f, "status", pred_eq, ctr_json_state(rec)) &&
	       filter_any(f, "id", pred_prefix, rec->id) &&
	       (!qfilters_get(&f->q, "exited", v, 1) ||
		(rec->status == CTR_EXITED && filter_any(f, "exited", pred_eq, code)));
}

static json_t *list_entry(const struct ctr_record *rec, json_t *config, json_t *labels)
{
	_cleanup_free_ char *cmd = join_argv(rec->argv);
	char status[96], mode[RT_NAME_MAX + 16];
	const char *state = ctr_json_state(rec);
	bool running = !strcmp(state, "running");

	ctr_json_status(rec, status, sizeof(status));
	ctr_json_network_mode(rec, mode, sizeof(mode));
	return json_pack("{s:s, s:[s+], s:s, s:s, s:s, s:I, s:o, s:O, s:s, s:s, s:{s:s}, s:{s:o}, s:o}", "Id", rec->id,
			 "Names", "/", rec->name, "Image", rec->image_ref ? rec->image_ref : "", "ImageID",
			 rec->image ? rec->image : "", "Command", cmd ? cmd : "", "Created", (json_int_t)rec->created,
			 "Ports", ctr_json_ports_list(rec, running), "Labels", labels, "State", state, "Status", status,
			 "HostConfig", "NetworkMode", mode, "NetworkSettings", "Networks",
			 ctr_json_networks(rec, config, running), "Mounts", ctr_json_mounts(config));
}

static int cmp_created(const void *a, const void *b)
{
	long long x = json_integer_value(json_object_get(*(json_t *const *)a, "Created"));
	long long y = json_integer_value(json_object_get(*(json_t *const *)b, "Created"));

	return x < y ? 1 : x > y ? -1 : 0;
}

int h_container_list(struct api_req *r)
{
	_cleanup_strv_ char **names = NULL;
	struct nr_error err = { 0 };
	struct filters f;
	const char *status;
	bool all;
	long limit;
	size_t n = 0;

	if (api_query_bool(r, "all", false, &all) < 0 || api_query_long(r, "limit", -1, &limit) < 0)
		return api_reply_error(r, 400, "all, limit: expected a boolean and a number");
	if (filters_parse(api_query(r, "filters"), &f, &err) < 0) {
		filters_free(&f);
		return api_reply_nr_error(r, &err);
	}
	if (ctr_store_names(&names, &err) < 0) {
		filters_free(&f);
		return api_reply_nr_error(r, &err);
	}
	json_t **v = calloc(rt_strv_len(names) + 1, sizeof(*v));
	for (size_t i = 0; v && names[i]; i++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		if (ctr_store_load(names[i], &rec, NULL) < 0)
			continue; /* removed meanwhile, or still without a record */
		/* A status filter shows any state, as -a does (Docker's rule). */
		if (!all && !qfilters_get(&f.q, "status", &status, 1) && strcmp(ctr_json_state(rec), "running"))
			continue;
		_cleanup_json_ json_t *config = ctr_json_config_load(names[i]);
		_cleanup_json_ json_t *labels = ctr_json_labels(config);
		if (filters_match(&f, rec, labels))
			v[n++] = list_entry(rec, config, labels);
	}
	filters_free(&f);
	if (!v)
		return api_reply_error(r, 500, "out of memory");
	qsort(v, n, sizeof(*v), cmp_created);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		if (limit < 0 || (long)i < limit)
			json_array_append(out, v[i]);
		json_decref(v[i]);
	}
	free(v);
	return api_reply_json(r, 200, out);
}

static json_t *strv_or_null(char *const *v)
{
	if (!v)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Docker's Config: the body's, merged with the image's as Docker merges them (an
 * Entrypoint given drops the image's Cmd), env and hostname as the record has them; a
 * container made by `netns-run run` from its record alone. */
static json_t *inspect_config(const struct ctr_record *rec, json_t *config)
{
	static const char *const copied[] = { "Domainname", "AttachStdin", "AttachStdout", "AttachStderr", "Tty",
					      "OpenStdin",  "StdinOnce",   "WorkingDir",   "ExposedPorts", NULL };
	static const char *const flags[] = { "AttachStdin", "AttachStdout", "AttachStderr",
					     "Tty",         "OpenStdin",    "StdinOnce",
					     NULL };
	_cleanup_image_run_ struct image_run *im = NULL;
	json_t *c = json_object(), *v, *ep, *cmd;

	for (size_t i = 0; flags[i]; i++)
		json_object_set_new(c, flags[i], json_false());
	json_object_set_new(c, "Domainname", json_string(""));
	/* The image's config, for what the body left to it (a miss: the record's argv). */
	if (config && rec->image && image_run_find(rt_paths()->state_dir, rec->image, &im, NULL) <= 0)
		im = NULL;
	json_object_set_new(c, "WorkingDir", json_string(im && im->cfg.working_dir ? im->cfg.working_dir : ""));
	for (size_t i = 0; copied[i]; i++)
		if ((v = json_get_go(config, copied[i])) && !(json_is_string(v) && !*json_string_value(v)))
			json_object_set(c, copied[i], v);
	json_object_set_new(c, "Hostname", json_string(rec->hostname ? rec->hostname : ""));
	json_object_set_new(c, "User", json_string(rec->user ? rec->user : ""));
	json_t *env = json_array();
	for (size_t i = 0; rec->env && rec->env[i]; i++)
		json_array_append_new(env, json_string(rec->env[i]));
	json_object_set_new(c, "Env", env);
	ep = json_get_go(config, "Entrypoint");
	cmd = json_get_go(config, "Cmd");
	if (!config) {
		json_object_set_new(c, "Entrypoint", json_null());
		json_object_set_new(c, "Cmd", strv_or_null(rec->argv));
	} else {
		bool ep_given = ep && !(json_is_array(ep) && !json_array_size(ep));
		json_object_set_new(c, "Entrypoint",
				    ep_given ? (json_is_string(ep) ? json_pack("[O]", ep) : json_incref(ep))
					     : strv_or_null(im ? im->cfg.entrypoint : NULL));
		json_object_set_new(c, "Cmd",
				    cmd        ? (json_is_string(cmd) ? json_pack("[O]", cmd) : json_incref(cmd))
				    : ep_given ? json_null()
					       : strv_or_null(im ? im->cfg.cmd : NULL));
	}
	json_object_set_new(c, "Image", json_string(rec->image_ref ? rec->image_ref : ""));
	json_object_set_new(c, "Volumes", json_null());
	json_object_set_new(c, "OnBuild", json_null());
	json_object_set_new(c, "Labels", ctr_json_labels(config));
	return c;
}

static json_t *inspect_host_config(const struct ctr_record *rec, json_t *config)
{
	json_t *hc = json_get_go(config, "HostConfig");
	char mode[RT_NAME_MAX + 16];

	hc = json_is_object(hc) ? json_deep_copy(hc) : json_object();
	ctr_json_network_mode(rec, mode, sizeof(mode));
	json_object_set_new(hc, "NetworkMode", json_string(mode));
	json_object_set_new(hc, "AutoRemove", json_boolean(rec->rm));
	if (!json_object_get(hc, "Privileged"))
		json_object_set_new(hc, "Privileged", json_boolean(rec->privileged));
	if (!json_object_get(hc, "RestartPolicy"))
		json_object_set_new(hc, "RestartPolicy", json_pack("{s:s, s:i}", "Name", "no", "MaximumRetryCount", 0));
	if (!json_object_get(hc, "LogConfig"))
		json_object_set_new(hc, "LogConfig", json_pack("{s:s, s:{}}", "Type", "json-file", "Config"));
	return hc;
}

static json_t *inspect_json(const struct ctr_record *rec, json_t *config)
{
	char created[40], started[40], finished[40], dir[512], log[600], hosts[600], resolv[600], hostname[600];
	const char *state = ctr_json_state(rec);
	bool running = !strcmp(state, "running");
	json_t *args = json_array();

	ctr_json_time(rec->created, created, sizeof(created));
	ctr_json_time(rec->started, started, sizeof(started));
	ctr_json_time(rec->finished, finished, sizeof(finished));
	rt_ctr_path(dir, sizeof(dir), rec->name, NULL);
	snprintf(log, sizeof(log), "%s/ctr.log", dir);
	snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", dir);
	snprintf(hostname, sizeof(hostname), "%s/hostname", dir);
	for (size_t i = 1; rec->argv && rec->argv[0] && rec->argv[i]; i++)
		json_array_append_new(args, json_string(rec->argv[i]));
	/* A stopped container has no sandbox: Docker's releaseNetwork empties both. */
	json_t *ns = json_pack("{s:s, s:s, s:s, s:o, s:o}", "Bridge", "", "SandboxID", running ? rec->id : "",
			       "SandboxKey", running && rec->netns_path ? rec->netns_path : "", "Ports",
			       ctr_json_ports_map(rec, config, running), "Networks",
			       ctr_json_networks(rec, config, running));
	/* The legacy top-level addresses: the first network's. */
	json_t *first = NULL;
	const char *k;
	json_object_foreach(json_object_get(ns, "Networks"), k, first)
		break;
	const char *legacy[] = { "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "MacAddress", NULL };
	for (size_t i = 0; legacy[i]; i++)
		json_object_set_new(ns, legacy[i],
				    first                               ? json_incref(json_object_get(first, legacy[i]))
				    : !strcmp(legacy[i], "IPPrefixLen") ? json_integer(0)
									: json_string(""));
	return json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s},"
			 " s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:n, s:o, s:{s:n, s:s},"
			 " s:o, s:o, s:o}",
			 "Id", rec->id, "Created", created, "Path", rec->argv && rec->argv[0] ? rec->argv[0] : "",
			 "Args", args, "State", "Status", state, "Running", running, "Paused", false, "Restarting",
			 false, "OOMKilled", rec->oom, "Dead", false, "Removing", false, "Pid",
			 running ? (int)rec->pid : 0, "ExitCode", rec->has_exit_code ? rec->exit_code : 0, "Error", "",
			 "StartedAt", started, "FinishedAt", finished, "Image", rec->image ? rec->image : "",
			 "ResolvConfPath", resolv, "HostnamePath", hostname, "HostsPath", hosts, "LogPath", log, "Name",
			 "", "RestartCount", 0, "Driver", "overlay2", "Platform", "linux", "MountLabel", "",
			 "ProcessLabel", "", "AppArmorProfile", "", "ExecIDs", "HostConfig",
			 inspect_host_config(rec, config), "GraphDriver", "Data", "Name", "overlay2", "Mounts",
			 ctr_json_mounts(config), "Config", inspect_config(rec, config), "NetworkSettings", ns);
}

static int load(struct api_req *r, char name[RT_NAME_MAX], struct ctr_record **rec, struct nr_error *err)
{
	int ret = ctr_store_resolve(r->params[0], name, err);

	return ret < 0 ? ret : ctr_store_load(name, rec, err);
}

int h_container_inspect(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX], slash[RT_NAME_MAX + 1];

	if (load(r, name, &rec, &err) < 0)
		return api_reply_nr_error(r, &err);
	_cleanup_json_ json_t *config = ctr_json_config_load(name);
	json_t *out = inspect_json(rec, config);
	if (!out)
		return api_reply_error(r, 500, "out of memory");
	snprintf(slash, sizeof(slash), "/%s", rec->name);
	json_object_set_new(out, "Name", json_string(slash));
	return api_reply_json(r, 200, out);
}

/* The container's processes: its cgroup's (every controller directory lists them all). */
static pid_t *cgroup_pids(const struct ctr_record *rec, size_t *ret_n)
{
	const char *dirs[CGROUP_CTL_COUNT];
	size_t nd = cgroup_set_dirs(rec->cgroup, dirs), n = 0, cap = 0;
	pid_t *v = NULL;

	for (size_t i = 0; i < nd && !n; i++) {
		char path[600];
		snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[i]);
		FILE *f = fopen(path, "re");
		long p;
		while (f && fscanf(f, "%ld", &p) == 1) {
			if (n == cap) {
				pid_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
				if (!nv)
					break;
				v = nv;
			}
			v[n++] = (pid_t)p;
		}
		if (f)
			fclose(f);
	}
	*ret_n = n;
	return v;
}

/* One row of ps -ef: UID PID PPID C STIME TTY TIME CMD. */
static json_t *ps_row(pid_t pid)
{
	unsigned long long f[20];
	char path[64], uid[64] = "?", stime[16], tty[16] = "?", cputime[32];
	_cleanup_free_ char *cmd = NULL;
	size_t len = 0;
	long ticks = sysconf(_SC_CLK_TCK);
	struct sysinfo si;

	/* Fields 4 (ppid) .. 22 (starttime). */
	if (rt_proc_stat(pid, 4, 19, f, NULL) < 0)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *st = fopen(path, "re");
	char line[256];
	while (st && fgets(line, sizeof(line), st)) {
		unsigned long u;
		if (sscanf(line, "Uid: %lu", &u) == 1) {
			struct passwd pw, *res = NULL;
			char buf[1024];
			if (getpwuid_r((uid_t)u, &pw, buf, sizeof(buf), &res) == 0 && res)
				snprintf(uid, sizeof(uid), "%s", res->pw_name);
			else
				snprintf(uid, sizeof(uid), "%lu", u);
			break;
		}
	}
	if (st)
		fclose(st);
	unsigned long long tty_nr = f[7 - 4], cpu = (f[14 - 4] + f[15 - 4]) / (unsigned long long)ticks;
	if (tty_nr)
		snprintf(tty, sizeof(tty), "pts/%llu", ((tty_nr >> 12) & 0xfff00) | (tty_nr & 0xff));
	time_t start = time(NULL);
	if (sysinfo(&si) == 0)
		start = start - si.uptime + (time_t)(f[22 - 4] / (unsigned long long)ticks);
	struct tm tm;
	localtime_r(&start, &tm);
	strftime(stime, sizeof(stime), "%H:%M", &tm);
	snprintf(cputime, sizeof(cputime), "%02llu:%02llu:%02llu", cpu / 3600, cpu / 60 % 60, cpu % 60);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fd_read_all(fd, 4096, &cmd, &len) >= 0 && len) {
		for (size_t i = 0; i + 1 < len; i++)
			if (!cmd[i])
				cmd[i] = ' ';
	} else {
		free(cmd);
		cmd = NULL;
	}
	char spid[16], sppid[16];
	snprintf(spid, sizeof(spid), "%d", (int)pid);
	snprintf(sppid, sizeof(sppid), "%llu", f[0]);
	return json_pack("[s, s, s, s, s, s, s, s]", uid, spid, sppid, "0", stime, tty, cputime, cmd ? cmd : "?");
}

int h_container_top(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	char name[RT_NAME_MAX];
	size_t n = 0;

	if (load(r, name, &rec, &err) < 0)
		return api_reply_nr_error(r, &err);
	if (strcmp(ctr_json_state(rec), "running"))
		return api_reply_error(r, 409, "Container %s is not running", rec->id);
	_cleanup_free_ pid_t *pids = cgroup_pids(rec, &n);
	json_t *procs = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *row = ps_row(pids[i]);
		if (row)
			json_array_append_new(procs, row);
	}
	return api_reply_json(r, 200,
			      json_pack("{s:[s, s, s, s, s, s, s, s], s:o}", "Titles", "UID", "PID", "PPID", "C",
					"STIME", "TTY", "TIME", "CMD", "Processes", procs));
}

/* stats */

struct stats_ctx {
	char name[RT_NAME_MAX];
	char id[RT_ID_LEN + 1];
	bool stream;
	json_t *prev_cpu; /* the previous sample's cpu_stats */
	char prev_read[40];
};

/* The host's CPU time in nanoseconds (/proc/stat's first line), as Docker's system_cpu_usage. */
static long long system_cpu_ns(void)
{
	unsigned long long v[10] = { 0 }, sum = 0;
	FILE *f = fopen("/proc/stat", "re");
	int n = 0;

	if (f) {
		n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
			   &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
		fclose(f);
	}
	for (int i = 0; i < n && i < 8; i++)
		sum += v[i];
	return (long long)(sum * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK)));
}

/* The container's interfaces from its init's view of /proc/net/dev (its netns). */
static json_t *net_stats(pid_t pid)
{
	char path[64], line[512];
	json_t *out = json_object();
	FILE *f;

	if (pid <= 0)
		return out;
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	if (!(f = fopen(path, "re")))
		return out;
	while (fgets(line, sizeof(line), f)) {
		char ifname[32];
		unsigned long long rb, rp, re, rd, x, tb, tp, te, td;
		if (sscanf(line, " %31[^:]: %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", ifname, &rb,
			   &rp, &re, &rd, &x, &x, &x, &x, &tb, &tp, &te, &td) != 13 ||
		    !strcmp(ifname, "lo"))
			continue;
		json_object_set_new(out, ifname,
				    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "rx_bytes", (json_int_t)rb,
					      "rx_packets", (json_int_t)rp, "rx_errors", (json_int_t)re, "rx_dropped",
					      (json_int_t)rd, "tx_bytes", (json_int_t)tb, "tx_packets", (json_int_t)tp,
					      "tx_errors", (json_int_t)te, "tx_dropped", (json_int_t)td));
	}
	fclose(f);
	return out;
}

/* One sample in Docker's stats shape; NULL once the container is gone. */
static json_t *stats_sample(struct stats_ctx *s)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	long long mem = -1, cpu = -1, pids = -1, limit;
	char now[40];

	if (ctr_store_load(s->name, &rec, NULL) < 0)
		return NULL;
	bool running = !strcmp(ctr_json_state(rec), "running");
	if (running)
		cgroup_usage(rec->cgroup, &mem, &cpu, &pids);
	_cleanup_json_ json_t *config = ctr_json_config_load(s->name);
	limit = json_integer_value(json_get_go(json_get_go(config, "HostConfig"), "Memory"));
	if (limit <= 0)
		limit = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
	nr_time_now_rfc3339(now, sizeof(now));
	json_t *cpu_stats = json_pack("{s:{s:I, s:I, s:I}, s:I, s:i, s:{s:i, s:i, s:i}}", "cpu_usage", "total_usage",
				      (json_int_t)(cpu > 0 ? cpu : 0), "usage_in_kernelmode", (json_int_t)0,
				      "usage_in_usermode", (json_int_t)0, "system_cpu_usage",
				      (json_int_t)system_cpu_ns(), "online_cpus", (int)sysconf(_SC_NPROCESSORS_ONLN),
				      "throttling_data", "periods", 0, "throttled_periods", 0, "throttled_time", 0);
	json_t *pre = s->prev_cpu ? s->prev_cpu
				  : json_pack("{s:{s:i}, s:i, s:i, s:{s:i, s:i, s:i}}", "cpu_usage", "total_usage", 0,
					      "system_cpu_usage", 0, "online_cpus", 0, "throttling_data", "periods", 0,
					      "throttled_periods", 0, "throttled_time", 0);
	s->prev_cpu = json_incref(cpu_stats);
	json_t *out = json_pack("{s:s, s:s, s:{s:I}, s:{s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n}, s:i, s:{},"
				" s:o, s:o, s:{s:I, s:I, s:{}}, s:s, s:s, s:o}",
				"read", now, "preread", s->prev_read[0] ? s->prev_read : "0001-01-01T00:00:00Z",
				"pids_stats", "current", (json_int_t)(pids > 0 ? pids : 0), "blkio_stats",
				"io_service_bytes_recursive", "io_serviced_recursive", "io_queue_recursive",
				"io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive",
				"io_time_recursive", "sectors_recursive", "num_procs", 0, "storage_stats", "cpu_stats",
				cpu_stats, "precpu_stats", pre, "memory_stats", "usage",
				(json_int_t)(mem > 0 ? mem : 0), "limit", (json_int_t)limit, "stats", "name", "", "id",
				rec->id, "networks", net_stats(running ? rec->pid : 0));
	snprintf(s->prev_read, sizeof(s->prev_read), "%s", now);
	if (out) {
		char slash[RT_NAME_MAX + 1];
		snprintf(slash, sizeof(slash), "/%s", rec->name);
		json_object_set_new(out, "name", json_string(slash));
	}
	return out;
}

static void stats_free(void *p)
{
	struct stats_ctx *s = p;

	json_decref(s->prev_cpu);
	free(s);
}

/* stream=1: a sample a second until the container is gone or the client leaves. */
static void stats_stream(int out, void *p)
{
	struct stats_ctx *s = p;

	for (;;) {
		json_t *v = stats_sample(s);
		if (!v)
			return;
		int r = api_write_json_line(out, v);
		json_decref(v);
		if (r < 0)
			return;
		sleep(1);
	}
}

int h_container_stats(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	struct stats_ctx *s = calloc(1, sizeof(*s));
	bool stream, one_shot;

	if (!s)
		return api_reply_error(r, 500, "out of memory");
	if (api_query_bool(r, "stream", true, &stream) < 0 || api_query_bool(r, "one-shot", false, &one_shot) < 0) {
		stats_free(s);
		return api_reply_error(r, 400, "stream, one-shot: expected a boolean");
	}
	if (load(r, s->name, &rec, &err) < 0) {
		stats_free(s);
		return api_reply_nr_error(r, &err);
	}
	if (stream)
		return api_reply_stream(r, 200, "application/json", stats_stream, s, stats_free);
	/* stream=0: two samples a second apart, so that precpu_stats gives the CPU's share
	 * (Docker's way), unless one-shot. */
	json_t *v = stats_sample(s);
	if (v && !one_shot) {
		json_decref(v);
		sleep(1);
		v = stats_sample(s);
	}
	stats_free(s);
	if (!v)
		return api_reply_error(r, 404, "No such container: %s", r->params[0]);
	return api_reply_json(r, 200, v);
}
