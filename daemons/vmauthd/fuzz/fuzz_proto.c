/*
 * fuzz_proto.c - libFuzzer target for the line protocol parser.
 *
 * Feeds the input through proto_getline() as a connection's byte stream
 * would arrive, then splits, looks up and validates every line the way
 * authd.c and api.c do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct proto_verb verbs[] = {
	{ "USER", 1 }, { "PASS", 2 }, { "TICKET", 3 }, { "QUIT", 4 },
	{ "AUTH", 5 }, { "LOGIN", 6 }, { "VERIFY", 7 }, { NULL, 0 }
};

static void
one_line(const char *line, size_t len)
{
	struct proto_cmd	 cmd;
	const char		*s, *w;
	size_t			 n, wl;

	if (proto_split(line, len, &cmd) < 0)
		return;
	if (cmd.verb[0] == '\0' || strlen(cmd.verb) > PROTO_VERB_MAX)
		abort();
	(void)proto_lookup(verbs, cmd.verb);
	if (cmd.arg == NULL)
		return;
	if (cmd.arg + cmd.arglen != line + len)
		abort();
	(void)proto_valid_user(cmd.arg, cmd.arglen);
	(void)proto_valid_pass(cmd.arg, cmd.arglen);
	(void)proto_valid_token(cmd.arg, cmd.arglen);
	s = cmd.arg;
	n = cmd.arglen;
	while (proto_next_word(&s, &n, &w, &wl))
		if (w < cmd.arg || w + wl > cmd.arg + cmd.arglen)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*buf = (const char *)data;
	size_t		 off = 0, len, used;
	char		*copy;

	while (off < size) {
		int r = proto_getline(buf + off, size - off, &len, &used);

		if (r != PROTO_LINE)
			break;
		if (len > PROTO_LINE_MAX || used > size - off || used < len)
			abort();
		/* Copy so ASan catches any read past the line. */
		if ((copy = malloc(len ? len : 1)) == NULL)
			return 0;
		memcpy(copy, buf + off, len);
		one_line(copy, len);
		free(copy);
		off += used;
	}
	return 0;
}
