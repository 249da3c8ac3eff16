/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/cowstat.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_COWSTAT_GEN_H
#define _LINUX_COWSTAT_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/cowstat.h>

int cowstat_nl_get_dump_start(struct netlink_callback *cb);
int cowstat_nl_get_dump_done(struct netlink_callback *cb);

int cowstat_nl_get_doit(struct sk_buff *skb, struct genl_info *info);
int cowstat_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

extern struct genl_family cowstat_nl_family;

#endif /* _LINUX_COWSTAT_GEN_H */
