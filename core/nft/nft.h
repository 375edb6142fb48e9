/* A small nftables transport over libmnl + libnftnl: a socket that keeps the kernel's
 * errno and extended-ack text, a batch (one nftables transaction, all-or-nothing) whose
 * every message asks for an ACK, and a dump helper for GET requests.
 *
 * Usage:
 *	struct nft_batch *b;  nft_batch_new(&b, err);
 *	nlh = nft_batch_msg(b, NFT_MSG_NEWTABLE, NFPROTO_INET, NLM_F_CREATE, "creating table x");
 *	nftnl_table_nlmsg_build_payload(nlh, t);
 *	...
 *	nft_batch_commit(sock, b, err);   -- sends, reads every ACK, reports the first error
 *
 * Cleanup attributes for these and for libnftnl's objects: nft_cleanup.h.
 */
#ifndef NETNS_RUN_NFT_H
#define NETNS_RUN_NFT_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct nft_close_list;

struct nft_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;                 /* next sequence number */
	int last_errno;               /* errno of the first failed message, 0 if none */
	char last_extack[256];        /* NLMSGERR_ATTR_MSG of it, "" if the kernel gave none */
	bool committed;               /* a transaction went through: see struct nft_close_list */
	struct nft_close_list *defer; /* the caller's list for nft_sock_close, or NULL */
};

/* Open a NETLINK_NETFILTER socket in the calling thread's current network namespace. */
int nft_sock_open(struct nft_sock **ret, struct nr_error *err);
/* Close s, or, when it committed a transaction and s->defer is set, hand its socket to
 * that list (see below) and free the rest. */
void nft_sock_close(struct nft_sock *s);

/* Closing an nfnetlink socket waits until the kernel has freed what this namespace's
 * earlier transactions replaced or deleted, which it does after an RCU grace period
 * (nf_tables_api.c, nft_rcv_nl_event -> flush_work).  A caller that would rather not wait
 * owns a list, zeroed, passes it to the operations that open sockets (which set
 * s->defer), and closes what they left in it with nft_close_list_flush once another
 * process holds them too (the last close is the one that waits) or once its own slow
 * work is done.  When the list is full, sockets close at once. */
struct nft_close_list {
	struct mnl_socket *socks[8];
	size_t n;
};
void nft_close_list_flush(struct nft_close_list *l);
/* The descriptors of the sockets in l (at most max into fds): for a caller that hands
 * their last close to a process of its own (nl/link_unlist.h).  Returns how many. */
size_t nft_close_list_fds(const struct nft_close_list *l, int *fds, size_t max);

struct nft_batch;

int nft_batch_new(struct nft_batch **ret, struct nr_error *err);
void nft_batch_free(struct nft_batch *b);

/* Append a message header (NLM_F_ACK is added) and return it for the caller's
 * nftnl_*_nlmsg_build_payload().  `what` names the step in error messages ("adding set
 * masq4") and must outlive the batch (a string literal).  Returns NULL when the batch is
 * full; nft_batch_commit() then fails with ENOBUFS. */
struct nlmsghdr *nft_batch_msg(struct nft_batch *b, uint16_t type, uint16_t family, uint16_t flags, const char *what);
/* Number of messages between begin and end. */
unsigned nft_batch_count(const struct nft_batch *b);
/* The batch as built so far, its begin message first and no end: *ret_len bytes at the
 * returned address, valid until the next change to b.  For tests that parse it back. */
const void *nft_batch_data(struct nft_batch *b, size_t *ret_len);

/* Close the batch, send it as one transaction and read every ACK.  On failure returns
 * -errno of the first failing message (the kernel's) and fills err with
 * "<what>: <strerror> (kernel: <extack>)".  s->last_errno keeps the errno. */
int nft_batch_commit(struct nft_sock *s, struct nft_batch *b, struct nr_error *err);

/* Send one GET request built by build(nlh, data) with NLM_F_DUMP and feed every reply
 * to cb (an mnl callback).  Errors as for nft_batch_commit, with `what` as context. */
int nft_dump(struct nft_sock *s, uint16_t type, uint16_t family, void (*build)(struct nlmsghdr *nlh, void *data),
	     mnl_cb_t cb, void *data, const char *what, struct nr_error *err);

/* The same with the caller's flags: without NLM_F_DUMP, one GET of a single object (a set
 * element by key, say) whose reply goes to cb; a missing object is -ENOENT. */
int nft_query(struct nft_sock *s, uint16_t type, uint16_t family, uint16_t flags,
	      void (*build)(struct nlmsghdr *nlh, void *data), mnl_cb_t cb, void *data, const char *what,
	      struct nr_error *err);

#endif
