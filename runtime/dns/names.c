#include "names.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "engine/rt_error.h"

static inline uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* FNV-1a over the lower-cased bytes: label lengths are below 64, so lowering them is a no-op. */
static uint32_t name_hash(const uint8_t *wire, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ lower(wire[i])) * 16777619u;
	return h;
}

static uint32_t addr_hash(const struct ip_addr *a)
{
	uint32_t h = 2166136261u ^ (uint32_t)a->family;

	for (int i = 0; i < ip_addr_bytes(a); i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h;
}

static bool name_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

int dns_name_to_wire(const char *s, size_t len, uint8_t *out)
{
	size_t o = 0, label = 0;

	if (len && s[len - 1] == '.')
		len--; /* "web." is "web" */
	if (!len)
		return -EINVAL;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			size_t n = i - label;
			if (!n || n > 63 || o + 1 + n + 1 > 255)
				return -EINVAL;
			out[o++] = (uint8_t)n;
			for (size_t k = label; k < i; k++)
				out[o++] = lower((uint8_t)s[k]);
			label = i + 1;
		} else if ((uint8_t)s[i] <= ' ' || s[i] == 0x7f) {
			return -EINVAL;
		}
	}
	out[o++] = 0;
	return (int)o;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 4;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (!(q = reallocarray(*p, n, size)))
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* Rebuild a table of slots for count items when it is more than half full. */
static int slots_fit(uint32_t **slots, size_t *n_slots, size_t count,
		     uint32_t (*hash)(const struct dns_names *, uint32_t), const struct dns_names *n)
{
	size_t want = *n_slots ? *n_slots : 64;
	uint32_t *s;

	while (want < (count + 1) * 2)
		want *= 2;
	if (want == *n_slots)
		return 0;
	if (!(s = calloc(want, sizeof(*s))))
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		size_t k = hash(n, i) & (want - 1);
		while (s[k])
			k = (k + 1) & (want - 1);
		s[k] = i + 1;
	}
	free(*slots);
	*slots = s;
	*n_slots = want;
	return 0;
}

static uint32_t name_item_hash(const struct dns_names *n, uint32_t i)
{
	return name_hash(n->names[i].wire, n->names[i].wire_len);
}

static uint32_t addr_item_hash(const struct dns_names *n, uint32_t i)
{
	return addr_hash(&n->addrs[i].addr);
}

const struct dns_name *dns_names_find(const struct dns_names *n, const uint8_t *wire, size_t len)
{
	size_t k, mask;

	if (!n || !n->n_name_slots)
		return NULL;
	mask = n->n_name_slots - 1;
	for (k = name_hash(wire, len) & mask; n->name_slots[k]; k = (k + 1) & mask) {
		const struct dns_name *e = &n->names[n->name_slots[k] - 1];
		if (e->wire_len == len && name_equal(e->wire, wire, len))
			return e;
	}
	return NULL;
}

const struct dns_addr *dns_names_find_addr(const struct dns_names *n, const struct ip_addr *a)
{
	size_t k, mask;

	if (!n || !n->n_addr_slots)
		return NULL;
	mask = n->n_addr_slots - 1;
	for (k = addr_hash(a) & mask; n->addr_slots[k]; k = (k + 1) & mask) {
		const struct dns_addr *e = &n->addrs[n->addr_slots[k] - 1];
		if (ip_addr_equal(&e->addr, a))
			return e;
	}
	return NULL;
}

/* The index of the name (added when new). */
static int name_get(struct dns_names *n, const uint8_t *wire, size_t len, uint32_t *ret)
{
	const struct dns_name *found = dns_names_find(n, wire, len);
	struct dns_name *e;
	int r;

	if (found) {
		*ret = (uint32_t)(found - n->names);
		return 0;
	}
	if ((r = grow((void **)&n->names, &n->cap_names, n->n_names + 1, sizeof(*n->names))) < 0)
		return r;
	e = &n->names[n->n_names];
	*e = (struct dns_name){ 0 };
	if (!(e->wire = malloc(len)))
		return -ENOMEM;
	memcpy(e->wire, wire, len);
	e->wire_len = len;
	n->n_names++;
	if ((r = slots_fit(&n->name_slots, &n->n_name_slots, n->n_names, name_item_hash, n)) < 0)
		return r;
	if (n->n_name_slots && !dns_names_find(n, wire, len)) {
		/* The table did not grow: put the new one in. */
		size_t mask = n->n_name_slots - 1, k = name_hash(wire, len) & mask;
		while (n->name_slots[k])
			k = (k + 1) & mask;
		n->name_slots[k] = (uint32_t)n->n_names;
	}
	*ret = (uint32_t)(n->n_names - 1);
	return 0;
}

