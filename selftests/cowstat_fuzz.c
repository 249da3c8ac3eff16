// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer for the module's two inputs (README, "debugfs" and "Who may
 * read what").
 *
 * netlink: COWSTAT_FUZZ_MSGS (default 100,000) random and mutated generic
 * netlink messages to the cowstat family: every attribute of the family
 * (request and reply-only ones, nested VMA attributes, out-of-range
 * types, NLA_F_NESTED/NLA_F_NET_BYTEORDER bits) with right and wrong
 * types and lengths, nested garbage, truncated attributes, genetlink and
 * netlink headers, wrong commands, versions and reserved bytes, odd flags
 * (NLM_F_DUMP, NLM_F_ACK, half a dump, no NLM_F_REQUEST, random bits),
 * control message types, an unknown family, random PIDs and the PIDs of
 * existing processes, one to three messages per datagram.  Datagrams go
 * out in batches on one socket, then every answer is read and checked
 * against what netlink_rcv_skb() promises for each message: nothing for
 * a message whose length field is bad (and nothing after it in its
 * datagram), an ACK of 0 for a control message or a non-request asked to
 * be acknowledged, and for every request to the family exactly one final
 * answer: an NLMSG_ERROR, or valid replies (a do: one reply, then the ACK
 * when asked; a dump: NLM_F_MULTI process messages, the totals, then
 * NLMSG_DONE).  Each batch ends with an acknowledged NLMSG_NOOP request,
 * so that an answer that should not exist is caught.  Receives time out:
 * a missing answer fails instead of hanging.
 *
 * debugfs: COWSTAT_FUZZ_WRITES (default 10,000) random writes to
 * /sys/kernel/debug/cowstat/pid (random bytes, numbers, signs, white
 * space, leading zeros, NULs, overlong input, the PIDs of existing
 * processes), each checked against the spec's rule, and the selection
 * read back; the old value is restored afterwards.
 *
 * Before and after each storm, a dump (with VMAs), the tree file and the
 * summary of a known paused tree (a parent that wrote 64 pages and two
 * children that rewrote 5 and 17 of them) must be identical.  The storms
 * run in a child process, so that the pages they touch are never the
 * test process's, whose pages the tree shares.
 *
 * The seed is printed; COWSTAT_FUZZ_SEED=<seed> replays a run.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include "kselftest_harness.h"
#include "cowstat_util.h"
#include "cowstat_nl.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* ---- the PRNG: xorshift64*, seeded, so that a run can be replayed ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* True with probability @pct percent. */
static int chance(unsigned int pct)
{
	return below(100) < pct;
}

static void rnd_bytes(void *p, size_t n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = rnd();
}

static uint64_t fuzz_seed(void)
{
	const char *s = getenv("COWSTAT_FUZZ_SEED");
	struct timespec ts;

	if (s && *s)
		return strtoull(s, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (ts.tv_sec * 1000000007ULL) ^ ts.tv_nsec ^ ((uint64_t)getpid() << 32);
}

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);

	return s && *s ? strtol(s, NULL, 0) : def;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- what the storm child reports, in shared memory ---- */

#define NOTES 8

struct stats {
	long datagrams, messages, answered, unanswered_ok, acks, errors;
	long do_replies, dumps_done, dump_msgs, noops, walks_ok, sockets;
	long writes, writes_ok;
	long failures;
	double secs;
	char note[NOTES][200];
};

static struct stats *st;

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	if (st->failures < NOTES) {
		va_start(ap, fmt);
		vsnprintf(st->note[st->failures], sizeof(st->note[0]), fmt, ap);
		va_end(ap);
	}
	st->failures++;
}

/* ---- the known tree ---- */

static char *region;

static void write_some(void *arg)
{
	cs_touch(region, 0, (long)arg, 2);
}

static void small_tree(void *arg)
{
	region = cs_region(64, 0);
	cs_touch(region, 0, 64, 1);
	cs_spawn(write_some, (void *)5L);
	cs_spawn(write_some, (void *)17L);
}

/* What the module says about the tree: a dump with VMAs, tree, summary. */
struct snap {
	char *dump;		/* the genetlink payloads of the dump, in order */
	size_t len, cap;
	int msgs;
	char *tree, *summary;
};

static int snap_cb(struct nlmsghdr *nlh, void *arg)
{
	struct snap *s = arg;
	size_t n = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->dump = realloc(s->dump, s->cap);
		if (!s->dump)
			return -1;
	}
	memcpy(s->dump + s->len, NLMSG_DATA(nlh), n);
	s->len += n;
	s->msgs++;
	return 0;
}

