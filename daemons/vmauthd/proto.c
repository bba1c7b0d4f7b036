/*
 * proto.c - line splitting and command parsing, without side effects.
 */
#include <errno.h>
#include <string.h>

#include "proto.h"

/*
 * Find the first line in buf.  On PROTO_LINE, *linelen is the length of
 * the line without its CR LF and *consumed the bytes to drop from buf.
 */
int
proto_getline(const char *buf, size_t len, size_t *linelen, size_t *consumed)
{
	const char	*lf;
	size_t		 scan = len < PROTO_LINE_MAX + 2 ? len : PROTO_LINE_MAX + 2;
	size_t		 n;

	lf = memchr(buf, '\n', scan);
	if (lf == NULL)
		return scan == PROTO_LINE_MAX + 2 ? PROTO_TOO_LONG :
		    PROTO_NEED_MORE;
	n = lf - buf;
	*consumed = n + 1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > PROTO_LINE_MAX)
		return PROTO_TOO_LONG;
	*linelen = n;
	return PROTO_LINE;
}

static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Split a line into an upper-cased verb and an optional argument that
 * starts after exactly one space.  Returns 0 or -EINVAL.
 */
int
proto_split(const char *line, size_t len, struct proto_cmd *cmd)
{
	size_t	 i;

	memset(cmd, 0, sizeof(*cmd));
	for (i = 0; i < len; i++)
		if (is_ctl((unsigned char)line[i]))
			return -EINVAL;
	for (i = 0; i < len && line[i] != ' '; i++) {
		char c = line[i];

		if (i == PROTO_VERB_MAX)
			return -EINVAL;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c < 'A' || c > 'Z')
			return -EINVAL;
		cmd->verb[i] = c;
	}
	if (i == 0)
		return -EINVAL;
	if (i < len) {
		cmd->arg = line + i + 1;
		cmd->arglen = len - i - 1;
	}
	return 0;
}

/* Returns the id of verb in table, or -ENOENT. */
int
proto_lookup(const struct proto_verb *table, const char *verb)
{
	for (; table->name != NULL; table++)
		if (strcmp(table->name, verb) == 0)
			return table->id;
	return -ENOENT;
}

/*
 * User names: 1..PROTO_USER_MAX of [A-Za-z0-9._@-] and '\' (for
 * DOMAIN\user with winbind), not starting with '-'.
 */
int
proto_valid_user(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > PROTO_USER_MAX || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '@' || c == '-' || c == '\\')
			continue;
		return 0;
	}
	return 1;
}

/* Passwords: 1..PROTO_PASS_MAX bytes without control characters. */
int
proto_valid_pass(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > PROTO_PASS_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (is_ctl((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Session tickets: exactly 64 lower-case hex digits. */
int
proto_valid_token(const char *s, size_t len)
{
	size_t	 i;

	if (len != 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Take the next space-separated word from (*s, *len).  Returns 1 and
 * advances past the word and one space, or 0 when nothing is left.
 */
int
proto_next_word(const char **s, size_t *len, const char **word,
    size_t *wordlen)
{
	const char	*sp;

	if (*s == NULL || *len == 0)
		return 0;
	sp = memchr(*s, ' ', *len);
	*word = *s;
	*wordlen = sp ? (size_t)(sp - *s) : *len;
	if (sp) {
		*len -= *wordlen + 1;
		*s = sp + 1;
	} else {
		*len = 0;
		*s = NULL;
	}
	return *wordlen > 0;
}
