/* Compiled filters, cached: building Docker's default profile with libseccomp costs
 * milliseconds on every start, reading its BPF back tens of microseconds (docs/security.md,
 * "Cost").  An entry is <state_dir>/seccomp/<fnv64 of its key>.bpf holding its whole key
 * (the profile's text, the capabilities, the arch, the kernel's version, libseccomp's
 * version) and the program; a lookup compares the whole key, so a hash collision is a
 * miss, never a wrong filter.  Entries are written through a temporary file and renamed:
 * concurrent starts may both compile, neither reads half a file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "rt.h"
#include "rt_error.h"
#include "seccomp_filter.h"

#define CACHE_MAGIC "netns-run seccomp cache 1\n"
/* Entries kept: one per profile and capability set in use (~22 kB each for Docker's). */
#define CACHE_MAX 64

/* The key's text: everything the program depends on, the profile last. */
static char *cache_key(const char *text, const struct rt_seccomp_env *env, size_t *ret_len)
{
	const struct scmp_version *v = seccomp_version();
	char *key = NULL;
	int n = asprintf(&key, CACHE_MAGIC "arch %u kernel %d.%d caps %llx libseccomp %u.%u.%u\n%s", env->arch,
			 env->kmaj, env->kmin, (unsigned long long)env->caps, v ? v->major : 0, v ? v->minor : 0,
			 v ? v->micro : 0, text);
	if (n < 0)
		return NULL;
	*ret_len = (size_t)n;
	return key;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* The entry at path when its key is key: the program; NULL otherwise. */
static struct rt_seccomp_bpf *cache_read(const char *path, const char *key, size_t key_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct rt_seccomp_bpf *prog;
	struct stat st;
	size_t body;

	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size <= key_len || st.st_size > (1 << 22))
		return NULL;
	body = (size_t)st.st_size - key_len;
	if (body % sizeof(struct sock_filter) || body / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return NULL;
	buf = malloc((size_t)st.st_size);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size || memcmp(buf, key, key_len))
		return NULL;
	prog = malloc(sizeof(*prog) + body);
	if (!prog)
		return NULL;
	prog->n = (unsigned short)(body / sizeof(struct sock_filter));
	memcpy(prog->insn, buf + key_len, body);
	return prog;
}

struct entry {
	char name[32];
	struct timespec mtime;
};

static int entry_older(const void *a, const void *b)
{
	const struct timespec *x = &((const struct entry *)a)->mtime, *y = &((const struct entry *)b)->mtime;
	return x->tv_sec != y->tv_sec ? (x->tv_sec < y->tv_sec ? -1 : 1)
				      : (x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec);
}

/* After a miss: keep the newest CACHE_MAX entries, so distinct capability sets and profiles
 * cannot grow the directory without bound.  A removed entry only costs a compile. */
static void cache_prune(const char *dir)
{
	struct entry e[CACHE_MAX * 2];
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && n < sizeof(e) / sizeof(e[0])) {
		struct stat st;
		size_t len = strlen(de->d_name);
		if (len < 5 || len >= sizeof(e[n].name) || strcmp(de->d_name + len - 4, ".bpf") ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		memcpy(e[n].name, de->d_name, len + 1);
		e[n++].mtime = st.st_mtim;
	}
	if (n > CACHE_MAX) {
		qsort(e, n, sizeof(e[0]), entry_older);
		for (size_t i = 0; i < n - CACHE_MAX; i++)
			unlinkat(dirfd(d), e[i].name, 0);
	}
	closedir(d);
}

/* Best effort: a cache that cannot be written only costs the next start a compile. */
static void cache_write(const char *dir, const char *path, const char *key, size_t key_len,
			const struct rt_seccomp_bpf *prog)
{
	char tmp[600];
	size_t body = prog->n * sizeof(struct sock_filter);
	int fd;

	if (rt_mkdir_p(dir, 0700) < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	bool ok = write(fd, key, key_len) == (ssize_t)key_len && write(fd, prog->insn, body) == (ssize_t)body;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return;
	}
	cache_prune(dir);
}

int rt_seccomp_prepare(const char *text, uint64_t caps, struct rt_seccomp_bpf **ret, struct nr_error *err)
{
	struct rt_seccomp_env env;
	char dir[300], path[600];
	_cleanup_free_ char *key = NULL;
	size_t key_len = 0, text_off;
	int r;

	if (!text)
		text = rt_seccomp_default_json;
	rt_seccomp_env_host(caps, &env);
	if (!(key = cache_key(text, &env, &key_len)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	snprintf(dir, sizeof(dir), "%s/seccomp", rt_paths()->state_dir);
	snprintf(path, sizeof(path), "%s/%016llx.bpf", dir, (unsigned long long)fnv1a(key, key_len));
	if ((*ret = cache_read(path, key, key_len)))
		return 0;
	text_off = key_len - strlen(text);
	if ((r = rt_seccomp_compile(key + text_off, key_len - text_off, &env, ret, err)) < 0)
		return r;
	cache_write(dir, path, key, key_len, *ret);
	return 0;
}

int rt_seccomp_load(const struct rt_seccomp_bpf *prog)
{
	struct sock_fprog fp = { .len = prog->n, .filter = (struct sock_filter *)prog->insn };

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
		return -errno;
	return 0;
}