static int take_snap(pid_t root, struct snap *s)
{
	char buf[256];
	struct nlmsghdr *nlh;
	uint32_t pid = root;
	struct nl nl;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = nl_open(&nl);
	if (ret)
		return ret;
	nlh = nl_msg(buf, nl.family, NLM_F_DUMP, COWSTAT_CMD_GET, 2);
	nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
	nl_put(nlh, COWSTAT_A_PROC_VMAS, NULL, 0);
	ret = nl_send(&nl, nlh);
	if (!ret)
		ret = nl_recv(&nl, 32768, snap_cb, s);
	close(nl.fd);
	if (ret)
		return ret;
	if (cs_select(root))
		return -EIO;
	s->tree = cs_read(CS_DIR "/tree");
	s->summary = cs_read(CS_DIR "/summary");
	return s->tree && s->summary ? 0 : -EIO;
}

static void free_snap(struct snap *s)
{
	free(s->dump);
	free(s->tree);
	free(s->summary);
}

/* The first line where two texts differ. */
static void first_diff(const char *what, const char *a, const char *b, char *out, size_t len)
{
	while (a && b && *a) {
		size_t la = strcspn(a, "\n");

		if (la != strcspn(b, "\n") || strncmp(a, b, la))
			break;
		a = cs_next_line(a);
		b = cs_next_line(b);
	}
	a = a ?: "";
	b = b ?: "";
	snprintf(out, len, "%s: before \"%.*s\", after \"%.*s\"", what,
		 (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
}

FIXTURE(fuzz) {
	pid_t root, kids[2];
	uint64_t seed;
	struct snap before;
	struct stats *st;
};

FIXTURE_SETUP(fuzz)
{
	self->seed = fuzz_seed();
	/* A TAP comment, so that a failed run can be replayed. */
	printf("# seed 0x%llx (COWSTAT_FUZZ_SEED=0x%llx replays it)\n",
	       (unsigned long long)self->seed, (unsigned long long)self->seed);
	fflush(stdout);
	self->root = cs_spawn(small_tree, NULL);
	ASSERT_LT(0, self->root);
	/* After the tree, which must not map it. */
	self->st = mmap(NULL, sizeof(*self->st), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->st);
}

FIXTURE_TEARDOWN(fuzz)
{
	free_snap(&self->before);
	cs_select(1);
	cs_reap(self->root);
}

/* ---- the netlink storm ---- */

/* What netlink promises for one message. */
enum expect { EXP_NONE, EXP_ACK0, EXP_DO, EXP_DO_ACK, EXP_DUMP };

struct outstanding {
	enum expect exp;
	int final, reply, totals, msgs;
};

#define MAX_BATCH 64
#define MSG_MAX 1024

static uint16_t family;
static uint32_t seq_base, next_seq;
static struct outstanding out[MAX_BATCH * 3 + 1];
static pid_t existing[16];
static int nr_existing;

/*
 * A PID: an existing process's, an edge value, or a random one.  The
 * existing ones are the known tree's, ours, the test's and kthreadd's
 * (2, whose tree is every kernel thread), not init's: a walk of init's
 * tree costs whatever the rest of the test run left running, and would
 * make the storm's run time depend on it.
 */
static uint32_t fuzz_pid(void)
{
	static const uint32_t edge[] = {
		0, 2, 0x7fffffff, 0x80000000, 0xffffffff, 32768, 4194304, 4194305,
	};

	switch (below(10)) {
	case 0:
		return existing[below(nr_existing)];
	case 1: case 2:
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	case 3:
		return rnd();
	default:
		return below(65536);
	}
}

/* The type of each attribute of the proc set, as the spec defines it. */
enum kind { K_PAD, K_U32, K_U64, K_FLAG, K_STR, K_NEST };

static enum kind proc_kind(int type)
{
	switch (type) {
	case COWSTAT_A_PROC_PID: case COWSTAT_A_PROC_ROOT: case COWSTAT_A_PROC_PPID:
	case COWSTAT_A_PROC_DEPTH: case COWSTAT_A_PROC_FLAGS:
	case COWSTAT_A_PROC_MM_SHARED_WITH: case COWSTAT_A_PROC_PROCESSES:
	case COWSTAT_A_PROC_PAGE_SIZE:
		return K_U32;
	case COWSTAT_A_PROC_VMAS: case COWSTAT_A_PROC_TOTALS:
		return K_FLAG;
	case COWSTAT_A_PROC_COMM:
		return K_STR;
	case COWSTAT_A_PROC_VMA: case COWSTAT_A_PROC_COUNTS:
		return K_NEST;
	case COWSTAT_A_PROC_PAD:
		return K_PAD;
	default:
		return K_U64;
	}
}

static enum kind vma_kind(int type)
{
	switch (type) {
	case COWSTAT_A_VMA_PERMS: case COWSTAT_A_VMA_NAME:
		return K_STR;
	case COWSTAT_A_VMA_PAD:
		return K_PAD;
	case COWSTAT_A_VMA_COUNTS:
		return K_NEST;
	case COWSTAT_A_VMA_NAME_TRUNCATED:
		return K_FLAG;
	default:
		return K_U64;
	}
}

/*
 * Append an attribute at @p (room @room): its payload of the right kind
 * for @type, or of a wrong length, or garbage.  Returns its aligned size,
 * 0 when there is no room.
 */
static size_t fuzz_attrs(char *p, size_t room, int depth, int vma_set);

static size_t fuzz_attr(char *p, size_t room, int depth, int vma_set)
{
	struct nlattr *a = (void *)p;
	int max = vma_set ? COWSTAT_A_VMA_MAX : COWSTAT_A_PROC_MAX;
	char *d = p + NLA_HDRLEN;
	size_t len = 0, cap;
	enum kind k;
	int type;

	if (room < NLA_HDRLEN + 8)
		return 0;
	cap = room - NLA_HDRLEN;
	switch (below(10)) {
	case 0: case 1: case 2: case 3:	/* what a request may carry */
		type = vma_set ? 1 + below(max) :
		       (int[]){ COWSTAT_A_PROC_PID, COWSTAT_A_PROC_PID, COWSTAT_A_PROC_ROOT,
				COWSTAT_A_PROC_VMAS }[below(4)];
		break;
	case 9:				/* outside the set */
		type = chance(50) ? max + 1 + below(4) : below(0x4000);
		break;
	default:			/* any attribute of the set, 0 too */
		type = below(max + 1);
	}
	k = vma_set ? vma_kind(type) : proc_kind(type);
	if (chance(85)) {		/* the right kind */
		uint32_t v32 = (type == COWSTAT_A_PROC_PID || type == COWSTAT_A_PROC_ROOT) &&
			       !vma_set ? fuzz_pid() : (uint32_t)rnd();
		uint64_t v64 = chance(50) ? below(1000) : rnd();

		switch (k) {
		case K_U32:
			memcpy(d, &v32, len = 4);
			break;
		case K_U64:
			memcpy(d, &v64, len = 8);
			break;
		case K_FLAG: case K_PAD:
			len = k == K_PAD && chance(50) ? 4 : 0;
			memset(d, 0, len);
			break;
		case K_STR:
			len = below(cap < 40 ? cap : 40);
			rnd_bytes(d, len);
			if (len && chance(70))
				d[len - 1] = '\0';
			break;
		case K_NEST:
			len = depth < 3 ? fuzz_attrs(d, cap, depth + 1, 1) : 0;
			break;
		}
	} else if (chance(70)) {	/* a wrong length */
		len = below(13);
		rnd_bytes(d, len);
	} else if (depth < 3 && chance(50)) {	/* nested garbage */
		len = fuzz_attrs(d, cap, depth + 1, chance(50));
	} else {			/* long garbage */
		len = below(cap < 300 ? cap : 300);
		rnd_bytes(d, len);
	}
	if (len > cap)
		len = cap;
	if (chance(3))
		type |= NLA_F_NESTED;
	if (chance(2))
		type |= NLA_F_NET_BYTEORDER;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	/* Attribute-level damage: a length past the end, or below a header. */
	if (chance(2))
		a->nla_len = chance(50) ? below(NLA_HDRLEN) : a->nla_len + 1 + below(100);
	return NLA_ALIGN(NLA_HDRLEN + len) <= room ? NLA_ALIGN(NLA_HDRLEN + len) : room;
}

static size_t fuzz_attrs(char *p, size_t room, int depth, int vma_set)
{
	int i, n = below(depth ? 5 : 6);
	size_t len = 0, l;

	for (i = 0; i < n; i++) {
		l = fuzz_attr(p + len, room - len, depth, vma_set);
		if (!l)
			break;
		len += l;
	}
	return len;
}

/*
 * One message at @p, of at most @room bytes; returns how many bytes of
 * the datagram it takes.  @last: its length field makes netlink drop it
 * and the rest of the datagram, so that nothing may follow it.
 */
static size_t fuzz_msg(char *p, size_t room, uint32_t seq, int *last)
{
	struct nlmsghdr *nlh = (void *)p;
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	size_t len;
	uint32_t pid;

	memset(p, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = chance(95) ? 0 : rnd();

	/* The type: the family, mostly. */
	switch (below(100)) {
	case 0: case 1: case 2:
		nlh->nlmsg_type = below(NLMSG_MIN_TYPE);	/* control */
		break;
	case 3: case 4:
		nlh->nlmsg_type = 0xff00 + below(0x100);	/* no such family */
		break;
	default:
		nlh->nlmsg_type = family;
	}

	/* The flags: requests, dumps and ACKs, halves of a dump, odd bits. */
	nlh->nlmsg_flags = chance(96) ? NLM_F_REQUEST : 0;
	switch (below(10)) {
	case 0: case 1: case 2: case 3:
		nlh->nlmsg_flags |= NLM_F_DUMP;
		break;
	case 4:
		nlh->nlmsg_flags |= chance(50) ? NLM_F_ROOT : NLM_F_MATCH;
		break;
	case 5:
		nlh->nlmsg_flags |= rnd() & ~NLM_F_REQUEST;
		break;
	case 6:
		nlh->nlmsg_flags |= (NLM_F_ECHO | NLM_F_ATOMIC | NLM_F_MULTI |
				     NLM_F_EXCL | NLM_F_CREATE) & rnd();
		break;
	}
	if (chance(50))
		nlh->nlmsg_flags |= NLM_F_ACK;

	/* The genetlink header: command, version, reserved. */
	g->cmd = chance(85) ? COWSTAT_CMD_GET : below(256);
	g->version = chance(80) ? COWSTAT_FAMILY_VERSION : below(256);
	g->reserved = chance(95) ? 0 : rnd();

	len = NLMSG_HDRLEN + GENL_HDRLEN;
	if (chance(30)) {
		/* A well-formed request: a PID, maybe VMAs or a root. */
		struct nlattr *a = (void *)(p + len);

		pid = fuzz_pid();
		a->nla_type = COWSTAT_A_PROC_PID;
		a->nla_len = NLA_HDRLEN + 4;
		memcpy(NLA_DATA(a), &pid, 4);
		len += NLA_ALIGN(a->nla_len);
		if (chance(40)) {
			a = (void *)(p + len);
			a->nla_type = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP ?
				      COWSTAT_A_PROC_VMAS : COWSTAT_A_PROC_ROOT;
			a->nla_len = NLA_HDRLEN;
			if (a->nla_type == COWSTAT_A_PROC_ROOT) {
				pid = fuzz_pid();
				memcpy(NLA_DATA(a), &pid, 4);
				a->nla_len += 4;
			}
			len += NLA_ALIGN(a->nla_len);
		}
		if (chance(20))
			len += fuzz_attrs(p + len, room - len, 0, 0);
	} else {
		len += fuzz_attrs(p + len, room - len, 0, 0);
	}
	nlh->nlmsg_len = len;

	/* Message-level damage. */
	*last = 0;
	switch (below(100)) {
	case 0: case 1:		/* cut short: inside the genl header or an attribute */
		nlh->nlmsg_len = NLMSG_HDRLEN + below(len - NLMSG_HDRLEN);
		break;
	case 2: case 3:		/* stray bytes after the attributes */
		nlh->nlmsg_len += 1 + below(3);
		rnd_bytes(p + len, 3);
		break;
	case 4:			/* a length below a netlink header */
		nlh->nlmsg_len = below(NLMSG_HDRLEN);
		*last = 1;
		return len;
	case 5:			/* a length past the datagram */
		nlh->nlmsg_len = len + 1 + below(2000);
		*last = 1;
		return len;
	}
	/* Where netlink looks for the next message. */
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

/*
 * What netlink_rcv_skb() will do with each message of a datagram of
 * @len bytes at @buf: set out[] for each message's sequence number.
 */
static void predict(const char *buf, size_t len)
{
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const void *)buf;
		struct outstanding *o = &out[nlh->nlmsg_seq - seq_base];
		size_t msglen;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || len < nlh->nlmsg_len)
			return;		/* this one and the rest are dropped */
		if (nlh->nlmsg_seq - seq_base >= next_seq - seq_base) {
			fail("fuzzer bug: a message of seq %u in the datagram", nlh->nlmsg_seq);
			return;
		}
		if (!(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE)
			o->exp = nlh->nlmsg_flags & NLM_F_ACK ? EXP_ACK0 : EXP_NONE;
		else if ((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
			o->exp = EXP_DUMP;
		else
			o->exp = nlh->nlmsg_flags & NLM_F_ACK ? EXP_DO_ACK : EXP_DO;
		msglen = NLMSG_ALIGN(nlh->nlmsg_len);
		if (msglen > len)
			msglen = len;
		buf += msglen;
		len -= msglen;
	}
}

/*
 * The attributes at @a (@len bytes) are well formed: of the proc set
 * (@depth 0), the vma set (1) or the counts set (2), with their nests.
 */
static int attrs_ok(const struct nlattr *a, int len, int max, int depth)
{
	for (; len >= NLA_HDRLEN; len -= NLA_ALIGN(a->nla_len), a = NLA_NEXT(a)) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len || !type || type > max)
			return 0;
		if (!depth && type == COWSTAT_A_PROC_VMA &&
		    !attrs_ok(NLA_DATA(a), a->nla_len - NLA_HDRLEN, COWSTAT_A_VMA_MAX, 1))
			return 0;
		if (depth < 2 && type == (depth ? COWSTAT_A_VMA_COUNTS : COWSTAT_A_PROC_COUNTS) &&
		    !attrs_ok(NLA_DATA(a), a->nla_len - NLA_HDRLEN, COWSTAT_A_COUNTS_MAX, 2))
			return 0;
	}
	return len == 0;
}

/* A reply of the family: well formed, with a PID. */
static int reply_ok(struct nlmsghdr *nlh, int *totals)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct nl_attrs at;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || g->cmd != COWSTAT_CMD_GET ||
	    g->version != COWSTAT_FAMILY_VERSION)
		return 0;
	if (!attrs_ok((void *)((char *)g + GENL_HDRLEN),
		      nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, COWSTAT_A_PROC_MAX, 0))
		return 0;
	nl_parse(nlh, &at);
	if (!at.a[COWSTAT_A_PROC_PID] || at.a[COWSTAT_A_PROC_PID]->nla_len != NLA_HDRLEN + 4)
		return 0;
	*totals = !!at.a[COWSTAT_A_PROC_TOTALS];
	return 1;
}

