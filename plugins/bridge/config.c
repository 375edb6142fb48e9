/* The bridge plugin's network configuration: the reference plugin's fields and defaults.
 * Fields we do not implement are refused (code 2) when set to anything but their default,
 * so a config never silently does less than it asks for. */
#include <errno.h>
#include <string.h>

#include "base/json_field.h"
#include "br.h"

#define WHAT "bridge config"

/* The defaults of every field the host operations read too: here only. */
static const struct br_conf defaults = { .bridge = "cni0", .isolate = true };

static const char *const known_fields[] = {
	"name",
	"type",
	"cniVersion",
	"cniVersions",
	"bridge",
	"isGateway",
	"isDefaultGateway",
	"forceAddress",
	"ipMasq",
	"ipMasqBackend",
	"mtu",
	"hairpinMode",
	"promiscMode",
	"vlan",
	"vlanTrunk",
	"preserveDefaultVlan",
	"enabledad",
	"macspoofchk",
	"disableContainerInterface",
	"portIsolation",
	"ipam",
	"dns",
	"capabilities",
	"runtimeConfig",
	"args",
	"prevResult",
	"cni.dev/valid-attachments",
	"cni.dev/attachments",
	"isolate",
	"icc",
	"internal",
	NULL,
};

/* vlan, vlanTrunk, macspoofchk: only their defaults.  preserveDefaultVlan only changes
 * what vlan does, so without vlan any value means the same thing. */
static int reject_unimplemented(json_t *root, struct nr_error *err)
{
	long long vlan = 0;
	bool spoof = false;
	json_t *trunk = NULL;
	int r;

	if ((r = jfield_int(root, "vlan", WHAT, 0, 4094, &vlan, err)) < 0 ||
	    (r = jfield_array(root, "vlanTrunk", WHAT, &trunk, err)) < 0 ||
	    (r = jfield_bool(root, "macspoofchk", WHAT, &spoof, err)) < 0)
		return r;
	if (vlan != 0)
		return nr_error_set(err, CNI_ERR_UNSUPPORTED_FIELD, EOPNOTSUPP,
				    "bridge: field \"vlan\" is not supported yet");
	if (trunk && json_array_size(trunk) > 0)
		return nr_error_set(err, CNI_ERR_UNSUPPORTED_FIELD, EOPNOTSUPP,
				    "bridge: field \"vlanTrunk\" is not supported yet");
	if (spoof)
		return nr_error_set(err, CNI_ERR_UNSUPPORTED_FIELD, EOPNOTSUPP,
				    "bridge: field \"macspoofchk\" is not supported yet");
	return 0;
}

/* The reference reads ipMasqBackend only to pick iptables or nftables; we always use
 * nftables, which either of its values' users get the same masquerading from. */
static int check_masq_backend(json_t *root, struct nr_error *err)
{
	const char *b = NULL;
	int r;

	if ((r = jfield_string(root, "ipMasqBackend", WHAT, false, &b, err)) < 0)
		return r;
	if (b && strcmp(b, "nftables") != 0 && strcmp(b, "iptables") != 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "bridge: ipMasqBackend must be \"iptables\" or \"nftables\", not \"%s\"", b);
	return 0;
}

static int parse_bools(json_t *root, struct br_conf *c, struct nr_error *err)
{
	bool preserve = true;
	int r;

	if ((r = jfield_bool(root, "isGateway", WHAT, &c->is_gw, err)) < 0 ||
	    (r = jfield_bool(root, "isDefaultGateway", WHAT, &c->is_default_gw, err)) < 0 ||
	    (r = jfield_bool(root, "forceAddress", WHAT, &c->force_address, err)) < 0 ||
	    (r = jfield_bool(root, "ipMasq", WHAT, &c->ip_masq, err)) < 0 ||
	    (r = jfield_bool(root, "hairpinMode", WHAT, &c->hairpin, err)) < 0 ||
	    (r = jfield_bool(root, "promiscMode", WHAT, &c->promisc, err)) < 0 ||
	    (r = jfield_bool(root, "enabledad", WHAT, &c->enable_dad, err)) < 0 ||
	    (r = jfield_bool(root, "disableContainerInterface", WHAT, &c->disable_ctr_iface, err)) < 0 ||
	    (r = jfield_bool(root, "portIsolation", WHAT, &c->port_isolation, err)) < 0 ||
	    (r = jfield_bool(root, "preserveDefaultVlan", WHAT, &preserve, err)) < 0)
		return r;
	/* The reference: a default gateway is a gateway. */
	if (c->is_default_gw)
		c->is_gw = true;
	if (c->hairpin && c->promisc)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "bridge: hairpinMode and promiscMode cannot both be true");
	return 0;
}

