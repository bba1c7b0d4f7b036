# Shell helpers for the test host's init, runner and shell-based tests.
# Tests exit 0 on pass, 77 to skip (with a reason), anything else fails.

VMW_KO=/vmw/ko
VMW_STOCK=/vmw/stock

vmw_cmdline() {	# vmw_cmdline KEY: the value of KEY=... on the kernel command line
	for w in $(cat /proc/cmdline); do
		case $w in "$1="*) echo "${w#*=}"; return ;; esac
	done
}

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "  $*"; }

expect_eq() {	# expect_eq WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# vmw_insmod NAME [ARGS]: one of our modules.
vmw_insmod() {
	n=$1; shift
	insmod "$VMW_KO/$n.ko" "$@"
}

# vmw_stock NAME: a stock module and what it depends on, in order.
vmw_stock() {
	local m
	[ -f "$VMW_STOCK/$1.load" ] || return 1
	for m in $(cat "$VMW_STOCK/$1.load"); do
		grep -q "^${m//-/_} " /proc/modules && continue
		insmod "$VMW_STOCK/$m.ko" || return 1
	done
}

vmw_stock_unload() {
	local m
	for m in $(sed '1!G;h;$!d' "$VMW_STOCK/$1.load"); do
		rmmod "$m" 2>/dev/null
	done
	return 0
}

# Every product module that exists in this image, in dependency order.
vmw_load_all() {
	local m
	for m in vmproc vmmon vmnet vmdisk; do
		[ -f "$VMW_KO/$m.ko" ] || continue
		# vmdisk's loopback HBA sits on the stock SCSI midlayer.
		[ $m = vmdisk ] && { vmw_stock sd_mod; vmw_stock sg; }
		vmw_insmod "$m"
	done
}

# Remove every one of our modules still loaded (test modules included)
# and the stock hypervisors a test may have loaded as its peer.
vmw_unload_all() {
	for round in 1 2 3; do
		for ko in "$VMW_KO"/*.ko; do
			m=$(basename "$ko" .ko)
			grep -q "^$m " /proc/modules && rmmod "$m" 2>/dev/null
		done
		for m in kvm_amd kvm_intel kvm ccp irqbypass; do
			grep -q "^$m " /proc/modules && rmmod "$m" 2>/dev/null
		done
	done
	return 0
}

# vmw_kvm: load the stock KVM for this CPU (the peer of every vmmon test).
vmw_kvm() {
	if grep -q -w svm /proc/cpuinfo; then vmw_stock kvm-amd
	elif grep -q -w vmx /proc/cpuinfo; then vmw_stock kvm-intel
	else return 1
	fi
}

# The main job: a guest VM (the stock kernel and a busybox initramfs) on
# vmmon, its serial console on this console. Leaving the guest's shell
# (exit, or poweroff -f) powers it off and returns to the test host.
vmw_main_guest() {
	cat > /tmp/guest.vmx <<EOC
displayName = "guest"
guestOS = "debian12-64"
memsize = "256"
numvcpus = "1"
kernel = "/vmw/payload/vmlinuz"
initrd = "/vmw/payload/guest.cpio.gz"
cmdline = "console=ttyS0 reboot=k panic=-1 nokaslr tsc=reliable no_timer_check i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd pci=conf1 rdinit=/init"
serial0.fileType = "stdio"
EOC
	echo "VMW: booting a guest VM on /dev/vmmon ($(cat /proc/vmware/vmmon | head -1)); its console follows."
	echo "VMW: 'poweroff -f' in the guest ends it and returns to the test host."
	/vmw/payload/vmx /tmp/guest.vmx
	echo "VMW: the guest VM exited with status $?"
}

# vmx_type_until_exit PID FD CMD SECONDS: type CMD on file descriptor FD
# every 15 s (the first may land before the guest's shell reads) until vmx
# PID exits; 1 if it still runs after SECONDS. Its exit status is in $rc.
vmx_type_until_exit() {
	local i=0
	while kill -0 $1 2>/dev/null; do
		[ $i -ge $4 ] && return 1
		[ $((i % 15)) = 0 ] && echo "$3" >&$2
		sleep 1
		i=$((i + 1))
	done
	wait $1
	rc=$?
}

# Guests of the vmx network tests: several vmx processes at once, each in
# /tmp/vg-NAME with its console on a FIFO (typed input) and a file (output).
#   vg_start NAME FD 'extra .vmx lines'   boot a 128 MB, 1-vCPU guest on /dev/vmmon
#   vg_ready NAME                         wait for its shell
#   vg_run NAME 'COMMAND' [SECONDS]       run a command; its output in $VG_OUT
#   vg_stop NAME                          power off; fails unless vmx exits 0
#
# vg_setup loads vmnet and the hypervisor the guests run on: vmmon, or
# the stock KVM with vmw.vmx_net=kvm on the command line.
vg_setup() {
	if [ "$(vmw_cmdline vmw.vmx_net)" = kvm ]; then
		VG_DEV=/dev/kvm
		vmw_insmod vmproc && vmw_insmod vmnet || fail "cannot load vmproc/vmnet"
		vmw_kvm || skip "no stock KVM for this CPU"
	else
		VG_DEV=/dev/vmmon
		vmw_load_all
	fi
	[ -c $VG_DEV ] && [ -c /dev/vmnet ] || fail "$VG_DEV or /dev/vmnet is missing"
	note "guests on $VG_DEV"
}
VG_CMDLINE="console=ttyS0 loglevel=${VG_LOGLEVEL:-4} reboot=k panic=-1 nokaslr tsc=reliable no_timer_check mitigations=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd pci=conf1 rdinit=/init"

vg_start() {
	local d=/tmp/vg-$1
	rm -rf $d && mkdir -p $d
	cat > $d/guest.vmx <<EOC
displayName = "$1"
memsize = "${VG_MEM:-128}"
numvcpus = "1"
kernel = "/vmw/payload/vmlinuz"
initrd = "/vmw/payload/guest.cpio.gz"
cmdline = "$VG_CMDLINE"
$3
EOC
	mkfifo $d/in
	VMX_DEV=${VG_DEV:-/dev/vmmon} /vmw/payload/vmx $d/guest.vmx < $d/in > $d/out 2> $d/err &
	echo $! > $d/pid
	echo $2 > $d/fd
	eval "exec $2> $d/in"
	VG_N=0
}

vg_show() {
	local d=/tmp/vg-$1
	note "--- $1: guest console (tail)"; tail -${SHOW:-25} $d/out | tr -d '\r' | sed 's/^/    /'
	note "--- $1: vmx stderr"; sed 's/^/    /' $d/err
}

vg_fail() {	# vg_fail NAME WHY: show the guests, stop them all, fail
	local p g
	for p in $(ls /tmp/vg-*/pid 2>/dev/null); do
		g=${p%/pid}; g=${g#/tmp/vg-}
		[ $g = $1 ] || SHOW=8 vg_show $g
		kill -KILL $(cat $p) 2>/dev/null
	done
	vg_show $1
	fail "$1: $2"
}

vg_wait() {	# vg_wait NAME PATTERN SECONDS [COUNT]
	local d=/tmp/vg-$1 i=0
	while [ "$(grep -a -c "$2" $d/out)" -lt "${4:-1}" ]; do
		kill -0 $(cat $d/pid) 2>/dev/null || vg_fail $1 "vmx exited before '$2'"
		[ $i -ge "$3" ] && return 1
		sleep 1
		i=$((i + 1))
	done
}

vg_type() { echo "$2" >&$(cat /tmp/vg-$1/fd); }

# The first input may be lost while the guest's serial driver starts:
# type a probe until it answers.
vg_ready() {
	local n=0
	vg_wait $1 VMX-GUEST-READY ${VG_BOOT_TMO:-300} || vg_fail $1 "no VMX-GUEST-READY after ${VG_BOOT_TMO:-300} s"
	vg_wait $1 '/ # ' 60 || vg_fail $1 "no shell prompt"
	until grep -a -q VG-ALIVE /tmp/vg-$1/out; do
		[ $n -ge 6 ] && vg_fail $1 "the shell does not answer"
		vg_type $1 'echo VG-AL""IVE'
		vg_wait $1 VG-ALIVE 10
		n=$((n + 1))
	done
}

vg_run() {
	local d=/tmp/vg-$1
	VG_N=$((VG_N + 1))
	vg_type $1 "echo VG-BE\"\"GIN-$VG_N; $2; echo VG-E\"\"ND-$VG_N-\$?"
	vg_wait $1 "^VG-END-$VG_N-[0-9]" ${3:-60} || vg_fail $1 "no answer to '$2' in ${3:-60} s"
	VG_OUT=$(tr -d '\r' < $d/out | sed -n "/^VG-BEGIN-$VG_N\$/,/^VG-END-$VG_N-[0-9]/p" | sed '1d;$d')
	VG_RC=$(tr -d '\r' < $d/out | grep -a "^VG-END-$VG_N-[0-9]" | head -1 | cut -d- -f4)
}

vg_stop() {
	local d=/tmp/vg-$1 pid=$(cat /tmp/vg-$1/pid) i=0 rc
	while kill -0 $pid 2>/dev/null; do
		[ $i -ge 60 ] && vg_fail $1 "vmx still running 60 s after poweroff"
		[ $((i % 15)) = 0 ] && vg_type $1 'poweroff -f'
		sleep 1
		i=$((i + 1))
	done
	wait $pid
	rc=$?
	eval "exec $(cat $d/fd)>&-"
	[ $rc = 0 ] || vg_fail $1 "vmx exit status $rc"
	rm -f $d/pid
}

# vmdisk_setup: what the vmdisk shell tests need: vmdiskctl, the stock
# sd_mod and sg (the loopback HBA's disks), vmproc and vmdisk loaded.
vmdisk_setup() {
	command -v vmdiskctl >/dev/null || skip "vmdiskctl not in this image"
	vmw_stock sd_mod && vmw_stock sg || skip "stock sd_mod/sg missing"
	vmw_insmod vmproc; vmw_insmod vmdisk || fail "insmod vmdisk"
}

# The direct path (bmap.c) of disk $id: vd_direct says on, off or no;
# vd_ios its I/O count; vd_wait_direct on|off SECONDS waits for it to be
# so; vd_drop writes back and drops the page cache.
vd_direct() { sed -n 's/^direct \([a-z]*\).*/\1/p' /proc/vmware/disk/$id/status; }
vd_ios() { sed -n 's/^direct [a-z]* ios \([0-9]*\)/\1/p' /proc/vmware/disk/$id/status; }
vd_wait_direct() {
	i=0
	while [ "$(vd_direct)" != $1 ]; do
		[ $i -ge $(($2 * 10)) ] && fail "direct path not $1 after $2 s: $(grep direct /proc/vmware/disk/$id/status)"
		sleep 0.1
		i=$((i + 1))
	done
}
vd_drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# vmdisk_add ARGS...: `vmdiskctl add ARGS`, which must attach a disk to the
# loopback HBA; sets id and dev (its /dev/sdX).
vmdisk_add() {
	out=$(vmdiskctl add "$@") || fail "add $*"
	id=${out%% *}
	dev=$(echo "$out" | awk '{print $3}')
	[ -b "$dev" ] || fail "no block device for $*: '$out'"
}