/* Check one message of an answer. */
static void answer(struct nlmsghdr *nlh)
{
	uint32_t i = nlh->nlmsg_seq - seq_base;
	struct outstanding *o;
	int totals = 0, err;

	if (nlh->nlmsg_type == NLMSG_NOOP) {
		st->noops++;
		return;
	}
	if (i >= next_seq - seq_base) {
		fail("answer (type %u) to seq %u, which this batch did not send",
		     nlh->nlmsg_type, nlh->nlmsg_seq);
		return;
	}
	o = &out[i];
	if (o->exp == EXP_NONE) {
		fail("answer (type %u) to seq %u, which netlink should have dropped",
		     nlh->nlmsg_type, nlh->nlmsg_seq);
		return;
	}
	if (o->final) {
		fail("answer (type %u) to seq %u after its final answer",
		     nlh->nlmsg_type, nlh->nlmsg_seq);
		return;
	}
	o->msgs++;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e) || e->msg.nlmsg_seq != nlh->nlmsg_seq) {
			fail("seq %u: malformed NLMSG_ERROR", nlh->nlmsg_seq);
			return;
		}
		err = e->error;
		o->final = 1;
		if (err > 0 || err < -4095)
			fail("seq %u: error %d", nlh->nlmsg_seq, err);
		else if (!err && !(o->exp == EXP_ACK0 || (o->exp == EXP_DO_ACK && o->reply)))
			fail("seq %u (expect %d): an ACK of 0 %s", nlh->nlmsg_seq, o->exp,
			     o->exp == EXP_DO_ACK ? "without a reply" : "that was not asked for");
		else if (err && (o->exp == EXP_ACK0 || o->reply || o->msgs > 1))
			fail("seq %u (expect %d): error %d after %d messages", nlh->nlmsg_seq,
			     o->exp, err, o->msgs - 1);
		err ? st->errors++ : st->acks++;
		return;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		o->final = 1;
		if (o->exp != EXP_DUMP) {
			fail("seq %u: NLMSG_DONE answers a request that is no dump", nlh->nlmsg_seq);
			return;
		}
		if (nlh->nlmsg_len < NLMSG_HDRLEN + 4) {
			fail("seq %u: NLMSG_DONE without its error code", nlh->nlmsg_seq);
			return;
		}
		memcpy(&err, NLMSG_DATA(nlh), 4);
		if (!err && !o->totals)
			fail("seq %u: a dump ended without its totals", nlh->nlmsg_seq);
		st->dumps_done++;
		if (!err)
			st->walks_ok++;
		return;
	}
	if (nlh->nlmsg_type != family) {
		fail("seq %u: a message of type %u", nlh->nlmsg_seq, nlh->nlmsg_type);
		return;
	}
	if (!reply_ok(nlh, &totals)) {
		fail("seq %u: a malformed reply", nlh->nlmsg_seq);
		return;
	}
	switch (o->exp) {
	case EXP_DUMP:
		st->dump_msgs++;
		if (!(nlh->nlmsg_flags & NLM_F_MULTI) || o->totals)
			fail("seq %u: dump message %s", nlh->nlmsg_seq,
			     o->totals ? "after the totals" : "without NLM_F_MULTI");
		o->totals |= totals;
		break;
	case EXP_DO:
	case EXP_DO_ACK:
		if (o->reply || totals)
			fail("seq %u: a second reply, or totals, in a get", nlh->nlmsg_seq);
		o->reply = 1;
		st->do_replies++;
		st->walks_ok++;
		if (o->exp == EXP_DO)
			o->final = 1;
		break;
	default:
		fail("seq %u: a reply to a request that gets only an ACK", nlh->nlmsg_seq);
	}
}

