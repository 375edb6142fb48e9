/* The names file as a struct (dns_file.h).  The text is aardvark-dns 1.4's config:
 * fields split on single spaces, so an empty list is an empty field between two spaces
 * (aardvark splits the same way; collapsing spaces would shift the fields). */
#include "dns_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/cleanup.h"
#include "base/ipaddr.h"
#include "container.h"
#include "rt_error.h"

#define SHORT_ID_LEN 12

static void entry_clear(struct dns_file_entry *e)
{
	free(e->id);
	rt_strv_free(e->v4);
	rt_strv_free(e->v6);
	rt_strv_free(e->names);
	memset(e, 0, sizeof(*e));
}

void dns_file_clear(struct dns_file *n)
{
	for (size_t i = 0; i < n->n; i++)
		entry_clear(&n->entries[i]);
	free(n->entries);
	rt_strv_free(n->gateways);
	memset(n, 0, sizeof(*n));
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* Append s unless it is there; -ENOMEM. */
static int strv_add_once(char ***v, const char *s)
{
	return strv_has(*v, s) ? 0 : rt_strv_push(v, s);
}

/* The comma-separated list s[0..len) into a new vector (an empty field: an empty one). */
static char **split_list(const char *s, size_t len)
{
	_cleanup_strv_ char **v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	while (len > 0) {
		const char *c = memchr(s, ',', len);
		size_t l = c ? (size_t)(c - s) : len;
		if (l > 0) {
			_cleanup_free_ char *item = strndup(s, l);
			if (!item || strv_add_once(&v, item) < 0)
				return NULL;
		}
		if (!c)
			break;
		len -= l + 1;
		s = c + 1;
	}
	return TAKE_PTR(v);
}

/* One entry line; 0 and *ok=false when it lacks a field. */
static int parse_entry(const char *line, size_t len, struct dns_file_entry *ret, bool *ok)
{
	const char *f[4];
	size_t fl[4];
	const char *p = line, *end = line + len;

	*ok = false;
	for (int i = 0; i < 4; i++) {
		const char *sp = memchr(p, ' ', end - p);
		if (!sp && i < 3)
			return 0;
		f[i] = p;
		fl[i] = (sp ? sp : end) - p;
		p = sp ? sp + 1 : end;
	}
	/* A fifth field (aardvark's per-container DNS servers) is not ours: ignored. */
	if (fl[0] == 0 || fl[3] == 0)
		return 0;
	struct dns_file_entry e = { 0 };
	if (!(e.id = strndup(f[0], fl[0])) || !(e.v4 = split_list(f[1], fl[1])) || !(e.v6 = split_list(f[2], fl[2])) ||
	    !(e.names = split_list(f[3], fl[3]))) {
		entry_clear(&e);
		return -ENOMEM;
	}
	*ret = e;
	*ok = true;
	return 0;
}

static int push_entry(struct dns_file *n, struct dns_file_entry *e)
{
	struct dns_file_entry *v = realloc(n->entries, (n->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	n->entries = v;
	v[n->n++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

int dns_file_parse(const char *text, struct dns_file *ret)
{
	struct dns_file n = { 0 };
	const char *p = text ? text : "";
	bool first = true;
	int r = 0;

	if (!(n.gateways = calloc(1, sizeof(*n.gateways))))
		return -ENOMEM;
	while (*p && r >= 0) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (first) {
			/* "GW[,GW…]", maybe followed by aardvark's network DNS servers (not ours). */
			const char *sp = memchr(p, ' ', len);
			rt_strv_free(n.gateways);
			if (!(n.gateways = split_list(p, sp ? (size_t)(sp - p) : len)))
				r = -ENOMEM;
			first = false;
		} else if (len > 0) {
			struct dns_file_entry e = { 0 };
			bool ok;
			if ((r = parse_entry(p, len, &e, &ok)) >= 0 && ok && !dns_file_find(&n, e.id))
				r = push_entry(&n, &e);
			entry_clear(&e);
		}
		p += len + (nl ? 1 : 0);
	}
	if (r < 0) {
		dns_file_clear(&n);
		return r;
	}
	dns_file_clear(ret);
	*ret = n;
	return 0;
}

/* v joined with commas onto f. */
static void put_list(FILE *f, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		fprintf(f, "%s%s", i ? "," : "", v[i]);
}

char *dns_file_format(const struct dns_file *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	put_list(f, n->gateways);
	fputc('\n', f);
	for (size_t i = 0; i < n->n; i++) {
		const struct dns_file_entry *e = &n->entries[i];
		fprintf(f, "%s ", e->id);
		put_list(f, e->v4);
		fputc(' ', f);
		put_list(f, e->v6);
		fputc(' ', f);
		put_list(f, e->names);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

const struct dns_file_entry *dns_file_find(const struct dns_file *n, const char *id)
{
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->entries[i].id, id))
			return &n->entries[i];
	return NULL;
}

/* Container names and aliases as Docker takes them (rt_name_valid's characters, dots
 * between labels): nothing that would split a field or a line of the file, and a name a
 * DNS message can carry (labels of at most 63, 253 in all, RFC 1035). */
static bool name_ok(const char *s)
{
	size_t label = 0, len = strlen(s);

	if (len == 0 || len > 253 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if ((!isalnum((unsigned char)*s) && *s != '_' && *s != '-') || ++label > 63)
			return false;
	}
	return true;
}

/* A container id: the first field of its line (64 hex digits from us; any [A-Za-z0-9_.-]). */
static bool id_ok(const char *s)
{
	if (!*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

/* s lowercased onto *v unless there. */
static int add_name(char ***v, const char *s, size_t len)
{
	_cleanup_free_ char *l = strndup(s, len);

	if (!l)
		return -ENOMEM;
	for (char *c = l; *c; c++)
		*c = tolower((unsigned char)*c);
	return strv_add_once(v, l);
}

/* addr (bare or CIDR) canonical and without its prefix into buf, its family in *family. */
static int addr_plain(const char *addr, char *buf, size_t len, int *family)
{
	struct ip_prefix p;
	struct ip_addr a;

	if (strchr(addr, '/')) {
		if (ip_prefix_parse(addr, &p) < 0)
			return -EINVAL;
		a = p.addr;
	} else if (ip_addr_parse(addr, &a) < 0) {
		return -EINVAL;
	}
	*family = a.family;
	ip_addr_format(&a, buf, len);
	return 0;
}

static int build_entry(const struct dns_entry *in, struct dns_file_entry *e, struct nr_error *err)
{
	char buf[IP_PREFIX_STRLEN];
	int family;

	if (!in->id || !id_ok(in->id))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "container id \"%s\" cannot be a DNS entry",
				    in->id ? in->id : "");
	if (in->name && !name_ok(in->name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "container name \"%s\" cannot be a DNS name", in->name);
	for (char *const *a = in->aliases; a && *a; a++)
		if (!name_ok(*a))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "alias \"%s\" cannot be a DNS name", *a);
	if (!(e->id = strdup(in->id)) || !(e->v4 = calloc(1, sizeof(char *))) || !(e->v6 = calloc(1, sizeof(char *))) ||
	    !(e->names = calloc(1, sizeof(char *))))
		goto nomem;
	for (char *const *a = in->addresses; a && *a; a++) {
		if (addr_plain(*a, buf, sizeof(buf), &family) < 0)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "address \"%s\" of container %s is not an IP address", *a, in->id);
		if (strv_add_once(family == AF_INET ? &e->v4 : &e->v6, buf) < 0)
			goto nomem;
	}
	/* The container's name first: the name a PTR answer gives. */
	if (in->name && add_name(&e->names, in->name, strlen(in->name)) < 0)
		goto nomem;
	for (char *const *a = in->aliases; a && *a; a++)
		if (add_name(&e->names, *a, strlen(*a)) < 0)
			goto nomem;
	if (add_name(&e->names, in->id, strnlen(in->id, SHORT_ID_LEN)) < 0)
		goto nomem;
	return 0;
nomem:
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

int dns_file_set(struct dns_file *n, const struct dns_entry *in, char *const *gateways, struct nr_error *err)
{
	_cleanup_strv_ char **gw = rt_strv_copy(n->gateways);
	struct dns_file_entry e = { 0 };
	char buf[IP_PREFIX_STRLEN];
	int family, r;

	if (!gw)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (char *const *g = gateways; g && *g; g++) {
		if (addr_plain(*g, buf, sizeof(buf), &family) < 0)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "gateway \"%s\" is not an IP address", *g);
		if (strv_add_once(&gw, buf) < 0)
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	if ((r = build_entry(in, &e, err)) < 0) {
		entry_clear(&e);
		return r;
	}
	struct dns_file_entry *old = (struct dns_file_entry *)dns_file_find(n, e.id);
	if (old) {
		entry_clear(old);
		*old = e;
	} else if (push_entry(n, &e) < 0) {
		entry_clear(&e);
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	rt_strv_free(n->gateways);
	n->gateways = TAKE_PTR(gw);
	return 0;
}

static void drop_at(struct dns_file *n, size_t i)
{
	entry_clear(&n->entries[i]);
	memmove(&n->entries[i], &n->entries[i + 1], (n->n - i - 1) * sizeof(n->entries[0]));
	n->n--;
}

bool dns_file_drop(struct dns_file *n, const char *id)
{
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->entries[i].id, id)) {
			drop_at(n, i);
			return true;
		}
	return false;
}

size_t dns_file_keep(struct dns_file *n, char *const *live)
{
	size_t dropped = 0;

	for (size_t i = 0; i < n->n;)
		if (strv_has(live, n->entries[i].id)) {
			i++;
		} else {
			drop_at(n, i);
			dropped++;
		}
	return dropped;
}
