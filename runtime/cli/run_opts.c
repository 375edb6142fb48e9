/* `netns-run run` options, parsed with getopt_long in Docker's spelling. */
#include "cli/run_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/json_field.h"
#include "engine/image_run.h"
#include "engine/net.h"
#include "engine/net_opts.h"
#include "engine/ports.h"
#include "engine/rt_error.h"
#include "engine/security.h"
#include "engine/volume_spec.h"

static const char run_usage[] =
	"Usage: netns-run run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	"       netns-run run [OPTIONS] -- COMMAND [ARG...]\n"
	"       netns-run OPTION... [--] ...   (run, when the first word is an option or --)\n"
	"\n"
	"Run a command in new pid, mount, uts, ipc, net and cgroup namespaces, on an overlay of\n"
	"IMAGE's layers (its Entrypoint, Cmd, Env, WorkingDir and User applied, COMMAND replacing\n"
	"Cmd), or after -- on the host's / (or --rootfs layers), networked through CNI plugins.\n"
	"The first word after the options is IMAGE when it names a local image, or when it is\n"
	"written as a reference (NAME:TAG, NAME@DIGEST, REPO/NAME) -- then it must exist; any\n"
	"other word is the command on the host's / (docs/cli.md, \"Images\").\n"
	"\n"
	"Options:\n"
	"      --name NAME          container name (default: the first 12 digits of its id)\n"
	"      --hostname NAME      host name inside (default: the container name)\n"
	"      --net, --network NET bridge (default) | none | host | container:NAME | a CNI network name;\n"
	"                           repeat it for more networks (eth1, eth2 ...; CNI networks only), or\n"
	"                           name=NET,alias=A,ip=IP,ip6=IP,mac-address=MAC for one network's own\n"
	"      --ip IP, --ip6 IP    the first network's address (its IPAM must offer it; the plugins\n"
	"                           must declare the \"ips\" capability, as the built-in bridge does)\n"
	"      --mac-address MAC    the first network's interface MAC (the \"mac\" capability)\n"
	"      --network-alias NAME a name the first network's DNS answers for it (repeatable)\n"
	"  -p, --publish SPEC       [HOSTIP:]HOSTPORT[-END]:CONTPORT[-END][/tcp|udp|sctp], passed to\n"
	"                           the plugins as the portMappings capability (repeatable)\n"
	"  -P, --publish-all        each port IMAGE exposes on a free host port (see -p)\n"
	"      --entrypoint CMD     run CMD instead of IMAGE's Entrypoint (\"\" for none); IMAGE's\n"
	"                           Cmd is then not used\n"
	"      --rootfs DIR         a read-only lower layer, top first (repeatable; default /; not\n"
	"                           with IMAGE)\n"
	"      --read-only          mount the container's root read-only\n"
	"  -v, --volume HOST:CONT[:ro|:rw]  bind-mount HOST at CONT (repeatable)\n"
	"  -e, --env K=V | K        set a variable (K alone copies it from here; repeatable)\n"
	"  -w, --workdir DIR        working directory inside (created when missing)\n"
	"  -u, --user UID[:GID]     run COMMAND as this user (a number or a name in the container)\n"
	"  -m, --memory BYTES       memory limit (k, m, g suffixes); exceeding it is an OOM kill (137)\n"
	"      --cpus N             CPU limit, e.g. 0.5 or 2\n"
	"      --pids-limit N       at most N tasks (at least 2: the init and the command)\n"
	"      --io-weight N        block I/O weight, 10..1000\n"
	"      --cap-add CAP        add a capability (NET_ADMIN or CAP_NET_ADMIN, ALL; repeatable)\n"
	"      --cap-drop CAP       drop one of Docker's default 14 (or ALL; repeatable)\n"
	"      --privileged         every capability, no seccomp filter, no masked paths\n"
	"      --security-opt OPT   seccomp=unconfined | seccomp=FILE (Docker's JSON profile\n"
	"                           format; default: Docker's default profile) |\n"
	"                           no-new-privileges=false (setuid programs work inside)\n"
	"      --userns BASE[:N]    a user namespace: container ids 0..N-1 (default 65536) are host\n"
	"                           ids BASE.., so its root is unprivileged on the host\n"
	"  -d, --detach             start in the background and print the name\n"
	"  -i, --interactive        keep stdin open: the caller's stdin reaches COMMAND (else /dev/null)\n"
	"  -t, --tty                run COMMAND on a terminal: a pty in the container\n"
	"      --log-opt K=V        -d's log: max-size=SIZE (default 10m), max-file=N (default 1)\n"
	"      --rm                 remove the container and its writable layer when it exits\n"
	"  -h, --help               this help\n"
	"\n"
	"Exit status: COMMAND's own (128+N when killed by signal N), 125 when netns-run itself\n"
	"failed, 126 when COMMAND cannot be run, 127 when it is not found.\n";

