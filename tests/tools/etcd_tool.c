/* A command line over the etcd client (core/etcd/etcd.h), for tests/integration/etcd_client.sh:
 *
 *   etcd_tool [-v] [--tls] [--cacert F] [--cert F] [--key F] [--connect-ms N] [--timeout-ms N]
 *             ENDPOINTS COMMAND ARGS...
 *
 *   get KEY | get-prefix PREFIX   "KEY=VALUE lease=ID mod=REV" per key, then "revision N"
 *   put KEY VALUE [LEASE]         "revision N"
 *   del KEY | del-prefix PREFIX   "deleted N"
 *   create KEY VALUE [LEASE]      "created", or "exists VALUE lease=ID" (exit 3)
 *   del-if-value KEY VALUE | del-if-lease KEY LEASE   "deleted", or "kept" (exit 3)
 *   lease-grant TTL               "ID TTL" (ID in decimal)
 *   lease-keepalive ID [COUNT [INTERVAL_MS]]   "ttl N" per keep-alive; a gone lease exits 3
 *   lease-revoke ID               "revoked" or "gone"
 *   lease-ttl ID                  "ttl N", or "gone" (exit 3)
 *   watch PREFIX [REV [MAX]]      "created REV", "PUT KEY VALUE REV", "DELETE KEY REV"; ends
 *                                 after MAX events, or at SIGTERM/SIGINT (etcd_watch_stop from
 *                                 another thread: exit 0); -ESTALE prints "compacted REV"
 *   repeat N KEY                  N gets of KEY on one client, then "connections N"
 *
 * -v: "member HOST:PORT connections N" on stderr at the end.  Errors: "etcd_tool: MESSAGE"
 * on stderr, exit 1; usage, exit 2. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "etcd/etcd.h"

static int64_t num(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "etcd_tool: '%s' is not a number\n", s);
		exit(2);
	}
	return v;
}

static void print_kv(const struct etcd_kv *kv)
{
	printf("%s=%s lease=%" PRId64 " mod=%" PRId64 "\n", kv->key, kv->value, kv->lease, kv->mod_revision);
}

struct watch_state {
	long max, seen;
};

static int on_event(const struct etcd_event *ev, void *userdata)
{
	struct watch_state *s = userdata;

	if (ev->type == ETCD_EVENT_CREATED) {
		printf("created %" PRId64 "\n", ev->revision);
		return 0;
	}
	if (ev->type == ETCD_EVENT_PUT)
		printf("PUT %s %s %" PRId64 "\n", ev->kv->key, ev->kv->value, ev->revision);
	else
		printf("DELETE %s %" PRId64 "\n", ev->kv->key, ev->revision);
	return s->max > 0 && ++s->seen >= s->max ? 1 : 0;
}

static void *stopper(void *arg)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	etcd_watch_stop(arg);
	return NULL;
}

static int watch(struct etcd_client *c, int argc, char **argv, struct nr_error *err)
{
	struct watch_state s = { .max = argc > 2 ? (long)num(argv[2]) : 0 };
	struct etcd_watch *w = NULL;
	pthread_t t;
	int r;

	if ((r = etcd_watch_new(c, argv[0], argc > 1 ? num(argv[1]) : 0, &w, err)) < 0)
		return r;
	pthread_create(&t, NULL, stopper, w);
	r = etcd_watch_run(w, on_event, &s, err);
	if (r == -ESTALE)
		printf("compacted %" PRId64 "\n", etcd_watch_compact_revision(w));
	/* The stopper may still wait: it goes with the process. */
	etcd_watch_free(w);
	return r > 0 ? 0 : r;
}

