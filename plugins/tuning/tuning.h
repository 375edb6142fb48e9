/* The tuning plugin inside: its configuration (config.c), the sysctl keys it accepts
 * (sysctl_key.c), and the saved original link attributes DEL puts back (backup.c). */
#ifndef NETNS_RUN_TUNING_H
#define NETNS_RUN_TUNING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "cni/cni_plugin.h"
#include "nl/link.h"

/* Where the reference keeps its backups, and where we keep ours (same files, same format:
 * a DEL by either plugin restores what an ADD by the other changed). */
#define TUN_DEFAULT_DATA_DIR "/run/cni/tuning"
/* The reference's sysctl allowlist (one regular expression a line); absent = every net.*
 * key of the container's namespace is allowed. */
#define TUN_ALLOWLIST "/etc/cni/tuning/allowlist.conf"

struct tun_sysctl {
	const char *key;   /* as configured (borrowed) */
	const char *value; /* borrowed */
	char path[256];    /* relative to /proc/sys: "net/ipv4/conf/eth0/arp_ignore" */
};

struct tun_conf {
	json_t *sysctl_obj; /* owned: "sysctl" merged with args.cni.sysctl */
	struct tun_sysctl *sysctls;
	size_t n_sysctls;
	const char *mac; /* as configured (the result reports it so); NULL = unchanged */
	char mac_norm[LINK_MAC_STRLEN];
	bool promisc;     /* only true does anything, as in the reference */
	unsigned int mtu; /* 0 = unchanged */
	bool has_allmulti, allmulti;
	bool has_txqlen;
	unsigned int txqlen;
	const char *data_dir;
};

/* Parse and validate everything ADD and CHECK act on (nothing is changed before this has
 * passed): fields, CNI_ARGS MAC=, runtimeConfig.mac, args.cni, the sysctl keys against
 * the net.* rule and the allowlist.  Errors: wrong types 6, unusable values 7. */
int tun_conf_parse(const struct cni_plugin_ctx *ctx, struct tun_conf *ret, struct nr_error *err);
void tun_conf_release(struct tun_conf *c);
/* Only dataDir (DEL and GC need nothing else, and must not fail on the rest). */
int tun_conf_data_dir(json_t *root, const char **ret, struct nr_error *err);
/* Whether anything of the link is to change (then ADD saves a backup). */
bool tun_conf_changes_link(const struct tun_conf *c);

/* key ("net.ipv4.conf.IFNAME.arp_ignore" or "net/ipv4/conf/eth0/arp_ignore") as a path
 * below /proc/sys; IFNAME becomes ifname.  -EINVAL (code 7) unless it names something
 * below net/ with no empty, "." or ".." component. */
int tun_sysctl_path(const char *key, const char *ifname, char *buf, size_t len, struct nr_error *err);
/* The allowlist at path: 0 when absent or when every key matches one of its expressions. */
int tun_allowlist_check(const char *path, json_t *sysctls, struct nr_error *err);

/* Go's net.ParseMAC for 6-byte addresses: aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff and
 * aabb.ccdd.eeff, either case; the canonical lower-case colon form into buf. */
int tun_mac_normalize(const char *text, char buf[LINK_MAC_STRLEN]);

/* The original values of what ADD changes, as the reference saves them. */
struct tun_backup {
	bool has_mac, has_promisc, has_mtu, has_allmulti, has_txqlen;
	char mac[LINK_MAC_STRLEN];
	bool promisc, allmulti;
	unsigned int mtu, txqlen;
	/* Whose it is, for GC (fields the reference's decoder ignores); NULL = not recorded. */
	const char *network, *container_id, *ifname;
};

/* "<dir>/<container id>_<ifname>.json" */
int tun_backup_path(const char *dir, const char *container_id, const char *ifname, char *buf, size_t len);
/* 0 and *ret filled, or -ENOENT (err untouched) when there is no backup. */
int tun_backup_load(const char *path, struct tun_backup *ret, struct nr_error *err);
/* Atomically (a temporary file renamed), creating dir when missing. */
int tun_backup_save(const char *dir, const char *path, const struct tun_backup *b, struct nr_error *err);
/* Remove what a save killed midway left of path's temporary files ("<path>.<pid>.tmp"). */
void tun_backup_drop_temps(const char *dir, const char *path);
/* Remove the backups in dir that network's ADDs made for attachments not in valid (a
 * cni.dev/valid-attachments array; NULL: none is valid).  A missing dir has none. */
int tun_backup_gc(const char *dir, const char *network, json_t *valid, struct nr_error *err);

#endif