static int parse_long(const char *opt, const char *s, long long min, long long max, long long *ret,
		      struct nr_error *err)
{
	char *end;

	errno = 0;
	*ret = strtoll(s, &end, 10);
	if (errno || end == s || *end || *ret < min || *ret > max)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s %s: expected a number from %lld to %lld", opt, s,
				    min, max);
	return 0;
}

enum {
	OPT_NAME = 1000,
	OPT_HOSTNAME,
	OPT_NET,
	OPT_ROOTFS,
	OPT_RO,
	OPT_CPUS,
	OPT_PIDS,
	OPT_IOW,
	OPT_RM,
	OPT_USERNS,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_SECURITY_OPT,
	OPT_LOG,
	OPT_ENTRYPOINT,
	OPT_IP,
	OPT_IP6,
	OPT_MAC,
	OPT_ALIAS,
};

static int parse_userns(const char *s, struct run_opts *o, struct nr_error *err)
{
	char *end;

	errno = 0;
	o->userns_base = strtoul(s, &end, 10);
	o->userns_count = 65536;
	if (!errno && end != s && *end == ':') {
		const char *p = end + 1;
		o->userns_count = strtoul(p, &end, 10);
		if (end == p)
			end = (char *)"x";
	}
	if (errno || end == s || *end || o->userns_base < 1 || o->userns_count < 1 ||
	    o->userns_base + o->userns_count > 4294967295UL)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--userns %s: expected BASE[:COUNT], host ids from 1 to 2^32-2", s);
	return 0;
}

static const struct option run_longopts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "net", required_argument, NULL, OPT_NET },
	{ "network", required_argument, NULL, OPT_NET },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "ip6", required_argument, NULL, OPT_IP6 },
	{ "mac-address", required_argument, NULL, OPT_MAC },
	{ "network-alias", required_argument, NULL, OPT_ALIAS },
	{ "net-alias", required_argument, NULL, OPT_ALIAS },
	{ "publish", required_argument, NULL, 'p' },
	{ "publish-all", no_argument, NULL, 'P' },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "read-only", no_argument, NULL, OPT_RO },
	{ "volume", required_argument, NULL, 'v' },
	{ "env", required_argument, NULL, 'e' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "memory", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "pids-limit", required_argument, NULL, OPT_PIDS },
	{ "io-weight", required_argument, NULL, OPT_IOW },
	{ "detach", no_argument, NULL, 'd' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "tty", no_argument, NULL, 't' },
	{ "rm", no_argument, NULL, OPT_RM },
	{ "userns", required_argument, NULL, OPT_USERNS },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "privileged", no_argument, NULL, OPT_PRIVILEGED },
	{ "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
	{ "log-opt", required_argument, NULL, OPT_LOG },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

#define ARRAY_FULL(o, field, n) ((o)->n == sizeof((o)->field) / sizeof((o)->field[0]))

static int opt_name(struct run_opts *o, const char *arg, struct nr_error *err)
{
	if (!rt_name_valid(arg))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--name %s: use letters, digits, '_', '.', '-' (starting with a letter or digit), at "
				    "most %d",
				    arg, RT_NAME_MAX - 1);
	snprintf(o->name, sizeof(o->name), "%s", arg);
	return 0;
}

