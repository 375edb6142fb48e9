/* Docker's seccomp profile format compiled with libseccomp.  The format's facts come from
 * moby's profiles/seccomp (types and setupSeccomp) and runc's libcontainer/seccomp (how
 * actions, operators and repeated argument indexes become libseccomp rules); the code is
 * ours.  One pass over the JSON: each rule is checked, its conditions decided for the
 * environment, and added to the filter; the filter is exported as BPF at the end. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "rt_error.h"
#include "seccomp_filter.h"
#include "security.h"

#define WHAT "seccomp profile"

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int bad(struct nr_error *err, const char *fmt, const char *a, const char *b)
{
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, WHAT ": %s%s%s", fmt, a ? a : "", b ? b : "");
}

static const struct {
	const char *name;
	uint32_t action; /* ERRNO and TRACE get their return code later */
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
};

/* name and an errno-like return (errno_ret: -1 = not given) into a libseccomp action.
 * ERRNO and TRACE default to EPERM, as runc's do. */
static int action_parse(const char *name, long long errno_ret, uint32_t *ret, struct nr_error *err)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, name))
			continue;
		uint32_t a = actions[i].action;
		/* Other actions ignore an errnoRet, as runc's do. */
		if (a == SCMP_ACT_ERRNO(0) || a == SCMP_ACT_TRACE(0))
			a |= (uint32_t)(errno_ret >= 0 ? errno_ret : EPERM);
		*ret = a;
		return 0;
	}
	if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return bad(err, "SCMP_ACT_NOTIFY is not supported (netns-run has no seccomp agent)", NULL, NULL);
	return bad(err, "unknown action \"", name, "\"");
}

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64 through libseccomp's own names ("x86_64"). */
static int arch_parse(const char *name, uint32_t *ret, struct nr_error *err)
{
	char low[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) || strlen(name + 10) >= sizeof(low))
		return bad(err, "unknown architecture \"", name, "\"");
	for (i = 0; name[10 + i]; i++)
		low[i] = (char)tolower((unsigned char)name[10 + i]);
	low[i] = '\0';
	*ret = seccomp_arch_resolve_name(low);
	return *ret ? 0 : bad(err, "unknown architecture \"", name, "\"");
}

/* The token moby compares includes/excludes "arches" with (Go's GOARCH, as moby spells it). */
static const char *arch_token(uint32_t arch)
{
	switch (arch) {
	case SCMP_ARCH_X86_64:
		return "amd64";
	case SCMP_ARCH_X86:
		return "x86";
	case SCMP_ARCH_X32:
		return "x32";
	case SCMP_ARCH_AARCH64:
		return "arm64";
	case SCMP_ARCH_ARM:
		return "arm";
	case SCMP_ARCH_PPC64LE:
		return "ppc64le";
	case SCMP_ARCH_PPC64:
		return "ppc64";
	case SCMP_ARCH_S390X:
		return "s390x";
	case SCMP_ARCH_S390:
		return "s390";
	case SCMP_ARCH_RISCV64:
		return "riscv64";
	default:
		return "";
	}
}

/* An array of strings (null = empty, as Go's nil slice); each visited. */
static int strings_each(json_t *obj, const char *key, int (*fn)(const char *s, void *ctx), void *ctx,
			struct nr_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r;

	if ((r = jfield_array(obj, key, WHAT, &arr, err)) < 0 || !arr)
		return r;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return bad(err, "'", key, "' must be an array of strings");
		if ((r = fn(json_string_value(v), ctx)) != 0)
			return r;
	}
	return 0;
}

/* "4.8" -> 4, 8 (moby accepts MAJOR.MINOR only). */
static int kernel_parse(const char *s, int *maj, int *min, struct nr_error *err)
{
	char tail;

	if (sscanf(s, "%d.%d%c", maj, min, &tail) != 2 || *maj < 0 || *min < 0 || !isdigit((unsigned char)s[0]))
		return bad(err, "minKernel must be MAJOR.MINOR, not \"", s, "\"");
	return 0;
}