static int open_sock(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	struct timeval tv = { .tv_sec = 30 };
	int one = 1, zero = 0, big = 2 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, chance(80) ? &one : &zero, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, chance(30) ? &one : &zero, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	st->sockets++;
	return fd;
}

/* Read until every message of the batch has had its answer. */
static int drain(int fd, char *buf, size_t size)
{
	uint32_t i, n = next_seq - seq_base;

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t len;

		for (i = 0; i < n; i++)
			if (out[i].exp != EXP_NONE && !out[i].final)
				break;
		if (i == n)
			return 0;
		len = recv(fd, buf, size, 0);
		if (len < 0) {
			fail("recv: %s, waiting for seq %u (expect %d, %d messages so far)",
			     errno == EAGAIN ? "no answer in 30 s" : strerror(errno),
			     seq_base + i, out[i].exp, out[i].msgs);
			return -1;
		}
		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len))
			answer(nlh);
		if (len)
			fail("%zd stray bytes at the end of a datagram", len);
	}
}

static void netlink_storm(long total)
{
	static char dgram[3 * MSG_MAX + 64], rbuf[1 << 16];
	int fd = -1, sock_left = 0;

	next_seq = rnd();
	while (st->messages < total && st->failures < NOTES) {
		int nd = 1 + below(16), d;

		if (sock_left <= 0) {
			if (fd >= 0)
				close(fd);
			fd = open_sock();
			if (fd < 0) {
				fail("socket: %s", strerror(errno));
				return;
			}
			sock_left = 200 + below(3000);
		}
		seq_base = next_seq;
		memset(out, 0, sizeof(out));
		for (d = 0; d < nd; d++) {
			int nm = chance(90) ? 1 : 2 + below(2), m;
			struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
			size_t len = 0;
			int last = 0;

			for (m = 0; m < nm && !last; m++) {
				len += fuzz_msg(dgram + len, MSG_MAX - 8, next_seq++, &last);
				st->messages++;
			}
			/* Now and then, a datagram shorter than a header. */
			if (chance(1))
				len = 1 + below(NLMSG_HDRLEN - 1);
			predict(dgram, len);
			if (sendto(fd, dgram, len, 0, (void *)&sa, sizeof(sa)) != (ssize_t)len) {
				fail("sendto of %zu bytes: %s", len, strerror(errno));
				return;
			}
			st->datagrams++;
		}
		/* The batch's end: an NLMSG_NOOP request with an ACK. */
		{
			struct nlmsghdr nop = {
				.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = next_seq++,
			};
			struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

			predict((void *)&nop, sizeof(nop));
			if (sendto(fd, &nop, sizeof(nop), 0, (void *)&sa, sizeof(sa)) != sizeof(nop)) {
				fail("sendto: %s", strerror(errno));
				return;
			}
		}
		if (drain(fd, rbuf, sizeof(rbuf)))
			return;
		for (d = 0; d < (int)(next_seq - seq_base) - 1; d++) {
			if (out[d].exp == EXP_NONE)
				st->unanswered_ok++;
			else
				st->answered++;
		}
		sock_left -= nd;
		/* Now and then, leave a dump half-read: close the socket on it. */
		if (chance(2)) {
			char buf[256];
			struct nlmsghdr *nlh;
			uint32_t pid = existing[below(nr_existing)];

			nlh = nl_msg(buf, family, NLM_F_DUMP, COWSTAT_CMD_GET, next_seq++);
			nl_put(nlh, COWSTAT_A_PROC_PID, &pid, 4);
			nl_put(nlh, COWSTAT_A_PROC_VMAS, NULL, 0);
			send(fd, nlh, nlh->nlmsg_len, 0);
			sock_left = 0;
		}
	}
	if (fd >= 0)
		close(fd);
}

