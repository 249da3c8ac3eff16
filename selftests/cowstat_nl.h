/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the cowstat selftests: no library, so that the
 * tests can also send what a library would refuse to build (wrong types,
 * truncated messages, unknown attributes).
 */
#ifndef COWSTAT_NL_H
#define COWSTAT_NL_H

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/cowstat.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct nl {
	int fd;
	int recvs;		/* recvmsg() calls of the last answer */
	uint16_t family;
	uint32_t seq;
	char extack[256];	/* the last error's extack message */
	uint32_t miss_type;	/* the attribute it names as missing, or 0 */
};

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define NLA_NEXT(a)	((struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))

/* Append an attribute to @nlh (whose buffer has room). */
static inline void nl_put(struct nlmsghdr *nlh, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(NLA_DATA(a), data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline struct nlmsghdr *nl_msg(void *buf, uint16_t type, uint16_t flags, uint8_t cmd, uint32_t seq)
{
	struct nlmsghdr *nlh = buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

/*
 * Receive until the answer to @seq is complete (NLMSG_DONE for a dump, the
 * ACK for a request sent with NLM_F_ACK), calling @cb (if any) for each
 * genetlink message.  Returns 0, or the -errno of an NLMSG_ERROR (with
 * its extack message in nl->extack), or -EIO on a malformed/truncated
 * answer.  @bufsize is the size of each recv().
 */
static inline int nl_recv(struct nl *nl, size_t bufsize,
			  int (*cb)(struct nlmsghdr *nlh, void *arg), void *arg)
{
	char *buf = malloc(bufsize);
	int ret = 1;

	nl->extack[0] = '\0';
	nl->miss_type = 0;
	nl->recvs = 0;
	while (ret == 1) {
		struct msghdr mh = { 0 };
		struct iovec iov = { buf, bufsize };
		struct nlmsghdr *nlh;
		ssize_t n;

		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(nl->fd, &mh, 0);
		nl->recvs++;
		if (n < 0 || (mh.msg_flags & MSG_TRUNC)) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		for (nlh = (void *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			/* A dump may open with an NLMSG_NOOP: nothing to check. */
			if (nlh->nlmsg_seq != nl->seq || nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			/* A dump that failed after it started ends with the errno. */
			if (nlh->nlmsg_type == NLMSG_DONE) {
				ret = nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ?
				      *(int *)NLMSG_DATA(nlh) : 0;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);
				struct nlattr *a;
				int len;

				ret = e->error;
				/* extack TLVs follow the request (capped: NLM_F_CAPPED). */
				a = (void *)((char *)e + sizeof(*e) +
					     ((nlh->nlmsg_flags & NLM_F_CAPPED) ? 0 :
					      NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN));
				len = (char *)nlh + nlh->nlmsg_len - (char *)a;
				for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
				     len -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a))
					if (a->nla_type == NLMSGERR_ATTR_MSG)
						snprintf(nl->extack, sizeof(nl->extack), "%s",
							 (char *)NLA_DATA(a));
					else if (a->nla_type == NLMSGERR_ATTR_MISS_TYPE)
						nl->miss_type = *(uint32_t *)NLA_DATA(a);
				break;
			}
			if (cb && cb(nlh, arg)) {
				ret = -EIO;
				break;
			}
		}
	}
	free(buf);
	return ret;
}

static inline int nl_send(struct nl *nl, struct nlmsghdr *nlh)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	nl->seq = nlh->nlmsg_seq;
	return sendto(nl->fd, nlh, nlh->nlmsg_len, 0, (void *)&sa, sizeof(sa)) ==
	       (ssize_t)nlh->nlmsg_len ? 0 : -errno;
}

static int nl_family_cb(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct nlattr *a = (void *)((char *)g + GENL_HDRLEN);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	for (; len >= NLA_HDRLEN; len -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)arg = *(uint16_t *)NLA_DATA(a);
	return 0;
}

/* Open a genetlink socket and resolve the cowstat family: 0 or -errno. */
static inline int nl_open(struct nl *nl)
{
	char buf[256];
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nlh = nl_msg(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	nl_put(nlh, CTRL_ATTR_FAMILY_NAME, COWSTAT_FAMILY_NAME, sizeof(COWSTAT_FAMILY_NAME));
	ret = nl_send(nl, nlh);
	/*
	 * One page, as libmnl's MNL_SOCKET_BUFFER_SIZE: the kernel sizes a
	 * dump's buffers by the largest recvmsg() a socket has made, so the
	 * socket starts with the smallest ones a client may have.
	 */
	if (!ret)
		ret = nl_recv(nl, 4096, nl_family_cb, &nl->family);
	if (!ret && !nl->family)
		ret = -ENOENT;
	return ret;
}

/* The policy indexes of a command's do and dump (-1: none). */
struct nl_op_policy {
	uint32_t cmd;
	int64_t do_idx, dump_idx;
};

static int nl_op_policy_cb(struct nlmsghdr *nlh, void *arg)
{
	struct nl_op_policy *op = arg;
	struct nlattr *a = (void *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN; len -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a)) {
		struct nlattr *c, *p;
		int clen, plen;

		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_OP_POLICY)
			continue;
		/* CTRL_ATTR_OP_POLICY { cmd { CTRL_ATTR_POLICY_DO, _DUMP } } */
		for (c = NLA_DATA(a), clen = a->nla_len - NLA_HDRLEN;
		     clen >= NLA_HDRLEN && c->nla_len >= NLA_HDRLEN;
		     clen -= NLA_ALIGN(c->nla_len), c = NLA_NEXT(c)) {
			if ((c->nla_type & NLA_TYPE_MASK) != op->cmd)
				continue;
			for (p = NLA_DATA(c), plen = c->nla_len - NLA_HDRLEN;
			     plen >= NLA_HDRLEN && p->nla_len >= NLA_HDRLEN;
			     plen -= NLA_ALIGN(p->nla_len), p = NLA_NEXT(p)) {
				if ((p->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_POLICY_DO)
					op->do_idx = *(uint32_t *)NLA_DATA(p);
				if ((p->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_POLICY_DUMP)
					op->dump_idx = *(uint32_t *)NLA_DATA(p);
			}
		}
	}
	return 0;
}

/*
 * Whether the family's do and dump of @cmd have policies of their own, as
 * the genetlink controller reports them (CTRL_CMD_GETPOLICY): the module was
 * built with the split ops generated from the spec, on a kernel that has
 * them (6.2 on), rather than with one shared policy (6.1).  Returns 1, 0, or
 * -errno.
 */
static inline int nl_split_policies(struct nl *nl, uint32_t cmd)
{
	struct nl_op_policy op = { cmd, -1, -1 };
	struct nlmsghdr *nlh;
	char buf[256];
	int ret;

	nlh = nl_msg(buf, GENL_ID_CTRL, NLM_F_DUMP, CTRL_CMD_GETPOLICY, ++nl->seq);
	nl_put(nlh, CTRL_ATTR_FAMILY_ID, &nl->family, 2);
	nl_put(nlh, CTRL_ATTR_OP, &cmd, 4);
	ret = nl_send(nl, nlh);
	if (!ret)
		ret = nl_recv(nl, 8192, nl_op_policy_cb, &op);
	if (ret)
		return ret;
	return op.do_idx >= 0 && op.dump_idx >= 0 && op.do_idx != op.dump_idx;
}

/* The attributes of a cowstat message, indexed by type (0: absent). */
struct nl_attrs {
	struct nlattr *a[COWSTAT_A_PROC_MAX + 1];
};

static inline void nl_parse(struct nlmsghdr *nlh, struct nl_attrs *at)
{
	struct nlattr *a = (void *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	memset(at, 0, sizeof(*at));
	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN; len -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a))
		if ((a->nla_type & NLA_TYPE_MASK) <= COWSTAT_A_PROC_MAX)
			at->a[a->nla_type & NLA_TYPE_MASK] = a;
}

static inline uint64_t nl_u64(struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, NLA_DATA(a), 8);
	return v;
}

