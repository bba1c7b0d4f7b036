#!/bin/sh
# The in-guest runner: runs every test program of the selected suites and
# prints one closing line the host side judges:
#   VMW-RESULT: N passed, N failed, N skipped
. /vmw/lib.sh

suites=$(vmw_cmdline vmw.suites | tr , ' ')
tmo=$(vmw_cmdline vmw.timeout)
only=$(vmw_cmdline vmw.only | tr , ' ')
skiplist=$(vmw_cmdline vmw.skip | tr , ' ')
tmo=${tmo:-600}
pass=0 fail=0 skip=0

echo "VMW-HOST: kernel $(uname -r), cpu flags:$(grep -o -w -E 'svm|npt|vmx|ept' /proc/cpuinfo | sort -u | tr '\n' ' ')"

if [ "$(vmw_cmdline vmw.broken)" = 1 ]; then
	echo "VMW: loading the deliberately broken module"
	vmw_insmod vmw_broken
fi

run_one() {	# run_one PATH NAME
	echo "VMW-TEST BEGIN $2"
	start=$(cut -d' ' -f1 /proc/uptime)
	( cd /tmp && timeout -s KILL "$tmo" "$1" 2>&1; echo $? > /tmp/.rc ) | sed 's/^/    /'
	rc=$(cat /tmp/.rc)
	end=$(cut -d' ' -f1 /proc/uptime)
	secs=$(echo "$end - $start" | bc)
	case $rc in
	0) pass=$((pass + 1)); echo "VMW-TEST PASS $2 (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "VMW-TEST SKIP $2" ;;
	137) fail=$((fail + 1)); echo "VMW-TEST FAIL $2 (killed after ${tmo}s)" ;;
	*) fail=$((fail + 1)); echo "VMW-TEST FAIL $2 (exit $rc)" ;;
	esac
	# A test must leave the host as it found it.
	vmw_unload_all
}

for dir in /vmw/tests/*/; do
	suite=$(basename "$dir")
	if [ -n "$suites" ]; then
		case " $suites " in *" $suite "*) ;; *) continue ;; esac
	else
		# Benchmarks and the no-hardware suite run only when asked for.
		case $suite in bench*|nohw) continue ;; esac
	fi
	for t in "$dir"*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		# vmw.only=suite/01*,suite/02-x: just these tests
		if [ -n "$only" ]; then
			hit=
			for pat in $only; do
				case "$suite/$(basename "$t")" in $pat) hit=1 ;; esac
			done
			[ -n "$hit" ] || continue
		fi
		# vmw.skip=PATTERNS: tests another test host of the same run takes
		for pat in $skiplist; do
			case "$suite/$(basename "$t")" in $pat) continue 2 ;; esac
		done
		run_one "$t" "$suite/$(basename "$t")"
	done
done

# Warnings and worse reach the console as they happen (loglevel=5); the
# host's judge scans it. Keep the full log for a person reading it later.
dmesg > /tmp/dmesg.txt
echo "VMW-RESULT: $pass passed, $fail failed, $skip skipped"
