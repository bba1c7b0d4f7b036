/*
 * proto.h - pure line protocol helpers shared by the TCP (authd) and the
 * local API front ends.  Nothing here does I/O or allocates, so the whole
 * file is a fuzz target (fuzz/fuzz_proto.c).
 *
 * Wire format: lines end in LF, optionally preceded by CR.  A line is a
 * verb of ASCII letters, optionally followed by one space and an
 * argument.  Control characters (other than the terminating CR LF) make
 * the line malformed.
 */
#ifndef VMAUTHD_PROTO_H
#define VMAUTHD_PROTO_H

#include <stddef.h>

#define PROTO_LINE_MAX	512	/* longest accepted line, without CR LF */
#define PROTO_USER_MAX	64
#define PROTO_PASS_MAX	256
#define PROTO_VERB_MAX	12

enum proto_getline {
	PROTO_NEED_MORE = 0,	/* no complete line yet */
	PROTO_LINE,		/* a complete line is at the buffer start */
	PROTO_TOO_LONG		/* no LF within PROTO_LINE_MAX + 2 bytes */
};

struct proto_cmd {
	char		 verb[PROTO_VERB_MAX + 1];	/* upper-cased */
	const char	*arg;				/* NULL when absent */
	size_t		 arglen;
};

/* One entry of a front end's dispatch table, terminated by name NULL. */
struct proto_verb {
	const char	*name;
	int		 id;
};

int	proto_getline(const char *buf, size_t len, size_t *linelen,
	    size_t *consumed);
int	proto_split(const char *line, size_t len, struct proto_cmd *cmd);
int	proto_lookup(const struct proto_verb *table, const char *verb);
int	proto_valid_user(const char *s, size_t len);
int	proto_valid_pass(const char *s, size_t len);
int	proto_valid_token(const char *s, size_t len);
int	proto_next_word(const char **s, size_t *len, const char **word,
	    size_t *wordlen);

#endif