static inline uint32_t nl_u32(struct nlattr *a)
{
	return *(uint32_t *)NLA_DATA(a);
}

/* The attribute of each page field in the counts set. */
#define F_ATTR(NAME, ...)	[F_##NAME] = COWSTAT_A_COUNTS_##NAME,
static const uint16_t count_attr[F_NR] = {
	COWSTAT_COUNTS(F_ATTR)
};
#undef F_ATTR

/*
 * The page counts of a message's nested counts set (@nest, or NULL when
 * the message has none) into @v; ~0 marks a count that is absent.
 * Returns whether @nest was there.
 */
static inline int nl_counts(struct nlattr *nest, unsigned long long *v)
{
	struct nlattr *at[COWSTAT_A_COUNTS_MAX + 1] = { NULL };
	struct nlattr *a;
	int len, f;

	if (nest) {
		a = NLA_DATA(nest);
		len = nest->nla_len - NLA_HDRLEN;
		for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
		     len -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a))
			if ((a->nla_type & NLA_TYPE_MASK) <= COWSTAT_A_COUNTS_MAX)
				at[a->nla_type & NLA_TYPE_MASK] = a;
	}
	for (f = 0; f < F_NR; f++)
		v[f] = at[count_attr[f]] ? nl_u64(at[count_attr[f]]) : ~0ULL;
	return !!nest;
}

