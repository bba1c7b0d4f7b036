/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMPROC_NODE_H
#define VMPROC_NODE_H

#include <vmproc.h>

int vmproc_node_init(void);
void vmproc_node_uninit(void);

/* A file whose private data vmproc allocated and frees with the node. */
struct vmproc_node *vmproc_file_owned(struct vmproc_node *parent,
				      const char *name,
				      const struct vmproc_ops *ops,
				      void *owned);

#endif /* VMPROC_NODE_H */
