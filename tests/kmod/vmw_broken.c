// SPDX-License-Identifier: GPL-2.0
/*
 * A deliberately broken module: it WARNs at load. `make check
 * VMW_BROKEN=1` loads it in the test host to prove that the judge fails a
 * run on a kernel splat even when every test program passed.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init broken_init(void)
{
	WARN(1, "vmw_broken: deliberate warning for the test-host judge\n");
	return 0;
}

static void __exit broken_exit(void)
{
}

module_init(broken_init);
module_exit(broken_exit);
MODULE_LICENSE("GPL");
