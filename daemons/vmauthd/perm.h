/*
 * perm.h - the VM permission file.
 *
 * One rule per line, '#' starts a comment:
 *
 *	subject		glob			level
 *	alice		/vmfs/web-*.vmx		operate
 *	@vmadmins	*			admin
 *	*		"/vms/Public VMs/pub-*"	read
 *	mallory		*			none
 *
 * subject is a user name, @group or '*' (anyone).  glob is an fnmatch(3)
 * pattern without flags ('*' also matches '/') over the VM's .vmx path;
 * it may be double-quoted to contain spaces.  level is none, read,
 * operate or admin; each level includes the ones before it.  A user's
 * level for a VM is the highest level of all matching rules, except that
 * any matching 'none' rule denies access outright.
 *
 * perm_parse() is pure (fuzz/fuzz_perm.c); perm_load() reads a file.
 */
#ifndef VMAUTHD_PERM_H
#define VMAUTHD_PERM_H

#include <stddef.h>

#define PERM_RULES_MAX	4096
#define PERM_FIELD_MAX	255

enum perm_level {
	PERM_NONE = 0,
	PERM_READ,
	PERM_OPERATE,
	PERM_ADMIN
};

struct perm_rule {
	char		 subject[PERM_FIELD_MAX + 1];
	char		 glob[PERM_FIELD_MAX + 1];
	int		 level;
	int		 deny;		/* an explicit 'none' rule */
};

struct perm_set {
	struct perm_rule *rules;
	size_t		  nrules;
};

int		 perm_parse(const char *buf, size_t len, struct perm_set *set,
		    size_t *errline);
int		 perm_load(const char *path, struct perm_set *set,
		    size_t *errline);
void		 perm_free(struct perm_set *set);
int		 perm_rule_applies(const struct perm_rule *rule,
		    const char *user, const char *const *groups,
		    size_t ngroups);
int		 perm_access(const struct perm_set *set, const char *user,
		    const char *const *groups, size_t ngroups,
		    const char *vmx);
const char	*perm_level_name(int level);

#endif