/* ---- the debugfs storm ---- */

static int exists(long pid)
{
	return pid > 0 && pid <= INT_MAX && (!kill(pid, 0) || errno == EPERM);
}

/* The first 32 bytes of @buf, C-escaped, for a one-line TAP comment. */
static const char *esc(const char *buf, size_t len)
{
	static char out[4 * 32 + 8];
	size_t i, o = 0;

	for (i = 0; i < len && i < 32; i++) {
		unsigned char c = buf[i];

		if (c >= ' ' && c < 0x7f && c != '\\' && c != '"')
			out[o++] = c;
		else
			o += sprintf(out + o, "\\x%02x", c);
	}
	strcpy(out + o, i < len ? "..." : "");
	return out;
}

static int ascii_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static size_t fuzz_input(char *buf, size_t cap)
{
	static const char * const nums[] = {
		"0", "00", "-0", "+0", "-1", "+1", "1", "2", "2147483647", "2147483648",
		"4294967295", "4294967296", "18446744073709551615", "18446744073709551616",
		"99999999999999999999999", "4194304", "4194305", "32768", "0x10", "010",
		"1e3", "1.0", "1,000", "1_000", "--1", "- 1",
	};
	static const char ws[] = " \t\n\v\f\r";
	size_t len = 0, i, n;

	switch (below(10)) {
	case 0: case 1: case 2:	/* an existing PID, dressed */
		for (n = below(3); n--;)
			buf[len++] = ws[below(6)];
		for (n = chance(20) ? below(4) : 0; n--;)
			buf[len++] = '0';
		len += snprintf(buf + len, cap - len, "%d", existing[below(nr_existing)]);
		for (n = below(3); n--;)
			buf[len++] = ws[below(6)];
		break;
	case 3: case 4:		/* a number */
		if (chance(50))
			len = snprintf(buf, cap, "%s", nums[below(sizeof(nums) / sizeof(nums[0]))]);
		else
			len = snprintf(buf, cap, "%s%llu", chance(20) ? "-" : chance(10) ? "+" : "",
				       (unsigned long long)(chance(50) ? below(70000) : rnd() >> below(64)));
		if (chance(30))
			buf[len++] = '\n';
		break;
	case 5:			/* white space only, or nothing */
		for (n = below(6); n--;)
			buf[len++] = ws[below(6)];
		break;
	case 6:			/* overlong */
		n = 33 + below(chance(50) ? 64 : 4000);
		for (i = 0; i < n; i++)
			buf[len++] = chance(50) ? ' ' : '0';
		len += snprintf(buf + len, cap - len, "%d", existing[below(nr_existing)]);
		break;
	case 7:			/* digits, with a byte of anything */
		len = snprintf(buf, cap, "%d", existing[below(nr_existing)]);
		buf[below(len + 1)] = rnd();
		break;
	default:		/* random bytes */
		len = below(48);
		rnd_bytes(buf, len);
	}
	return len;
}

