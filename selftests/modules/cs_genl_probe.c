// SPDX-License-Identifier: GPL-2.0
/*
 * A throwaway generic netlink family for the cowstat selftests: loading
 * this module registers "cs_genl_probe" and unloading it unregisters it.
 * Registering takes genetlink's global locks (cb_lock for writing), so the
 * time insmod takes tells whether someone holds them (cowstat_genl_lock).
 */
#include <linux/module.h>
#include <net/genetlink.h>

static int probe_doit(struct sk_buff *skb, struct genl_info *info)
{
	return 0;
}

static const struct genl_small_ops probe_ops[] = {
	{
		.cmd	= 1,
		.doit	= probe_doit,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family probe_family __ro_after_init = {
	.name		= "cs_genl_probe",
	.version	= 1,
	.module		= THIS_MODULE,
	.small_ops	= probe_ops,
	.n_small_ops	= ARRAY_SIZE(probe_ops),
};

static int __init probe_init(void)
{
	return genl_register_family(&probe_family);
}

static void __exit probe_exit(void)
{
	genl_unregister_family(&probe_family);
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_DESCRIPTION("cowstat selftests: registers a throwaway generic netlink family");
MODULE_LICENSE("GPL");
