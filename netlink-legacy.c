// SPDX-License-Identifier: GPL-2.0
/*
 * The family's ops on kernels without genl_split_ops (6.1), in place of
 * the generated netlink-gen.c; Kbuild builds one or the other.
 *
 * Without split ops a command has one policy for its do and its dump, so
 * the policy takes the attributes of both requests (pid, root, vmas) and
 * the attribute that belongs to the other one is refused here, by hand,
 * before the handlers of netlink.c run: what the generated per-operation
 * policies (cowstat_get_do_nl_policy, cowstat_get_dump_nl_policy) refuse
 * on newer kernels.  Its policy must accept what the spec's requests
 * carry, with the same checks: keep it in step with
 * Documentation/netlink/specs/cowstat.yaml.
 *
 * The ops are full genl_ops rather than genl_small_ops: a dump needs its
 * start and done callbacks (request.c's walk), which small ops lack.
 */
#include <linux/limits.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "netlink-compat.h"
#include "netlink-gen.h"

/* Not const: before 6.4, NLA_POLICY_FULL_RANGE() takes a plain pointer. */
static struct netlink_range_validation cowstat_a_proc_pid_range = {
	.min	= 1,
	.max	= INT_MAX,
};

static const struct nla_policy cowstat_get_nl_policy[COWSTAT_A_PROC_VMAS + 1] = {
	[COWSTAT_A_PROC_PID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &cowstat_a_proc_pid_range),
	[COWSTAT_A_PROC_ROOT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &cowstat_a_proc_pid_range),
	[COWSTAT_A_PROC_VMAS]	= { .type = NLA_FLAG },
};

static int cowstat_legacy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (info->attrs[COWSTAT_A_PROC_VMAS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[COWSTAT_A_PROC_VMAS],
				    "vmas is for dumps only");
		return -EINVAL;
	}
	return cowstat_nl_get_doit(skb, info);
}

/* cb->extack is NULL here before 6.2: the errno goes out alone. */
static int cowstat_legacy_get_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = cs_dump_attrs(cb);

	if (attrs[COWSTAT_A_PROC_ROOT]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[COWSTAT_A_PROC_ROOT],
				    "root is for get only; a dump's root is pid");
		return -EINVAL;
	}
	return cowstat_nl_get_dump_start(cb);
}

static const struct genl_ops cowstat_nl_ops[] = {
	{
		.cmd		= COWSTAT_CMD_GET,
		.doit		= cowstat_legacy_get_doit,
		.start		= cowstat_legacy_get_dump_start,
		.dumpit		= cowstat_nl_get_dumpit,
		.done		= cowstat_nl_get_dump_done,
		.policy		= cowstat_get_nl_policy,
		.maxattr	= ARRAY_SIZE(cowstat_get_nl_policy) - 1,
	},
};

/* As netlink-gen.c's, with these ops. */
struct genl_family cowstat_nl_family __ro_after_init = {
	.name		= COWSTAT_FAMILY_NAME,
	.version	= COWSTAT_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= cowstat_nl_ops,
	.n_ops		= ARRAY_SIZE(cowstat_nl_ops),
};
