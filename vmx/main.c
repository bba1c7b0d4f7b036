// SPDX-License-Identifier: GPL-2.0
/*
 * vmx PATH.vmx: run one VM until it powers off.
 *
 * Setup and teardown are a list of named levels run in order and undone
 * in reverse, so a failure at any level leaves nothing behind. The main
 * thread then waits on the PIT's timer, the console and signals while
 * the vCPU threads run the guest.
 *
 * A guest reset (the i8042's reset line, as with `reboot=k`) tears the
 * VM down to the levels that outlive it (the console) and builds it
 * again from the same config: a fresh VM, memory and devices.
 *
 * Exit status: 0 the guest powered off (or SIGTERM/SIGINT), 1 an error
 * (bad config, triple fault, failed entry...).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "pvscsi.h"
#include "vmx.h"

int vmx_debug;

struct init_level {
	const char *name;
	int (*init)(struct vm *vm);
	void (*exit)(struct vm *vm);
};

static const struct init_level levels[] = {
	{ "console",	term_init,	term_exit },
	{ "disks",	vdisks_init,	vdisks_exit },
#define LEVEL_RESET 2	/* a guest reset redoes the levels from here on */
	{ "hypervisor",	vm_open,	vm_close },
	{ "memory",	vm_memory_init,	vm_memory_exit },
	{ "vcpus",	vcpus_create,	vcpus_destroy },
	{ "lapic",	lapic_init,	lapic_exit },
	{ "ioapic",	ioapic_init,	ioapic_exit },
	{ "pic",	pic_init,	pic_exit },
	{ "pit",	pit_init,	pit_exit },
	{ "serial",	serial_init,	serial_exit },
	{ "rtc",	rtc_init,	rtc_exit },
	{ "i8042",	i8042_init,	i8042_exit },
	{ "pci",	pci_init,	pci_exit },
	{ "ethernet",	virtio_net_init, virtio_net_exit },
	{ "pvscsi",	pvscsi_init,	pvscsi_exit },
	{ "boot",	boot_linux,	NULL },
};

static int vm_setup(struct vm *vm, int *done)
{
	int ret;

	for (; *done < (int)ARRAY_SIZE(levels); (*done)++) {
		ret = levels[*done].init(vm);
		if (ret) {
			pr_err("setup failed at '%s': %s", levels[*done].name, strerror(-ret));
			return ret;
		}
		pr_debug("init: %s", levels[*done].name);
	}
	return 0;
}

/* Undo the levels below `done` down to `keep`. */
static void vm_teardown(struct vm *vm, int *done, int keep)
{
	while (*done > keep) {
		(*done)--;
		if (levels[*done].exit)
			levels[*done].exit(vm);
	}
}

static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGUSR2);
	/* Before any thread starts, so that they all inherit the mask. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* SIGUSR2: the state of the vCPUs and interrupt controllers, for a person
 * wondering why a guest is stuck. */
static void vm_dump(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		pr_info("dump: vcpu %u: started %d halted %d done %d ready %d window %d if %d",
			i, v->started, v->halted, v->done,
			v->run ? v->run->ready_for_interrupt_injection : -1,
			v->run ? v->run->request_interrupt_window : -1,
			v->run ? v->run->if_flag : -1);
		lapic_dump(v);
		if (v->started && !v->done)
			vcpu_request_dump(v);
	}
	pic_dump(vm);
	ioapic_dump(vm);
	serial_dump(vm);
	pvscsi_dump(vm);
}

static void on_signal(struct vm *vm, int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si) || si.ssi_signo == SIGPIPE)
		return;
	pthread_mutex_lock(&vm->lock);
	if (si.ssi_signo == SIGUSR2) {
		vm_dump(vm);
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	vm_stop(vm, VM_POWEROFF, si.ssi_signo == SIGTERM ? "SIGTERM: powering off" :
		si.ssi_signo == SIGINT ? "SIGINT: powering off" : "SIGHUP: powering off");
	pthread_mutex_unlock(&vm->lock);
}

/*
 * Without immediate_exit a kick can land just before KVM_RUN and be
 * lost: while an interrupt waits and vCPU 0 is in the guest, poll again
 * soon and kick once more.
 */
static int loop_timeout(struct vm *vm)
{
	int tmo = -1;

	if (vm->immediate_exit)
		return -1;
	pthread_mutex_lock(&vm->lock);
	if (!vm->vcpus[0].halted && pic_pending(vm)) {
		irq_kick(vm);
		tmo = 2;
	}
	pthread_mutex_unlock(&vm->lock);
	return tmo;
}

int vm_poll_add(struct vm *vm, int fd, short events, poll_fn fn, void *opaque)
{
	if (vm->nr_polls == VM_POLLS_MAX) {
		pr_err("too many file descriptors to watch");
		return -ENOSPC;
	}
	vm->polls[vm->nr_polls++] = (struct vm_poll){ fd, events, fn, opaque };
	return 0;
}

void vm_poll_del(struct vm *vm, int fd)
{
	unsigned int i;

	for (i = 0; i < vm->nr_polls; i++)
		if (vm->polls[i].fd == fd)
			vm->polls[i] = vm->polls[--vm->nr_polls];
}

