/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmproc registration API: how vmmon, vmnet and vmdisk publish entries
 * under /proc/vmware (layout and user-visible rules: uapi/vmproc.h).
 *
 * A node is a directory or a file. vmproc_dir() finds or creates a
 * directory and takes a reference on it, so two modules can share one
 * (vm/<id>/ is filled by vmmon, vmnet and vmdisk). vmproc_file() adds a
 * file; each file and each reference is dropped with vmproc_put(). A
 * directory disappears when its last reference and last child are gone.
 *
 * Callbacks run in process context without vmproc's locks held and must not
 * call back into this API. After vmproc_put() of a file returns, its
 * callbacks are finished and will never run again: an owner calls it before
 * freeing the data or unloading the code. Readers still holding the file
 * open then get EIO.
 *
 * Every function returns an ERR_PTR on failure; vmproc_put() accepts NULL
 * and ERR_PTR values, which makes unwinding simple.
 */
#ifndef VMW_VMPROC_H
#define VMW_VMPROC_H

#include <linux/seq_file.h>
#include <linux/types.h>
#include <uapi/vmproc.h>

struct vmproc_node;

struct vmproc_ops {
	/* Print the whole file; required. */
	int (*show)(struct seq_file *m, void *data);
	/* Parse and apply one value (NUL-terminated, trimmed); optional.
	 * Returns 0 or a negative errno; on error nothing may change. */
	int (*store)(void *data, const char *buf);
};

/* NULL parent means /proc/vmware itself. */
struct vmproc_node *vmproc_dir(struct vmproc_node *parent, const char *name);
struct vmproc_node *vmproc_dir_path(const char *path);
struct vmproc_node *vmproc_file(struct vmproc_node *parent, const char *name,
				const struct vmproc_ops *ops, void *data);
void vmproc_put(struct vmproc_node *node);

/* Tunables: a file that shows *val and stores a value in [min, max]. */
struct vmproc_node *vmproc_tunable_u32(struct vmproc_node *parent,
				       const char *name, u32 *val,
				       u32 min, u32 max);
struct vmproc_node *vmproc_tunable_u64(struct vmproc_node *parent,
				       const char *name, u64 *val,
				       u64 min, u64 max);

/* Shared parsing helper for store callbacks: decimal or 0x hex, in range. */
int vmproc_parse_u64(const char *buf, u64 min, u64 max, u64 *out);

#endif /* VMW_VMPROC_H */
