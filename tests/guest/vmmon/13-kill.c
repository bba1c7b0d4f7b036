// SPDX-License-Identifier: GPL-2.0
/*
 * A process killed with SIGKILL in the middle of KVM_RUN leaves nothing
 * behind: on vmmon its /proc/vmware/vm/<id> entry goes, and the module's
 * use count falls so that it unloads. On KVM, the device still serves new
 * VMs afterwards.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmw_vm.h"

#define PROC_VMS	"/proc/vmware/vm"

VMW_GUEST(guest_spin, 64,
	"	vmw_sync 1\n"
	"1:	jmp 1b\n");

VMW_GUEST(guest_hello, 64,
	"	vmw_done\n");

static int count_vms(void)
{
	struct dirent *d;
	DIR *dir = opendir(PROC_VMS);
	int n = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* The child: a VM spinning in KVM_RUN; tells the parent when it is in. */
static void child(int ready_fd)
{
	struct vmw_vcpu *vcpus[2];
	struct vmw_vm *vm = vmw_vm_create();

	vmw_vm_load_code(vm, guest_spin, guest_spin_end);
	vcpus[0] = vmw_vcpu_add(vm, 0, VMW_MODE_LONG64);
	vcpus[1] = vmw_vcpu_add(vm, 1, VMW_MODE_LONG64);
	VMW_EXPECT_SYNC(vcpus[1], 1);
	VMW_EXPECT_SYNC(vcpus[0], 1);
	TEST_ASSERT(write(ready_fd, "r", 1) == 1, "write");
	vmw_vcpu_run(vcpus[0]);
	_exit(3);
}

static void kill_in_run(void)
{
	int fds[2], status;
	char c;
	pid_t pid;

	TEST_ASSERT(!pipe(fds), "pipe");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		close(fds[0]);
		child(fds[1]);
	}
	close(fds[1]);
	TEST_ASSERT(read(fds[0], &c, 1) == 1, "the child died before KVM_RUN");
	usleep(200 * 1000);	/* well inside KVM_RUN by now */
	if (vmw_is_vmmon())
		TEST_ASSERT(count_vms() == 1, "%d VMs in " PROC_VMS " while it runs",
			    count_vms());
	kill(pid, SIGKILL);
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	TEST_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		    "child status %#x", status);
	close(fds[0]);
}

int main(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;
	int i, ret;

	vmw_dev();
	kill_in_run();
	kill_in_run();
	if (vmw_is_vmmon()) {
		for (i = 0; i < 100 && count_vms() != 0; i++)
			usleep(10 * 1000);
		TEST_ASSERT(count_vms() == 0, "%d VMs left in " PROC_VMS, count_vms());
	}
	/* The device still works. */
	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_hello,
				     guest_hello_end, &vcpu);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	if (vmw_is_vmmon()) {
		close(vmw_dev());
		ret = vmw_module_unload("vmmon");
		errno = -ret;
		TEST_ASSERT(!ret, "rmmod vmmon after the killed VMs");
	}
	return 0;
}