static int addr_get(struct dns_names *n, const struct ip_addr *a, uint32_t *ret)
{
	const struct dns_addr *found = dns_names_find_addr(n, a);
	int r;

	if (found) {
		*ret = (uint32_t)(found - n->addrs);
		return 0;
	}
	if ((r = grow((void **)&n->addrs, &n->cap_addrs, n->n_addrs + 1, sizeof(*n->addrs))) < 0)
		return r;
	n->addrs[n->n_addrs] = (struct dns_addr){ .addr = *a };
	n->n_addrs++;
	if ((r = slots_fit(&n->addr_slots, &n->n_addr_slots, n->n_addrs, addr_item_hash, n)) < 0)
		return r;
	if (!dns_names_find_addr(n, a)) {
		size_t mask = n->n_addr_slots - 1, k = addr_hash(a) & mask;
		while (n->addr_slots[k])
			k = (k + 1) & mask;
		n->addr_slots[k] = (uint32_t)n->n_addrs;
	}
	*ret = (uint32_t)(n->n_addrs - 1);
	return 0;
}

/* Link name i and address a both ways, once. */
static int link_name_addr(struct dns_names *n, uint32_t ni, const struct ip_addr *a)
{
	struct dns_name *e = &n->names[ni];
	struct dns_addr *d;
	uint32_t ai;
	int r;

	for (size_t k = 0; k < e->n_addrs; k++)
		if (ip_addr_equal(&e->addrs[k], a))
			return 0;
	if ((r = grow((void **)&e->addrs, &e->cap_addrs, e->n_addrs + 1, sizeof(*e->addrs))) < 0)
		return r;
	e->addrs[e->n_addrs++] = *a;
	if ((r = addr_get(n, a, &ai)) < 0)
		return r;
	d = &n->addrs[ai];
	if ((r = grow((void **)&d->names, &d->cap_names, d->n_names + 1, sizeof(*d->names))) < 0)
		return r;
	d->names[d->n_names++] = ni;
	return 0;
}

/* A field of a line: [*p, end) up to the next space. */
struct field {
	const char *s;
	size_t len;
};

