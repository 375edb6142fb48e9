/* Isolation between networks (core/nft_isolate): the bridge's settings go into our
 * isolation table's sets on every ADD, so the table always matches the latest config.
 * (icc: false is port isolation, set in config.c.) */
#include "br.h"
#include "nft/nft_isolate.h"

int br_isolation_apply(const struct br_conf *c, struct nr_error *err)
{
	struct nft_isolation n = { .bridge = c->bridge, .isolate = c->isolate, .internal = c->internal };

	return nft_isolate_apply(&n, err);
}
