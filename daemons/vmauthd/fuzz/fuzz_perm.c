/*
 * fuzz_perm.c - libFuzzer target for the permission file parser.
 *
 * Parses the input as a permission file and, when it parses, queries
 * the rules with fixed users, groups and paths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const groups[] = { "ops", "wheel" };
	struct perm_set	 ps;
	size_t		 errline = 0, i;
	char		*copy;
	int		 level;

	/* An exact-size copy so ASan sees reads past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (perm_parse(copy, size, &ps, &errline) == 0) {
		for (i = 0; i < ps.nrules; i++)
			if (strlen(ps.rules[i].subject) > PERM_FIELD_MAX ||
			    strlen(ps.rules[i].glob) > PERM_FIELD_MAX)
				abort();
		level = perm_access(&ps, "alice", groups, 2, "/vms/a.vmx");
		if (level < PERM_NONE || level > PERM_ADMIN)
			abort();
		(void)perm_level_name(level);
		perm_free(&ps);
	} else if (errline == 0 || ps.nrules != 0)
		abort();
	free(copy);
	return 0;
}
