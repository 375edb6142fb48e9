#include "rt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"

static struct rt_paths paths;
static bool paths_ready;

static void env_or(char *buf, size_t len, const char *var, const char *def)
{
	const char *v = getenv(var);

	snprintf(buf, len, "%s", v && *v ? v : def);
}

/* Plugins sit at ../cni next to bin/ in the build tree and at ../lib/netns-run/cni when
 * installed under a PREFIX; both are looked at, so either layout works unconfigured. */
static void default_cni_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *subdirs[] = { "../cni", "../lib/netns-run/cni" };
	size_t used = 0;

	buf[0] = '\0';
	if (n <= 0)
		return;
	exe[n] = '\0';
	char *dir = dirname(exe);
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		char cand[PATH_MAX], real[PATH_MAX];
		snprintf(cand, sizeof(cand), "%s/%s", dir, subdirs[i]);
		if (!realpath(cand, real))
			continue;
		used += snprintf(buf + used, len - used, "%s%s", used ? ":" : "", real);
		if (used >= len)
			break;
	}
}

const struct rt_paths *rt_paths(void)
{
	const char *conf;

	if (paths_ready)
		return &paths;
	env_or(paths.state_dir, sizeof(paths.state_dir), "NETNS_RUN_STATE_DIR", "/var/lib/netns-run");
	env_or(paths.cache_dir, sizeof(paths.cache_dir), "NETNS_RUN_CNI_CACHE_DIR", "/var/lib/cni/results");
	conf = getenv("NETNS_RUN_CNI_PATH");
	if (conf && *conf)
		snprintf(paths.cni_path, sizeof(paths.cni_path), "%s", conf);
	else
		default_cni_path(paths.cni_path, sizeof(paths.cni_path));
	conf = getenv("NETNS_RUN_CONFIG_DIR");
	if (conf && *conf) {
		snprintf(paths.conf_dirs[0], sizeof(paths.conf_dirs[0]), "%s", conf);
		paths.conf_list[0] = paths.conf_dirs[0];
	} else {
		snprintf(paths.conf_dirs[0], sizeof(paths.conf_dirs[0]), "/etc/netns-run/net.d");
		snprintf(paths.conf_dirs[1], sizeof(paths.conf_dirs[1]), "/etc/cni/net.d");
		paths.conf_list[0] = paths.conf_dirs[0];
		paths.conf_list[1] = paths.conf_dirs[1];
	}
	paths_ready = true;
	return &paths;
}

const char *rt_ctr_path(char *buf, size_t len, const char *name, const char *file)
{
	snprintf(buf, len, "%s/containers/%s%s%s", rt_paths()->state_dir, name, file ? "/" : "", file ? file : "");
	return buf;
}

int rt_mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int rm_rf_at(int dfd, const char *name, dev_t dev)
{
	struct stat st;
	int r = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (st.st_dev != dev)
		return -EBUSY; /* a mount point: never delete into another file system */
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int q = rm_rf_at(fd, de->d_name, dev);
		if (q < 0 && r == 0)
			r = q;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

int rt_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return rm_rf_at(AT_FDCWD, path, st.st_dev);
}

int rt_write_file(const char *path, const char *buf, mode_t mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	return fd_write_all(fd, buf, strlen(buf));
}

int rt_write_file_atomic(const char *path, const char *buf, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	/* Flushed before the rename, or a crash could leave the new name on an empty file;
	 * close's error is the last word of a write-back file system (NFS). */
	r = fd_write_all(fd, buf, strlen(buf));
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int rt_write_str(const char *path, const char *s)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* Kernel files take one write; a short write is an error the kernel reports. */
	if (write(fd, s, strlen(s)) < 0)
		return -errno;
	return 0;
}

int rt_parse_decimal(const char *s, double *ret, const char **ret_end)
{
	const char *p = s;
	size_t digits = 0;
	char *end;

	/* strtod alone takes "nan", "inf", "0x10" and "1e3": a CLI number is decimal. */
	while (isdigit((unsigned char)*p))
		p++, digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (!digits)
		return -EINVAL;
	errno = 0;
	*ret = strtod(s, &end);
	if (errno || end != p)
		return -EINVAL;
	if (ret_end)
		*ret_end = p;
	else if (*p)
		return -EINVAL;
	return 0;
}

int rt_parse_bytes(const char *s, long long *ret)
{
	const char *end;
	double v;
	long long mul = 1;

	if (!s || rt_parse_decimal(s, &v, &end) < 0)
		return -EINVAL;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'b':
		break;
	case 'k':
		mul = 1LL << 10;
		break;
	case 'm':
		mul = 1LL << 20;
		break;
	case 'g':
		mul = 1LL << 30;
		break;
	default:
		return -EINVAL;
	}
	if (*end) {
		end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			return -EINVAL;
	}
	/* Less than one byte ("0.5", "0.0000001") is 0, which means "no limit": refuse it. */
	if (v <= 0 || v * mul > 9e18 || (long long)(v * mul) < 1)
		return -EINVAL;
	*ret = (long long)(v * mul);
	return 0;
}

/* RFC 1123 host names, as runc and Kubernetes check them: dot-separated labels of
 * letters, digits and '-', neither starting nor ending with '-'. */
bool rt_hostname_valid(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > RT_HOSTNAME_MAX)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (s[i] == '.' || s[i] == '\0') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && (s[i] != '-' || label == 0))
			return false;
		label++;
	}
	return true;
}

int rt_random_id(char buf[RT_ID_LEN + 1])
{
	unsigned char raw[RT_ID_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		sprintf(buf + 2 * i, "%02x", raw[i]);
	return 0;
}

int rt_proc_stat(pid_t pid, int first, int n, unsigned long long *ret, char *ret_state)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t len;
	char *p;

	if (pid < 0 || first < 3)
		return -EINVAL;
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/stat");
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return len < 0 ? -errno : -ESRCH;
	buf[len] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')', with
	 * field 3 (state) the first. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EIO;
	if (ret_state)
		*ret_state = p[2];
	p++;
	for (int field = 3; field < first && p; field++)
		p = strchr(p + 1, ' ');
	for (int i = 0; i < n; i++) {
		if (!p || sscanf(p, " %llu", &ret[i]) != 1)
			return -EIO;
		p = strchr(p + 1, ' ');
	}
	return 0;
}

unsigned long long rt_pid_start_time(pid_t pid)
{
	unsigned long long t;
	char state;

	if (pid <= 0 || rt_proc_stat(pid, 22, 1, &t, &state) < 0)
		return 0;
	/* A zombie has finished: count it as gone. */
	return state == 'Z' || state == 'X' ? 0 : t;
}

bool rt_pid_is(pid_t pid, unsigned long long start_time)
{
	unsigned long long t = rt_pid_start_time(pid);

	return t != 0 && t == start_time;
}

bool rt_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= RT_NAME_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}
