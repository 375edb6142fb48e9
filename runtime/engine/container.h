/* A container's record: what the engine knows of one container, typed.  It lives in
 * <state_dir>/containers/<name>/state.json (container_store.c), serialised to and from
 * JSON in one place (container_json.c; the keys are listed there, and in
 * docs/runtime.md).  Changes to the set of containers happen under the store's lock. */
#ifndef NETNS_RUN_CONTAINER_H
#define NETNS_RUN_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "cgroup.h"
#include "rt.h"

/* The record format this engine writes; a record without a version is version 1 (the
 * first netns-run wrote none), a later one is refused rather than misread. */
#define CTR_RECORD_VERSION 1

enum ctr_status {
	CTR_CREATED, /* the directory and record exist; the init may not yet */
	CTR_RUNNING, /* the command runs */
	CTR_EXITED,  /* it ended (or was found dead); resources may still await teardown */
};

enum ctr_net_mode {
	CTR_NET_NONE,      /* a netns of its own with only lo */
	CTR_NET_HOST,      /* the host's netns */
	CTR_NET_CONTAINER, /* another container's netns (owner) */
	CTR_NET_CNI,       /* a netns of its own, attached by a CNI network */
	CTR_NET_MODE_COUNT,
};

/* One attachment of the container to a network.  The record's `net` is the first one (the
 * mode; eth0, or lo for none); `more` holds the further CNI networks (eth1, eth2 … from a
 * repeated --network or `network connect`), always mode CTR_NET_CNI.  (Issue 17.) */
struct ctr_network {
	enum ctr_net_mode mode;
	char owner[RT_NAME_MAX]; /* CTR_NET_CONTAINER: the container whose netns is joined */
	char ifname[16];         /* "eth0", "lo" for none, "eth1"… for further networks */
	char *name;              /* the network (conflist) name; NULL when no plugins run */
	char *conflist;          /* the conflist ADD ran, as JSON text, for DEL and CHECK */
	/* As asked for (run --ip/--ip6/--mac-address/--network-alias, connect --ip/--alias);
	 * NULL = allocated, none. */
	char *ip, *ip6, *mac;
	char **aliases; /* NULL-ended or NULL: names DNS answers besides the container's name and short id */
	/* What ADD gave: */
	char **addresses; /* CIDRs, NULL-ended; NULL before the ADD */
	char **gateways;  /* the result's gateways (no prefix), NULL-ended or NULL: the DNS responder's addresses */
	char *mac_addr;   /* the container interface's MAC from the result; NULL = unknown */
	bool dns;         /* its network's DNS responder holds this attachment's names (dns_net.h) */
	bool done;        /* DEL ran: teardown must not repeat it */
};

/* At most this many networks per container (the first included). */
#define CTR_NETWORKS_MAX 16

struct ctr_record {
	int version;
	char id[RT_ID_LEN + 1];
	char name[RT_NAME_MAX];
	enum ctr_status status;
	pid_t pid; /* the init, in the host's pid namespace; 0 before it exists */
	unsigned long long pid_start;
	pid_t monitor; /* the netns-run process that waits for the init */
	unsigned long long monitor_start;
	bool has_exit_code; /* false: nobody saw the command end (its monitor was killed) */
	int exit_code;
	bool oom, rm;
	char *hostname;
	char *user;      /* -u as given (or the image's User); NULL = root */
	char *image;     /* the image's id ("sha256:…"): rmi refuses it while this record exists; NULL = none */
	char *image_ref; /* IMAGE as given on the command line (ps); NULL = the host's root */
	struct ctr_network net;   /* the first network (the mode; its addresses and done flag too) */
	struct ctr_network *more; /* further CNI networks, n_more of them (eth1…), in attach order */
	size_t n_more;
	char *netns_path;                     /* what ADD was given as CNI_NETNS */
	char *capability_args;                /* JSON text of the capabilities ADD was given ({"portMappings": …}) */
	struct cgroup_set *cgroup;            /* the container's cgroups; NULL before they exist */
	char **argv, **env;                   /* NULL-ended */
	long long created, started, finished; /* unix times, 0 = not yet */
	unsigned long userns_base, userns_count; /* --userns; 0 = none */
	/* What exec applies again (security.c); a record without them gets the defaults. */
	bool privileged;
	bool has_caps;
	uint64_t caps;           /* the command's capabilities (has_caps) */
	bool new_privileges;     /* no-new-privileges=false */
	bool seccomp_unconfined; /* no filter */
	char *seccomp_profile;   /* seccomp=FILE's text; NULL = the default profile */
};

