/* Capabilities, no_new_privs and seccomp for a container's command, as Docker sets them
 * (docs/security.md, "Seccomp, capabilities, --privileged, no-new-privileges"). */
#include "security.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container.h"
#include "rt_error.h"
#include "seccomp_filter.h"

#define RT_CAP_COUNT 41 /* CAP_CHOWN .. CAP_CHECKPOINT_RESTORE (40) */

static const char *const cap_names[RT_CAP_COUNT] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

#define BIT(c) (1ULL << (c))
/* Docker's default capability set (moby's oci/caps/defaults.go). */
static const uint64_t default_caps = BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) |
				     BIT(CAP_MKNOD) | BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) |
				     BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
				     BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);

int rt_cap_from_name(const char *name)
{
	for (int i = 0; i < RT_CAP_COUNT; i++)
		if (!strcmp(cap_names[i], name))
			return i;
	return -1;
}

const char *rt_cap_name(int cap)
{
	return cap >= 0 && cap < RT_CAP_COUNT ? cap_names[cap] : NULL;
}

int rt_cap_add_to(uint64_t *mask, const char *opt, const char *name, struct nr_error *err)
{
	char up[64] = "CAP_";
	size_t off = strncasecmp(name, "CAP_", 4) ? 4 : 0, i;
	int cap;

	if (!strcasecmp(name, "ALL")) {
		*mask |= RT_CAP_ALL;
		return 0;
	}
	for (i = 0; name[i] && off + i < sizeof(up) - 1; i++)
		up[off + i] = (char)toupper((unsigned char)name[i]);
	up[off + i] = '\0';
	if (name[i] || (cap = rt_cap_from_name(up)) < 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "%s %s: unknown capability (e.g. NET_ADMIN, CAP_SYS_TIME, ALL)", opt, name);
	*mask |= BIT(cap);
	return 0;
}

/* Every capability this kernel has (/proc/sys/kernel/cap_last_cap), or this build knows. */
static uint64_t caps_all(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = RT_CAP_COUNT - 1;

	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 62)
			last = RT_CAP_COUNT - 1;
		fclose(f);
	}
	return (BIT(last) << 1) - 1;
}

/* Docker's order (moby oci/caps TweakCapabilities): --privileged is everything; --cap-add
 * ALL is everything but --cap-drop; --cap-drop ALL keeps only --cap-add; otherwise the
 * default set minus the drops plus the adds. */
static uint64_t caps_resolve(const struct run_opts *o)
{
	const struct security_opts *s = &o->sec;

	if (o->privileged)
		return caps_all();
	if (s->cap_add & RT_CAP_ALL)
		return caps_all() & ~s->cap_drop;
	if (s->cap_drop & RT_CAP_ALL)
		return caps_all() & s->cap_add;
	return ((default_caps & ~s->cap_drop) | s->cap_add) & caps_all();
}

int security_prepare(struct run_opts *o, struct nr_error *err)
{
	struct security_opts *s = &o->sec;
	int r;

	s->caps = caps_resolve(o);
	free(s->bpf);
	s->bpf = NULL;
	if (o->privileged || s->seccomp_unconfined)
		return 0;
	r = rt_seccomp_prepare(s->seccomp_profile, s->caps, &s->bpf, err);
	if (r < 0 && s->seccomp_file)
		return nr_error_wrap(err, r, "--security-opt seccomp=%s", s->seccomp_file);
	return r;
}

int security_to_record(const struct run_opts *o, struct ctr_record *rec)
{
	rec->privileged = o->privileged;
	rec->has_caps = true;
	rec->caps = o->sec.caps;
	rec->new_privileges = o->sec.new_privileges;
	rec->seccomp_unconfined = o->sec.seccomp_unconfined;
	free(rec->seccomp_profile);
	rec->seccomp_profile = NULL;
	if (o->sec.seccomp_profile && !(rec->seccomp_profile = strdup(o->sec.seccomp_profile)))
		return -ENOMEM;
	return 0;
}

