// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the kernel, to test cowstat's main() on the host: the real
 * nl.c with cs_nl_open(), cs_nl_dump() and cs_nl_close() replaced by fakes
 * that serve the synthetic fixture trees or fail as $COWSTAT_FAKE says:
 *
 *   tree          every dump succeeds: fixture(), fixture2(), fixture(), ...
 *   esrch, eperm  every dump fails with that errno (and an extack message)
 *   esrch-later   two dumps succeed, then ESRCH (the root exited)
 *   enoent        the family lookup fails: the module is not loaded
 *
 * Linked with cowstat.c into tests/cli_fake_test; cli_test.sh drives it.
 */
#define cs_nl_open	real_cs_nl_open
#define cs_nl_dump	real_cs_nl_dump
#define cs_nl_close	real_cs_nl_close
#include "../nl.c"
#undef cs_nl_open
#undef cs_nl_dump
#undef cs_nl_close

#include "fixture.h"

int cs_nl_open(struct cs_nl **nlp, struct cs_nl_err *e);
int cs_nl_dump(struct cs_nl *nl, uint32_t pid, bool vmas, struct cs_tree *t,
	       struct cs_nl_err *e);
void cs_nl_close(struct cs_nl *nl);

static const char *mode(void)
{
	const char *m = getenv("COWSTAT_FAKE");

	return m ? m : "tree";
}

int cs_nl_open(struct cs_nl **nlp, struct cs_nl_err *e)
{
	if (!strcmp(mode(), "enoent")) {
		*e = (struct cs_nl_err){ .stage = CS_STAGE_FAMILY, .err = ENOENT };
		return -1;
	}
	*nlp = calloc(1, sizeof(**nlp));
	return *nlp ? 0 : -1;
}

int cs_nl_dump(struct cs_nl *nl, uint32_t pid, bool vmas, struct cs_tree *t,
	       struct cs_nl_err *e)
{
	unsigned int n = nl->seq++;

	(void)pid;
	(void)vmas;
	if (!strcmp(mode(), "esrch") || (!strcmp(mode(), "esrch-later") && n >= 2)) {
		*e = (struct cs_nl_err){ .stage = CS_STAGE_DUMP, .err = ESRCH,
					 .msg = "fake: no such process" };
		return -1;
	}
	if (!strcmp(mode(), "eperm")) {
		*e = (struct cs_nl_err){ .stage = CS_STAGE_DUMP, .err = EPERM };
		return -1;
	}
	if (n % 2)
		fixture2(t);
	else
		fixture(t);
	return 0;
}

void cs_nl_close(struct cs_nl *nl)
{
	free(nl);
}