/*
 * The spec's rule for the written bytes: 1 for "selects the PID", or the
 * errnos it may fail with (@e1, @e2, @e3, 0 for none).  For bytes it does
 * not decide (non-ASCII, overlong), @lenient is set: success is allowed
 * when the digits name an existing process.
 */
static int rule(const char *buf, size_t len, long *pid, int *e1, int *e2, int *e3, int *lenient)
{
	const char *s = buf, *e = buf + len;
	unsigned long long v = 0;
	int over = 0;
	size_t i;

	*e1 = *e2 = *e3 = EINVAL;
	*pid = 0;
	*lenient = len > 32;
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] >= 0x80)
			*lenient = 1;
	if (memchr(buf, '\0', len))
		return 0;
	while (s < e && ascii_space(*s))
		s++;
	while (e > s && ascii_space(e[-1]))
		e--;
	if (s == e)
		return 0;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
		if (v > 0xffffffffULL)
			over = 1;
	}
	if (!over && !v)
		return 0;
	if (over || v > INT_MAX) {
		*e2 = ERANGE;
		*e3 = ESRCH;
		return 0;
	}
	*pid = v;
	if (!exists(v)) {
		*e1 = *e2 = ESRCH;
		if (v > 32768)	/* may be past pid_max */
			*e2 = EINVAL, *e3 = ERANGE;
		return 0;
	}
	return 1;
}