static int run(struct etcd_client *c, const char *cmd, int argc, char **argv, struct nr_error *err)
{
	struct etcd_kvs kvs = { 0 };
	struct etcd_kv kv = { 0 };
	int64_t n = 0, id = 0, ttl = 0;
	int r;

#define NEED(k)                                                                            \
	do {                                                                               \
		if (argc < (k)) {                                                          \
			fprintf(stderr, "etcd_tool: %s needs %d argument(s)\n", cmd, (k)); \
			return 2;                                                          \
		}                                                                          \
	} while (0)
	if (!strcmp(cmd, "get") || !strcmp(cmd, "get-prefix")) {
		NEED(1);
		if ((r = etcd_get(c, argv[0], cmd[3] ? ETCD_PREFIX : ETCD_KEY, &kvs, err)) < 0)
			return r;
		for (size_t i = 0; i < kvs.n; i++)
			print_kv(&kvs.kv[i]);
		printf("revision %" PRId64 "\n", kvs.revision);
		etcd_kvs_clear(&kvs);
		return 0;
	}
	if (!strcmp(cmd, "put")) {
		NEED(2);
		if ((r = etcd_put(c, argv[0], argv[1], argc > 2 ? num(argv[2]) : 0, &n, err)) < 0)
			return r;
		printf("revision %" PRId64 "\n", n);
		return 0;
	}
	if (!strcmp(cmd, "del") || !strcmp(cmd, "del-prefix")) {
		NEED(1);
		if ((r = etcd_delete(c, argv[0], cmd[3] ? ETCD_PREFIX : ETCD_KEY, &n, err)) < 0)
			return r;
		printf("deleted %" PRId64 "\n", n);
		return 0;
	}
	if (!strcmp(cmd, "create")) {
		NEED(2);
		if ((r = etcd_create(c, argv[0], argv[1], argc > 2 ? num(argv[2]) : 0, &kv, err)) < 0)
			return r;
		if (r)
			printf("created\n");
		else
			printf("exists %s lease=%" PRId64 "\n", kv.value, kv.lease);
		etcd_kv_clear(&kv);
		return r ? 0 : 3;
	}
	if (!strcmp(cmd, "del-if-value") || !strcmp(cmd, "del-if-lease")) {
		NEED(2);
		r = cmd[7] == 'v' ? etcd_delete_if_value(c, argv[0], argv[1], err)
				  : etcd_delete_if_lease(c, argv[0], num(argv[1]), err);
		if (r < 0)
			return r;
		printf("%s\n", r ? "deleted" : "kept");
		return r ? 0 : 3;
	}
	if (!strcmp(cmd, "lease-grant")) {
		NEED(1);
		if ((r = etcd_lease_grant(c, num(argv[0]), &id, &ttl, err)) < 0)
			return r;
		printf("%" PRId64 " %" PRId64 "\n", id, ttl);
		return 0;
	}
	if (!strcmp(cmd, "lease-keepalive")) {
		long count = argc > 1 ? (long)num(argv[1]) : 1, interval = argc > 2 ? (long)num(argv[2]) : 0;

		NEED(1);
		for (long i = 0; i < count; i++) {
			struct timespec ts = { interval / 1000, interval % 1000 * 1000000 };

			if (i)
				nanosleep(&ts, NULL);
			if ((r = etcd_lease_keepalive(c, num(argv[0]), &ttl, err)) < 0)
				return r == -ENOENT ? (printf("gone\n"), 3) : r;
			printf("ttl %" PRId64 "\n", ttl);
			fflush(stdout);
		}
		return 0;
	}
	if (!strcmp(cmd, "lease-revoke")) {
		NEED(1);
		if ((r = etcd_lease_revoke(c, num(argv[0]), err)) < 0)
			return r;
		printf("%s\n", r ? "revoked" : "gone");
		return 0;
	}
	if (!strcmp(cmd, "lease-ttl")) {
		NEED(1);
		if ((r = etcd_lease_ttl(c, num(argv[0]), &ttl, err)) < 0)
			return r == -ENOENT ? (printf("gone\n"), 3) : r;
		printf("ttl %" PRId64 "\n", ttl);
		return 0;
	}
	if (!strcmp(cmd, "watch")) {
		NEED(1);
		return watch(c, argc, argv, err);
	}
	if (!strcmp(cmd, "repeat")) {
		NEED(2);
		for (int64_t i = num(argv[0]); i > 0; i--) {
			if ((r = etcd_get(c, argv[1], ETCD_KEY, &kvs, err)) < 0)
				return r;
			etcd_kvs_clear(&kvs);
		}
		printf("connections %u\n", etcd_client_connections(c));
		return 0;
	}
#undef NEED
	fprintf(stderr, "etcd_tool: unknown command '%s'\n", cmd);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "tls", no_argument, NULL, 't' },
					      { "cacert", required_argument, NULL, 'A' },
					      { "cert", required_argument, NULL, 'C' },
					      { "key", required_argument, NULL, 'K' },
					      { "connect-ms", required_argument, NULL, 'c' },
					      { "timeout-ms", required_argument, NULL, 'T' },
					      { NULL, 0, NULL, 0 } };
	struct etcd_options o = { 0 };
	struct etcd_client *c = NULL;
	struct nr_error err = { 0 };
	bool verbose = false;
	sigset_t set;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 't':
			o.tls = true;
			break;
		case 'A':
			o.cacert = optarg;
			break;
		case 'C':
			o.cert = optarg;
			break;
		case 'K':
			o.key = optarg;
			break;
		case 'c':
			o.connect_timeout_ms = (unsigned)num(optarg);
			break;
		case 'T':
			o.request_timeout_ms = (unsigned)num(optarg);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: etcd_tool [options] ENDPOINTS COMMAND ARGS...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* SIGTERM and SIGINT go to the watch's stopper thread (sigwait), in every thread blocked. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	o.endpoints = argv[optind];
	if ((r = etcd_client_new(&o, &c, &err)) >= 0)
		r = run(c, argv[optind + 1], argc - optind - 2, argv + optind + 2, &err);
	if (verbose && c)
		fprintf(stderr, "member %s connections %u\n", etcd_client_member(c), etcd_client_connections(c));
	etcd_client_free(c);
	if (r < 0) {
		fprintf(stderr, "etcd_tool: %s\n", err.msg);
		return 1;
	}
	return r;
}
