/* The kernel's extended-ack text behind a netlink error: one reader for the rtnetlink
 * socket (nl/nlsock.c) and the nfnetlink one (nft/nft.c). */
#ifndef NETNS_RUN_EXTACK_H
#define NETNS_RUN_EXTACK_H

#include <linux/netlink.h>
#include <stddef.h>

/* Copy the NLMSGERR_ATTR_MSG of the NLMSG_ERROR message h into buf (len > 0), without
 * trailing newlines; "" when the kernel sent none (no NETLINK_EXT_ACK, kernels before
 * 4.12) or h is malformed. */
void nlmsg_ext_ack_msg(const struct nlmsghdr *h, char *buf, size_t len);

#endif
