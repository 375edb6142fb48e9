/* The system endpoints: GET/HEAD /_ping, GET /version, GET /info, GET /system/df, in
 * Docker's shapes (moby api/swagger.yaml: SystemVersion, SystemInfo, SystemDataUsageResponse). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/json_field.h"
#include "daemon/dlog.h"
#include "daemon/server.h"
#include "daemon/server_run.h"
#include "engine/container.h"
#include "engine/rt.h"
#include "image/store.h"

#if __has_include("nr_version.h")
#include "nr_version.h"
#else
#define NR_VERSION "0.0.0-unknown"
#define NR_GIT_COMMIT "unknown"
#define NR_BUILT "unknown"
#endif

#if defined(__clang__)
#define SYS_COMPILER "clang " __clang_version__
#else
#define SYS_COMPILER "gcc " __VERSION__
#endif

/* Go's names for the architectures, as Docker reports them. */
#if defined(__x86_64__)
#define SYS_ARCH "amd64"
#elif defined(__aarch64__)
#define SYS_ARCH "arm64"
#elif defined(__arm__)
#define SYS_ARCH "arm"
#elif defined(__riscv)
#define SYS_ARCH "riscv64"
#elif defined(__s390x__)
#define SYS_ARCH "s390x"
#else
#define SYS_ARCH "unknown"
#endif

int h_ping(struct api_req *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)"OK", MHD_RESPMEM_PERSISTENT);

	if (!resp)
		return api_reply_error(r, 500, "out of memory");
	/* Docker's: the CLI negotiates the version from these headers (HEAD first). */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, no-store, must-revalidate");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_PRAGMA, "no-cache");
	return api_conn_set_response(r->conn, 200, resp);
}

static const char *kernel_release(struct utsname *u)
{
	if (uname(u) < 0)
		snprintf(u->release, sizeof(u->release), "unknown");
	return u->release;
}

int h_version(struct api_req *r)
{
	struct utsname u;
	const char *kernel = kernel_release(&u);
	json_t *v = json_pack("{s:{s:s}, s:[{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}], s:s, s:s, "
			      "s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			      "Platform", "Name", "netns-run", "Components", "Name", "Engine", "Version", NR_VERSION,
			      "Details", "ApiVersion", API_VERSION_MAX, "Arch", SYS_ARCH, "BuildTime", NR_BUILT,
			      "Experimental", "false", "GitCommit", NR_GIT_COMMIT, "GoVersion", SYS_COMPILER,
			      "KernelVersion", kernel, "MinAPIVersion", API_VERSION_MIN, "Os", "linux", "Version",
			      NR_VERSION, "ApiVersion", API_VERSION_MAX, "MinAPIVersion", API_VERSION_MIN, "GitCommit",
			      NR_GIT_COMMIT, "GoVersion", SYS_COMPILER, "Os", "linux", "Arch", SYS_ARCH,
			      "KernelVersion", kernel, "BuildTime", NR_BUILT);
	return api_reply_json(r, 200, v);
}

/* ---- counts --------------------------------------------------------------------------- */

struct sys_counts {
	long containers, running, stopped;
	long images;
};

/* Every container record, loaded (NULL-ended); records that vanish meanwhile are skipped. */
static struct ctr_record **load_containers(size_t *ret_n)
{
	struct nr_error err = { 0 };
	_cleanup_strv_ char **names = NULL;
	struct ctr_record **recs;
	size_t n = 0;

	*ret_n = 0;
	if (ctr_store_names(&names, &err) < 0 || !names)
		return NULL;
	recs = calloc(rt_strv_len(names) + 1, sizeof(*recs));
	if (!recs)
		return NULL;
	for (size_t i = 0; names[i]; i++)
		if (ctr_store_load(names[i], &recs[n], &err) == 0)
			n++;
	*ret_n = n;
	return recs;
}

static void free_containers(struct ctr_record **recs)
{
	for (size_t i = 0; recs && recs[i]; i++)
		ctr_record_free(recs[i]);
	free(recs);
}

/* The image store, opened to read; NULL (no images) when there is none yet. */
static struct img_store *images_peek(void)
{
	struct img_store *st = NULL;
	struct nr_error err = { 0 };
	char dir[PATH_MAX];
	struct stat s;

	snprintf(dir, sizeof(dir), "%s/images", rt_paths()->state_dir);
	if (stat(dir, &s) < 0 || !S_ISDIR(s.st_mode))
		return NULL;
	if (img_store_open(rt_paths()->state_dir, IMG_LOCK_SHARED, &st, &err) < 0)
		return NULL;
	return st;
}

