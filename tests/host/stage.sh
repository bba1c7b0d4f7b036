#!/bin/sh
# Assemble the in-guest tree: init, runner, helpers, shell tests from
# tests/guest, compiled programs from BUILD (tests/guest/Makefile's O=).
#   stage.sh BUILD OUTDIR
set -eu
SRC=$(cd "$(dirname "$0")/../guest" && pwd)
BUILD=$1 OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT/tests" "$OUT/bin"
cp "$SRC/init" "$SRC/runner.sh" "$SRC/lib.sh" "$OUT/"
for d in "$SRC"/*/; do
	suite=$(basename "$d")
	case $suite in include|bin|lib) continue ;; esac
	mkdir -p "$OUT/tests/$suite"
	for f in "$d"*.sh; do
		[ -f "$f" ] && cp "$f" "$OUT/tests/$suite/$(basename "$f" .sh)"
	done
done
[ -d "$BUILD/tests" ] && cp -a "$BUILD/tests/." "$OUT/tests/"
[ -d "$BUILD/bin" ] && cp -a "$BUILD/bin/." "$OUT/bin/"
# Suite "kvm": every compiled vmmon test once more against the stock KVM of
# the host CPU, which proves the tests against the reference implementation.
if [ -d "$OUT/tests/vmmon" ]; then
	mkdir -p "$OUT/tests/kvm"
	for t in "$OUT"/tests/vmmon/*; do
		n=$(basename "$t")
		head -c 4 "$t" | grep -q ELF || continue
		{
			echo '#!/bin/sh'
			echo '. /vmw/lib.sh'
			# Bochs delivers no host interrupt while a guest spins with
			# IF=0, so stock kvm_intel never gets its one CPU back from
			# such a guest and the whole test host hangs (vmmon arms
			# the VMX preemption timer instead).
			case $n in 06-exit-intr|13-kill|16-hostile)
				echo '[ "$(vmw_cmdline vmw.emu)" = bochs ] && skip "stock kvm_intel under Bochs cannot stop a spinning guest"' ;;
			esac
			echo 'export VMW_DEV=/dev/kvm'
			echo "exec /vmw/tests/vmmon/$n \"\$@\""
		} > "$OUT/tests/kvm/$n"
		chmod +x "$OUT/tests/kvm/$n"
	done
fi
# Extra payload (e.g. guest kernels for vmx suites) dropped in by callers.
[ -d "$BUILD/payload" ] && cp -a "$BUILD/payload" "$OUT/payload"
exit 0
