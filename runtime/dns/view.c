#include "view.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"

/* More networks than this beside ours is not a state directory we made. */
#define VIEW_NETS_MAX 4096

void dns_view_free(struct dns_view *v)
{
	if (!v)
		return;
	dns_names_free(v->own);
	for (size_t i = 0; i < v->n_nets; i++) {
		dns_names_free(v->nets[i]);
		free(v->net_names[i]);
	}
	free(v->nets);
	free(v->net_names);
	free(v->other_off);
	free(v->other);
	free(v->reaches_out);
	for (size_t i = 0; i < v->n_notes; i++)
		free(v->notes[i]);
	free(v->notes);
	free(v);
}

static void nets_free(struct dns_names **nets, char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dns_names_free(nets[i]);
		free(names[i]);
	}
	free(nets);
	free(names);
}

/* Sorting nets and their names together. */
struct named {
	char *name;
	struct dns_names *names;
};

static int named_cmp(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

int dns_view_new(struct dns_names *own, struct dns_names **nets, char **net_names, size_t n, struct dns_view **ret,
		 struct nr_error *err)
{
	_cleanup_(dns_view_freep) struct dns_view *v = calloc(1, sizeof(*v));
	_cleanup_free_ struct named *sorted = calloc(n ? n : 1, sizeof(*sorted));
	size_t total = 0;

	if (!v || !sorted) {
		dns_names_free(own);
		nets_free(nets, net_names, n);
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	}
	v->own = own;
	v->nets = nets;
	v->net_names = net_names;
	v->n_nets = n;
	for (size_t i = 0; i < n; i++)
		sorted[i] = (struct named){ net_names[i], nets[i] };
	qsort(sorted, n, sizeof(*sorted), named_cmp);
	for (size_t i = 0; i < n; i++) {
		net_names[i] = sorted[i].name;
		nets[i] = sorted[i].names;
	}
	/* Two passes over (entry, network): count, then fill. */
	if (!(v->other_off = calloc(own->n_entries + 1, sizeof(*v->other_off))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t e = 0; e < own->n_entries; e++)
		for (size_t i = 0; i < n; i++)
			total += dns_names_find_id(nets[i], own->ids[e]) >= 0;
	if ((total && !(v->other = calloc(total, sizeof(*v->other)))) ||
	    !(v->reaches_out = calloc(own->n_entries + 1, sizeof(*v->reaches_out))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	total = 0;
	for (size_t e = 0; e < own->n_entries; e++) {
		v->other_off[e] = total;
		for (size_t i = 0; i < n; i++)
			if (dns_names_find_id(nets[i], own->ids[e]) >= 0) {
				v->other[total++] = nets[i];
				v->reaches_out[e] |= !nets[i]->internal;
			}
	}
	v->other_off[own->n_entries] = total;
	*ret = TAKE_PTR(v);
	return 0;
}

DEFINE_PTR_CLEANUP(closedirp_, DIR *, closedir)

/* A note for the log (dropped when memory is short: it is only a note). */
static void note(char ***notes, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(char ***notes, size_t *n, const char *fmt, ...)
{
	char **v = reallocarray(*notes, *n + 1, sizeof(**notes));
	va_list ap;

	if (!v)
		return;
	*notes = v;
	va_start(ap, fmt);
	if (vasprintf(&v[*n], fmt, ap) >= 0)
		(*n)++;
	va_end(ap);
}

/* The other networks' names files beside dirfd; what cannot be read is noted and left out. */
static int siblings_load(int dirfd, struct dns_names ***ret_nets, char ***ret_names, size_t *ret_n, char ***notes,
			 size_t *n_notes, struct nr_error *err)
{
	struct dns_names **nets = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct stat self;
	_cleanup_(closedirp_) DIR *d = NULL;
	int parent;

	*ret_nets = NULL;
	*ret_names = NULL;
	*ret_n = 0;
	if (fstat(dirfd, &self) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot stat the directory: %s", strerror(errno));
	if ((parent = openat(dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || !(d = fdopendir(parent))) {
		int e = errno;
		if (parent >= 0)
			close(parent);
		note(notes, n_notes, "warning: cannot read the other networks' names: %s", strerror(e));
		return 0;
	}
	/* parent is d's from now on: closed with it. */
	struct dirent *de;
	while ((de = readdir(d))) {
		struct nr_error e = { 0 };
		struct dns_names *t = NULL;
		char path[512];
		struct stat st;

		if (de->d_name[0] == '.' || strlen(de->d_name) > 255)
			continue;
		if (fstatat(parent, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    (st.st_dev == self.st_dev && st.st_ino == self.st_ino))
			continue;
		snprintf(path, sizeof(path), "%s/names", de->d_name);
		if (faccessat(parent, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* a network without containers */
		if (n >= VIEW_NETS_MAX) {
			note(notes, n_notes, "warning: more than %d networks: the others are left out", VIEW_NETS_MAX);
			break;
		}
		if (dns_names_load(parent, path, &t, &e) < 0) {
			note(notes, n_notes, "network %s left out: %s", de->d_name, e.msg);
			continue;
		}
		snprintf(path, sizeof(path), "%s/internal", de->d_name);
		t->internal = faccessat(parent, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 8;
			struct dns_names **nn = reallocarray(nets, c, sizeof(*nets));
			if (nn)
				nets = nn;
			char **na = nn ? reallocarray(names, c, sizeof(*names)) : NULL;
			if (na)
				names = na;
			if (!nn || !na) {
				dns_names_free(t);
				nets_free(nets, names, n);
				return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
			}
			cap = c;
		}
		if (!(names[n] = strdup(de->d_name))) {
			dns_names_free(t);
			nets_free(nets, names, n);
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		}
		nets[n++] = t;
	}
	*ret_nets = nets;
	*ret_names = names;
	*ret_n = n;
	return 0;
}

int dns_view_load(int dirfd, const char *names_path, struct dns_view **ret, struct nr_error *err)
{
	struct dns_names *own = NULL, **nets;
	char **names, **notes = NULL;
	size_t n, n_notes = 0;
	int r;

	if ((r = dns_names_load(dirfd, names_path, &own, err)) < 0)
		return r;
	r = siblings_load(dirfd, &nets, &names, &n, &notes, &n_notes, err);
	if (r < 0)
		dns_names_free(own);
	else
		r = dns_view_new(own, nets, names, n, ret, err); /* takes own and nets, even failing */
	if (r < 0) {
		for (size_t i = 0; i < n_notes; i++)
			free(notes[i]);
		free(notes);
		return r;
	}
	(*ret)->notes = notes;
	(*ret)->n_notes = n_notes;
	return 0;
}

void dns_view_querier(const struct dns_view *v, const struct ip_addr *src, struct dns_answer_ctx *ctx)
{
	const struct dns_addr *a = src ? dns_names_find_addr(v->own, src) : NULL;

	ctx->names = v->own;
	ctx->others = NULL;
	ctx->n_others = 0;
	ctx->internal = v->own->internal;
	ctx->refused = !a || !a->entry;
	if (ctx->refused)
		return;
	ctx->others = v->other + v->other_off[a->entry - 1];
	ctx->n_others = v->other_off[a->entry] - v->other_off[a->entry - 1];
	ctx->internal = v->own->internal && !v->reaches_out[a->entry - 1];
}

bool dns_sockaddr_addr(const struct sockaddr_storage *ss, struct ip_addr *ret)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	*ret = (struct ip_addr){ 0 };
	if (ss->ss_family == AF_INET) {
		ret->family = AF_INET;
		ret->v4 = ((const struct sockaddr_in *)ss)->sin_addr;
		return true;
	}
	if (ss->ss_family != AF_INET6)
		return false;
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (!memcmp(a6->s6_addr, mapped, sizeof(mapped))) {
		ret->family = AF_INET;
		memcpy(&ret->v4, a6->s6_addr + 12, 4);
		return true;
	}
	ret->family = AF_INET6;
	ret->v6 = *a6;
	return true;
}
