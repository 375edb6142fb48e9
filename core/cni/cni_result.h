/* The CNI Result: interfaces, IP configurations, routes and DNS.  Parsed from any
 * supported version's JSON, printed in the JSON of whichever version was asked for. */
#ifndef NETNS_RUN_CNI_RESULT_H
#define NETNS_RUN_CNI_RESULT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "cni_cleanup.h"

struct cni_iface {
	char *name;
	char *mac;         /* NULL when L2 addresses are meaningless */
	char *sandbox;     /* netns path; NULL for host interfaces */
	char *socket_path; /* 1.1 */
	char *pci_id;      /* 1.1 */
	int mtu;           /* 1.1; 0 = unset */
};

struct cni_ipcfg {
	char *address; /* CIDR, validated */
	char *gateway; /* NULL or an address, validated */
	int iface;     /* index into interfaces, -1 = unset */
};

struct cni_route {
	char *dst;                 /* CIDR, validated */
	char *gw;                  /* NULL or an address */
	int mtu, advmss, priority; /* 1.1; 0 = unset */
	bool has_table, has_scope; /* 1.1 */
	int table, scope;
};

struct cni_dns {
	char **nameservers;
	size_t n_nameservers;
	char *domain;
	char **search;
	size_t n_search;
	char **options;
	size_t n_options;
};

struct cni_result {
	struct cni_iface *ifaces;
	size_t n_ifaces;
	struct cni_ipcfg *ips;
	size_t n_ips;
	struct cni_route *routes;
	size_t n_routes;
	struct cni_dns dns;
};

struct cni_result *cni_result_new(void);
void cni_result_free(struct cni_result *r);

/* Parse a result object of any supported version.  `what` names it in messages
 * ("prevResult", "result of host-local").  Wrong types and unparsable addresses are
 * code 6; an interface index out of range is code 7. */
int cni_result_parse(json_t *obj, const char *what, struct cni_result **ret, struct nr_error *err);

/* Render in the given spec version (which must be supported): pre-1.0 adds ips[].version,
 * fields newer than the version are left out.  NULL on allocation failure. */
json_t *cni_result_to_json(const struct cni_result *r, const char *version);

struct cni_result *cni_result_dup(const struct cni_result *r);

/* Builders; each returns the new element's index or -ENOMEM.  Strings are copied. */
int cni_result_add_iface(struct cni_result *r, const char *name, const char *mac, const char *sandbox);
int cni_result_add_ip(struct cni_result *r, const char *address, const char *gateway, int iface);
int cni_result_add_route(struct cni_result *r, const char *dst, const char *gw);

#endif