static void debugfs_storm(long total)
{
	static char buf[8192];
	long cur = cs_read_pid(), i;

	for (i = 0; i < total && st->failures < NOTES; i++) {
		size_t len = fuzz_input(buf, sizeof(buf) - 64);
		int e1, e2, e3, lenient, ret, ok;
		long pid, now_pid;

		ok = rule(buf, len, &pid, &e1, &e2, &e3, &lenient);
		ret = cs_write(CS_DIR "/pid", buf, len);
		now_pid = cs_read_pid();
		st->writes++;
		if (!ret) {
			st->writes_ok++;
			if (!ok && !lenient)
				fail("write of %zu bytes \"%s\" selected %ld; want -%d", len,
				     esc(buf, len), now_pid, e1);
			else if (!exists(now_pid) || (ok && now_pid != pid))
				fail("write of \"%s\": reads back %ld", esc(buf, len), now_pid);
			cur = now_pid;
			continue;
		}
		if (ok && !lenient)
			fail("write of %zu bytes \"%s\" (PID %ld): %d, want success",
			     len, esc(buf, len), pid, ret);
		else if (ret != -e1 && ret != -e2 && ret != -e3 &&
			 !(lenient && (ret == -EINVAL || ret == -ERANGE || ret == -ESRCH)))
			fail("write of %zu bytes \"%s\": %d, want -%d/-%d/-%d",
			     len, esc(buf, len), ret, e1, e2, e3);
		if (now_pid != cur)
			fail("a refused write of \"%s\" moved the selection %ld -> %ld",
			     esc(buf, len), cur, now_pid);
	}
}

/* ---- the tests ---- */

/* The children of @root in a tree file's text, into @kids[2]. */
static int tree_kids(const char *tree, pid_t root, pid_t *kids)
{
	struct cs_tree_row r;
	const char *line;
	int n = 0;

	for (line = tree; line && *line; line = cs_next_line(line))
		if (!cs_parse_tree_row(line, &r) && r.ppid == root && n < 2)
			kids[n++] = r.pid;
	return n;
}