struct cond_ctx {
	const struct rt_seccomp_env *env;
	bool any; /* some entry matched */
	bool all; /* every entry matched */
	int n;
	struct nr_error *err;
};

static int cap_seen(const char *s, void *arg)
{
	struct cond_ctx *c = arg;
	int cap = rt_cap_from_name(s);
	bool have = cap >= 0 && (c->env->caps >> cap & 1);

	c->any = c->any || have;
	c->all = c->all && have;
	c->n++;
	return 0;
}

static int arch_seen(const char *s, void *arg)
{
	struct cond_ctx *c = arg;
	bool have = !strcmp(s, arch_token(c->env->arch));

	c->any = c->any || have;
	c->n++;
	return 0;
}

/* includes: every condition holds (all its caps, one of its arches, kernel >= minKernel);
 * excludes: any part holds (one of its caps or arches, kernel >= minKernel).  As moby's
 * setupSeccomp decides them. */
static int filter_cond(json_t *rule, const char *key, const struct rt_seccomp_env *env, bool *ret, struct nr_error *err)
{
	json_t *o = NULL;
	const char *kern = NULL;
	int r, maj, min;
	bool includes = !strcmp(key, "includes");

	*ret = includes;
	if ((r = jfield_object(rule, key, WHAT, false, &o, err)) < 0 || !o)
		return r;
	struct cond_ctx caps = { .env = env, .all = true, .err = err }, arches = { .env = env, .err = err };
	if ((r = strings_each(o, "caps", cap_seen, &caps, err)) < 0 ||
	    (r = strings_each(o, "arches", arch_seen, &arches, err)) < 0 ||
	    (r = jfield_string(o, "minKernel", WHAT, false, &kern, err)) < 0)
		return r;
	if (kern && *kern && (r = kernel_parse(kern, &maj, &min, err)) < 0)
		return r;
	bool kernel_ok = !kern || !*kern || env->kmaj > maj || (env->kmaj == maj && env->kmin >= min);
	if (includes)
		*ret = (caps.n == 0 || caps.all) && (arches.n == 0 || arches.any) && kernel_ok;
	else
		*ret = (caps.n && caps.any) || (arches.n && arches.any) || (kern && *kern && kernel_ok);
	return 0;
}

static int arg_parse(json_t *a, struct scmp_arg_cmp *ret, struct nr_error *err)
{
	long long index = -1, value = 0, value2 = 0;
	const char *op = NULL;
	int r;

	if (!json_is_object(a))
		return bad(err, "'args' must be an array of objects", NULL, NULL);
	if ((r = jfield_int(a, "index", WHAT, 0, 5, &index, err)) < 0 ||
	    (r = jfield_int(a, "value", WHAT, 0, LLONG_MAX, &value, err)) < 0 ||
	    (r = jfield_int(a, "valueTwo", WHAT, 0, LLONG_MAX, &value2, err)) < 0 ||
	    (r = jfield_string(a, "op", WHAT, true, &op, err)) < 0)
		return r;
	if (index < 0)
		return bad(err, "an argument has no 'index'", NULL, NULL);
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		if (!strcmp(operators[i].name, op)) {
			*ret = (struct scmp_arg_cmp){ .arg = (unsigned int)index,
						      .op = operators[i].op,
						      .datum_a = (scmp_datum_t)value,
						      .datum_b = (scmp_datum_t)value2 };
			return 0;
		}
	return bad(err, "unknown operator \"", op, "\"");
}

static int name_checked(const char *name, void *arg)
{
	return 0;
}

struct rule {
	scmp_filter_ctx ctx;
	uint32_t action;
	struct scmp_arg_cmp args[6];
	unsigned int n_args;
	bool same_index; /* two conditions on one argument: one rule each (runc's way) */
	struct nr_error *err;
};

