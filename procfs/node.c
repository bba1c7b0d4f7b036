// SPDX-License-Identifier: GPL-2.0
/*
 * The tree of /proc/vmware nodes. procfs itself guarantees that after
 * proc_remove() returns no file operation is running or will run on the
 * entry; vmproc adds reference-counted directories shared between modules
 * and one lock that serializes every change to the tree.
 */
#include <linux/capability.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "node.h"

struct vmproc_node {
	struct proc_dir_entry *pde;
	struct vmproc_node *parent;
	struct list_head sibling;
	struct list_head children;	/* directories only */
	unsigned int refs;		/* directories: users + children */
	bool is_dir;
	const struct vmproc_ops *ops;	/* files only */
	void *data;
	void *owned;			/* freed with the node */
	char name[VMPROC_NAME_MAX + 1];
};

static DEFINE_MUTEX(vmproc_lock);
static struct vmproc_node vmproc_root = {
	.name = "vmware",
	.is_dir = true,
	.children = LIST_HEAD_INIT(vmproc_root.children),
};

static int vmproc_seq_show(struct seq_file *m, void *v)
{
	struct vmproc_node *node = m->private;

	return node->ops->show(m, node->data);
}

static int vmproc_open(struct inode *inode, struct file *file)
{
	return single_open(file, vmproc_seq_show, pde_data(inode));
}

static ssize_t vmproc_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct vmproc_node *node = ((struct seq_file *)file->private_data)->private;
	char *buf;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len > VMPROC_MAX_WRITE)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = node->ops->store(node->data, strim(buf));
	kfree(buf);
	return ret < 0 ? ret : len;
}

