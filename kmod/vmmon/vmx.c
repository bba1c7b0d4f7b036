// SPDX-License-Identifier: GPL-2.0
/* Placeholder until the VT-x backend lands: refuses cleanly. */
#include "backend.h"

static int vmx_probe(void)
{
	pr_err("the Intel VT-x backend is not built yet\n");
	return -ENODEV;
}

const struct vmm_backend vmm_vmx_backend = {
	.name	= "vmx",
	.probe	= vmx_probe,
};