static int rule_add_name(const char *name, void *arg)
{
	struct rule *ru = arg;
	int nr = seccomp_syscall_resolve_name(name), r = 0;

	/* Not a system call libseccomp knows (for any arch it has): skipped, as runc does, so a
	 * profile naming newer calls still loads. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	if (!ru->same_index)
		r = seccomp_rule_add_array(ru->ctx, ru->action, nr, ru->n_args, ru->args);
	else
		for (unsigned int i = 0; i < ru->n_args && r == 0; i++)
			r = seccomp_rule_add_array(ru->ctx, ru->action, nr, 1, &ru->args[i]);
	if (r < 0)
		return nr_error_set(ru->err, RT_ERR_USAGE, -r, WHAT ": cannot add a rule for %s: %s", name,
				    strerror(-r));
	return 0;
}

static int rule_add(scmp_filter_ctx ctx, uint32_t def_action, json_t *rule, const struct rt_seccomp_env *env,
		    struct nr_error *err)
{
	struct rule ru = { .ctx = ctx, .err = err };
	const char *action = NULL, *name = NULL;
	long long errno_ret = -1;
	json_t *args = NULL, *a, *names = NULL;
	bool inc, exc;
	size_t i;
	int r;

	if (!json_is_object(rule))
		return bad(err, "'syscalls' must be an array of objects", NULL, NULL);
	if ((r = jfield_string(rule, "action", WHAT, true, &action, err)) < 0 ||
	    (r = jfield_int(rule, "errnoRet", WHAT, 0, 65535, &errno_ret, err)) < 0 ||
	    (r = jfield_string(rule, "name", WHAT, false, &name, err)) < 0 ||
	    (r = jfield_array(rule, "names", WHAT, &names, err)) < 0 ||
	    (r = jfield_array(rule, "args", WHAT, &args, err)) < 0 ||
	    (r = filter_cond(rule, "includes", env, &inc, err)) < 0 ||
	    (r = filter_cond(rule, "excludes", env, &exc, err)) < 0 ||
	    (r = action_parse(action, errno_ret, &ru.action, err)) < 0)
		return r;
	if (name && *name && names && json_array_size(names))
		return bad(err, "a rule has both 'name' and 'names' (", name, ")");
	json_array_foreach(args, i, a) {
		if (i >= 6)
			return bad(err, "a rule has more than 6 'args'", NULL, NULL);
		if ((r = arg_parse(a, &ru.args[i], err)) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			ru.same_index = ru.same_index || ru.args[j].arg == ru.args[i].arg;
		ru.n_args++;
	}
	/* Rules the environment leaves out, and rules that only repeat the default action
	 * (libseccomp refuses those), add nothing; their syntax was still checked. */
	if (!inc || exc || ru.action == def_action)
		return strings_each(rule, "names", name_checked, NULL, err);
	if (name && *name && (r = rule_add_name(name, &ru)) < 0)
		return r;
	return strings_each(rule, "names", rule_add_name, &ru, err);
}

/* The architectures: "architectures", or the "archMap" entry of this machine with its
 * sub-architectures (both given is an error, as in moby). */
static int arches_add(scmp_filter_ctx ctx, json_t *prof, uint32_t native, struct nr_error *err)
{
	json_t *list = NULL, *map = NULL, *v;
	size_t i;
	uint32_t a;
	int r;

	if ((r = jfield_array(prof, "architectures", WHAT, &list, err)) < 0 ||
	    (r = jfield_array(prof, "archMap", WHAT, &map, err)) < 0)
		return r;
	if (json_array_size(list) && json_array_size(map))
		return bad(err, "'architectures' and 'archMap' must not both be given", NULL, NULL);
	json_array_foreach(list, i, v) {
		if (!json_is_string(v))
			return bad(err, "'architectures' must be an array of strings", NULL, NULL);
		if ((r = arch_parse(json_string_value(v), &a, err)) < 0)
			return r;
		if (a != native && (r = seccomp_arch_add(ctx, a)) < 0 && r != -EEXIST)
			return nr_error_set(err, RT_ERR_USAGE, -r, WHAT ": cannot add architecture %s: %s",
					    json_string_value(v), strerror(-r));
	}
	json_array_foreach(map, i, v) {
		const char *name = NULL;
		json_t *sub = NULL, *s;
		size_t j;

		if (!json_is_object(v))
			return bad(err, "'archMap' must be an array of objects", NULL, NULL);
		if ((r = jfield_string(v, "architecture", WHAT, true, &name, err)) < 0 ||
		    (r = arch_parse(name, &a, err)) < 0 ||
		    (r = jfield_array(v, "subArchitectures", WHAT, &sub, err)) < 0)
			return r;
		json_array_foreach(sub, j, s) {
			uint32_t sa;
			if (!json_is_string(s))
				return bad(err, "'subArchitectures' must be an array of strings", NULL, NULL);
			if ((r = arch_parse(json_string_value(s), &sa, err)) < 0)
				return r;
			if (a != native || sa == native)
				continue;
			if ((r = seccomp_arch_add(ctx, sa)) < 0 && r != -EEXIST)
				return nr_error_set(err, RT_ERR_USAGE, -r, WHAT ": cannot add architecture %s: %s",
						    json_string_value(s), strerror(-r));
		}
	}
	return 0;
}

