#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ipaddr.h"

static const char run_usage[] =
	"Usage: netns-run [run] [OPTIONS] [--] COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND in new pid, mount, uts, ipc, net and cgroup namespaces, on an overlay of\n"
	"the host's / (or of --rootfs layers), networked through CNI plugins.\n"
	"\n"
	"Options:\n"
	"      --name NAME          container name (default: the first 12 digits of its id)\n"
	"      --hostname NAME      host name inside (default: the container name)\n"
	"      --net, --network NET bridge (default) | none | host | container:NAME | a CNI network name\n"
	"  -p, --publish SPEC       [HOSTIP:]HOSTPORT[-END]:CONTPORT[-END][/tcp|udp|sctp], passed to\n"
	"                           the plugins as the portMappings capability (repeatable)\n"
	"      --rootfs DIR         a read-only lower layer, top first (repeatable; default /)\n"
	"      --read-only          mount the container's root read-only\n"
	"  -v, --volume HOST:CONT[:ro|:rw]  bind-mount HOST at CONT (repeatable)\n"
	"  -e, --env K=V | K        set a variable (K alone copies it from here; repeatable)\n"
	"  -w, --workdir DIR        working directory inside (created when missing)\n"
	"  -u, --user UID[:GID]     run COMMAND as this user (a number or a name in the container)\n"
	"  -m, --memory BYTES       memory limit (k, m, g suffixes); exceeding it is an OOM kill (137)\n"
	"      --cpus N             CPU limit, e.g. 0.5 or 2\n"
	"      --pids-limit N       at most N tasks\n"
	"      --io-weight N        block I/O weight, 10..1000\n"
	"      --userns BASE[:N]    a user namespace: container ids 0..N-1 (default 65536) are host\n"
	"                           ids BASE.., so its root is unprivileged on the host\n"
	"  -d, --detach             start in the background and print the name\n"
	"      --rm                 remove the container and its writable layer when it exits\n"
	"  -h, --help               this help\n"
	"\n"
	"Exit status: COMMAND's own (128+N when killed by signal N), 125 when netns-run itself\n"
	"failed, 126 when COMMAND cannot be run, 127 when it is not found.\n";

static int parse_range(const char *s, long *lo, long *hi)
{
	char *end;

	errno = 0;
	*lo = strtol(s, &end, 10);
	if (errno || end == s || *lo < 1 || *lo > 65535)
		return -EINVAL;
	*hi = *lo;
	if (*end == '-') {
		const char *p = end + 1;
		*hi = strtol(p, &end, 10);
		if (errno || end == p || *hi < *lo || *hi > 65535)
			return -EINVAL;
	}
	return *end ? -EINVAL : 0;
}

int parse_port_spec(const char *spec, json_t *arr, struct nr_error *err)
{
	char buf[256], hostip[64] = "";
	char *p = buf, *proto = "tcp", *slash, *colon;
	long hlo, hhi, clo, chi;

	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		goto bad;
	slash = strrchr(buf, '/');
	if (slash) {
		*slash = '\0';
		proto = slash + 1;
		if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					    "-p %s: protocol must be tcp, udp or sctp", spec);
	}
	if (*p == '[') { /* [v6]:... */
		char *close = strchr(p, ']');
		if (!close || close[1] != ':')
			goto bad;
		*close = '\0';
		snprintf(hostip, sizeof(hostip), "%s", p + 1);
		p = close + 2;
	} else {
		/* Three fields: the first is the host address. */
		char *c1 = strchr(p, ':');
		if (c1 && strchr(c1 + 1, ':')) {
			*c1 = '\0';
			snprintf(hostip, sizeof(hostip), "%s", p);
			p = c1 + 1;
		}
	}
	if (hostip[0]) {
		struct ip_addr a;
		if (ip_addr_parse(hostip, &a) < 0)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "-p %s: %s is not an IP address",
					    spec, hostip);
	}
	colon = strchr(p, ':');
	if (!colon)
		goto bad;
	*colon = '\0';
	if (parse_range(p, &hlo, &hhi) < 0 || parse_range(colon + 1, &clo, &chi) < 0)
		goto bad;
	if (hhi - hlo != chi - clo)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "-p %s: the host and container port ranges differ in length", spec);
	for (long i = 0; i <= hhi - hlo; i++) {
		json_t *m = json_pack("{s:i, s:i, s:s}", "hostPort", (int)(hlo + i), "containerPort",
				      (int)(clo + i), "protocol", proto);
		if (!m)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		if (hostip[0])
			json_object_set_new(m, "hostIP", json_string(hostip));
		json_array_append_new(arr, m);
	}
	return 0;
bad:
	return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
			    "-p %s: expected [HOSTIP:]HOSTPORT[-END]:CONTPORT[-END][/PROTO]", spec);
}

static int parse_volume(char *spec, struct volume *v, struct nr_error *err)
{
	char *c1 = strchr(spec, ':'), *c2;

	if (!c1)
		goto bad;
	*c1 = '\0';
	c2 = strchr(c1 + 1, ':');
	v->ro = false;
	if (c2) {
		*c2 = '\0';
		if (!strcmp(c2 + 1, "ro"))
			v->ro = true;
		else if (strcmp(c2 + 1, "rw"))
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "-v: mode must be ro or rw, not %s",
					    c2 + 1);
	}
	v->host = spec;
	v->cont = c1 + 1;
	if (v->host[0] != '/' || v->cont[0] != '/')
		goto bad;
	if (strstr(v->cont, "/../") || !strcmp(v->cont + strlen(v->cont) - (strlen(v->cont) >= 3 ? 3 : 0), "/.."))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "-v: %s must not contain ..", v->cont);
	return 0;
