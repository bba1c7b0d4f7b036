#!/bin/sh
# A guest on /dev/vmmon (or $VMX_DEV; 1 vCPU) with a PVSCSI adapter and a disk at
# scsi0:3 ($VMX_DISK_FORMAT: raw, the default, a monolithicSparse
# VMDK, or "delta", a snapshot's delta on one): the stock vmw_pvscsi driver finds the disk (VMware / Virtual disk,
# one disk at target 3 only), the guest makes an ext2 file system and
# writes a file, reboots (vmx restarts the VM) and finds the file intact;
# vmx powers off, runs again on the same .vmx, and the guest finds the
# file again. The disk's identity (unit serial number, WWID) is the same
# in all three boots, /proc/vmware/disk names vmx as its front end while
# the VM runs, and nothing is left there after vmx ends.
# With VMX_DISK_LAT=NS the disk's file lies on ext4 over a device that
# takes NS ns per request (null_blk), and the guest first reads 8 MiB
# with one direct read, which its block layer splits into several SCSI
# commands issued at once: vmx must have them in flight together (its I/O
# workers, each blocked in its own SUBMIT), not one after the other on the
# vCPU. VMX_VCPUS: the guest's vCPUs (default 1; more boot it with its
# local APICs and I/O APIC).
. /vmw/lib.sh
P=/vmw/payload
[ -x $P/vmx ] && [ -f $P/vmlinuz ] || skip "no vmx payload (vmx/mkpayload.sh)"
[ "$(vmw_cmdline vmw.emu)" = bochs ] &&
	skip "three guest boots take far too long under Bochs; run under QEMU"
DEV=${VMX_DEV:-/dev/vmmon}
# (Lost device interrupts on vmmon came from vmmon dropping a queued event
# when an entry was abandoned; fixed. vmw.pvscsi=0 skips the vmmon runs.)
[ "$DEV" = /dev/vmmon ] && [ "$(vmw_cmdline vmw.pvscsi)" = 0 ] &&
	skip "skipped with vmw.pvscsi=0"
if [ "$DEV" = /dev/kvm ]; then	# vmdisk without vmmon, which would hold SVM/VMX
	vmw_kvm || skip "no stock KVM for this CPU"
	vmw_stock sd_mod || skip "stock sd_mod missing"
	vmw_insmod vmproc; vmw_insmod vmdisk || fail "insmod vmdisk"
else
	vmw_load_all
fi
[ -c "$DEV" ] || fail "$DEV is missing"
[ -c /dev/vmdisk ] || fail "/dev/vmdisk is missing"
FMT=${VMX_DISK_FORMAT:-raw}
MODE=${VMX_DISK_MODE:-persistent}
T=/tmp/vmx-scsi-$FMT-$MODE
LAT=${VMX_DISK_LAT:-}
if [ -n "$LAT" ]; then
	[ $FMT = raw ] || fail "VMX_DISK_LAT is for raw disks"
	vmw_stock null_blk && rmmod null_blk && vmw_stock crc32c_generic && vmw_stock ext4 ||
		skip "stock null_blk or ext4 missing"
	insmod $VMW_STOCK/null_blk.ko nr_devices=1 queue_mode=2 memory_backed=1 \
		irqmode=2 completion_nsec=$LAT gb=1 bs=4096 || fail "insmod null_blk"
	mkdir -p /mnt/vmx-lat
	mke2fs -q /dev/nullb0 && mount -t ext4 /dev/nullb0 /mnt/vmx-lat ||
		{ rmmod null_blk; fail "ext4 on null_blk"; }
	# (A killed vmx's disk lets go of its file a moment after it exits.)
	trap 'kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
		for i in 1 2 3 4 5; do umount /mnt/vmx-lat 2>/dev/null && break; sleep 1; done
		rmmod null_blk' EXIT
	T=/mnt/vmx-lat/vmx-scsi
	note "the disk's file on ext4 over null_blk, $((LAT / 1000000)) ms per request"
fi
rm -rf $T && mkdir -p $T
case $FMT in
raw)	DISK=$T/disk.img
	# Allocated where the device is slow: holes would read without it.
	if [ -n "$LAT" ]; then dd if=/dev/zero of=$DISK bs=1M count=64 2>/dev/null
	else dd if=/dev/zero of=$DISK bs=1M count=0 seek=64 2>/dev/null; fi || fail "make $DISK" ;;
