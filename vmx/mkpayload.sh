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
cat > "$ROOT/init" <<'EOI'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "VMX-GUEST-READY $(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
sh
echo "VMX-GUEST-EOF"
poweroff -f
EOI
chmod 755 "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT/guest.cpio.gz"
echo "$KVER" > "$OUT/guest-kver"
