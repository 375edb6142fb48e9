/* A lab's topology: what a containerlab-style YAML file describes, typed (issue 19).
 *
 * topology.c parses the file with libyaml and checks it whole before anything is made:
 * unknown keys (named with their line), links to unknown nodes, an interface used twice,
 * names too long for a netdev, cycles of bridge nodes, more than LAB_NODES_MAX nodes.
 * The deploy code (lab.h) and the picture (graph.h) only read this structure.  docs/labs.md
 * lists which of containerlab's keys are supported and which are refused. */
#ifndef NETNS_RUN_LAB_TOPOLOGY_H
#define NETNS_RUN_LAB_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/cleanup.h"
#include "base/error.h"

#define LAB_NAME_MAX 64      /* a lab's name and a node's name (both appear in netdev and container names) */
#define LAB_IFNAME_MAX 16    /* IFNAMSIZ: an interface name is at most 15 characters */
#define LAB_NODES_MAX 4096   /* more nodes than this are refused before anything is made */
#define LAB_DEFAULT_MTU 9500 /* containerlab's default link MTU */

enum lab_kind {
	LAB_KIND_LINUX,  /* a netns-run container (an image, or the host's root when none) */
	LAB_KIND_BRIDGE, /* a Linux bridge in the host's namespace, not a container */
	LAB_KIND_HOST,   /* the host's namespace itself: the endpoint "host:IFNAME" */
};

/* A NULL-ended array of strings; NULL when the key is absent. */
typedef char **lab_strv;

struct lab_node {
	char name[LAB_NAME_MAX];
	enum lab_kind kind;
	char *image;     /* NULL: the host's root file system (linux) */
	char *cmd;       /* the container's command as one string (run through the image's sh); NULL: sleep forever */
	lab_strv exec;   /* commands run in the node, in order, after every link is up */
	lab_strv env;    /* "KEY=VALUE" (containerlab's env map, flattened) */
	lab_strv binds;  /* "HOST:CTR[:ro]"; a relative HOST path is taken from the topology file's directory */
	lab_strv labels; /* "KEY=VALUE" */
	char *network_mode; /* "none" (default) or "host" */
	char *mgmt_ipv4;    /* mgmt-ipv4: a fixed management address; NULL: allocated */
	/* Privileges (docs/labs.md): linux nodes get NET_ADMIN and NET_RAW and a writable
	 * /proc/sys/net of their own namespace unless narrowed per node. */
	lab_strv cap_add;   /* further capabilities */
	lab_strv cap_drop;  /* "NET_ADMIN" here narrows the default */
	bool sysctl_net_ro; /* true: /proc/sys/net stays read-only */
	int line;           /* where the node is defined (for messages) */
};

struct lab_endpoint {
	size_t node;                 /* index into lab_topo.nodes */
	char ifname[LAB_IFNAME_MAX]; /* the interface's name in that node (or the host/bridge port name) */
	char *mac;                   /* NULL: the kernel picks one */
	/* Filled after deploy by lab_read_addresses (lab.h), for the picture; NULL otherwise. */
	lab_strv addrs;
};

struct lab_link {
	struct lab_endpoint a, b;
	int mtu; /* LAB_DEFAULT_MTU unless given */
	int line;
};

struct lab_topo {
	char name[LAB_NAME_MAX];
	char *dir;  /* the topology file's directory (relative binds are taken from it) */
	char *path; /* the topology file as given */
	struct {
		char *network;     /* NULL: no management network */
		char *ipv4_subnet; /* CIDR */
	} mgmt;
	struct lab_node *nodes;
	size_t n_nodes;
	struct lab_link *links;
	size_t n_links;
};

/* Parse and check the file at PATH; on success *ret owns a topology (lab_topo_free).
 * Errors name the key or the node/link and the line: "topo.yml:12: unknown key 'foo'". */
int lab_topo_parse_file(const char *path, struct lab_topo **ret, struct nr_error *err);
/* The same on a buffer (the fuzzer's entry point); NAME is used in messages. */
int lab_topo_parse_buf(const char *buf, size_t len, const char *name, struct lab_topo **ret, struct nr_error *err);
void lab_topo_free(struct lab_topo *t);
DEFINE_PTR_CLEANUP(lab_topo_freep, struct lab_topo *, lab_topo_free);

/* The index of the node named NAME, or -1. */
long lab_topo_node(const struct lab_topo *t, const char *name);

const char *lab_kind_name(enum lab_kind k);

/* Whether name is usable as a lab's or a node's name: a container name's characters (it
 * is part of container and directory names).  The state refuses what the parser would. */
bool lab_name_valid(const char *name);

#endif