vmdk)	DISK=$T/disk.vmdk
	command -v vmdiskctl >/dev/null || skip "vmdiskctl not in this image"
	vmdiskctl mkvmdk $DISK 64M || fail "vmdiskctl mkvmdk $DISK" ;;
delta)	# A snapshot's delta on a sparse base, named by its descriptor.
	DISK=$T/disk.vmdk
	command -v vmdiskctl >/dev/null || skip "vmdiskctl not in this image"
	vmdiskctl mkvmdk $T/base.vmdk 64M || fail "vmdiskctl mkvmdk"
	sid=$(vmdiskctl create $T/base.vmdk) && vmdiskctl snapshot $sid $DISK >/dev/null &&
		vmdiskctl destroy $sid || fail "snapshot of $T/base.vmdk"
	basesum=$(sha256sum < $T/base.vmdk)
	cid0=$(grep -o '^CID=.*' $DISK) ;;
*)	fail "unknown VMX_DISK_FORMAT '$FMT'" ;;
esac
APIC="nolapic noapic"
[ "${VMX_VCPUS:-1}" -gt 1 ] && APIC=
cat > $T/guest.vmx <<EOC
.encoding = "UTF-8"
displayName = "scsi test ($FMT)"
guestOS = "debian12-64"
memsize = "256"
numvcpus = "${VMX_VCPUS:-1}"
kernel = "$P/vmlinuz"
initrd = "$P/guest.cpio.gz"
cmdline = "console=ttyS0 earlyprintk=ttyS0 reboot=k panic=-1 $APIC nokaslr tsc=reliable no_timer_check mitigations=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd pci=conf1 rdinit=/init"
scsi0.present = "TRUE"
scsi0.virtualDev = "pvscsi"
scsi0:3.present = "TRUE"
scsi0:3.fileName = "$(basename $DISK)"
scsi0:3.mode = "$MODE"
EOC
base=$(sha256sum < $DISK)

