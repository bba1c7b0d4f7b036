/*
 * perm.c - permission file parser and lookup.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perm.h"

#define PERM_FILE_MAX	(1024 * 1024)

static const char *const perm_names[] = { "none", "read", "operate", "admin" };

const char *
perm_level_name(int level)
{
	if (level < PERM_NONE || level > PERM_ADMIN)
		return "none";
	return perm_names[level];
}

static int
perm_level_parse(const char *s)
{
	int	 i;

	for (i = PERM_NONE; i <= PERM_ADMIN; i++)
		if (strcmp(s, perm_names[i]) == 0)
			return i;
	return -EINVAL;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Copy the next field of line (len bytes from *pos) into out.  A field
 * is a run of non-blanks or a double-quoted string.  Returns 1 when a
 * field was found, 0 at end of line, -EINVAL on a malformed field.
 */
static int
perm_field(const char *line, size_t len, size_t *pos, char *out)
{
	size_t	 i = *pos, n = 0;
	int	 quoted;

	while (i < len && is_space(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	quoted = line[i] == '"';
	if (quoted)
		i++;
	for (; i < len; i++) {
		if (quoted ? line[i] == '"' : is_space(line[i]))
			break;
		if ((unsigned char)line[i] < 0x20 || n == PERM_FIELD_MAX)
			return -EINVAL;
		out[n++] = line[i];
	}
	if (quoted && (i == len || n == 0))
		return -EINVAL;
	out[n] = '\0';
	*pos = quoted ? i + 1 : i;
	return 1;
}

static int
perm_valid_subject(const char *s)
{
	if (strcmp(s, "*") == 0)
		return 1;
	if (s[0] == '@')
		s++;
	if (*s == '\0' || *s == '-')
		return 0;
	for (; *s; s++)
		if (*s == '*' || *s == '@' || *s == '"')
			return 0;
	return 1;
}

/* Parse one line into rule.  Returns 1 for a rule, 0 for blank, <0. */
static int
perm_parse_line(const char *line, size_t len, struct perm_rule *rule)
{
	char	 level[PERM_FIELD_MAX + 1], extra[PERM_FIELD_MAX + 1];
	size_t	 pos = 0;
	int	 r;

	if ((r = perm_field(line, len, &pos, rule->subject)) <= 0)
		return r;
	if (perm_field(line, len, &pos, rule->glob) != 1 ||
	    perm_field(line, len, &pos, level) != 1 ||
	    perm_field(line, len, &pos, extra) != 0)
		return -EINVAL;
	if (!perm_valid_subject(rule->subject))
		return -EINVAL;
	if ((rule->level = perm_level_parse(level)) < 0)
		return -EINVAL;
	rule->deny = rule->level == PERM_NONE;
	return 1;
}

static int
perm_add(struct perm_set *set, const struct perm_rule *rule)
{
	struct perm_rule *r;

	if (set->nrules == PERM_RULES_MAX)
		return -E2BIG;
	r = reallocarray(set->rules, set->nrules + 1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r[set->nrules++] = *rule;
	set->rules = r;
	return 0;
}

/*
 * Parse a whole permission file held in buf.  On error returns a
 * negative errno, sets *errline to the 1-based line and leaves set empty.
 */
int
perm_parse(const char *buf, size_t len, struct perm_set *set, size_t *errline)
{
	struct perm_rule rule;
	size_t		 start = 0, lineno = 0;
	int		 r = 0;

	memset(set, 0, sizeof(*set));
	while (start < len) {
		const char	*nl = memchr(buf + start, '\n', len - start);
		size_t		 end = nl ? (size_t)(nl - buf) : len;

		lineno++;
		r = perm_parse_line(buf + start, end - start, &rule);
		if (r > 0)
			r = perm_add(set, &rule);
		if (r < 0)
			goto fail;
		start = end + 1;
	}
	return 0;
fail:
	*errline = lineno;
	perm_free(set);
	return r;
}

void
perm_free(struct perm_set *set)
{
	free(set->rules);
	set->rules = NULL;
	set->nrules = 0;
}

static int
read_file(const char *path, char **bufp, size_t *lenp)
{
	struct stat	 st;
	ssize_t		 n;
	char		*buf;
	int		 fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	if (fstat(fd, &st) == -1 || st.st_size > PERM_FILE_MAX) {
		r = st.st_size > PERM_FILE_MAX ? -EFBIG : -errno;
		goto close_fd;
	}
	if ((buf = malloc(st.st_size + 1)) == NULL) {
		r = -ENOMEM;
		goto close_fd;
	}
	n = read(fd, buf, st.st_size);
	if (n != st.st_size) {
		r = n < 0 ? -errno : -EIO;
		free(buf);
		goto close_fd;
	}
	*bufp = buf;
	*lenp = n;
	r = 0;
close_fd:
	close(fd);
	return r;
}

int
perm_load(const char *path, struct perm_set *set, size_t *errline)
{
	char	*buf = NULL;
	size_t	 len = 0;
	int	 r;

	*errline = 0;
	if ((r = read_file(path, &buf, &len)) < 0)
		return r;
	r = perm_parse(buf, len, set, errline);
	free(buf);
	return r;
}

int
perm_rule_applies(const struct perm_rule *rule, const char *user,
    const char *const *groups, size_t ngroups)
{
	size_t	 i;

	if (strcmp(rule->subject, "*") == 0)
		return 1;
	if (rule->subject[0] != '@')
		return strcmp(rule->subject, user) == 0;
	for (i = 0; i < ngroups; i++)
		if (strcmp(rule->subject + 1, groups[i]) == 0)
			return 1;
	return 0;
}

/* The level user (member of groups) has on the VM whose config is vmx. */
int
perm_access(const struct perm_set *set, const char *user,
    const char *const *groups, size_t ngroups, const char *vmx)
{
	const struct perm_rule *r;
	int		 level = PERM_NONE;
	size_t		 i;

	for (i = 0; i < set->nrules; i++) {
		r = &set->rules[i];
		if (!perm_rule_applies(r, user, groups, ngroups) ||
		    fnmatch(r->glob, vmx, 0) != 0)
			continue;
		if (r->deny)
			return PERM_NONE;
		if (r->level > level)
			level = r->level;
	}
	return level;
}