static size_t split(const char *s, size_t len, char sep, struct field *out, size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == sep) {
			if (n < max)
				out[n] = (struct field){ s + start, i - start };
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* Parse a comma-separated address list (empty: none) of family (0: either). */
static int parse_addrs(const struct field *f, int family, struct ip_addr **ret, size_t *ret_n, size_t line,
		       const char *what, struct nr_error *err)
{
	struct ip_addr *v = NULL;
	size_t n = 0, cap = 0, start = 0;
	int r;

	*ret = NULL;
	*ret_n = 0;
	if (!f->len)
		return 0;
	for (size_t i = 0; i <= f->len; i++) {
		char buf[INET6_ADDRSTRLEN + 1];
		struct ip_addr a;
		size_t l;

		if (i < f->len && f->s[i] != ',')
			continue;
		l = i - start;
		if (l >= sizeof(buf) || (memcpy(buf, f->s + start, l), buf[l] = '\0', ip_addr_parse(buf, &a) < 0) ||
		    (family && a.family != family)) {
			free(v);
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names line %zu: bad %s address \"%.*s\"", line,
					    what, (int)(l > 64 ? 64 : l), f->s + start);
		}
		if ((r = grow((void **)&v, &cap, n + 1, sizeof(*v))) < 0) {
			free(v);
			return nr_error_set(err, RT_ERR_NOMEM, -r, "out of memory");
		}
		v[n++] = a;
		start = i + 1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int parse_first(struct dns_names *n, const char *s, size_t len, struct nr_error *err)
{
	struct field f[3];
	size_t nf = split(s, len, ' ', f, 3);
	int r;

	if (nf > 2)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names line 1: more than two fields");
	if ((r = parse_addrs(&f[0], 0, &n->gateways, &n->n_gateways, 1, "gateway", err)) < 0)
		return r;
	if (!n->n_gateways)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names line 1: no gateway address");
	if (nf == 2 && (r = parse_addrs(&f[1], 0, &n->servers, &n->n_servers, 1, "DNS server", err)) < 0)
		return r;
	return 0;
}

static int parse_entry(struct dns_names *n, const char *s, size_t len, size_t line, struct nr_error *err)
{
	_cleanup_free_ struct ip_addr *v4 = NULL, *v6 = NULL, *servers = NULL;
	size_t n4, n6, ns, nf, start = 0;
	struct field f[6];
	int r;

	nf = split(s, len, ' ', f, 6);
	if (nf < 4 || nf > 5)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names line %zu: %zu fields, want 4 or 5", line, nf);
	if (!f[0].len)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names line %zu: no id", line);
	if ((r = parse_addrs(&f[1], AF_INET, &v4, &n4, line, "IPv4", err)) < 0 ||
	    (r = parse_addrs(&f[2], AF_INET6, &v6, &n6, line, "IPv6", err)) < 0)
		return r;
	/* Per-container servers (aardvark's fifth field) are checked, not used: every
	 * container of a network forwards to the same upstreams here. */
	if (nf == 5 && (r = parse_addrs(&f[4], 0, &servers, &ns, line, "DNS server", err)) < 0)
		return r;
	if (!f[3].len)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names line %zu: no names", line);
	for (size_t i = 0; i <= f[3].len; i++) {
		uint8_t wire[256];
		uint32_t ni;
		int wl;

		if (i < f[3].len && f[3].s[i] != ',')
			continue;
		wl = dns_name_to_wire(f[3].s + start, i - start, wire);
		if (wl < 0)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names line %zu: bad name \"%.*s\"", line,
					    (int)(i - start > 64 ? 64 : i - start), f[3].s + start);
		start = i + 1;
		if ((r = name_get(n, wire, (size_t)wl, &ni)) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, -r, "out of memory");
		for (size_t k = 0; k < n4 + n6; k++)
			if ((r = link_name_addr(n, ni, k < n4 ? &v4[k] : &v6[k - n4])) < 0)
				return nr_error_set(err, RT_ERR_NOMEM, -r, "out of memory");
	}
	n->n_entries++;
	return 0;
}

int dns_names_parse(const char *text, size_t len, struct dns_names **ret, struct nr_error *err)
{
	_cleanup_(dns_names_freep) struct dns_names *n = calloc(1, sizeof(*n));
	size_t line = 0, start = 0;
	bool first = true;
	int r;

	if (!n)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; i <= len; i++) {
		size_t l;

		if (i < len && text[i] != '\n')
			continue;
		line++;
		l = i - start;
		if (l) {
			if (memchr(text + start, '\0', l))
				return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names line %zu: a NUL byte", line);
			r = first ? parse_first(n, text + start, l, err) : parse_entry(n, text + start, l, line, err);
			if (r < 0)
				return r;
			first = false;
		}
		start = i + 1;
	}
	if (first)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "names: empty, no gateway line");
	*ret = TAKE_PTR(n);
	return 0;
}

int dns_names_load(int dirfd, const char *path, struct dns_names **ret, struct nr_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", path, strerror(errno));
	if ((r = fd_read_all(fd, DNS_NAMES_MAX_FILE, &buf, &len)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot read %s: %s", path,
				    r == -E2BIG ? "larger than 16 MiB" : strerror(-r));
	/* Its messages name the file already ("names line 3: ..."). */
	return dns_names_parse(buf, len, ret, err);
}

void dns_names_free(struct dns_names *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_names; i++) {
		free(n->names[i].wire);
		free(n->names[i].addrs);
	}
	for (size_t i = 0; i < n->n_addrs; i++)
		free(n->addrs[i].names);
	free(n->names);
	free(n->addrs);
	free(n->name_slots);
	free(n->addr_slots);
	free(n->gateways);
	free(n->servers);
	free(n);
}