show() {
	note "--- guest console (tail)"; tail -${SHOW:-30} $T/out | tr -d '\r' | sed 's/^/    /'
	note "--- vmx stderr (tail)"; tail -${SHOW:-30} $T/err | sed 's/^/    /'
	for t in /proc/$pid/task/*; do
		[ -d $t ] && note "--- vmx thread $(basename $t): $(cut -d' ' -f3 $t/stat) $(cat $t/wchan 2>/dev/null)" &&
			sed 's/^/    /' $t/stack 2>/dev/null | head -12
	done
}
count() { grep -a -c "$1" $T/out; }
wait_for() {	# wait_for PATTERN SECONDS [COUNT]
	i=0
	while [ "$(count "$1")" -lt "${3:-1}" ]; do
		kill -0 $pid 2>/dev/null || { show; fail "vmx exited before '$1'"; }
		[ $i -ge "$2" ] && { show; kill -KILL $pid; fail "no '$1' after $2 s"; }
		sleep 1
		i=$((i + 1))
	done
}
start() {
	rm -f $T/in; mkfifo $T/in
	VMX_DEV=$DEV $P/vmx ${VMX_DEBUG:+-v} $T/guest.vmx < $T/in > $T/out 2> $T/err &
	pid=$!
	exec 3> $T/in
}
# ask MARK SECONDS COMMAND: run COMMAND (idempotent) in the guest's shell;
# it ends by printing MARK (the echoed command line never shows MARK
# itself). Input the guest's line editor lost is typed again, twice at most.
ask() {
	n=$(count "VMX-$1-END")
	tries=0
	while :; do
		echo "$3; echo VMX-$1\"\"-END" >&3
		i=0
		while [ "$(count "VMX-$1-END")" -le $n ] && [ $i -lt $2 ]; do
			kill -0 $pid 2>/dev/null || { show; fail "vmx exited before 'VMX-$1-END'"; }
			sleep 1
			i=$((i + 1))
		done
		[ "$(count "VMX-$1-END")" -gt $n ] && return 0
		tries=$((tries + 1))
		[ $tries -ge ${ASK_TRIES:-3} ] && { SHOW=60 show; kill -KILL $pid; fail "no 'VMX-$1-END' after $tries tries"; }
		note "no answer to $1 in $2 s: typing it again"
		printf '\003\n' >&3
		sleep 2
	done
}
# The guest's serial driver may drop input while the shell starts: type a
# harmless probe until it answers.
ready() {
	wait_for VMX-GUEST-READY 400 $1
	wait_for '/ # ' 120 $1
	n=0
	until [ "$(count VMX-PROBED)" -ge $1 ]; do
		[ $n -ge 5 ] && { show; kill -KILL $pid; fail "the guest shell does not answer"; }
		echo 'echo VMX-PRO""BED' >&3
		n=$((n + 1))
		i=0
		while [ $i -lt 30 ] && [ "$(count VMX-PROBED)" -lt $1 ]; do sleep 1; i=$((i + 1)); done
	done
}
# The disk's identity as the guest sees it: "vendor/model/serial/wwid".
identity() {
	ask DISKS$1 30 'echo VMX-DISKS=$(ls /sys/class/scsi_disk | tr "\n" ,)'
	ask ID$1 30 'cd /sys/block/sda/device; echo VMX-IDENT=$(cat vendor model | tr -s "\n " _)/$(tr -cd "[:alnum:]" < vpd_pg80)/$(tr " " _ < wwid); cd /'
	disks=$(tr -d '\r' < $T/out | grep -a -o 'VMX-DISKS=[0-9:,]*' | tail -1)
	id=$(tr -d '\r' < $T/out | grep -a -o 'VMX-IDENT=[^ ]*' | tail -1 | cut -d= -f2)
	note "boot $1: ${disks#VMX-DISKS=} $id"
	case ${disks#VMX-DISKS=} in
	*:0:3:0,) ;;
	*) show; kill -KILL $pid; fail "boot $1: want one disk at target 3, got '${disks#VMX-DISKS=}'" ;;
	esac
}
checksum() {	# the checksum of /mnt/data the guest printed last
	tr -d '\r' < $T/out | grep -a -o '^[0-9a-f]\{64\}  /mnt/data' | tail -1 | cut -c1-64
}
poweroff() {
	vmx_type_until_exit $pid 3 'poweroff -f' 120 ||
		{ show; kill -KILL $pid; fail "vmx still running 120 s after poweroff"; }
	exec 3>&-
	[ $rc = 0 ] || { show; fail "vmx exit status $rc"; }
}

# With VMX_HOSTILE=1: the guest unbinds vmw_pvscsi and programs the
# adapter itself with busybox devmem: rings on pages that hold other data
# (garbage indexes and descriptors), pages outside RAM, ring
# sizes that are not powers of two, unknown commands, stray command data,
# byte and word accesses. vmx must stay up, refuse the bad commands
# (COMMAND_STATUS -1) and power off cleanly.
hostile() {
	ask HOST1 60 'echo 0000:00:01.0 > /sys/bus/pci/drivers/vmw_pvscsi/unbind'
	ask HOST2 60 'cd /sys/bus/pci/devices/0000:00:01.0; echo 1 > enable; set -- $(head -1 resource); B=$(($1)); cd /'
	ask HOST3 30 'w() { devmem $((B + $1)) 32 $2; }; st() { echo VMX-ST=$(devmem $((B + 8)) 32); }'
	ask HOST4 30 'z() { i=0; while [ $i -lt $1 ]; do w 4 0; i=$((i + 1)); done; }'
	# Rings state on vmx's boot page tables (0x9000: a large producer
	# index), requests from its page directory (0xb000) and then from the
	# command line (0x20000, ASCII), completions after the command line.
	ask HOST5 120 'w 0x2010 0; w 0 3; w 4 1; w 4 1; w 4 9; w 4 0; w 4 0xb; z 63; w 4 0x21; z 63; st; w 0x4018 0; w 0x3014 0'
	ask HOST5B 120 'w 0 3; w 4 1; w 4 1; w 4 9; w 4 0; w 4 0x20; z 63; w 4 0x21; z 63; st; w 0x4018 0; w 0x4018 0'
	ask HOST6 120 'w 0 3; w 4 3; w 4 1; z 130; st; w 0 3; w 4 1; w 4 1; w 4 0xfffff; w 4 0; z 128; st'
	ask HOST7 60 'w 0 0x1234; st; w 0 2; st; w 4 0xffffffff; w 0 7; w 4 0xfffff000; z 5; st'
	ask HOST8 60 'devmem $((B + 0x4018)) 8 0; devmem $((B + 0x4018)) 16 0; devmem $((B + 0x1001)) 8; w 0x100c 0xffffffff'
	ask HOST9 60 'for o in 0 4 8 0x100 0x100c 0x2010 0x3014 0x4018 0x7ffc; do devmem $((B + o)) 32; done; w 0 1; st'
	st=$(tr -d '\r' < $T/out | grep -a -o 'VMX-ST=0x[0-9A-Fa-f]*' | cut -d= -f2 | tr '\n' ' ')
	note "hostile guest: COMMAND_STATUS after each step: $st"
	case $st in
	"0x00000000 0x00000000 0xFFFFFFFF 0xFFFFFFFF 0xFFFFFFFF 0xFFFFFFFF 0xFFFFFFFF 0x00000000 ") ;;
	*) show; kill -KILL $pid; fail "unexpected COMMAND_STATUS sequence '$st'" ;;
	esac
	kill -0 $pid || fail "vmx died"
	ask PROBE2 60 'echo alive'
}

# One 8 MiB direct read, of blocks the host has not cached: count the vmx
# threads blocked in a SUBMIT on the disk's front handle meanwhile.
parallel() {
	fd=
	for f in /proc/$pid/fd/*; do
		[ "$(readlink $f)" = "anon_inode:[vmdisk-front]" ] && fd=${f##*/}
	done
	[ -n "$fd" ] || { kill -KILL $pid; fail "vmx holds no vmdisk front handle"; }
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo 't0=$(cut -d" " -f1 /proc/uptime); dd if=/dev/sda of=/dev/null bs=8M count=1 skip=1 iflag=direct 2>/dev/null; echo VMX-PAR""=$t0=$(cut -d" " -f1 /proc/uptime)=END' >&3
	max=0 i=0
	while [ "$(count 'VMX-PAR=.*=END')" = 0 ]; do
		kill -0 $pid 2>/dev/null || { show; fail "vmx exited during the parallel reads"; }
		[ $i -ge 1200 ] && { show; kill -KILL $pid; fail "the parallel reads did not end in 60 s"; }
		n=0
		for t in /proc/$pid/task/*; do
			set -- $(cat $t/syscall 2>/dev/null)
			[ "${1:-}" = 16 ] && [ "$(($2))" = "$fd" ] && n=$((n + 1))
		done
		[ $n -gt $max ] && max=$n
		usleep 50000
		i=$((i + 1))
	done
	set -- $(tr -d '\r' < $T/out | grep -a -o 'VMX-PAR=[0-9.]*=[0-9.]*=END' | tail -1 | tr = ' ')
	note "an 8 MiB read: at most $max SUBMITs in flight together; the guest waited $2 -> $3 s"
	[ $max -ge 2 ] || { show; kill -KILL $pid; fail "the guest's commands ran one at a time in vmx ($max)"; }
}

# Run 1, boot 1: find the disk, make a file system, write a file.
start
ready 1
cpus=$(tr -d '\r' < $T/out | grep -a -o 'VMX-GUEST-READY [^ ]* cpus=[0-9]*' | tail -1)
[ "${cpus##*=}" = "${VMX_VCPUS:-1}" ] || { show; kill -KILL $pid; fail "the guest runs on ${cpus##*=} CPUs, want ${VMX_VCPUS:-1}"; }
grep -a -q 'VMX-SCSI-MODULES' $T/out || { show; kill -KILL $pid; fail "the guest saw no PVSCSI adapter"; }
identity 1
id1=$id
case $id1 in
VMware_Virtual_disk_/VMD*/*) ;;
*) show; kill -KILL $pid; fail "unexpected identity '$id1'" ;;
esac
grep -q "^frontend vmx:$pid scsi0:3$" /proc/vmware/disk/*/status ||
	{ cat /proc/vmware/disk/*/status; kill -KILL $pid; fail "no vmx front end in /proc/vmware/disk"; }