static void count(struct sys_counts *c)
{
	size_t n;
	struct ctr_record **recs = load_containers(&n);
	_cleanup_img_store_ struct img_store *st = images_peek();
	struct img_image **list = NULL;
	struct nr_error err = { 0 };

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		c->containers++;
		if (ctr_running(recs[i]))
			c->running++;
		else
			c->stopped++;
	}
	free_containers(recs);
	if (st && img_image_list(st, &list, &err) == 0) {
		for (size_t i = 0; list && list[i]; i++)
			c->images++;
		img_image_list_free(list);
	}
}

/* ---- /info ---------------------------------------------------------------------------- */

/* Docker's engine ID: made once, kept in the state dir. */
static void engine_id(char *buf, size_t len)
{
	char path[PATH_MAX], id[RT_ID_LEN + 1];
	int fd;

	snprintf(path, sizeof(path), "%s/engine-id", rt_paths()->state_dir);
	if (file_read_line(path, buf, len) == 0 && buf[0])
		return;
	if (rt_random_id(id) < 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	/* First start: O_EXCL so that two daemons racing keep one id (the loser reads it). */
	rt_mkdir_p(rt_paths()->state_dir, 0711);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, id, strlen(id)) < 0) {
			/* then the next start makes another: nothing depends on it */
		}
		close(fd);
		snprintf(buf, len, "%s", id);
	} else if (file_read_line(path, buf, len) < 0) {
		snprintf(buf, len, "%s", id);
	}
}

static const char *os_name(char *buf, size_t len)
{
	FILE *f = fopen("/etc/os-release", "re");
	char line[512];

	snprintf(buf, len, "Linux");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "PRETTY_NAME=", 12)) {
			char *v = line + 12, *e;
			v += *v == '"';
			e = strpbrk(v, "\"\n");
			if (e)
				*e = '\0';
			snprintf(buf, len, "%s", v);
			break;
		}
	fclose(f);
	return buf;
}

/* Entries of a /proc directory: the daemon's descriptors (NFd) and threads (Docker's
 * NGoroutines, the nearest thing we have). */
static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static bool cgroup_v2(void)
{
	return access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
}

int h_info(struct api_req *r)
{
	struct sys_counts c;
	struct utsname u;
	struct sysinfo si;
	char id[128], os[256], host[256] = "", now[64];
	struct timespec ts;
	struct tm tm;
	const char *kernel = kernel_release(&u);

	count(&c);
	engine_id(id, sizeof(id));
	os_name(os, sizeof(os));
	gethostname(host, sizeof(host) - 1);
	if (sysinfo(&si) < 0)
		memset(&si, 0, sizeof(si));
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(now + strlen(now), sizeof(now) - strlen(now), ".%09ldZ", ts.tv_nsec);

	json_t *v = json_object();
	json_t *f =
		json_pack("{s:s, s:I, s:I, s:i, s:I, s:I, s:s, s:[], s:n, s:{s:[s], s:[s,s,s], s:n, s:[s]}, s:b, s:b, s:b, s:b, "
			  "s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			  "ID", id, "Containers", (json_int_t)c.containers, "ContainersRunning", (json_int_t)c.running,
			  "ContainersPaused", 0, "ContainersStopped", (json_int_t)c.stopped, "Images",
			  (json_int_t)c.images, "Driver", "overlay2", "DriverStatus", "SystemStatus", "Plugins",
			  "Volume", "local", "Network", "bridge", "host", "null", "Authorization", "Log", "json-file",
			  "MemoryLimit", 1, "SwapLimit", 0, "KernelMemory", 0, "KernelMemoryTCP", 0, "CpuCfsPeriod", 1,
			  "CpuCfsQuota", 1, "CPUShares", 1, "CPUSet", 1, "PidsLimit", 1, "OomKillDisable", 0,
			  "IPv4Forwarding", 1, "NFd", count_entries("/proc/self/fd"), "NGoroutines",
			  count_entries("/proc/self/task"), "SystemTime", now, "NEventsListener", 0, "LoggingDriver",
			  "json-file", "CgroupDriver", "cgroupfs", "CgroupVersion", cgroup_v2() ? "2" : "1",
			  "KernelVersion", kernel, "OperatingSystem", os, "OSVersion", "", "OSType", "linux",
			  "Architecture", u.machine, "IndexServerAddress", "https://index.docker.io/v1/");
	json_t *g =
		json_pack("{s:i, s:I, s:s, s:s, s:[], s:b, s:s, s:s, s:s, s:s, s:{s:{s:s}}, s:s, s:{s:s, s:s, s:s, s:b, s:n}, "
			  "s:b, s:b, s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:[s,s], s:[], s:{s:[], s:[], s:[s], s:{}, s:[]}, "
			  "s:b}",
			  "NCPU", (int)sysconf(_SC_NPROCESSORS_ONLN), "MemTotal",
			  (json_int_t)si.totalram * (json_int_t)si.mem_unit, "Name", host, "DockerRootDir",
			  rt_paths()->state_dir, "Labels", "ExperimentalBuild", 0, "ServerVersion", NR_VERSION,
			  "HttpProxy", "", "HttpsProxy", "", "NoProxy", "", "Runtimes", "netns-run", "path",
			  "netns-run", "DefaultRuntime", "netns-run", "Swarm", "NodeID", "", "NodeAddr", "",
			  "LocalNodeState", "inactive", "ControlAvailable", 0, "RemoteManagers", "LiveRestoreEnabled",
			  1, "Debug", 0, "Isolation", "", "InitBinary", "", "ContainerdCommit", "ID", "", "RuncCommit",
			  "ID", "", "InitCommit", "ID", "", "SecurityOptions", "name=seccomp,profile=builtin",
			  "name=cgroupns", "Warnings", "RegistryConfig", "AllowNondistributableArtifactsCIDRs",
			  "AllowNondistributableArtifactsHostnames", "InsecureRegistryCIDRs", "127.0.0.0/8",
			  "IndexConfigs", "Mirrors", "Debug", dlog_debug_enabled());
	if (!v || !f || !g) {
		json_decref(v);
		json_decref(f);
		json_decref(g);
		return api_reply_error(r, 500, "out of memory");
	}
	json_object_update(v, f);
	json_object_update(v, g);
	json_decref(f);
	json_decref(g);
	return api_reply_json(r, 200, v);
}

