/* The nft wing's cleanup attributes, one per object type it owns: libnftnl's objects,
 * libmnl's socket, and our socket and batch (nft.h). */
#ifndef NETNS_RUN_NFT_CLEANUP_H
#define NETNS_RUN_NFT_CLEANUP_H

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "base/cleanup.h"
#include "nft.h"

DEFINE_PTR_CLEANUP(nftnl_table_freep, struct nftnl_table *, nftnl_table_free)
DEFINE_PTR_CLEANUP(nftnl_chain_freep, struct nftnl_chain *, nftnl_chain_free)
DEFINE_PTR_CLEANUP(nftnl_rule_freep, struct nftnl_rule *, nftnl_rule_free)
DEFINE_PTR_CLEANUP(nftnl_set_freep, struct nftnl_set *, nftnl_set_free)
DEFINE_PTR_CLEANUP(nftnl_udata_buf_freep, struct nftnl_udata_buf *, nftnl_udata_buf_free)
DEFINE_PTR_CLEANUP(nftnl_set_elems_iter_destroyp, struct nftnl_set_elems_iter *, nftnl_set_elems_iter_destroy)
DEFINE_PTR_CLEANUP(nftnl_expr_iter_destroyp, struct nftnl_expr_iter *, nftnl_expr_iter_destroy)
DEFINE_PTR_CLEANUP(mnl_socket_closep, struct mnl_socket *, mnl_socket_close)
DEFINE_PTR_CLEANUP(nft_sock_closep, struct nft_sock *, nft_sock_close)
DEFINE_PTR_CLEANUP(nft_batch_freep, struct nft_batch *, nft_batch_free)

#define _cleanup_nftnl_table_ _cleanup_(nftnl_table_freep)
#define _cleanup_nftnl_chain_ _cleanup_(nftnl_chain_freep)
#define _cleanup_nftnl_rule_ _cleanup_(nftnl_rule_freep)
#define _cleanup_nftnl_set_ _cleanup_(nftnl_set_freep)
#define _cleanup_nftnl_udata_buf_ _cleanup_(nftnl_udata_buf_freep)
#define _cleanup_nftnl_set_elems_iter_ _cleanup_(nftnl_set_elems_iter_destroyp)
#define _cleanup_nftnl_expr_iter_ _cleanup_(nftnl_expr_iter_destroyp)
#define _cleanup_mnl_socket_ _cleanup_(mnl_socket_closep)
#define _cleanup_nft_sock_ _cleanup_(nft_sock_closep)
#define _cleanup_nft_batch_ _cleanup_(nft_batch_freep)

#endif
