/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink differences between the kernels cowstat supports, for
 * netlink.c and netlink-legacy.c only (compat.h holds the rest, and keeps
 * <net/genetlink.h> out of the page walker).  The CS_HAVE_* macros come
 * from Kbuild, which looks for each feature in the kernel's headers.
 */
#ifndef _COWSTAT_NETLINK_COMPAT_H
#define _COWSTAT_NETLINK_COMPAT_H

#include <net/genetlink.h>
#include <net/netlink.h>

/* The attributes of a dump request, parsed by the family's policy. */
static inline struct nlattr **cs_dump_attrs(struct netlink_callback *cb)
{
#ifdef CS_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * GENL_REQ_ATTR_CHECK() for a dump's start: true, with the attribute named
 * as missing in the extack, when the request lacks @attr.  Before 6.2 a
 * dump has no genl_info, and its start callback no extack (cb->extack is
 * NULL there, and the error goes out without the attribute's name).
 */
static inline bool cs_dump_req_attr_check(struct netlink_callback *cb, int attr)
{
#ifdef CS_HAVE_GENL_INFO_DUMP
	return GENL_REQ_ATTR_CHECK(genl_info_dump(cb), attr);
#else
	return NL_REQ_ATTR_CHECK(cb->extack, NULL, cs_dump_attrs(cb), attr);
#endif
}

#endif /* _COWSTAT_NETLINK_COMPAT_H */
