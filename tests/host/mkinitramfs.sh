#!/bin/sh
# Build the initramfs of a test host.
#
#   mkinitramfs.sh -k KVER -m MODDIR -g GUESTDIR -o OUT.cpio.gz
#
#   KVER      the stock kernel (its /lib/modules/KVER supplies stock modules)
#   MODDIR    a directory of our .ko files built for KVER
#   GUESTDIR  the in-guest tree (runner, suites, static test programs)
#
# The image holds busybox-static, our modules in /vmw/ko, the stock modules
# the suites load as peers (kvm, kvm-amd, kvm-intel, ...) decompressed in
# /vmw/stock with one NAME.load file each listing insmod order, and the
# suites in /vmw/tests/<suite>/, and qemu-img with its libraries when the
# build machine has it.
#
# VMW_HOST_QEMU=1 also packs qemu-system-x86_64, its libraries and the
# microvm firmware (about 50 MB unpacked): the boot benchmark's peer. Only
# the bench suite asks for it (tests/check.sh), to keep other hosts small.
#
# VMW_HOST_FIO=1 also packs fio and its libraries (about 66 MB unpacked:
# Debian's fio links ceph, gluster and ICU): vmdisk's verify job and fio
# benchmark. tests/check.sh asks for it when the vmdisk or bench suite
# runs (all suites included); elsewhere those parts skip.
#
# VMW_HOST_PERF=1 also packs perf (linux-perf): the vmdisk benchmark's
# profile (vmw.vmdisk_prof=1). Asked for by hand, never by check.sh.
set -eu

# (crct10dif_generic, target_core_file, tcm_loop: the stock LIO loopback
# target the vmdisk benchmark compares with; null_blk: its device with a
# latency; xfs: vmdisk's direct path on XFS.)
STOCK_MODS="kvm-amd kvm-intel veth bridge tun sd_mod sg loop crc32c_generic ext4 virtio_pci virtio_blk
	crct10dif_generic target_core_file tcm_loop null_blk xfs"

usage() { echo "usage: $0 -k KVER -m MODDIR -g GUESTDIR -o OUT" >&2; exit 2; }
KVER= MODDIR= GUESTDIR= OUT=
while getopts k:m:g:o: opt; do
	case $opt in
	k) KVER=$OPTARG ;; m) MODDIR=$OPTARG ;; g) GUESTDIR=$OPTARG ;;
	o) OUT=$OPTARG ;; *) usage ;;
	esac
done
[ -n "$KVER" ] && [ -n "$MODDIR" ] && [ -n "$GUESTDIR" ] && [ -n "$OUT" ] || usage
SYSMOD=/lib/modules/$KVER
[ -f "$SYSMOD/modules.dep" ] || { echo "$0: no $SYSMOD/modules.dep (install linux-image-$KVER)" >&2; exit 1; }
BUSYBOX=$(command -v busybox) || { echo "$0: busybox-static missing" >&2; exit 1; }

ROOT=$(mktemp -d)
chmod 755 "$ROOT"
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/dev" "$ROOT/proc" "$ROOT/sys" \
	"$ROOT/tmp" "$ROOT/run" "$ROOT/vmw/ko" "$ROOT/vmw/stock" "$ROOT/lib/modules/$KVER"
cp "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"

# Host programs some suites drive (iproute2's ip and iperf3 for vmnet,
# qemu-img for the vmdisk interop test; sg3_utils, bash for its
# scsi_mandat script and e2fsprogs' mkfs.ext4 and e2fsck for vmdisk's
# 12-sg3utils; xfsprogs' mkfs.xfs, xfs_io and xfs_repair for its
# 14-bmap-xfs), at their own paths with the shared libraries they need.
# Optional: a suite skips when one is missing.
SG3_PROGS="sg_inq sg_vpd sg_turs sg_requests sg_readcap sg_modes sg_wr_mode
	sg_sync sg_luns sg_start sg_unmap sg_write_same sg_opcodes sg_persist
	sg_raw sg_senddiag scsi_mandat"
HOST_PROGS="/usr/sbin/ip /usr/bin/iperf3 /usr/bin/qemu-img /usr/bin/bash
	/usr/sbin/mkfs.ext4 /usr/sbin/e2fsck /usr/sbin/mkfs.xfs /usr/sbin/xfs_io
	/usr/sbin/xfs_repair
	$(for p in $SG3_PROGS; do echo /usr/bin/$p; done)"
copy_prog() {
	[ -x "$1" ] || return 0
	mkdir -p "$ROOT$(dirname "$1")"
	cp "$1" "$ROOT$1"
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -f "$ROOT$lib" ] && continue
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L "$lib" "$ROOT$lib"
	done
}
for p in $HOST_PROGS; do copy_prog "$p"; done
if [ "${VMW_HOST_QEMU:-0}" = 1 ]; then
	Q=$(command -v qemu-system-x86_64) || { echo "$0: VMW_HOST_QEMU=1 but no qemu-system-x86_64" >&2; exit 1; }
	copy_prog "$Q"
	mkdir -p "$ROOT/usr/share/qemu"
	cp -L /usr/share/qemu/bios-microvm.bin "$ROOT/usr/share/qemu/"
fi
if [ "${VMW_HOST_FIO:-0}" = 1 ]; then
	F=$(command -v fio) || { echo "$0: VMW_HOST_FIO=1 but no fio (apt-get install fio)" >&2; exit 1; }
	copy_prog "$F"
fi
if [ "${VMW_HOST_PERF:-0}" = 1 ]; then
	P=$(command -v perf) || { echo "$0: VMW_HOST_PERF=1 but no perf (apt-get install linux-perf)" >&2; exit 1; }
	copy_prog "$P"
fi

# Our modules.
find "$MODDIR" -name '*.ko' -exec cp {} "$ROOT/vmw/ko/" \;

# Stock modules, each with the ordered list of files to insmod.
copy_stock() {
	rel=$1
	base=$(basename "$rel")
	name=${base%%.ko*}
	[ -f "$ROOT/vmw/stock/$name.ko" ] && return 0
	case $rel in
	*.xz) xz -dc "$SYSMOD/$rel" > "$ROOT/vmw/stock/$name.ko" ;;
	*.zst) zstd -qdc "$SYSMOD/$rel" > "$ROOT/vmw/stock/$name.ko" ;;
	*) cp "$SYSMOD/$rel" "$ROOT/vmw/stock/$name.ko" ;;
	esac
}
for mod in $STOCK_MODS; do
	line=$(grep -E "/${mod}\.ko(\.[a-z]+)?:" "$SYSMOD/modules.dep" || true)
	if [ -z "$line" ]; then
		# Built in (virtio_pci on 6.12): nothing to load, which vmw_stock
		# takes as success. Absent from this kernel: no list at all.
		if grep -q -E "/${mod}\.ko$" "$SYSMOD/modules.builtin" 2>/dev/null; then
			: > "$ROOT/vmw/stock/$mod.load"
		fi
		continue
	fi
	self=${line%%:*}
	deps=${line#*:}
	order=
	for d in $deps; do order="$d $order"; done	# deepest dependency first
	for f in $order $self; do
		copy_stock "$f"
		b=$(basename "$f"); echo "${b%%.ko*}"
	done > "$ROOT/vmw/stock/$mod.load"
done

cp -a "$GUESTDIR/." "$ROOT/vmw/"
echo "$KVER" > "$ROOT/vmw/kver"
cp "$ROOT/vmw/init" "$ROOT/init"
chmod 755 "$ROOT/init"

(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT"
