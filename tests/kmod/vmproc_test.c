// SPDX-License-Identifier: GPL-2.0
/*
 * A module that uses vmproc the way vmmon, vmnet and vmdisk do, for the
 * in-guest vmproc suite: a shared directory, tunables, a string file and a
 * deliberately slow file that widens the read-during-unload window.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <vmproc.h>

static u32 test_value = 42;
static u64 test_big = 1000;
static char test_text[16] = "hello";
static DEFINE_MUTEX(test_text_lock);
static unsigned int test_slow_ms = 20;
module_param_named(slow_ms, test_slow_ms, uint, 0444);

static struct vmproc_node *test_dir, *test_cfg, *test_nodes[5];

static int test_text_show(struct seq_file *m, void *data)
{
	mutex_lock(&test_text_lock);
	seq_printf(m, "%s\n", test_text);
	mutex_unlock(&test_text_lock);
	return 0;
}

static int test_text_store(void *data, const char *buf)
{
	if (!*buf || strlen(buf) >= sizeof(test_text))
		return -EINVAL;
	mutex_lock(&test_text_lock);
	strscpy(test_text, buf, sizeof(test_text));
	mutex_unlock(&test_text_lock);
	return 0;
}

static int test_slow_show(struct seq_file *m, void *data)
{
	msleep(test_slow_ms);
	seq_printf(m, "%u\n", READ_ONCE(test_value));
	return 0;
}

static const struct vmproc_ops test_text_ops = {
	.show = test_text_show, .store = test_text_store,
};
static const struct vmproc_ops test_slow_ops = { .show = test_slow_show };

static void test_remove(void)
{
	int i;

	for (i = ARRAY_SIZE(test_nodes) - 1; i >= 0; i--)
		vmproc_put(test_nodes[i]);
	vmproc_put(test_cfg);
	vmproc_put(test_dir);
}

static int __init test_init(void)
{
	test_dir = vmproc_dir(NULL, "test");
	test_cfg = vmproc_dir_path("config/Test");
	if (IS_ERR(test_dir) || IS_ERR(test_cfg))
		goto err;
	test_nodes[0] = vmproc_tunable_u32(test_cfg, "Value", &test_value, 0, 100);
	test_nodes[1] = vmproc_tunable_u64(test_cfg, "Big", &test_big, 10, 1ULL << 40);
	test_nodes[2] = vmproc_file(test_dir, "text", &test_text_ops, NULL);
	test_nodes[3] = vmproc_file(test_dir, "slow", &test_slow_ops, NULL);
	/* A second registration of the same name must be refused. */
	test_nodes[4] = vmproc_file(test_dir, "text", &test_text_ops, NULL);
	if (PTR_ERR(test_nodes[4]) != -EEXIST)
		goto err;
	test_nodes[4] = NULL;
	if (IS_ERR(test_nodes[0]) || IS_ERR(test_nodes[1]) ||
	    IS_ERR(test_nodes[2]) || IS_ERR(test_nodes[3]))
		goto err;
	return 0;
err:
	test_remove();
	return -EINVAL;
}

static void __exit test_exit(void)
{
	test_remove();
}

module_init(test_init);
module_exit(test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmproc test client");
