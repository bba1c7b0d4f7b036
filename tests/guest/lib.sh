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
