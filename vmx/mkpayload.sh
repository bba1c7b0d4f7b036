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
echo "VMX-GUEST-READY $(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
sh
echo "VMX-GUEST-EOF"
poweroff -f
EOI
chmod 755 "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT/guest.cpio.gz"
echo "$KVER" > "$OUT/guest-kver"