struct ctr_record *ctr_record_new(void);
void ctr_record_free(struct ctr_record *rec);
DEFINE_PTR_CLEANUP(ctr_record_freep, struct ctr_record *, ctr_record_free)
#define _cleanup_record_ _cleanup_(ctr_record_freep)

/* The attachment of rec to network name (rec->net or one of rec->more); NULL when none. */
struct ctr_network *ctr_record_network(const struct ctr_record *rec, const char *name);
/* Append a further attachment (zeroed, mode CTR_NET_CNI) and return it; NULL on ENOMEM or
 * when CTR_NETWORKS_MAX are attached. */
struct ctr_network *ctr_record_add_network(struct ctr_record *rec);
/* Remove and free rec->more[i]. */
void ctr_record_drop_network(struct ctr_record *rec, size_t i);
void ctr_network_clear(struct ctr_network *n);

/* Whether the container's init, or its monitor, is alive (pid and start time match). */
bool ctr_init_alive(const struct ctr_record *rec);
bool ctr_monitor_alive(const struct ctr_record *rec);
/* Whether the record says created/running and its init is alive. */
bool ctr_running(const struct ctr_record *rec);

/* NULL-ended string vectors, as in argv/env/addresses. */
char **rt_strv_copy(char *const *v);
size_t rt_strv_len(char *const *v);
int rt_strv_push(char ***v, const char *s);
void rt_strv_free(char **v);
DEFINE_PTR_CLEANUP(rt_strv_freep, char **, rt_strv_free)
#define _cleanup_strv_ _cleanup_(rt_strv_freep)

/* container_json.c: the record to and from its on-disk JSON (version 1 keys).  A corrupt
 * record (not an object, wrong types, no id, an unknown status) and a future version are
 * refused with RT_ERR_CORRUPT; `what` names the record in messages. */
int ctr_record_to_json_text(const struct ctr_record *rec, char **ret, struct nr_error *err);
int ctr_record_from_json_text(const char *buf, size_t len, const char *what, struct ctr_record **ret,
			      struct nr_error *err);

/* `inspect`: the record's JSON plus what is observed now.  network_result is the
 * cached CNI result as JSON text (NULL when none), check the CHECK's outcome (NULL:
 * not run); usage is written when have_usage. */
struct ctr_observed {
	bool running;
	bool have_usage;
	long long memory_bytes, cpu_ns, pids;
	const char *network_result;
	const char *check;
};
int ctr_record_inspect_text(const struct ctr_record *rec, const struct ctr_observed *obs, char **ret,
			    struct nr_error *err);

/* container_store.c: the records on disk. */
/* Take the store's lock (blocking, flock); returns the fd to close to release it. */
int ctr_store_lock(struct nr_error *err);
/* -ENOENT (RT_ERR_NOT_FOUND, "no such container: NAME") when there is no record. */
int ctr_store_load(const char *name, struct ctr_record **ret, struct nr_error *err);
/* Replace rec->name's record atomically. */
int ctr_store_save(const struct ctr_record *rec, struct nr_error *err);
/* Names of every container directory, sorted; a NULL-ended strv (rt_strv_free).  To visit
 * every container: ctr_store_names, then ctr_store_load each (skipping -ENOENT ones). */
int ctr_store_names(char ***ret, struct nr_error *err);
/* container_resolve.c: a container as Docker names it (the daemon's paths, issue 18): its
 * name, its full id, or a unique prefix of its id, in that order, into ret_name
 * (RT_NAME_MAX).  RT_ERR_NOT_FOUND "No such container: REF"; a prefix shared by several:
 * RT_ERR_USAGE "multiple IDs found with provided prefix: REF". */
int ctr_store_resolve(const char *ref, char ret_name[RT_NAME_MAX], struct nr_error *err);

#endif