/* libseccomp 2.5 exports to a descriptor only: a memfd, read back. */
static int export_bpf(scmp_filter_ctx ctx, struct rt_seccomp_bpf **ret, struct nr_error *err)
{
	_cleanup_close_ int fd = memfd_create("netns-run-seccomp", MFD_CLOEXEC);
	struct rt_seccomp_bpf *prog;
	off_t size;
	int r;

	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "memfd_create: %s", strerror(errno));
	if ((r = seccomp_export_bpf(ctx, fd)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot export the seccomp filter: %s", strerror(-r));
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) || size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return nr_error_set(err, RT_ERR_USAGE, E2BIG,
				    WHAT ": the filter has %lld bytes; the kernel takes %d instructions at most",
				    (long long)size, BPF_MAXINSNS);
	prog = malloc(sizeof(*prog) + (size_t)size);
	if (!prog)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	prog->n = (unsigned short)(size / sizeof(struct sock_filter));
	if (pread(fd, prog->insn, (size_t)size, 0) != size) {
		free(prog);
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "cannot read the seccomp filter back");
	}
	*ret = prog;
	return 0;
}

int rt_seccomp_compile(const char *text, size_t len, const struct rt_seccomp_env *env, struct rt_seccomp_bpf **ret,
		       struct nr_error *err)
{
	_cleanup_json_ json_t *prof = NULL;
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
	const char *def = NULL;
	long long def_errno = -1;
	uint32_t def_action;
	json_t *rules = NULL, *rule;
	json_error_t jerr;
	size_t i;
	int r;

	prof = json_loadb(text, len, 0, &jerr);
	if (!prof)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, WHAT ": not valid JSON: %s (line %d, column %d)",
				    jerr.text, jerr.line, jerr.column);
	if (!json_is_object(prof))
		return bad(err, "must be a JSON object", NULL, NULL);
	if ((r = jfield_string(prof, "defaultAction", WHAT, true, &def, err)) < 0 ||
	    (r = jfield_int(prof, "defaultErrnoRet", WHAT, 0, 65535, &def_errno, err)) < 0 ||
	    (r = action_parse(def, def_errno, &def_action, err)) < 0 ||
	    (r = jfield_array(prof, "syscalls", WHAT, &rules, err)) < 0)
		return r;
	ctx = seccomp_init(def_action);
	if (!ctx)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "cannot create a seccomp filter");
	/* A binary tree of system calls: the filter runs on every system call the container
	 * makes, and a profile allows hundreds. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if ((r = arches_add(ctx, prof, env->arch, err)) < 0)
		return r;
	json_array_foreach(rules, i, rule)
		if ((r = rule_add(ctx, def_action, rule, env, err)) < 0)
			return r;
	return export_bpf(ctx, ret, err);
}

void rt_seccomp_env_host(uint64_t caps, struct rt_seccomp_env *ret)
{
	struct utsname u;

	*ret = (struct rt_seccomp_env){ .caps = caps, .arch = seccomp_arch_native() };
	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &ret->kmaj, &ret->kmin) != 2)
		ret->kmaj = ret->kmin = 0;
}
