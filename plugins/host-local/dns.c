/* resolv.conf -> the result's dns, line by line as the reference reads it: nameserver,
 * domain, search and options; comments (# or ;) and anything else are skipped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int dns_line(char *line, struct cni_dns *d)
{
	char *save = NULL, *key = strtok_r(line, " \t\r\n", &save), *w;
	int r = 0;

	if (!key || key[0] == '#' || key[0] == ';')
		return 0;
	if (!(w = strtok_r(NULL, " \t\r\n", &save)))
		return 0;
	if (strcmp(key, "nameserver") == 0)
		return strv_push(&d->nameservers, &d->n_nameservers, w);
	if (strcmp(key, "domain") == 0) {
		free(d->domain);
		return (d->domain = strdup(w)) ? 0 : -ENOMEM;
	}
	for (; w && r >= 0; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (strcmp(key, "search") == 0)
			r = strv_push(&d->search, &d->n_search, w);
		else if (strcmp(key, "options") == 0)
			r = strv_push(&d->options, &d->n_options, w);
	}
	return r;
}

/* Fills ret, which must be the zeroed dns of a result (freed with it). */
int hl_dns_load(const char *path, struct cni_dns *ret, struct nr_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		return nr_error_set(err, CNI_ERR_IO, errno, "ipam: cannot read resolvConf %s: %m", path);
	while (getline(&line, &cap, f) >= 0)
		if (dns_line(line, ret) < 0)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return 0;
}
