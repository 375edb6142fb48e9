/* Seccomp filters in Docker's profile format (docs/security.md, "Seccomp, capabilities,
 * --privileged, no-new-privileges"): a profile's JSON text compiled with libseccomp for
 * one machine and capability set into a classic BPF program, cached by what it depends
 * on, and loaded into the process about to exec the command. */
#ifndef NETNS_RUN_SECCOMP_FILTER_H
#define NETNS_RUN_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Docker's default profile (moby profiles/seccomp/default.json), embedded at build time
 * from runtime/engine/seccomp_default.json; NUL-terminated. */
extern const char rt_seccomp_default_json[];

/* What a profile's conditional rules (includes/excludes) are decided on. */
struct rt_seccomp_env {
	uint64_t caps;  /* the command's capabilities, bit N = capability N */
	uint32_t arch;  /* libseccomp's SCMP_ARCH_* of this machine */
	int kmaj, kmin; /* the running kernel's version, for minKernel */
};

/* A compiled filter: n instructions. */
struct rt_seccomp_bpf {
	unsigned short n;
	struct sock_filter insn[];
};

/* This machine: native arch and kernel version, with caps. */
void rt_seccomp_env_host(uint64_t caps, struct rt_seccomp_env *ret);

/* Compile profile text (len bytes, need not be NUL-terminated) for env.  A bad profile
 * (bad JSON, a wrong type, an unknown action, operator or architecture, an argument
 * index past 5, name and names both given) is RT_ERR_USAGE with a message naming what;
 * syscall names libseccomp does not know are skipped, as Docker (runc) does. */
int rt_seccomp_compile(const char *text, size_t len, const struct rt_seccomp_env *env, struct rt_seccomp_bpf **ret,
		       struct nr_error *err);

/* The same through the cache in <state_dir>/seccomp (seccomp_cache.c): the program for
 * (text, caps, this machine) is compiled once and read back afterwards.  text NULL: the
 * default profile. */
int rt_seccomp_prepare(const char *text, uint64_t caps, struct rt_seccomp_bpf **ret, struct nr_error *err);

/* Install prog on the calling thread (seccomp(SECCOMP_SET_MODE_FILTER)); -errno.  Needs
 * no_new_privs or CAP_SYS_ADMIN. */
int rt_seccomp_load(const struct rt_seccomp_bpf *prog);

#endif
