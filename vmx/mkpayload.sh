#!/bin/sh
# Fill a directory with what the in-guest vmx suite (tests/guest/vmx)
# needs inside a test host: the static vmx, a guest kernel and a tiny
# guest initramfs.
#
#   vmx/mkpayload.sh KVER OUTDIR
#
# KVER is the stock kernel booted as the guest (/boot/vmlinuz-KVER),
# normally the same one the test host runs. The guest's /init prints
# VMX-GUEST-READY, runs the commands typed on its console (ttyS0) with
# sh, and powers off when the input ends or says `poweroff -f`.
#
# When the guest has a PVSCSI adapter (PCI 15ad:07c0), /init first loads
# the stock modules that drive it and a disk on it and that make and mount
# an ext2 file system (ext4.ko serves ext2), copied from
# /lib/modules/KVER in dependency order, and prints VMX-SCSI-MODULES.
set -eu
KVER=${1:?usage: mkpayload.sh KVER OUTDIR}
OUT=${2:?usage: mkpayload.sh KVER OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
BUSYBOX=$(command -v busybox) || { echo "$0: busybox-static missing" >&2; exit 1; }
[ -r "/boot/vmlinuz-$KVER" ] || { echo "$0: no /boot/vmlinuz-$KVER" >&2; exit 1; }

make -s -C "$HERE" vmx
mkdir -p "$OUT"
cp "$HERE/vmx" "$OUT/vmx"
cp "/boot/vmlinuz-$KVER" "$OUT/vmlinuz"

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
chmod 755 "$ROOT"
mkdir -p "$ROOT/bin" "$ROOT/dev" "$ROOT/proc" "$ROOT/sys" "$ROOT/tmp"
cp "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"

# pack_modules DIR ORDER MODULE...: stock modules and their dependencies,
# decompressed into $ROOT/DIR, their insmod order in $ROOT/ORDER
# (modules.dep lists the deepest dependency last). Built-in ones (virtio_pci
# on 6.12) are not in modules.dep and need nothing.
SYSMOD=/lib/modules/$KVER
pack_modules() {
	dir=$ROOT/$1 list=$ROOT/$2
	shift 2
	mkdir -p "$dir"
	: > "$list"
	for mod in "$@"; do
		line=$(grep -E "/${mod}\.ko(\.[a-z]+)?:" "$SYSMOD/modules.dep" || true)
		[ -n "$line" ] || continue
		order=
		for d in ${line#*:}; do order="$d $order"; done
		for rel in $order ${line%%:*}; do
			base=$(basename "$rel"); name=${base%%.ko*}
			[ -f "$dir/$name.ko" ] && continue
			case $rel in
			*.xz) xz -dc "$SYSMOD/$rel" ;;
			*.zst) zstd -qdc "$SYSMOD/$rel" ;;
			*) cat "$SYSMOD/$rel" ;;
			esac > "$dir/$name.ko"
			echo "$name" >> "$list"
		done
	done
}

# The NICs' drivers, loaded at every boot; a SCSI disk's and ext2's, loaded
# when the VM has a PVSCSI adapter.
pack_modules lib/modules modules.load virtio_pci virtio_net
pack_modules mod mod/order crc32c_generic vmw_pvscsi sd_mod ext4
cat > "$ROOT/init" <<'EOI'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /modules.load); do
	insmod /lib/modules/$m.ko || echo "VMX-GUEST: insmod $m failed"
done
ip link set lo up
if cat /sys/bus/pci/devices/*/uevent 2>/dev/null | grep -q -i '^PCI_ID=15AD:07C0$'; then
	n=0
	for m in $(cat /mod/order); do insmod /mod/$m.ko && n=$((n + 1)); done
	echo "VMX-SCSI-MODULES $n loaded"
fi
echo "VMX-GUEST-READY $(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
sh
echo "VMX-GUEST-EOF"
poweroff -f
EOI
chmod 755 "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT/guest.cpio.gz"
echo "$KVER" > "$OUT/guest-kver"
