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

# Stock modules for the guest's NICs, decompressed, their insmod order in
# /modules.load (modules.dep lists the deepest dependency last). Built-in
# ones (virtio_pci on 6.12) are not in modules.dep and need nothing.
SYSMOD=/lib/modules/$KVER
mkdir -p "$ROOT/lib/modules"
for mod in virtio_pci virtio_net; do
	line=$(grep -E "/${mod}\.ko(\.[a-z]+)?:" "$SYSMOD/modules.dep" || true)
	[ -n "$line" ] || continue
	order=
	for d in ${line#*:}; do order="$d $order"; done
	for f in $order ${line%%:*}; do
		b=$(basename "$f"); name=${b%%.ko*}
		[ -f "$ROOT/lib/modules/$name.ko" ] && continue
		case $f in
		*.xz) xz -dc "$SYSMOD/$f" ;;
		*.zst) zstd -qdc "$SYSMOD/$f" ;;
		*) cat "$SYSMOD/$f" ;;
		esac > "$ROOT/lib/modules/$name.ko"
		echo "$name" >> "$ROOT/modules.load"
	done
done
touch "$ROOT/modules.load"

# Stock modules for a SCSI disk and ext2, dependencies first, in /mod with
# their insmod order in /mod/order.
SYSMOD=/lib/modules/$KVER
GUEST_MODS="crc32c_generic vmw_pvscsi sd_mod ext4"
mkdir -p "$ROOT/mod"
: > "$ROOT/mod/order"
for mod in $GUEST_MODS; do
	line=$(grep -E "/${mod}\.ko(\.[a-z]+)?:" "$SYSMOD/modules.dep" || true)
	[ -n "$line" ] || continue	# built in
	order=
	for d in ${line#*:}; do order="$d $order"; done
	for rel in $order ${line%%:*}; do
		base=$(basename "$rel"); name=${base%%.ko*}
		[ -f "$ROOT/mod/$name.ko" ] && continue
		case $rel in
		*.xz) xz -dc "$SYSMOD/$rel" > "$ROOT/mod/$name.ko" ;;
		*.zst) zstd -qdc "$SYSMOD/$rel" > "$ROOT/mod/$name.ko" ;;
		*) cp "$SYSMOD/$rel" "$ROOT/mod/$name.ko" ;;
		esac
		echo "$name" >> "$ROOT/mod/order"
	done
done
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
