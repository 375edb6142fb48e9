/* Shared pieces of the netns-run runtime: exit statuses, the places it keeps things,
 * and small file helpers.  Each verb lives in its own file; this header is the glue. */
#ifndef NETNS_RUN_RT_H
#define NETNS_RUN_RT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

/* Docker's convention: the runtime failed; the command was found but could not run;
 * the command was not found.  Anything else is the command's own status. */
#define RT_EXIT_RUNTIME 125
#define RT_EXIT_CANNOT_EXEC 126
#define RT_EXIT_NOT_FOUND 127

#define RT_NAME_MAX 64
#define RT_ID_LEN 64

/* Where things live; every field can be moved by an environment variable so tests and
 * demos keep everything inside their sandbox (see docs/cli.md). */
struct rt_paths {
	char state_dir[256];      /* NETNS_RUN_STATE_DIR, default /var/lib/netns-run */
	char cache_dir[256];      /* NETNS_RUN_CNI_CACHE_DIR, default /var/lib/cni/results */
	char cni_path[1024];      /* NETNS_RUN_CNI_PATH, default found next to the binary */
	char conf_dirs[2][256];   /* NETNS_RUN_CONFIG_DIR (one dir) or /etc/netns-run/net.d + /etc/cni/net.d */
	const char *conf_list[3]; /* NULL-ended view of conf_dirs for cni_netconf_* */
};

const struct rt_paths *rt_paths(void);

/* <state_dir>/containers/<name>[/<file>] into buf. */
const char *rt_ctr_path(char *buf, size_t len, const char *name, const char *file);

/* Create path with mode, and its missing parents with 0755. */
int rt_mkdir_p(const char *path, mode_t mode);
/* Remove a tree without crossing into other file systems: a mount point inside is left
 * alone and the result is -EBUSY. */
int rt_rm_rf(const char *path);
/* Write buf to path (created or truncated). */
int rt_write_file(const char *path, const char *buf, mode_t mode);
/* Write through a temporary file, flushed, and rename, so readers see old or new, never
 * half; every write, flush and close is checked.  (Records: record_file.h, which also
 * survives a full disk.) */
int rt_write_file_atomic(const char *path, const char *buf, mode_t mode);
/* Open path for writing (a cgroup or proc file) and write s; -errno on failure. */
int rt_write_str(const char *path, const char *s);

/* "512m", "1g", "1048576", "64k", "1.5g" -> bytes; -EINVAL on garbage or 0. */
int rt_parse_bytes(const char *s, long long *ret);
/* A decimal number: digits with an optional fraction ("2", "0.5", ".5"); no sign, hex,
 * exponent, nan or inf.  With ret_end, the rest of s is the caller's (a unit); without,
 * nothing may follow. */
int rt_parse_decimal(const char *s, double *ret, const char **ret_end);

/* The longest host name: a DNS label's 63 (the kernel would take 64). */
#define RT_HOSTNAME_MAX 63
/* Whether s is an RFC 1123 host name (labels of [A-Za-z0-9-], not starting or ending
 * with '-'), at most RT_HOSTNAME_MAX long: no newline or space to reach /etc/hosts. */
bool rt_hostname_valid(const char *s);

/* A random 64-hex-digit id. */
int rt_random_id(char buf[RT_ID_LEN + 1]);

/* Fields first..first+n-1 of /proc/<pid>/stat (numbered as in proc(5), from 3; pid 0:
 * /proc/self) into ret, and the state letter (field 3) into ret_state unless NULL;
 * -errno on failure. */
int rt_proc_stat(pid_t pid, int first, int n, unsigned long long *ret, char *ret_state);
/* Field 22 of /proc/<pid>/stat (start time in ticks): with the pid it names a process
 * for good, surviving pid reuse.  0 when the process is gone. */
unsigned long long rt_pid_start_time(pid_t pid);
/* Whether pid is alive and still the process that started at start_time. */
bool rt_pid_is(pid_t pid, unsigned long long start_time);

/* Whether s is a valid container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most RT_NAME_MAX-1). */
bool rt_name_valid(const char *s);

#endif