/* -p: appended to *ports, the portMappings capability so far. */
static int opt_publish(json_t **ports, const char *arg, struct nr_error *err)
{
	if (!*ports && !(*ports = json_array()))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	return parse_port_spec(arg, *ports, err);
}

static int opt_env(struct run_opts *o, const char *arg, struct nr_error *err)
{
	if (ARRAY_FULL(o, env, n_env))
		return nr_error_set(err, RT_ERR_USAGE, E2BIG, "too many -e");
	if (!*arg || *arg == '=')
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-e %s: expected K=V or K", arg);
	o->env[o->n_env++] = arg;
	return 0;
}

static int opt_cpus(struct run_opts *o, const char *arg, struct nr_error *err)
{
	if (rt_parse_decimal(arg, &o->cpus, NULL) < 0 || o->cpus < 0.01 || o->cpus > 1024)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--cpus %s: expected a decimal number from 0.01 to 1024, e.g. 0.5 or 2", arg);
	return 0;
}

/* seccomp=FILE: read here, so a missing file fails before anything is made; the text is
 * compiled (and checked) by security_prepare. */
static int seccomp_file_read(struct security_opts *s, const char *path, struct nr_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL;
	size_t len = 0;
	int r;

	r = fd < 0 ? -errno : fd_read_all(fd, 1 << 22, &text, &len);
	if (r < 0)
		return nr_error_set(err, RT_ERR_USAGE, -r, "--security-opt seccomp=%s: cannot read the profile: %s",
				    path, strerror(-r));
	if (strlen(text) != len) {
		free(text);
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--security-opt seccomp=%s: the profile holds a NUL byte", path);
	}
	free(s->seccomp_profile);
	s->seccomp_profile = text;
	s->seccomp_file = path;
	s->seccomp_unconfined = false;
	return 0;
}

/* Docker's spellings: KEY=VALUE, or the older KEY:VALUE; no-new-privileges alone is true. */
static int opt_security(struct security_opts *s, const char *arg, struct nr_error *err)
{
	size_t k = strcspn(arg, "=:");
	const char *v = arg[k] ? arg + k + 1 : NULL;

	if (k == 7 && !strncmp(arg, "seccomp", 7) && v && *v) {
		if (strcmp(v, "unconfined"))
			return seccomp_file_read(s, v, err);
		free(s->seccomp_profile);
		s->seccomp_profile = NULL;
		s->seccomp_unconfined = true;
		return 0;
	}
	if (k == 17 && !strncmp(arg, "no-new-privileges", 17) && (!v || !strcmp(v, "true") || !strcmp(v, "false"))) {
		s->new_privileges = v && !strcmp(v, "false");
		return 0;
	}
	return nr_error_set(err, RT_ERR_USAGE, EINVAL,
			    "--security-opt %s: expected seccomp=unconfined, seccomp=FILE or no-new-privileges[=true|false]",
			    arg);
}

/* A container's tasks: its init and the command, so fewer than 2 can never start. */
static int opt_pids(struct run_opts *o, const char *arg, struct nr_error *err)
{
	int r = parse_long("--pids-limit", arg, 1, 4194304, &o->pids, err);

	if (r >= 0 && o->pids < 2)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--pids-limit %s: a container needs at least 2 tasks (its init and the command)",
				    arg);
	return r;
}

static int opt_hostname(struct run_opts *o, const char *arg, struct nr_error *err)
{
	/* The value itself is not repeated: it may hold the newline this refuses. */
	if (!rt_hostname_valid(arg))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--hostname: expected a host name (RFC 1123): letters, digits and '-' in labels "
				    "separated by '.', a label neither starting nor ending with '-', at most %d characters",
				    RT_HOSTNAME_MAX);
	o->hostname = arg;
	return 0;
}

/* Docker's json-file options that mean something here: max-size (default 10m, so one
 * noisy container cannot fill the disk) and max-file (default 1, as Docker's). */
