/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowstat CLI: the generic netlink client (libmnl).
 */
#ifndef COWSTAT_NL_H
#define COWSTAT_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Which step failed: the same errno means different things in each. */
enum cs_stage {
	CS_STAGE_SOCKET,	/* opening the socket */
	CS_STAGE_FAMILY,	/* resolving the "cowstat" family */
	CS_STAGE_DUMP,		/* the kernel refused the dump */
	CS_STAGE_REPLY,		/* the reply could not be read or made no sense */
};

/**
 * struct cs_nl_err - why a netlink exchange failed
 * @stage: which step
 * @err: a positive errno
 * @msg: the kernel's extack message, or (CS_STAGE_REPLY) what was wrong
 *	with the reply; "" when there is none
 */
struct cs_nl_err {
	enum cs_stage stage;
	int err;
	char msg[256];
};

struct cs_nl;

int cs_nl_open(struct cs_nl **nlp, struct cs_nl_err *e);
int cs_nl_dump(struct cs_nl *nl, uint32_t pid, bool vmas, struct cs_tree *t,
	       struct cs_nl_err *e);
void cs_nl_close(struct cs_nl *nl);

int cs_nl_parse(const void *buf, size_t len, unsigned int seq, unsigned int portid,
		struct cs_tree *t, struct cs_nl_err *e);
int cs_nl_explain(const struct cs_nl_err *e, uint32_t pid, char *buf, size_t len);

#endif /* COWSTAT_NL_H */