/* What the tests make of a dump: rows, VMAs and totals. */

#define MAX_ROWS 4096

/* What a dump brought back. */
struct dump {
	int n;				/* process messages */
	int vmas;			/* vma messages */
	int totals;			/* totals messages */
	int after_totals;		/* messages after the totals (an error) */
	struct {
		uint32_t pid, ppid, depth, flags;
		int has_counts, has_comm;
		unsigned long long v[F_NR];
	} row[MAX_ROWS];
	int names_truncated;		/* vma messages with name-truncated */
	size_t longest_name;		/* bytes, of any vma name */
	const char *needle;		/* count vma names that hold it: */
	int needle_pid, needle_hits;	/* the last pid seen with one, and how many */
	unsigned long long total[F_NR];
	uint32_t processes;
};

/* Note a VMA's name: its length, its truncation, and @d->needle in it. */
static inline void nl_vma(struct dump *d, struct nlattr *nest, uint32_t pid)
{
	struct nlattr *a = NLA_DATA(nest);
	int len = nest->nla_len - NLA_HDRLEN;
	const char *name = NULL;

	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN; len -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a)) {
		if (a->nla_type == COWSTAT_A_VMA_NAME_TRUNCATED)
			d->names_truncated++;
		if (a->nla_type == COWSTAT_A_VMA_NAME)
			name = NLA_DATA(a);
	}
	if (!name)
		return;
	if (strlen(name) > d->longest_name)
		d->longest_name = strlen(name);
	if (d->needle && strstr(name, d->needle)) {
		d->needle_hits++;
		d->needle_pid = pid;
	}
}

static inline int dump_cb(struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	struct nl_attrs at;

	nl_parse(nlh, &at);
	if (d->totals)
		d->after_totals++;
	if (at.a[COWSTAT_A_PROC_TOTALS]) {
		d->totals++;
		nl_counts(at.a[COWSTAT_A_PROC_COUNTS], d->total);
		d->processes = nl_u32(at.a[COWSTAT_A_PROC_PROCESSES]);
		return 0;
	}
	if (at.a[COWSTAT_A_PROC_VMA]) {
		d->vmas++;
		nl_vma(d, at.a[COWSTAT_A_PROC_VMA], nl_u32(at.a[COWSTAT_A_PROC_PID]));
		return 0;
	}
	if (d->n >= MAX_ROWS || !at.a[COWSTAT_A_PROC_PID])
		return -1;
	d->row[d->n].pid = nl_u32(at.a[COWSTAT_A_PROC_PID]);
	d->row[d->n].ppid = nl_u32(at.a[COWSTAT_A_PROC_PPID]);
	d->row[d->n].depth = nl_u32(at.a[COWSTAT_A_PROC_DEPTH]);
	d->row[d->n].flags = nl_u32(at.a[COWSTAT_A_PROC_FLAGS]);
	d->row[d->n].has_counts = nl_counts(at.a[COWSTAT_A_PROC_COUNTS], d->row[d->n].v);
	d->row[d->n].has_comm = !!at.a[COWSTAT_A_PROC_COMM];
	d->n++;
	return 0;
}

/* Dump the tree of @root; returns 0 or -errno. */
static inline int dump_tree(struct nl *nl, pid_t root, int vmas, size_t bufsize, struct dump *d)
{
	char buf[256];
	struct nlmsghdr *nlh;
	uint32_t pid = root;
	int ret;

	{
		const char *needle = d->needle;

		memset(d, 0, sizeof(*d));
		d->needle = needle;
	}
	nlh = nl_msg(buf, nl->family, NLM_F_DUMP, COWSTAT_CMD_GET, ++nl->seq);
	nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
	if (vmas)
		nl_put(nlh, COWSTAT_A_PROC_VMAS, NULL, 0);
	ret = nl_send(nl, nlh);
	return ret ? ret : nl_recv(nl, bufsize, dump_cb, d);
}

#endif /* COWSTAT_NL_H */
