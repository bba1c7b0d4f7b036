// SPDX-License-Identifier: GPL-2.0
/*
 * Numeric tunables: config/<Subsystem>/<Option> files that show a value and
 * accept a new one within a range. A rejected write changes nothing.
 */
#include <linux/kernel.h>
#include <linux/slab.h>

#include "node.h"

struct vmproc_range {
	void *val;
	u64 min, max;
	unsigned int size;	/* sizeof(u32) or sizeof(u64) */
};

int vmproc_parse_u64(const char *buf, u64 min, u64 max, u64 *out)
{
	u64 v;

	if (kstrtou64(buf, 0, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
EXPORT_SYMBOL_GPL(vmproc_parse_u64);

static int vmproc_range_show(struct seq_file *m, void *data)
{
	struct vmproc_range *r = data;
	u64 v = r->size == sizeof(u32) ? READ_ONCE(*(u32 *)r->val) :
					 READ_ONCE(*(u64 *)r->val);

	seq_printf(m, "%llu\n", v);
	return 0;
}

static int vmproc_range_store(void *data, const char *buf)
{
	struct vmproc_range *r = data;
	u64 v;
	int ret;

	ret = vmproc_parse_u64(buf, r->min, r->max, &v);
	if (ret)
		return ret;
	if (r->size == sizeof(u32))
		WRITE_ONCE(*(u32 *)r->val, (u32)v);
	else
		WRITE_ONCE(*(u64 *)r->val, v);
	return 0;
}

static const struct vmproc_ops vmproc_range_ops = {
	.show	= vmproc_range_show,
	.store	= vmproc_range_store,
};

static struct vmproc_node *vmproc_tunable(struct vmproc_node *parent,
					  const char *name, void *val,
					  unsigned int size, u64 min, u64 max)
{
	struct vmproc_range *r;

	if (!val || min > max)
		return ERR_PTR(-EINVAL);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	*r = (struct vmproc_range){ .val = val, .size = size,
				    .min = min, .max = max };
	return vmproc_file_owned(parent, name, &vmproc_range_ops, r);
}

struct vmproc_node *vmproc_tunable_u32(struct vmproc_node *parent,
				       const char *name, u32 *val,
				       u32 min, u32 max)
{
	return vmproc_tunable(parent, name, val, sizeof(u32), min, max);
}
EXPORT_SYMBOL_GPL(vmproc_tunable_u32);

struct vmproc_node *vmproc_tunable_u64(struct vmproc_node *parent,
				       const char *name, u64 *val,
				       u64 min, u64 max)
{
	return vmproc_tunable(parent, name, val, sizeof(u64), min, max);
}
EXPORT_SYMBOL_GPL(vmproc_tunable_u64);
