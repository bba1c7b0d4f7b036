// SPDX-License-Identifier: GPL-2.0
/*
 * vmmon only: /proc/vmware/vmmon names the backend in use (svm or vmx, as
 * the CPU has); /proc/vmware/vm/<id>/ holds pid, vcpus and exits while a
 * VM exists and goes when it is closed; rmmod vmmon is refused while a VM
 * fd is open and works once it is closed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "vmw_vm.h"

#define PROC_VMMON	"/proc/vmware/vmmon"
#define PROC_VMS	"/proc/vmware/vm"

VMW_GUEST(guest_exits, 64,
	"	vmw_sync 1\n"
	"	vmw_done\n");

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

static bool cpu_has(const char *flag)
{
	static char info[1 << 16];
	char word[32];

	TEST_ASSERT(read_file("/proc/cpuinfo", info, sizeof(info)) > 0, "cpuinfo");
	snprintf(word, sizeof(word), " %s ", flag);
	return strstr(info, word);
}

static void test_backend(void)
{
	char buf[4096];
	const char *want = cpu_has("svm") ? "svm" : "vmx";

	TEST_ASSERT(read_file(PROC_VMMON, buf, sizeof(buf)) > 0, "read " PROC_VMMON);
	TEST_ASSERT(strstr(buf, want), PROC_VMMON " does not name %s:\n%s", want, buf);
}

/* The one entry of /proc/vmware/vm, or "" when there is none. */
static void only_vm(char *name, size_t size)
{
	DIR *dir = opendir(PROC_VMS);
	struct dirent *d;
	int n = 0;

	name[0] = 0;
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' && ++n)
			snprintf(name, size, "%s", d->d_name);
	closedir(dir);
	TEST_ASSERT(n <= 1, "%d VMs in " PROC_VMS, n);
}

static void test_vm_entry(void)
{
	char id[256], path[512], buf[4096];
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	only_vm(id, sizeof(id));
	TEST_ASSERT(!id[0], "a VM entry before any VM: %s", id);
	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_exits,
				     guest_exits_end, &vcpu);
	VMW_EXPECT_SYNC(vcpu, 1);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	only_vm(id, sizeof(id));
	TEST_ASSERT(id[0], "no entry in " PROC_VMS " for a live VM");
	snprintf(path, sizeof(path), PROC_VMS "/%s/pid", id);
	TEST_ASSERT(read_file(path, buf, sizeof(buf)) > 0, "read %s", path);
	TEST_ASSERT(atoi(buf) == getpid(), "%s says %s, want %d", path, buf, getpid());
	snprintf(path, sizeof(path), PROC_VMS "/%s/vcpus", id);
	TEST_ASSERT(read_file(path, buf, sizeof(buf)) > 0, "read %s", path);
	snprintf(path, sizeof(path), PROC_VMS "/%s/exits", id);
	TEST_ASSERT(read_file(path, buf, sizeof(buf)) > 0, "read %s", path);
	TEST_NOTE("VM %s exits:\n%s", id, buf);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	only_vm(id, sizeof(id));
	TEST_ASSERT(!id[0], "entry %s stays after the VM closed", id);
}

static void test_rmmod_busy(void)
{
	int dev = vmw_dev_open();
	int vm = ioctl(dev, KVM_CREATE_VM, 0);
	int ret;

	TEST_ASSERT(vm >= 0, "KVM_CREATE_VM");
	close(dev);
	ret = vmw_module_unload("vmmon");
	TEST_ASSERT(ret == -EBUSY || ret == -EAGAIN,
		    "rmmod vmmon with a VM open returned %d", ret);
	close(vm);
	ret = vmw_module_unload("vmmon");
	errno = -ret;
	TEST_ASSERT(!ret, "rmmod vmmon after the VM closed");
	TEST_ASSERT(access(PROC_VMMON, F_OK), PROC_VMMON " stays after rmmod");
}

int main(void)
{
	if (!vmw_is_vmmon())
		TEST_SKIP("/proc/vmware is vmmon's, not KVM's");
	vmw_dev();
	test_backend();
	test_vm_entry();
	close(vmw_dev());
	test_rmmod_busy();
	return 0;
}
