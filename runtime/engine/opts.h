/* A container's configuration as given (`netns-run run` options in Docker's spelling,
 * parsed by cli/run_opts.c). */
#ifndef NETNS_RUN_OPTS_H
#define NETNS_RUN_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "rt.h"

struct volume {
	const char *host; /* absolute */
	const char *cont; /* absolute, inside the container */
	bool ro;
};

struct rt_seccomp_bpf; /* engine/seccomp_filter.h */

/* One network a container joins (run --network, repeated; network connect). */
#define NET_ALIASES_MAX 16
struct net_endpoint_opts {
	const char *network;                  /* its name: "bridge", a conflist's, or a mode for the first */
	const char *ip, *ip6;                 /* --ip/--ip6; NULL = allocated by IPAM */
	const char *mac;                      /* --mac-address; NULL = the kernel's */
	const char *aliases[NET_ALIASES_MAX]; /* --network-alias/--alias */
	size_t n_aliases;
};
#define RT_NETWORKS_MAX 16

/* Lower layers at most, an image's or --rootfs's: one SCM_RIGHTS message carries their idmapped clones (--userns). */
#define RT_LAYERS_MAX 128

struct image_run; /* engine/image_run.h */

/* --cap-add/--cap-drop bit for "ALL". */
#define RT_CAP_ALL (1ULL << 63)

/* --cap-add, --cap-drop, --security-opt (engine/security.c). */
struct security_opts {
	uint64_t cap_add, cap_drop; /* bit N: capability N; RT_CAP_ALL: "ALL" */
	bool new_privileges;        /* no-new-privileges=false: setuid programs work inside */
	bool seccomp_unconfined;    /* seccomp=unconfined */
	const char *seccomp_file;   /* seccomp=FILE, for messages */
	char *seccomp_profile;      /* its text (owned); NULL = Docker's default profile */
	/* security_prepare's results: */
	uint64_t caps;              /* the command's capabilities */
	struct rt_seccomp_bpf *bpf; /* the filter (owned); NULL = none */
};

struct run_opts {
	char name[RT_NAME_MAX]; /* "" = derived from the id */
	const char *hostname;   /* NULL = the name, or the id's first 12 characters with hostname_id */
	bool hostname_id;       /* Docker's default hostname (the daemon), where the CLI's is the name */
	const char *net;        /* "bridge" | "none" | "host" | "container:NAME" | a network name (= nets[0].network) */
	/* --network, repeated (or name=NET,ip=…,alias=… as Docker's advanced syntax); nets[0] is
	 * the first (the mode), the rest CNI networks attached as eth1…; --ip, --ip6,
	 * --mac-address and --network-alias apply to nets[0] */
	struct net_endpoint_opts nets[RT_NETWORKS_MAX];
	size_t n_nets;
	char *caps;                        /* -p: {"portMappings": […]} as JSON text (owned), NULL when none */
	const char *rootfs[RT_LAYERS_MAX]; /* lower layers, top first; none given = "/" */
	size_t n_rootfs;
	bool read_only;
	bool privileged; /* --privileged: all caps, no seccomp, no masks */
	/* /proc/sys/net left writable (the rest of /proc/sys stays read-only): it shows the sysctls
	 * of the reader's network namespace, the container's own.  Not a CLI option: network
	 * labs' routers (runtime/lab, docs/labs.md) set forwarding and the like there. */
	bool sysctl_net_rw;
	struct volume vols[32];
	size_t n_vols;
	const char *env[128]; /* "K=V" */
	size_t n_env;
	const char *workdir;       /* NULL = "/" */
	const char *user;          /* NULL = root; "UID[:GID]" or a name */
	long long memory;          /* bytes; 0 = no limit */
	double cpus;               /* 0 = no limit */
	long long pids;            /* 0 = no limit */
	int io_weight;             /* 10..1000; 0 = unset */
	unsigned long userns_base; /* --userns: container uid/gid 0 is this host id; 0 = off */
	unsigned long userns_count;
	bool detach, rm;
	bool interactive;                  /* -i: the caller's stdin reaches the command; /dev/null otherwise */
	bool tty;                          /* -t: the command runs on a pty of the container's (pty.h) */
	unsigned short tty_rows, tty_cols; /* -t: the initial window size (0: unknown) */
	struct security_opts sec;
	long long log_max_size; /* -d: the log's cap in bytes (--log-opt max-size; 10m) */
	int log_max_files;      /* -d: log, log.1 … at most this many files (--log-opt max-file; 1) */
	char **argv;            /* the command (into the caller's argv, or the image's: img) */
	/* IMAGE (engine/image_run.h): what it lends to the fields above (rootfs, argv, workdir,
	 * user, caps with -P) is owned by img. */
	const char *image;      /* as given (the record's image_ref); NULL = no image */
	const char *image_id;   /* its id, "sha256:…" (the record's image: rmi's pin) */
	char *const *image_env; /* its Env ("K=V"), applied before -e; NULL = none */
	const char *entrypoint; /* --entrypoint: NULL = not given, "" = none */
	bool publish_all;       /* -P: each exposed port of the image on a free host port */
	struct image_run *img;
};

#endif