/* This process's permitted set: what a privileged exec can have (as a --privileged
 * container keeps the caller's capabilities, never more: raising others is EPERM). */
static uint64_t caps_own(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return default_caps;
	return ((uint64_t)data[1].permitted << 32 | data[0].permitted) & caps_all();
}

/* A record without these keys (written before them) gets the defaults, as then. */
int security_prepare_exec(struct run_opts *o, const struct ctr_record *rec, struct nr_error *err)
{
	/* Asked of this exec (Docker's exec --privileged): every capability we hold for its process;
	 * the container's seccomp filter and no_new_privs stay (moby's execSetPlatformOpt
	 * sets only the process's capabilities). */
	bool exec_privileged = o->privileged;
	int r;

	o->privileged = rec->privileged;
	o->sec.new_privileges = rec->new_privileges;
	o->sec.seccomp_unconfined = rec->seccomp_unconfined;
	free(o->sec.seccomp_profile);
	o->sec.seccomp_profile = NULL;
	if (rec->seccomp_profile && !(o->sec.seccomp_profile = strdup(rec->seccomp_profile)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (rec->has_caps && !rec->privileged) {
		o->sec.cap_drop = RT_CAP_ALL;
		o->sec.cap_add = rec->caps;
	}
	if ((r = security_prepare(o, err)) < 0)
		return r;
	if (exec_privileged)
		o->sec.caps = caps_own();
	return 0;
}

static int caps_set(uint64_t caps, struct nr_error *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	for (int cap = 0; cap <= 63; cap++) {
		if (caps >> cap & 1)
			continue;
		/* EINVAL: the kernel does not know this capability (past CAP_LAST_CAP). */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot drop capability %d: %s", cap,
					    strerror(errno));
	}
	memset(data, 0, sizeof(data));
	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted = data[i].inheritable = (uint32_t)(caps >> (32 * i));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot set capabilities: %s", strerror(errno));
	return 0;
}

/* A filter belongs to the task and its children from then on: one load per process
 * tree.  The flag says whether this process (or the init it was forked from) has
 * loaded it already. */
static bool filter_loaded;

static int filter_load(const struct rt_seccomp_bpf *bpf, struct nr_error *err)
{
	int r;

	if (!bpf || filter_loaded)
		return 0;
	if ((r = rt_seccomp_load(bpf)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot load the seccomp filter: %s", strerror(-r));
	filter_loaded = true;
	return 0;
}

/* Loading a filter costs the kernel about half a millisecond (docs/security.md, "Cost"):
 * Docker's default profile allows everything the init and the rest of the setup do, so it
 * is loaded while the runtime still brings the network up, and the command inherits it.
 * A profile of the user's may deny what the init needs (wait4, rt_sigtimedwait), so it
 * waits for the command's own process (security_before_exec). */
int security_early(const struct run_opts *o, struct nr_error *err)
{
	return o->sec.seccomp_profile ? 0 : filter_load(o->sec.bpf, err);
}

int security_apply(const struct run_opts *o, struct nr_error *err)
{
	const struct security_opts *s = &o->sec;
	int r;

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* Without no_new_privs the kernel takes a filter only from a holder of CAP_SYS_ADMIN:
	 * load it now, before the capabilities go (the init is filtered too then, as runc's
	 * init is). */
	if (s->new_privileges && (r = filter_load(s->bpf, err)) < 0)
		return r;
	/* --privileged: the caller's capabilities, all of them, untouched. */
	if (!o->privileged && (r = caps_set(s->caps, err)) < 0)
		return r;
	if (!s->new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot set no_new_privs: %s", strerror(errno));
	return 0;
}

void security_before_exec(const struct run_opts *o)
{
	struct nr_error err = { 0 };

	if (filter_load(o->sec.bpf, &err) < 0) {
		dprintf(2, "netns-run: %s\n", err.msg);
		_exit(RT_EXIT_RUNTIME);
	}
}
