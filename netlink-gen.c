// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/cowstat.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/cowstat.h>

/* Integer value ranges */
static const struct netlink_range_validation cowstat_a_proc_pid_range = {
	.min	= 1ULL,
	.max	= 2147483647ULL,
};

static const struct netlink_range_validation cowstat_a_proc_root_range = {
	.min	= 1ULL,
	.max	= 2147483647ULL,
};

/* COWSTAT_CMD_GET - do */
static const struct nla_policy cowstat_get_do_nl_policy[COWSTAT_A_PROC_ROOT + 1] = {
	[COWSTAT_A_PROC_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cowstat_a_proc_pid_range),
	[COWSTAT_A_PROC_ROOT] = NLA_POLICY_FULL_RANGE(NLA_U32, &cowstat_a_proc_root_range),
};

/* COWSTAT_CMD_GET - dump */
static const struct nla_policy cowstat_get_dump_nl_policy[COWSTAT_A_PROC_VMAS + 1] = {
	[COWSTAT_A_PROC_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &cowstat_a_proc_pid_range),
	[COWSTAT_A_PROC_VMAS] = { .type = NLA_FLAG, },
};

/* Ops table for cowstat */
static const struct genl_split_ops cowstat_nl_ops[] = {
	{
		.cmd		= COWSTAT_CMD_GET,
		.doit		= cowstat_nl_get_doit,
		.policy		= cowstat_get_do_nl_policy,
		.maxattr	= COWSTAT_A_PROC_ROOT,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= COWSTAT_CMD_GET,
		.start		= cowstat_nl_get_dump_start,
		.dumpit		= cowstat_nl_get_dumpit,
		.done		= cowstat_nl_get_dump_done,
		.policy		= cowstat_get_dump_nl_policy,
		.maxattr	= COWSTAT_A_PROC_VMAS,
		.flags		= GENL_CMD_CAP_DUMP,
	},
};

struct genl_family cowstat_nl_family __ro_after_init = {
	.name		= COWSTAT_FAMILY_NAME,
	.version	= COWSTAT_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= cowstat_nl_ops,
	.n_split_ops	= ARRAY_SIZE(cowstat_nl_ops),
};
