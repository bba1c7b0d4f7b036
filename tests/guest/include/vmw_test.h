/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal harness for in-guest test programs, after KVM selftests: a test
 * is one program, exits 0 on pass, VMW_SKIP (77) with a reason when the host
 * lacks what it needs, and fails loudly with file:line on the first broken
 * assertion.
 */
#ifndef VMW_TEST_H
#define VMW_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VMW_SKIP 77

#define TEST_ASSERT(cond, fmt, ...) do {					\
	if (!(cond)) {								\
		int e__ = errno;						\
		fprintf(stderr, "FAIL %s:%d: %s: " fmt " (errno %d %s)\n",	\
			__FILE__, __LINE__, #cond, ##__VA_ARGS__,		\
			e__, strerror(e__));					\
		exit(1);							\
	}									\
} while (0)

#define TEST_SKIP(fmt, ...) do {						\
	printf("SKIP: " fmt "\n", ##__VA_ARGS__);				\
	exit(VMW_SKIP);								\
} while (0)

#define TEST_NOTE(fmt, ...) printf("  " fmt "\n", ##__VA_ARGS__)

/* Load/unload one of our modules from /vmw/ko without a shell. */
int vmw_module_load(const char *name, const char *params);
int vmw_module_unload(const char *name);

#endif /* VMW_TEST_H */