static const struct proc_ops vmproc_ro_ops = {
	.proc_open	= vmproc_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

static const struct proc_ops vmproc_rw_ops = {
	.proc_open	= vmproc_open,
	.proc_read	= seq_read,
	.proc_write	= vmproc_write,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

static bool vmproc_name_ok(const char *name)
{
	size_t len = strnlen(name, VMPROC_NAME_MAX + 1);

	return len && len <= VMPROC_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

static struct vmproc_node *vmproc_find(struct vmproc_node *dir,
				       const char *name)
{
	struct vmproc_node *child;

	lockdep_assert_held(&vmproc_lock);
	list_for_each_entry(child, &dir->children, sibling)
		if (!strcmp(child->name, name))
			return child;
	return NULL;
}

static struct vmproc_node *vmproc_alloc(struct vmproc_node *parent,
					const char *name, bool is_dir)
{
	struct vmproc_node *node = kzalloc(sizeof(*node), GFP_KERNEL);

	if (!node)
		return NULL;
	strscpy(node->name, name, sizeof(node->name));
	node->is_dir = is_dir;
	node->parent = parent;
	INIT_LIST_HEAD(&node->children);
	return node;
}

static void vmproc_link(struct vmproc_node *node)
{
	lockdep_assert_held(&vmproc_lock);
	list_add_tail(&node->sibling, &node->parent->children);
	node->parent->refs++;
}

/* Drop one reference of a directory, removing it and any parents that end
 * up empty and unreferenced. */
static void vmproc_dir_release(struct vmproc_node *dir)
{
	struct vmproc_node *parent;

	lockdep_assert_held(&vmproc_lock);
	while (dir != &vmproc_root && !--dir->refs) {
		WARN_ON(!list_empty(&dir->children));
		proc_remove(dir->pde);
		list_del(&dir->sibling);
		parent = dir->parent;
		kfree(dir);
		dir = parent;
	}
}

static struct vmproc_node *vmproc_dir_locked(struct vmproc_node *parent,
					     const char *name)
{
	struct vmproc_node *node;

	lockdep_assert_held(&vmproc_lock);
	node = vmproc_find(parent, name);
	if (node) {
		if (!node->is_dir)
			return ERR_PTR(-ENOTDIR);
		node->refs++;
		return node;
	}
	node = vmproc_alloc(parent, name, true);
	if (!node)
		return ERR_PTR(-ENOMEM);
	node->pde = proc_mkdir_data(name, 0555, parent->pde, node);
	if (!node->pde) {
		kfree(node);
		return ERR_PTR(-ENOMEM);
	}
	node->refs = 1;
	vmproc_link(node);
	return node;
}

struct vmproc_node *vmproc_dir(struct vmproc_node *parent, const char *name)
{
	struct vmproc_node *node;

	if (!vmproc_name_ok(name))
		return ERR_PTR(-EINVAL);
	parent = parent ?: &vmproc_root;
	if (!parent->is_dir)
		return ERR_PTR(-ENOTDIR);
	mutex_lock(&vmproc_lock);
	node = vmproc_dir_locked(parent, name);
	mutex_unlock(&vmproc_lock);
	return node;
}
EXPORT_SYMBOL_GPL(vmproc_dir);

/* "config/Mem": every component found or created, one reference taken on
 * the last one (and none left on the intermediate ones). */
struct vmproc_node *vmproc_dir_path(const char *path)
{
	struct vmproc_node *dir = NULL, *next;
	char *copy, *cursor, *part;

	copy = kstrdup(path, GFP_KERNEL);
	if (!copy)
		return ERR_PTR(-ENOMEM);
	cursor = copy;
	while ((part = strsep(&cursor, "/"))) {
		next = vmproc_dir(dir, part);
		vmproc_put(dir);
		dir = next;
		if (IS_ERR(dir))
			break;
	}
	kfree(copy);
	return dir ?: ERR_PTR(-EINVAL);
}
EXPORT_SYMBOL_GPL(vmproc_dir_path);

static struct vmproc_node *vmproc_file_locked(struct vmproc_node *parent,
					      const char *name,
					      const struct vmproc_ops *ops,
					      void *data)
{
	struct vmproc_node *node;

	lockdep_assert_held(&vmproc_lock);
	if (vmproc_find(parent, name))
		return ERR_PTR(-EEXIST);
	node = vmproc_alloc(parent, name, false);
	if (!node)
		return ERR_PTR(-ENOMEM);
	node->ops = ops;
	node->data = data;
	node->pde = proc_create_data(name, ops->store ? 0644 : 0444,
				     parent->pde,
				     ops->store ? &vmproc_rw_ops : &vmproc_ro_ops,
				     node);
	if (!node->pde) {
		kfree(node);
		return ERR_PTR(-ENOMEM);
	}
	vmproc_link(node);
	return node;
}

struct vmproc_node *vmproc_file(struct vmproc_node *parent, const char *name,
				const struct vmproc_ops *ops, void *data)
{
	struct vmproc_node *node;

	if (!vmproc_name_ok(name) || !ops || !ops->show)
		return ERR_PTR(-EINVAL);
	parent = parent ?: &vmproc_root;
	if (!parent->is_dir)
		return ERR_PTR(-ENOTDIR);
	mutex_lock(&vmproc_lock);
	node = vmproc_file_locked(parent, name, ops, data);
	mutex_unlock(&vmproc_lock);
	return node;
}
EXPORT_SYMBOL_GPL(vmproc_file);

struct vmproc_node *vmproc_file_owned(struct vmproc_node *parent,
				      const char *name,
				      const struct vmproc_ops *ops,
				      void *owned)
{
	struct vmproc_node *node = vmproc_file(parent, name, ops, owned);

	if (IS_ERR(node))
		kfree(owned);
	else
		node->owned = owned;
	return node;
}

void vmproc_put(struct vmproc_node *node)
{
	if (IS_ERR_OR_NULL(node) || node == &vmproc_root)
		return;
	mutex_lock(&vmproc_lock);
	if (node->is_dir) {
		vmproc_dir_release(node);
	} else {
		/* Waits for running callbacks; later ones get EIO. */
		proc_remove(node->pde);
		list_del(&node->sibling);
		vmproc_dir_release(node->parent);
		kfree(node->owned);
		kfree(node);
	}
	mutex_unlock(&vmproc_lock);
}
EXPORT_SYMBOL_GPL(vmproc_put);

int vmproc_node_init(void)
{
	vmproc_root.pde = proc_mkdir("vmware", NULL);
	return vmproc_root.pde ? 0 : -ENOMEM;
}

void vmproc_node_uninit(void)
{
	/* Module references keep vmproc loaded while anyone registers. */
	WARN_ON(!list_empty(&vmproc_root.children));
	proc_remove(vmproc_root.pde);
}