/* ---- /system/df ----------------------------------------------------------------------- */

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

int h_system_df(struct api_req *r)
{
	_cleanup_img_store_ struct img_store *st = images_peek();
	struct img_image **list = NULL;
	struct nr_error err = { 0 };
	json_t *images = json_array(), *ctrs = json_array();
	json_int_t layers = 0;
	size_t n;
	struct ctr_record **recs = load_containers(&n);

	if (st && img_image_list(st, &list, &err) == 0) {
		for (size_t i = 0; list && list[i]; i++) {
			struct img_image *im = list[i];
			long users = 0;
			for (size_t k = 0; k < n; k++)
				users += recs[k]->image && !strcmp(recs[k]->image, im->id);
			layers += im->size;
			json_array_append_new(images, json_pack("{s:s, s:s, s:o, s:[], s:I, s:I, s:i, s:I, s:{}, s:I}",
								"Id", im->id, "ParentId", "", "RepoTags",
								strv_json(im->tags), "RepoDigests", "Created",
								(json_int_t)im->created, "Size", (json_int_t)im->size,
								"SharedSize", -1, "VirtualSize", (json_int_t)im->size,
								"Labels", "Containers", (json_int_t)users));
		}
		img_image_list_free(list);
	}
	for (size_t i = 0; i < n; i++) {
		struct ctr_record *c = recs[i];
		char name[RT_NAME_MAX + 1];
		bool running = ctr_running(c);
		snprintf(name, sizeof(name), "/%s", c->name);
		json_array_append_new(ctrs,
				      json_pack("{s:s, s:[s], s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:{}, s:[]}", "Id",
						c->id, "Names", name, "Image", c->image_ref ? c->image_ref : "",
						"ImageID", c->image ? c->image : "", "Created", (json_int_t)c->created,
						"State",
						running                    ? "running"
						: c->status == CTR_CREATED ? "created"
									   : "exited",
						"Status", running ? "Up" : "Exited", "SizeRw", (json_int_t)0,
						"SizeRootFs", (json_int_t)0, "Labels", "Mounts"));
	}
	free_containers(recs);
	return api_reply_json(r, 200,
			      json_pack("{s:I, s:o, s:o, s:[], s:[]}", "LayersSize", layers, "Images", images,
					"Containers", ctrs, "Volumes", "BuildCache"));
}
