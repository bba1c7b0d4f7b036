/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx: the per-VM monitor process. One VM per process: guest RAM is this
 * process's anonymous memory, each vCPU is a thread looping on KVM_RUN,
 * and the devices (PIC, PIT, UART, RTC, i8042, PCI host bridge, local
 * APICs with more than one vCPU, virtio NICs) are emulated here, all under vm->lock.
 *
 * Conventions: functions return 0 (or a positive count) or a negative
 * errno and print what failed; only main() decides to exit. Exit
 * handlers return 1 to re-enter the guest, 0 to stop the VM.
 */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define pr_err(fmt, ...)  fprintf(stderr, "vmx: " fmt "\n", ##__VA_ARGS__)
#define pr_warn(fmt, ...) fprintf(stderr, "vmx: warning: " fmt "\n", ##__VA_ARGS__)
#define pr_info(fmt, ...) fprintf(stderr, "vmx: " fmt "\n", ##__VA_ARGS__)
#define pr_debug(fmt, ...) do { if (vmx_debug) pr_info(fmt, ##__VA_ARGS__); } while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern int vmx_debug;

/* Guest-physical layout. */
#define MB			(1024UL * 1024)
#define GB			(1024 * MB)
#define GDT_ADDR		0x500
#define BOOT_PARAMS_ADDR	0x7000
#define PML4_ADDR		0x9000
#define PDPT_ADDR		0xa000
#define PD_ADDR			0xb000	/* four pages: 0..4 GiB in 2 MiB pages */
#define CMDLINE_ADDR		0x20000
#define CMDLINE_MAX		0x10000
#define EBDA_ADDR		0x9fc00
#define BIOS_ADDR		0xf0000
#define KERNEL_ADDR		0x100000
#define LAPIC_BASE		0xfee00000ULL
#define IOAPIC_BASE		0xfec00000ULL
#define PCI_HOLE_START		(3 * GB)	/* RAM above it moves to 4 GiB */

/* How a VM ends: the process's exit status. */
enum vm_exit {
	VM_RUNNING = -1,
	VM_POWEROFF = 0,	/* guest power-off or SIGTERM */
	VM_ERROR = 1,		/* triple fault, failed entry, vmx error */
	VM_RESET = 2,		/* the guest asked for a reset: vmx restarts it */
};

struct vm;
struct lapic;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	bool halted;		/* waiting in HLT for an interrupt */
	bool done;		/* the thread has left its loop */
	int sipi_vector;	/* APs: where the startup IPI sent it */
	struct lapic *apic;
	bool want_dump;		/* SIGUSR2: print registers and stack (atomic) */
};

typedef int (*io_fn)(struct vm *vm, void *opaque, u16 port, u8 *data,
		     int size, bool write);

/* A file descriptor a device wants the main loop to watch. */
typedef void (*poll_fn)(struct vm *vm, void *opaque, short revents);

struct vm_poll {
	int fd;
	short events;
	poll_fn fn;		/* called without vm->lock */
	void *opaque;
};

#define VM_POLLS_MAX	16

struct ioport {
	u16 base, len;
	io_fn fn;
	void *opaque;
	const char *name;
};

struct pic;
struct pit;
struct serial;
struct rtc;
struct i8042;
struct pci;
struct term;
struct ioapic;
struct virtio_net;
struct vdisks;
struct pvscsi;

struct vm {
	struct vmx_config cfg;
	const char *dev_path;
	int sys_fd;
	int vm_fd;
	int run_size;
	bool immediate_exit;

	void *ram;		/* guest RAM: [0, ram_size) of guest-physical */
	u64 ram_size;
	u64 lowmem;		/* bytes below the PCI hole */

	struct vcpu *vcpus;
	unsigned int nr_vcpus;

	pthread_mutex_t lock;	/* devices, irq state, exit_code */
	pthread_cond_t irq_cond;	/* an interrupt is pending, or the VM ends */
	int exit_code;		/* enum vm_exit, VM_RUNNING while it runs */
	int wake_fd;		/* eventfd: wakes the main loop */

	struct ioport ioports[32];
	unsigned int nr_ioports;
	struct vm_poll polls[VM_POLLS_MAX];
	unsigned int nr_polls;

	struct pic *pic;
	struct pit *pit;
	struct serial *serial;
	struct rtc *rtc;
	struct i8042 *i8042;
	struct pci *pci;
	struct term *term;
	struct ioapic *ioapic;
	struct virtio_net *nics[CONFIG_NICS_MAX];
	struct vdisks *disks;		/* the guest's SCSI disks (pvscsi.h) */
	struct pvscsi *pvscsi[CONFIG_SCSI_ADAPTERS];
};