static int opt_log(struct run_opts *o, const char *arg, struct nr_error *err)
{
	const char *eq = strchr(arg, '=');
	long long v;

	if (eq && !strncmp(arg, "max-size=", 9)) {
		if (rt_parse_bytes(eq + 1, &v) < 0 || v < 4096)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "--log-opt %s: max-size expects a size of at least 4k, e.g. 10m", arg);
		o->log_max_size = v;
		return 0;
	}
	if (eq && !strncmp(arg, "max-file=", 9)) {
		int r = parse_long("--log-opt max-file", eq + 1, 1, 100, &v, err);
		o->log_max_files = (int)v;
		return r;
	}
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "--log-opt %s: expected max-size=SIZE or max-file=N", arg);
}

/* Options that set a field of o; the rest (help, errors) are run_opts_parse's. */
/* --network, repeated: one endpoint each. */
static int opt_network(struct run_opts *o, char *arg, struct nr_error *err)
{
	if (ARRAY_FULL(o, nets, n_nets))
		return nr_error_set(err, RT_ERR_USAGE, E2BIG, "too many --network (at most %d)", RT_NETWORKS_MAX);
	int r = net_opts_parse_network(arg, &o->nets[o->n_nets], err);
	if (r >= 0)
		o->n_nets++;
	return r;
}

/* Options that set a field of o (or flags: --ip, --ip6, --mac-address and
 * --network-alias, for the first network once all are seen); the rest (help, errors) are
 * run_opts_parse's. */
static int opt_apply(struct run_opts *o, json_t **ports, struct net_endpoint_opts *flags, int c, char *arg,
		     struct nr_error *err)
{
	long long v;
	int r;

	switch (c) {
	case OPT_NAME:
		return opt_name(o, arg, err);
	case OPT_HOSTNAME:
		return opt_hostname(o, arg, err);
	case OPT_NET:
		return opt_network(o, arg, err);
	case OPT_IP:
		return net_opts_set_ip(flags, "--ip", arg, err);
	case OPT_IP6:
		return net_opts_set_ip6(flags, "--ip6", arg, err);
	case OPT_MAC:
		return net_opts_set_mac(flags, "--mac-address", arg, err);
	case OPT_ALIAS:
		return net_opts_add_alias(flags, "--network-alias", arg, err);
	case 'p':
		return opt_publish(ports, arg, err);
	case 'P':
		o->publish_all = true;
		return 0;
	case OPT_ENTRYPOINT:
		o->entrypoint = arg;
		return 0;
	case OPT_ROOTFS:
		if (ARRAY_FULL(o, rootfs, n_rootfs))
			return nr_error_set(err, RT_ERR_USAGE, E2BIG, "too many --rootfs layers (at most %d)",
					    RT_LAYERS_MAX);
		o->rootfs[o->n_rootfs++] = arg;
		return 0;
	case OPT_RO:
		o->read_only = true;
		return 0;
	case 'v':
		if (ARRAY_FULL(o, vols, n_vols))
			return nr_error_set(err, RT_ERR_USAGE, E2BIG, "too many volumes");
		if ((r = volume_spec_parse(arg, &o->vols[o->n_vols], err)) < 0)
			return r;
		o->n_vols++;
		return 0;
	case 'e':
		return opt_env(o, arg, err);
	case 'w':
		if (arg[0] != '/')
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-w %s: must be absolute", arg);
		o->workdir = arg;
		return 0;
	case 'u':
		o->user = arg;
		return 0;
	case 'm':
		if (rt_parse_bytes(arg, &o->memory) < 0 || o->memory < (6 << 20))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "--memory %s: expected a size of at least 6m, e.g. 64m or 1g", arg);
		return 0;
	case OPT_CPUS:
		return opt_cpus(o, arg, err);
	case OPT_PIDS:
		return opt_pids(o, arg, err);
	case OPT_LOG:
		return opt_log(o, arg, err);
	case OPT_IOW:
		if ((r = parse_long("--io-weight", arg, 10, 1000, &v, err)) < 0)
			return r;
		o->io_weight = (int)v;
		return 0;
	case 'd':
		o->detach = true;
		return 0;
	case 'i':
		o->interactive = true;
		return 0;
	case 't':
		o->tty = true;
		return 0;
	case OPT_RM:
		o->rm = true;
		return 0;
	case OPT_USERNS:
		return parse_userns(arg, o, err);
	case OPT_CAP_ADD:
		return rt_cap_add_to(&o->sec.cap_add, "--cap-add", arg, err);
	case OPT_CAP_DROP:
		return rt_cap_add_to(&o->sec.cap_drop, "--cap-drop", arg, err);
	case OPT_PRIVILEGED:
		o->privileged = true;
		return 0;
	case OPT_SECURITY_OPT:
		return opt_security(&o->sec, arg, err);
	}
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "unknown option (see --help)");
}