/* MAC from CNI_ARGS MAC=, then args.cni.mac, then runtimeConfig.mac; the last one set
 * wins, as in the reference. */
static int parse_mac(const struct cni_plugin_ctx *ctx, struct br_conf *c, struct nr_error *err)
{
	/* Only ADD sets a MAC: DEL does not fail on this call's arguments (docs/go-clients.md). */
	if (ctx->env.cmd == CNI_CMD_DEL)
		return 0;
	json_t *cni = json_get_go(ctx->conf.args, "cni");
	const char *m = cni_args_get(&ctx->args, "MAC");
	unsigned char raw[6];
	json_t *v;

	if ((v = json_get_go(cni, "mac")) && json_is_string(v) && *json_string_value(v))
		m = json_string_value(v);
	if ((v = json_get_go(ctx->conf.runtime_config, "mac")) && json_is_string(v) && *json_string_value(v))
		m = json_string_value(v);
	if (m && *m && link_mac_parse(m, raw) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "bridge: invalid MAC address \"%s\"", m);
	c->mac = m && *m ? m : NULL;
	return 0;
}

static int parse_ipam(json_t *root, struct br_conf *c, struct nr_error *err)
{
	json_t *ipam = NULL;
	int r;

	if ((r = jfield_object(root, "ipam", WHAT, false, &ipam, err)) < 0)
		return r;
	if (ipam && (r = jfield_string(ipam, "type", "ipam", false, &c->ipam_type, err)) < 0)
		return r;
	if (c->ipam_type && !*c->ipam_type)
		c->ipam_type = NULL;
	return 0;
}

/* Isolation as Docker and netavark offer it: isolate (default on, as in netavark 2),
 * icc (container-to-container on the bridge, default on), internal (no way out). */
static int br_conf_isolation(json_t *root, struct br_conf *c, struct nr_error *err)
{
	bool icc = true;
	int r;

	if ((r = jfield_bool(root, "isolate", WHAT, &c->isolate, err)) < 0 ||
	    (r = jfield_bool(root, "icc", WHAT, &icc, err)) < 0 ||
	    (r = jfield_bool(root, "internal", WHAT, &c->internal, err)) < 0)
		return r;
	if (!icc)
		c->port_isolation = true;
	if (c->internal && c->ip_masq)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "bridge: an internal network has no way out, so ipMasq must not be true");
	return 0;
}

static int check_bridge_name(const char *name, struct nr_error *err)
{
	if (!*name || strlen(name) > CNI_IFNAME_MAX || strchr(name, '/'))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "bridge: invalid bridge name \"%s\"", name);
	return 0;
}

int br_conf_parse(const struct cni_plugin_ctx *ctx, struct br_conf *ret, struct nr_error *err)
{
	json_t *root = ctx->conf.root;
	struct br_conf c = defaults;
	long long mtu = 0;
	int r;

	if ((r = jfield_reject_unknown(root, known_fields, WHAT, err)) < 0 ||
	    (r = reject_unimplemented(root, err)) < 0 || (r = check_masq_backend(root, err)) < 0 ||
	    (r = jfield_string(root, "bridge", WHAT, false, &c.bridge, err)) < 0 ||
	    (r = jfield_int(root, "mtu", WHAT, 0, 65535, &mtu, err)) < 0 || (r = parse_bools(root, &c, err)) < 0 ||
	    (r = parse_mac(ctx, &c, err)) < 0 || (r = parse_ipam(root, &c, err)) < 0 ||
	    (r = check_bridge_name(c.bridge, err)) < 0 || (r = br_conf_isolation(root, &c, err)) < 0)
		return r;
	c.mtu = (unsigned int)mtu;
	c.dns = ctx->conf.dns;
	*ret = c;
	return 0;
}

int br_conf_bridge(json_t *root, const char **ret, struct nr_error *err)
{
	const char *name = defaults.bridge;
	int r;

	if ((r = jfield_string(root, "bridge", WHAT, false, &name, err)) < 0 || (r = check_bridge_name(name, err)) < 0)
		return r;
	*ret = name;
	return 0;
}

int br_conf_host(json_t *root, struct br_conf *ret, struct nr_error *err)
{
	struct br_conf c = defaults;
	int r;

	if ((r = br_conf_bridge(root, &c.bridge, err)) < 0 ||
	    (r = jfield_bool(root, "ipMasq", WHAT, &c.ip_masq, err)) < 0 || (r = br_conf_isolation(root, &c, err)) < 0)
		return r;
	*ret = c;
	return 0;
}