static void run_storm(struct __test_metadata *_metadata, FIXTURE_DATA(fuzz) *self,
		      int storm_netlink)
{
	struct snap after;
	char diff[300];
	pid_t child;
	long saved;
	int i, status;

	st = self->st;
	memset(st, 0, sizeof(*st));

	/* The processes that random PIDs may name (see fuzz_pid()). */
	nr_existing = 0;
	existing[nr_existing++] = self->root;
	existing[nr_existing++] = 2;
	existing[nr_existing++] = getpid();

	saved = cs_read_pid();
	ASSERT_LT(0, saved);

	/*
	 * Twice, before: the first time faults in what snapshots touch, so
	 * that the test process's own page use stays the same around the
	 * storm (its anonymous pages are shared with the tree's root).
	 */
	for (i = 0; i < 2; i++) {
		free_snap(&self->before);
		ASSERT_EQ(0, take_snap(self->root, &self->before));
		child = fork();
		ASSERT_LE(0, child);
		if (!child)
			_exit(0);
		waitpid(child, NULL, 0);
	}
	/* Three processes, their VMAs and the totals. */
	ASSERT_LT(3 + 3 + 1, self->before.msgs);
	ASSERT_NE(NULL, strstr(self->before.summary, "processes: 3\n"));
	ASSERT_EQ(2, tree_kids(self->before.tree, self->root, self->kids));

	ASSERT_EQ(0, cs_write_str(CS_DIR "/pid", "1"));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct nl nl;
		double t = now();

		rng = self->seed ^ (storm_netlink ? 0x6e6c : 0x6466);
		if (!rng)
			rng = 1;
		/* The tree's children too: pids of processes in a walked tree. */
		existing[nr_existing++] = self->kids[0];
		existing[nr_existing++] = self->kids[1];
		existing[nr_existing++] = getpid();
		/* A write to debugfs pid does not walk: init too. */
		if (!storm_netlink)
			existing[nr_existing++] = 1;
		if (storm_netlink) {
			if (nl_open(&nl))
				_exit(2);
			family = nl.family;
			close(nl.fd);
			netlink_storm(env_long("COWSTAT_FUZZ_MSGS", 100000));
		} else {
			debugfs_storm(env_long("COWSTAT_FUZZ_WRITES", 10000));
		}
		st->secs = now() - t;
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) TH_LOG("storm status %#x", status);

	if (storm_netlink) {
		TH_LOG("%.1f s: %ld messages in %ld datagrams on %ld sockets: %ld answered "
		       "(%ld errors, %ld ACKs, %ld get replies, %ld dumps ended with %ld messages, "
		       "%ld noops), %ld dropped by netlink as they should be; %ld walks",
		       st->secs, st->messages, st->datagrams, st->sockets, st->answered,
		       st->errors, st->acks, st->do_replies, st->dumps_done, st->dump_msgs,
		       st->noops, st->unanswered_ok, st->walks_ok);
	} else {
		TH_LOG("%.1f s: %ld writes, %ld accepted", st->secs, st->writes, st->writes_ok);
	}
	for (i = 0; i < st->failures && i < NOTES; i++)
		TH_LOG("failure: %s", st->note[i]);
	EXPECT_EQ(0, st->failures) TH_LOG("replay with COWSTAT_FUZZ_SEED=0x%llx",
					  (unsigned long long)self->seed);
	if (storm_netlink) {
		EXPECT_LE(env_long("COWSTAT_FUZZ_MSGS", 100000), st->messages);
	} else {
		EXPECT_EQ(env_long("COWSTAT_FUZZ_WRITES", 10000), st->writes);
	}

	/* The module still answers, and the same. */
	ASSERT_EQ(0, take_snap(self->root, &after));
	EXPECT_EQ(self->before.msgs, after.msgs);
	EXPECT_EQ(self->before.len, after.len);
	EXPECT_TRUE(self->before.len == after.len &&
		    !memcmp(self->before.dump, after.dump, after.len))
		TH_LOG("the dump changed");
	if (strcmp(self->before.tree, after.tree)) {
		first_diff("tree", self->before.tree, after.tree, diff, sizeof(diff));
		TH_LOG("%s", diff);
	}
	EXPECT_STREQ(self->before.tree, after.tree);
	if (strcmp(self->before.summary, after.summary)) {
		first_diff("summary", self->before.summary, after.summary, diff, sizeof(diff));
		TH_LOG("%s", diff);
	}
	EXPECT_STREQ(self->before.summary, after.summary);
	free_snap(&after);

	/* The selection as it was. */
	if (saved == self->root)
		saved = 1;
	ASSERT_EQ(0, cs_select(saved));
	EXPECT_EQ(saved, cs_read_pid());
}

TEST_F_TIMEOUT(fuzz, netlink_storm, 2400)
{
	run_storm(_metadata, self, 1);
}

TEST_F_TIMEOUT(fuzz, debugfs_pid_storm, 600)
{
	run_storm(_metadata, self, 0);
}

TEST_HARNESS_MAIN