/* The words after the options (docs/cli.md, "Images"): after --, the command on the
 * host's root; else the first is IMAGE when it names a local image or is written as a
 * reference (then it must exist), and any other word is the command, as before images. */
static int opts_command(int argc, char **argv, bool dashdash, struct run_opts *o, struct nr_error *err)
{
	struct image_run *im = NULL;
	char **rest = argv + optind;
	int r;

	if (!dashdash && optind < argc) {
		if ((r = image_run_find(rt_paths()->state_dir, argv[optind], &im, err)) < 0)
			return r;
		if (r > 0) {
			o->image = argv[optind];
			rest++;
		}
	}
	if (!im && !o->entrypoint) {
		if (optind >= argc)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "no command given (see --help)");
		o->argv = rest;
		return 0;
	}
	return image_run_apply(im, o, rest, err);
}

/* What needs every option seen: the networks, --userns against --net, the capabilities,
 * the command. */
static int opts_finish(int argc, char **argv, bool dashdash, struct run_opts *o, json_t *ports,
		       const struct net_endpoint_opts *flags, struct nr_error *err)
{
	int r;

	if (!o->n_nets)
		o->nets[o->n_nets++].network = "bridge";
	if ((r = net_opts_finish_run(o->nets, o->n_nets, flags, err)) < 0)
		return r;
	o->net = o->nets[0].network;
	if (o->userns_base && !net_mode_for_spec(o->net)->own_netns)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "--userns needs a network namespace of its own (not --net=%s)", o->net);
	if (ports) {
		json_t *caps = json_pack("{s:O}", "portMappings", ports);
		o->caps = caps ? json_dumps(caps, JSON_COMPACT) : NULL;
		json_decref(caps);
		if (!o->caps)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	return opts_command(argc, argv, dashdash, o, err);
}

int run_opts_parse(int argc, char **argv, struct run_opts *o, struct nr_error *err)
{
	_cleanup_json_ json_t *ports = NULL;
	struct net_endpoint_opts flags = { 0 };
	int c, r, before = 1;

	memset(o, 0, sizeof(*o));
	o->net = "bridge";
	o->log_max_size = 10 << 20;
	o->log_max_files = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:Pv:e:w:u:m:dith", run_longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(run_usage, stdout);
			return 1;
		}
		if (c == ':')
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "option %s needs a value (see --help)",
					    argv[optind - 1]);
		if (c == '?' && optopt)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "unknown option -%c (see --help)", optopt);
		if (c == '?')
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "unknown option %s (see --help)",
					    argv[optind - 1]);
		if ((r = opt_apply(o, &ports, &flags, c, optarg, err)) < 0)
			return r;
		before = optind;
	}
	/* getopt steps over the "--" that ends the options (and only then moves optind
	 * without returning an option): it means "no image". */
	bool dashdash = optind > before && !strcmp(argv[optind - 1], "--");
	return opts_finish(argc, argv, dashdash, o, ports, &flags, err);
}

void run_opts_free(struct run_opts *o)
{
	free(o->caps);
	o->caps = NULL;
	free(o->sec.seccomp_profile);
	o->sec.seccomp_profile = NULL;
	free(o->sec.bpf);
	o->sec.bpf = NULL;
	image_run_free(o->img);
	o->img = NULL;
}