void vm_poll_set(struct vm *vm, int fd, short events)
{
	unsigned int i;
	u64 one = 1;

	for (i = 0; i < vm->nr_polls; i++)
		if (vm->polls[i].fd == fd)
			__atomic_store_n(&vm->polls[i].events, events, __ATOMIC_RELEASE);
	/* The main loop may be in poll() with the old events: wake it. */
	if (write(vm->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		pr_warn("waking the main loop: %s", strerror(errno));
}

static void poll_events(struct vm *vm, struct pollfd *fds)
{
	unsigned int i;

	for (i = 0; i < vm->nr_polls; i++)
		if (fds[i].revents)
			vm->polls[i].fn(vm, vm->polls[i].opaque, fds[i].revents);
}

static void main_loop(struct vm *vm, int sfd)
{
	struct pollfd fds[8 + CONFIG_VCPUS_MAX + VM_POLLS_MAX];
	unsigned int i, nt, np;
	u64 v;
	int n;

	for (;;) {
		pthread_mutex_lock(&vm->lock);
		if (vm_stopping(vm)) {
			pthread_mutex_unlock(&vm->lock);
			break;
		}
		pthread_mutex_unlock(&vm->lock);

		fds[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = vm->wake_fd, .events = POLLIN };
		fds[2] = (struct pollfd){ .fd = pit_fd(vm), .events = POLLIN };
		for (nt = 0; nt < vm->nr_vcpus && lapic_timer_fd(&vm->vcpus[nt]) >= 0; nt++)
			fds[3 + nt] = (struct pollfd){ .fd = lapic_timer_fd(&vm->vcpus[nt]), .events = POLLIN };
		np = 3 + nt;
		for (i = 0; i < vm->nr_polls; i++) {
			short ev = __atomic_load_n(&vm->polls[i].events, __ATOMIC_ACQUIRE);

			/* Events 0: not watched at all, not even for POLLHUP. */
			fds[np + i] = (struct pollfd){ .fd = ev ? vm->polls[i].fd : -1, .events = ev };
		}
		np += vm->nr_polls;
		n = np + term_poll_fds(vm, fds + np, ARRAY_SIZE(fds) - np);
		if (poll(fds, n, loop_timeout(vm)) < 0) {
			if (errno == EINTR)
				continue;
			pthread_mutex_lock(&vm->lock);
			vm_stop(vm, VM_ERROR, "poll failed");
			pthread_mutex_unlock(&vm->lock);
			break;
		}
		if (fds[0].revents)
			on_signal(vm, sfd);
		if (fds[1].revents && read(vm->wake_fd, &v, sizeof(v)) < 0)
			continue;
		if (fds[2].revents)
			pit_timer(vm);
		for (i = 0; i < nt; i++)
			if (fds[3 + i].revents)
				lapic_timer(&vm->vcpus[i]);
		poll_events(vm, fds + 3 + nt);
		term_poll_events(vm, fds + np, n - np);
	}
}

/* Kick until every vCPU thread has seen the stop, then reap them. */
static void stop_vcpus(struct vm *vm)
{
	unsigned int i;
	bool all;

	for (;;) {
		pthread_mutex_lock(&vm->lock);
		all = true;
		for (i = 0; i < vm->nr_vcpus; i++)
			if (vm->vcpus[i].started && !vm->vcpus[i].done)
				all = false;
		if (!all) {
			pthread_cond_broadcast(&vm->irq_cond);
			irq_kick(vm);
		}
		pthread_mutex_unlock(&vm->lock);
		if (all)
			break;
		usleep(2000);
	}
	vcpus_join(vm);
}

/* Build the VM, run it until it stops; again after each guest reset. */
static int vm_run(struct vm *vm, int sfd, int *done)
{
	int ret;

	for (;;) {
		ret = vm_setup(vm, done);
		if (ret)
			return ret;
		pr_info("%s: %lu MB, %u vCPU, on %s",
			vm->cfg.display_name ? vm->cfg.display_name : vm->cfg.path,
			vm->cfg.memsize, vm->nr_vcpus, vm->dev_path);
		ret = vcpus_start(vm);
		if (ret) {
			pthread_mutex_lock(&vm->lock);
			vm_stop(vm, VM_ERROR, "cannot start the vCPUs");
			pthread_mutex_unlock(&vm->lock);
		} else {
			main_loop(vm, sfd);
		}
		stop_vcpus(vm);
		if (ret || vm->exit_code != VM_RESET)
			return ret;
		vm_teardown(vm, done, LEVEL_RESET);
		vm->exit_code = VM_RUNNING;
		pr_info("restarting the VM");
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vmx [-v] [-d DEVICE] CONFIG.vmx\n"
		"  -d DEVICE  the hypervisor device (default $VMX_DEV or " "/dev/vmmon" ")\n"
		"  -v         debug messages\n"
		"exit status: 0 powered off, 1 error\n");
}

int main(int argc, char **argv)
{
	static struct vm vm;
	char err[CONFIG_ERR_LEN];
	int opt, done = 0, sfd, ret;

	vm.dev_path = getenv("VMX_DEV") ? getenv("VMX_DEV") : "/dev/vmmon";
	while ((opt = getopt(argc, argv, "d:vh")) != -1) {
		switch (opt) {
		case 'd':
			vm.dev_path = optarg;
			break;
		case 'v':
			vmx_debug = 1;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 1;
		}
	}
	if (optind != argc - 1) {
		usage();
		return 1;
	}
	if (config_load(&vm.cfg, argv[optind], err)) {
		pr_err("%s", err);
		return 1;
	}
	pthread_mutex_init(&vm.lock, NULL);
	pthread_cond_init(&vm.irq_cond, NULL);
	vm.exit_code = VM_RUNNING;
	vm.sys_fd = vm.vm_fd = vm.wake_fd = -1;

	sfd = signals_fd();
	if (sfd < 0) {
		pr_err("signalfd: %s", strerror(errno));
		config_free(&vm.cfg);
		return 1;
	}
	ret = vm_run(&vm, sfd, &done);
	vm_teardown(&vm, &done, 0);
	close(sfd);
	config_free(&vm.cfg);
	if (ret)
		return 1;
	return vm.exit_code == VM_RUNNING ? VM_ERROR : vm.exit_code;
}