/* vm.c: the hypervisor device, memory, the VM's end. */
int vm_open(struct vm *vm);
void vm_close(struct vm *vm);
int vm_memory_init(struct vm *vm);
void vm_memory_exit(struct vm *vm);
void *guest_ptr(struct vm *vm, u64 gpa, u64 len);
void vm_stop(struct vm *vm, int code, const char *why);	/* lock held */
bool vm_stopping(struct vm *vm);			/* lock held */
void vm_wake(struct vm *vm);

/* SIGUSR2: what each device holds, on stderr (lock held). */
void pic_dump(struct vm *vm);
void ioapic_dump(struct vm *vm);
void lapic_dump(struct vcpu *v);
void serial_dump(struct vm *vm);
void vcpu_request_dump(struct vcpu *v);

/* main.c: devices' file descriptors in the main loop (before it runs). */
int vm_poll_add(struct vm *vm, int fd, short events, poll_fn fn, void *opaque);
void vm_poll_del(struct vm *vm, int fd);
/* Any thread, while the loop runs: watch fd for `events` (0: not at all). */
void vm_poll_set(struct vm *vm, int fd, short events);

/* ioport.c */
int ioport_register(struct vm *vm, u16 base, u16 len, io_fn fn, void *opaque,
		    const char *name);
int ioport_dispatch(struct vm *vm, u16 port, u8 *data, int size, bool write);

/* irq.c: the guest's interrupt line (lock held). */
void irq_line(struct vm *vm, int irq, int level);
void irq_pulse(struct vm *vm, int irq);
void irq_kick(struct vm *vm);
void irq_update(struct vm *vm);	/* after the PIC's state changed */
void vcpu_kick(struct vcpu *v);

/* cpu.c: vCPUs. */
int vcpus_create(struct vm *vm);
int vcpus_start(struct vm *vm);
void vcpus_join(struct vm *vm);
void vcpus_destroy(struct vm *vm);
int vcpu_start_ap(struct vcpu *v, int vector);	/* lock held */

/* boot.c: the Linux 64-bit boot protocol; mptable.c: the MP table. */
int boot_linux(struct vm *vm);
int mptable_write(struct vm *vm);

/* Devices: each one file; init registers its ports, exit frees it. */
int pic_init(struct vm *vm);
void pic_exit(struct vm *vm);
bool pic_pending(struct vm *vm);	/* an interrupt waits for the CPU */
int pic_ack(struct vm *vm);		/* the vector to inject */
void pic_set_irq(struct vm *vm, int irq, int level);

/* lapic.c: local APICs, one per vCPU. Lock held. */
int lapic_init(struct vm *vm);
void lapic_exit(struct vm *vm);
int lapic_pending(struct vcpu *v);	/* vector, or -1 */
int lapic_ack(struct vcpu *v);
void lapic_mmio(struct vcpu *v, u64 off, u8 *data, u32 len, bool write);
int lapic_timer_fd(struct vcpu *v);
bool lapic_extint(struct vcpu *v);	/* the PIC may interrupt this vCPU */
bool lapic_deliver_msg(struct vm *vm, u32 dest, bool logical, u32 mode, int vector,
		       bool level);
void lapic_timer(struct vcpu *v);	/* lock not held */

/* ioapic.c: the I/O APIC. Lock held. */
int ioapic_init(struct vm *vm);
void ioapic_exit(struct vm *vm);
int ioapic_pin(int irq);		/* where a device's IRQ line comes in */
u32 ioapic_id(struct vm *vm);
void ioapic_set_irq(struct vm *vm, int irq, int level);
void ioapic_eoi(struct vm *vm, int vector);
void ioapic_mmio(struct vm *vm, u64 off, u8 *data, u32 len, bool write);

int pit_init(struct vm *vm);
void pit_exit(struct vm *vm);
int pit_fd(struct vm *vm);
void pit_timer(struct vm *vm);		/* the host timer expired */

int serial_init(struct vm *vm);
void serial_exit(struct vm *vm);
size_t serial_rx_room(struct vm *vm);
void serial_receive(struct vm *vm, const u8 *buf, size_t n);

int rtc_init(struct vm *vm);
void rtc_exit(struct vm *vm);
int i8042_init(struct vm *vm);
void i8042_exit(struct vm *vm);
int pci_init(struct vm *vm);
void pci_exit(struct vm *vm);
int virtio_net_init(struct vm *vm);	/* the ethernetN NICs */
void virtio_net_exit(struct vm *vm);

/* term.c: where serial0 goes (stdio, a file, a Unix socket). */
int term_init(struct vm *vm);
void term_exit(struct vm *vm);
void term_write(struct vm *vm, const u8 *buf, size_t n);
int term_poll_fds(struct vm *vm, struct pollfd *fds, int max);
int term_poll_events(struct vm *vm, struct pollfd *fds, int n);

#endif
