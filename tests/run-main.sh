#!/bin/bash
# make run: the main job. Builds our modules and vmx for the newest stock
# kernel, boots a test host under QEMU (AMD-V) with them loaded, starts a
# guest VM (the same stock kernel, 1 vCPU, 256 MB) on vmmon inside it and
# puts you at the guest's console; when the guest powers off you are at the
# test host's shell (leave with `poweroff -f`, or Ctrl-A X).
# VMW_KVER=... picks another kernel.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
cd "$ROOT"
KVER=${VMW_KVER:-}
if [ -z "$KVER" ]; then
	for k in /boot/vmlinuz-*; do
		v=${k#/boot/vmlinuz-}
		[ -d "/usr/src/linux-headers-$v" ] && KVER=$v
	done
fi
[ -n "$KVER" ] || { echo "no stock kernel with headers: run tools/setup.sh" >&2; exit 1; }
mkdir -p "$B/k-$KVER" "$B/mods-$KVER"
tar -c --exclude=./build --exclude=./.git . | tar -x -C "$B/k-$KVER"
make -s -C "$B/k-$KVER" modules KDIR="/usr/src/linux-headers-$KVER"
find "$B/k-$KVER" -name '*.ko' -exec cp {} "$B/mods-$KVER/" \;
make -s -C tests/guest O="$B/guest"
rm -rf "$B/guest/payload"
vmx/mkpayload.sh "$KVER" "$B/guest/payload"
tests/host/stage.sh "$B/guest" "$B/stage"
tests/host/mkinitramfs.sh -k "$KVER" -m "$B/mods-$KVER" -g "$B/stage" -o "$B/host-$KVER.cpio.gz"
echo "Booting test host $KVER under QEMU (AMD-V); Ctrl-A X quits."
exec tests/host/boot.sh -e qemu -m shell -k "$KVER" -i "$B/host-$KVER.cpio.gz" main