bad:
	return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "-v expects HOST:CONTAINER[:ro], both absolute paths");
}

static int parse_long(const char *opt, const char *s, long long min, long long max, long long *ret,
		      struct nr_error *err)
{
	char *end;

	errno = 0;
	*ret = strtoll(s, &end, 10);
	if (errno || end == s || *end || *ret < min || *ret > max)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s %s: expected a number from %lld to %lld",
				    opt, s, min, max);
	return 0;
}

enum { OPT_NAME = 1000, OPT_HOSTNAME, OPT_NET, OPT_ROOTFS, OPT_RO, OPT_CPUS, OPT_PIDS, OPT_IOW, OPT_RM, OPT_USERNS };

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
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "--userns %s: expected BASE[:COUNT], host ids from 1 to 2^32-2", s);
	return 0;
}

int run_opts_parse(int argc, char **argv, struct run_opts *o, struct nr_error *err)
{
	static const struct option longopts[] = {
		{"name", required_argument, NULL, OPT_NAME},
		{"hostname", required_argument, NULL, OPT_HOSTNAME},
		{"net", required_argument, NULL, OPT_NET},
		{"network", required_argument, NULL, OPT_NET},
		{"publish", required_argument, NULL, 'p'},
		{"rootfs", required_argument, NULL, OPT_ROOTFS},
		{"read-only", no_argument, NULL, OPT_RO},
		{"volume", required_argument, NULL, 'v'},
		{"env", required_argument, NULL, 'e'},
		{"workdir", required_argument, NULL, 'w'},
		{"user", required_argument, NULL, 'u'},
		{"memory", required_argument, NULL, 'm'},
		{"cpus", required_argument, NULL, OPT_CPUS},
		{"pids-limit", required_argument, NULL, OPT_PIDS},
		{"io-weight", required_argument, NULL, OPT_IOW},
		{"detach", no_argument, NULL, 'd'},
		{"rm", no_argument, NULL, OPT_RM},
		{"userns", required_argument, NULL, OPT_USERNS},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	long long v;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->net = "bridge";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:v:e:w:u:m:dh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NAME:
			if (!rt_name_valid(optarg))
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "--name %s: use letters, digits, '_', '.', '-' (starting with a "
						    "letter or digit), at most %d",
						    optarg, RT_NAME_MAX - 1);
			snprintf(o->name, sizeof(o->name), "%s", optarg);
			break;
		case OPT_HOSTNAME:
			if (!*optarg || strlen(optarg) > 63)
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "--hostname must be 1 to 63 characters");
			o->hostname = optarg;
			break;
		case OPT_NET:
			o->net = optarg;
			break;
		case 'p':
			if (!o->ports && !(o->ports = json_array()))
				return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
			r = parse_port_spec(optarg, o->ports, err);
			if (r < 0)
				return r;
			break;
		case OPT_ROOTFS:
			if (o->n_rootfs == sizeof(o->rootfs) / sizeof(o->rootfs[0]))
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG, "too many --rootfs layers");
			o->rootfs[o->n_rootfs++] = optarg;
			break;
		case OPT_RO:
			o->read_only = true;
			break;
		case 'v':
			if (o->n_vols == sizeof(o->vols) / sizeof(o->vols[0]))
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG, "too many volumes");
			r = parse_volume(optarg, &o->vols[o->n_vols], err);
			if (r < 0)
				return r;
			o->n_vols++;
			break;
		case 'e':
			if (o->n_env == sizeof(o->env) / sizeof(o->env[0]))
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG, "too many -e");
			if (!*optarg || *optarg == '=')
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "-e %s: expected K=V or K",
						    optarg);
			o->env[o->n_env++] = optarg;
			break;
		case 'w':
			if (optarg[0] != '/')
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "-w %s: must be absolute",
						    optarg);
			o->workdir = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'm':
			if (parse_bytes(optarg, &o->memory) < 0 || o->memory < (6 << 20))
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "--memory %s: expected a size of at least 6m, e.g. 64m or 1g", optarg);
			break;
		case OPT_CPUS: {
			char *end;
			errno = 0;
			o->cpus = strtod(optarg, &end);
			if (errno || end == optarg || *end || o->cpus < 0.01 || o->cpus > 1024)
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "--cpus %s: expected a number from 0.01 to 1024", optarg);
			break;
		}
		case OPT_PIDS:
			r = parse_long("--pids-limit", optarg, 1, 4194304, &o->pids, err);
			if (r < 0)
				return r;
			break;
		case OPT_IOW:
			r = parse_long("--io-weight", optarg, 10, 1000, &v, err);
			if (r < 0)
				return r;
			o->io_weight = (int)v;
			break;
		case 'd':
			o->detach = true;
			break;
		case OPT_RM:
			o->rm = true;
			break;
		case OPT_USERNS:
			if ((r = parse_userns(optarg, o, err)) < 0)
				return r;
			break;
		case 'h':
			fputs(run_usage, stdout);
			return 1;
		case ':':
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "option %s needs a value (see --help)",
					    argv[optind - 1]);
		default:
			if (optopt)
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "unknown option -%c (see --help)", optopt);
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "unknown option %s (see --help)",
					    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "no command given (see --help)");
	if (o->userns_base && (!strcmp(o->net, "host") || !strncmp(o->net, "container:", 10)))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "--userns needs a network namespace of its own (not --net=%s)", o->net);
	o->argv = argv + optind;
	return 0;
}

void run_opts_free(struct run_opts *o)
{
	json_decref(o->ports);
	o->ports = NULL;
}