[ -n "$LAT" ] && parallel
if [ $FMT = delta ]; then	# a snapshot of the running VM's disk
	vid=$(grep -l "^frontend vmx:$pid scsi0:3$" /proc/vmware/disk/*/status | cut -d/ -f5)
	vmdiskctl snapshot $vid $T/snap.vmdk >/dev/null ||
		{ kill -KILL $pid; fail "vmdiskctl snapshot $vid while the VM runs"; }
fi
ASK_TRIES=2 ask MKFS 150 'mke2fs -q /dev/sda && mkdir -p /mnt && mount -t ext2 /dev/sda /mnt && dd if=/dev/urandom of=/mnt/data bs=64k count=48 2>/dev/null && sha256sum /mnt/data && umount /mnt && sync'
sum1=$(checksum)
[ -n "$sum1" ] || { show; kill -KILL $pid; fail "no file written in boot 1"; }
note "boot 1: wrote 3 MiB, sha256 $sum1"
if [ $FMT = raw ] && [ $MODE = persistent ]; then
	magic=$(dd if=$DISK bs=1 skip=1080 count=2 2>/dev/null | od -A n -t x1 | tr -d ' ')
	[ "$magic" = 53ef ] || { kill -KILL $pid; fail "no ext2 superblock in $DISK ($magic)"; }
fi

# Boot 2: the guest reboots, vmx restarts the VM on the same disk.
echo 'reboot -f' >&3
ready 2
grep -q "guest reset" $T/err || { show; kill -KILL $pid; fail "vmx did not report the reset"; }
identity 2
[ "$id" = "$id1" ] || { show; kill -KILL $pid; fail "identity after reboot '$id', was '$id1'"; }
ask READ2 120 'mkdir -p /mnt; mount -t ext2 /dev/sda /mnt && sha256sum /mnt/data && umount /mnt'
sum2=$(checksum)
[ "$sum2" = "$sum1" ] || { show; kill -KILL $pid; fail "after reboot: sha256 '$sum2', want $sum1"; }
note "boot 2: same identity, same data"
poweroff
left=$(ls /proc/vmware/disk | grep -v -x hba | wc -l)
expect_eq "disks left in /proc/vmware/disk after vmx" "$left" 0
if [ $FMT = delta ]; then
	[ "$(sha256sum < $T/base.vmdk)" = "$basesum" ] || fail "the guest's writes reached the base under the delta"
	[ -s $T/disk-delta.vmdk ] || fail "no grains in $T/disk-delta.vmdk"
	cid1=$(grep -o '^CID=.*' $DISK)
	[ "$cid1" != "$cid0" ] || fail "the delta opened for writing kept its CID ($cid0)"
	grep -q '^scsi0:3.fileName = "snap.vmdk"$' $T/guest.vmx ||
		{ show; fail "vmx did not follow the snapshot: $(grep fileName $T/guest.vmx)"; }
	grep -q "^parentCID=${cid1#CID=}$" $T/snap.vmdk || fail "snap.vmdk: $(cat $T/snap.vmdk)"
	note "run 1: the writes went to the deltas, the base is unchanged; $cid0 -> $cid1;" \
		"vmx followed the snapshot taken while the VM ran: $(grep fileName $T/guest.vmx)"
fi
if [ $MODE != persistent ]; then
	[ "$(sha256sum < $DISK)" = "$base" ] || fail "$MODE: vmx changed $DISK"
	note "run 1: $DISK unchanged by the $MODE disk"
fi
if [ $MODE = undoable ]; then
	grep -q 'changes kept in the redo log' $T/err || { show; fail "vmx did not say it kept the redo log"; }
	[ -s $DISK.REDO ] || fail "no redo log $DISK.REDO after run 1"
	echo 'scsi0:3.undoAction = "commit"' >> $T/guest.vmx
fi

# Run 2: vmx again on the same .vmx.
start
ready 1
identity 3
[ "$id" = "$id1" ] || { show; kill -KILL $pid; fail "identity after restarting vmx '$id', was '$id1'"; }
if [ $MODE = nonpersistent ]; then
	ask NOFS 120 'mkdir -p /mnt; mount -t ext2 /dev/sda /mnt 2>/dev/null || echo VMX-NO""FS-$(od -A n -N 16 -t x1 /dev/sda | tr -d " ")'
	grep -a -q 'VMX-NOFS-00000000000000000000000000000000' $T/out ||
		{ show; kill -KILL $pid; fail "run 2 of a nonpersistent disk still sees run 1's writes"; }
	note "run 2: run 1's writes are gone"
	# A vmx that dies without cleaning up takes its disks and VM along.
	kill -KILL $pid
	wait $pid 2>/dev/null
	exec 3>&-
	note "run 2: vmx killed with SIGKILL"
	[ "$(sha256sum < $DISK)" = "$base" ] || fail "nonpersistent: $DISK changed"
	expect_eq "disks left in /proc/vmware/disk after vmx" "$(ls /proc/vmware/disk | grep -v -x hba | wc -l)" 0
	[ -d /proc/vmware/vm ] && expect_eq "VMs left" "$(ls /proc/vmware/vm | wc -l)" 0
	exit 0
fi
ask READ3 120 'mkdir -p /mnt; mount -t ext2 /dev/sda /mnt && sha256sum /mnt/data && umount /mnt; dmesg | grep -i -E "pvscsi|sd 0:|error|fail" | sed "s/^/dmesg: /"'
sum3=$(checksum)
[ "$sum3" = "$sum1" ] || { show; kill -KILL $pid; fail "after restarting vmx: sha256 '$sum3', want $sum1"; }
tr -d '\r' < $T/out | grep -a '^dmesg: ' | grep -a -v 'dmesg | grep' | sed 's/^dmesg: /    /' | tail -15
note "run 2: same identity, same data"
[ "${VMX_HOSTILE:-0}" = 1 ] && hostile
poweroff
if [ $MODE = undoable ]; then
	grep -q 'committed [1-9][0-9]* grains of' $T/err || { show; fail "vmx did not commit the redo log"; }
	[ -e $DISK.REDO ] && fail "$DISK.REDO left after commit"
	[ "$(sha256sum < $DISK)" != "$base" ] || fail "commit left $DISK unchanged"
	note "run 2: $(grep -o 'committed.*' $T/err)"
	# The committed VMDK alone, on the host: the guest's file is there.
	if vmw_stock crc32c_generic && vmw_stock ext4; then
		vmdisk_add $DISK
		mkdir -p $T/mnt
		mount -t ext2 -o ro $dev $T/mnt || fail "mount the committed $DISK on the host"
		hsum=$(sha256sum < $T/mnt/data | cut -c1-64)
		umount $T/mnt
		vmdiskctl destroy $id
		[ "$hsum" = "$sum1" ] || fail "committed $DISK holds sha256 '$hsum', want $sum1"
		note "host: the committed $DISK holds the guest's file"
	fi
	# Run 3, undoAction "discard": the guest overwrites the disk, and
	# none of it reaches the file.
	committed=$(sha256sum < $DISK)
	sed -i 's/^scsi0:3.undoAction = .*/scsi0:3.undoAction = "discard"/' $T/guest.vmx
	start
	ready 1
	ask JUNK 120 'dd if=/dev/urandom of=/dev/sda bs=64k count=32 conv=fsync 2>/dev/null; echo VMX-JUNK-WRITTEN'
	poweroff
	grep -q 'discarded .*disk.vmdk.REDO' $T/err || { show; fail "vmx did not discard the redo log"; }
	[ -e $DISK.REDO ] && fail "$DISK.REDO left after discard"
	[ "$(sha256sum < $DISK)" = "$committed" ] || fail "discarded writes reached $DISK"
	note "run 3: 2 MiB of guest writes discarded, $DISK unchanged"
fi
left=$(ls /proc/vmware/disk | grep -v -x hba | wc -l)
expect_eq "disks left in /proc/vmware/disk after vmx" "$left" 0
[ -d /proc/vmware/vm ] && expect_eq "VMs left" "$(ls /proc/vmware/vm | wc -l)" 0
exit 0
