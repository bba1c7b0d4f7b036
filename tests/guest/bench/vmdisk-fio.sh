#!/bin/sh
# vmdisk benchmark with fio (not pass/fail): 4 KiB random reads and writes
# at queue depth 1 and 32 and 1 MiB sequential reads and writes (queue
# depth 4), io_uring with O_DIRECT, on
#   raw      the backing file itself, on ext4 (with vmw.vmdisk_fs=xfs on
#            the kernel command line, XFS): on a loop device over a
#            tmpfs file (a device as fast as memory, so the figures compare
#            the CPU each path costs), or with vmw.vmdisk_lat=NS on the
#            kernel command line on a memory-backed null_blk that
#            completes each request NS nanoseconds after it was issued
#            (a device with a latency, as an SSD has)
#   vmdisk   /dev/sdX of a vmdisk loopback disk on a file of that file system,
#            opened O_DIRECT (vmdiskctl add -d): its direct path (bmap.c)
#   vmdisk-b the same on a buffered file (vmdiskctl add without -d)
#   tcm      /dev/sdY of the stock LIO target: tcm_loop over a fileio
#            backstore on a file there, set up through configfs
#            with fd_buffered_io=1 (the host's page cache as a write-back
#            cache, like vmdisk-b; fileio's default writes O_DSYNC, and it
#            has no O_DIRECT mode)
# and prints IOPS or MB/s with the ratios vmdisk/raw and vmdisk-b/tcm
# (both buffered in the host's page cache). On the memory device it then
# takes 4 KiB random reads apart, in microseconds per read: a null_blk
# that does no work (io_uring and one pass through the block layer), the
# loop device itself (+ the device), raw (+ the file system's direct
# I/O), vmdisk (+ a second block-layer pass, the SCSI midlayer and sd, and
# vmdisk), and what vmdisk may add to raw's time to stay within 0.9x of it.
# Every figure is from a TCG-emulated CPU: compare ratios, not numbers.
. /vmw/lib.sh
command -v fio >/dev/null || skip "fio not in this host (apt-get install fio; mkinitramfs.sh packs it with VMW_HOST_FIO=1)"
command -v vmdiskctl >/dev/null || skip "vmdiskctl not in this image"
vmw_stock sd_mod && vmw_stock loop && vmw_stock crc32c_generic && vmw_stock ext4 ||
	skip "stock sd_mod/loop/ext4 missing"
vmw_insmod vmproc; vmw_insmod vmdisk || fail "insmod vmdisk"
RUNTIME=${VMDISK_BENCH_RUNTIME:-3}
SIZE=48
T=/tmp/vmdisk-fio
M=/mnt/vmdisk-fio
LAT=$(vmw_cmdline vmw.vmdisk_lat)
FS=$(vmw_cmdline vmw.vmdisk_fs)
FS=${FS:-ext4}
case $FS in
ext4) ;;
xfs) { vmw_stock xfs && [ -x /usr/sbin/mkfs.xfs ]; } || skip "no stock xfs or mkfs.xfs (xfsprogs) in this host" ;;
*) fail "vmw.vmdisk_fs=$FS: ext4 or xfs" ;;
esac
rm -rf $T && mkdir -p $T $M
if [ -n "$LAT" ]; then
	vmw_stock null_blk && rmmod null_blk || skip "stock null_blk missing"
	# One queue of 64 requests, memory-backed, each request completed by
	# a timer LAT ns after it was queued.
	insmod $VMW_STOCK/null_blk.ko nr_devices=1 queue_mode=2 memory_backed=1 \
		irqmode=2 completion_nsec=$LAT gb=1 bs=4096 submit_queues=1 ||
		fail "insmod null_blk"
	BDEV=/dev/nullb0
	note "backing device: null_blk, memory-backed, $LAT ns per request"
else
	mb=$((SIZE * 4 + 32))
	[ $FS = ext4 ] || mb=320	# mkfs.xfs makes nothing under 300 MiB
	dd if=/dev/zero of=$T/fs.img bs=1M count=0 seek=$mb 2>/dev/null
	losetup /dev/loop5 $T/fs.img || fail "losetup"
	BDEV=/dev/loop5
	note "backing device: loop over a tmpfs file"
fi
cleanup() {
	[ -n "$tcm" ] && tcm_down
	[ -n "$id" ] && vmdiskctl destroy $id
	[ -n "$idb" ] && vmdiskctl destroy $idb
	umount $M
	if [ $BDEV = /dev/loop5 ]; then losetup -d $BDEV; else rmmod null_blk; fi
	rmmod null_blk 2>/dev/null
	rm -rf $T
}
trap cleanup EXIT
# A real ext4 (extents, 4 KiB blocks) where e2fsprogs is in the host, as
# users have it; busybox's mke2fs makes an ext2 layout (1 KiB blocks,
# block maps). On the memory device both give the raw file the same
# figures to a few parts in ten thousand.
if [ $FS = xfs ]; then
	/usr/sbin/mkfs.xfs -q -f $BDEV || fail "mkfs.xfs $BDEV"
	note "file system: XFS (mkfs.xfs's defaults: reflink on, 4 KiB blocks)"
elif [ -x /usr/sbin/mkfs.ext4 ]; then	# off the test host's PATH
	/usr/sbin/mkfs.ext4 -q -F $BDEV || fail "mkfs.ext4 $BDEV"
	note "file system: ext4 (mkfs.ext4: extents, 4 KiB blocks)"
else
	mke2fs -q $BDEV > /dev/null || fail "mke2fs $BDEV"
	note "file system: busybox mke2fs (ext2 layout, 1 KiB blocks), mounted as ext4"
fi
mount -t $FS $BDEV $M || fail "$FS on $BDEV"
for f in raw vmdisk vmdiskb tcm; do
	dd if=/dev/urandom of=$M/$f.img bs=1M count=$SIZE 2>/dev/null || fail "fill $f.img"
done
sync

# job NAME FILE RW BS DEPTH: prints IOPS (4k) or MB/s (1M) of one fio run.
# What a buffered target dirtied before is written back first, so that
# its writeback does not take the CPU from whichever run comes next.
job() {
	sync
	out=$(fio --name=$1 --filename=$2 --rw=$3 --bs=$4 --iodepth=$5 \
		--ioengine=io_uring --direct=1 --size=${SIZE}M --time_based \
		--runtime=$RUNTIME --ramp_time=1 --randseed=1 --minimal 2>&1) ||
		{ echo "$out" | sed 's/^/    /' >&2; echo 0; return; }
	# terse v3: 8 read IOPS, 7 read KiB/s, 49 write IOPS, 48 write KiB/s
	echo "$out" | tail -1 | awk -F';' -v bs=$4 -v rw=$3 '{
		w = rw ~ /write/; iops = w ? $49 : $8; kbs = w ? $48 : $7;
		if (bs == "4k") printf "%d\n", iops; else printf "%.1f\n", kbs * 1024 / 1e6 }'
}
WORK="rr1:randread:4k:1 rw1:randwrite:4k:1 rr32:randread:4k:32 rw32:randwrite:4k:32 sr:read:1M:4 sw:write:1M:4"

tcm_up() {
	C=/sys/kernel/config/target
	vmw_stock target_core_file && vmw_stock tcm_loop || return 1
	grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config || return 1
	mkdir -p $C/core/fileio_0/bench || return 1
	echo "fd_dev_name=$M/tcm.img,fd_dev_size=$((SIZE << 20)),fd_buffered_io=1" > $C/core/fileio_0/bench/control &&
		echo 1 > $C/core/fileio_0/bench/enable || return 1
	tcm=$C/loopback/naa.5001405aaaaaaaaa
	mkdir -p $tcm/tpgt_1 && echo naa.5001405bbbbbbbbb > $tcm/tpgt_1/nexus &&
		mkdir $tcm/tpgt_1/lun/lun_0 &&
		ln -s $C/core/fileio_0/bench $tcm/tpgt_1/lun/lun_0/bench || return 1
	i=0
	while [ $i -lt 50 ]; do
		for b in /sys/block/sd*; do
			case $(cat $b/device/vendor 2>/dev/null) in
			LIO-ORG*) tcm_dev=/dev/${b#/sys/block/}; [ -b $tcm_dev ] && return 0 ;;
			esac
		done
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
tcm_down() {
	rm -f $tcm/tpgt_1/lun/lun_0/bench
	rmdir $tcm/tpgt_1/lun/lun_0
	echo NULL > $tcm/tpgt_1/nexus 2>/dev/null
	rmdir $tcm/tpgt_1 $tcm $C/core/fileio_0/bench $C/core/fileio_0 2>/dev/null
	tcm=
}

out=$(vmdiskctl add -d $M/vmdisk.img) || fail "vmdiskctl add -d"
id=${out%% *}
TARGETS="raw:$M/raw.img vmdisk:$(echo "$out" | awk '{print $3}')"
out=$(vmdiskctl add $M/vmdiskb.img) || fail "vmdiskctl add"
idb=${out%% *}
TARGETS="$TARGETS vmdisk-b:$(echo "$out" | awk '{print $3}')"
if tcm_up; then
	TARGETS="$TARGETS tcm:$tcm_dev"
else
	note "no tcm_loop (stock target_core_file/tcm_loop missing or configfs refused): tcm skipped"
fi
# vmw.vmdisk_prof=1 (and perf in the host: VMW_HOST_PERF=1): instead of
# the table, where the CPU goes in a 4 KiB random read at QD1, raw against
# vmdisk: perf's cpu-clock samples with kernel call chains (under -icount,
# a sample every so many instructions), the symbols by their own share
# and by what they and their callees take.
if [ -n "$(vmw_cmdline vmw.vmdisk_prof)" ]; then
	command -v perf >/dev/null || skip "no perf in this host (VMW_HOST_PERF=1)"
	echo 0 > /proc/sys/kernel/kptr_restrict
	echo -1 > /proc/sys/kernel/perf_event_paranoid
	grep -q tracefs /proc/mounts || mount -t tracefs none /sys/kernel/tracing
	# The job profiled (vmw.vmdisk_prof_job=RW:BS:QD, fio's names) and
	# on which targets (vmw.vmdisk_prof_targets=raw,vmdisk-b,...).
	PJOB=$(vmw_cmdline vmw.vmdisk_prof_job)
	set -- $(echo ${PJOB:-randread:4k:1} | tr : ' ')
	PRW=$1 PBS=$2 PQD=$3
	PTARGETS=$(vmw_cmdline vmw.vmdisk_prof_targets | tr , ' ')
	PTARGETS=${PTARGETS:-raw vmdisk}
	profiled() { case " $PTARGETS " in *" ${1%%:*} "*) return 0 ;; esac; return 1; }
	# reads FILE N [CMD...]: N I/Os of that job on FILE by fio, under
	# CMD (perf record ... --) if given.
	reads() {
		local f=$1 n=$2
		shift 2
		"$@" fio --name=prof --filename=$f --rw=$PRW --bs=$PBS --iodepth=$PQD \
			--ioengine=io_uring --direct=1 --size=${SIZE}M --number_ios=$n \
			--randseed=1 > /dev/null 2>&1
	}
	# vmw.vmdisk_prof=graph: what each step of a read costs, by
	# function_graph at depth 1 (under -icount, ns are instructions).
	if [ "$(vmw_cmdline vmw.vmdisk_prof)" = graph ]; then
		TR=/sys/kernel/tracing
		# vmw.vmdisk_prof_funcs=f1,f2,... times those instead.
		GRAPH_FUNCS=$(vmw_cmdline vmw.vmdisk_prof_funcs | tr , ' ')
		[ -n "$GRAPH_FUNCS" ] || GRAPH_FUNCS="io_submit_sqes ext4_file_read_iter
			iomap_dio_rw blkdev_read_iter blk_mq_submit_bio __blk_flush_plug
			scsi_queue_rq vmdisk_hba_queuecommand vmdisk_scsi_exec_nowait
			vmdisk_do_rw vmdisk_bmap_submit submit_bio loop_queue_rq
			loop_process_work lo_rw_aio.isra.0 blk_mq_end_request
			vmdisk_bmap_end_io vmdisk_rw_done vmdisk_hba_done scsi_done
			scsi_complete scsi_io_completion down_read_trylock"
		for t in $TARGETS; do
			profiled $t || continue
			note "function_graph: ${t%%:*}, $PRW $PBS QD$PQD, ns per call" \
				"(each with the tracer's own cost of a call: see down_read_trylock's)"
			for f in $GRAPH_FUNCS; do
				echo nop > $TR/current_tracer
				echo > $TR/trace
				# Only f is patched: the others run at full speed.
				echo $f > $TR/set_ftrace_filter 2>/dev/null || continue
				echo $f > $TR/set_graph_function
				echo 1 > $TR/max_graph_depth
				echo function_graph > $TR/current_tracer
				echo 1 > $TR/tracing_on
				reads ${t#*:} 2000
				echo 0 > $TR/tracing_on
				grep -v '^#' $TR/trace | grep -E " us +\| +$f(\.[a-z0-9.]+)?( \[[a-z0-9_]+\])?\(\);" |
					sed -E 's/.* ([0-9.]+) us .*/\1/' | sort -n |
					awk -v f=$f '{ v[NR] = $1; s += $1 } END {
						printf "      %-26s %6d calls, mean %7.0f ns, median %7.0f ns\n",
							f, NR, NR ? s * 1000 / NR : 0, NR ? v[int((NR + 1) / 2)] * 1000 : 0 }'
			done
			echo > $TR/set_ftrace_filter
			echo > $TR/set_graph_function
		done
		exit 0
	fi
	for t in $TARGETS; do
		profiled $t || continue
		note "profile: ${t%%:*}, $PRW $PBS QD$PQD, $(job prof ${t#*:} $PRW $PBS $PQD) IOPS or MB/s unprofiled"
		rep() { perf report -q -i $T/perf.data --stdio "$@" 2>/dev/null | grep -v '^$'; }
		reads ${t#*:} 20000 perf record -q -a -g --kernel-callchains -e cpu-clock -F 20000 \
			-o $T/perf.data --
		rep --no-children -g none --sort sym --percent-limit 0.5 | head -30
		rep --children -g none --sort sym --percent-limit 2 | head -45
		rep --no-children -g none --sort comm | head -6
		for c in $(rep --no-children -g none --sort comm | awk '{ print $2 }' | head -3); do
			echo "    -- $c"
			rep --children -g none --comms "$c" --sort sym --percent-limit 1 | head -14
		done
		# Where the two hottest symbols were reached from.
		for sym in $(rep --no-children -g none --sort sym | awk '$2 == "[k]" { print $3 }' | head -2); do
			echo "    -- $sym"
			rep --no-children --sort sym -S $sym -g folded,0.5,callee |
				grep '^[0-9]' | sort -rn | head -6 | cut -c1-300
		done
		# Who runs, in the sequence of a few reads.
		reads ${t#*:} 2000 perf record -q -a -e sched:sched_switch -o $T/perf.data --
		note "context switches in 2000 reads: $(perf script -i $T/perf.data -F event 2>/dev/null | grep -c sched_switch)"
		perf script -i $T/perf.data -F comm,trace 2>/dev/null | sed -n '2000,2030p' | cut -c1-150
		rm -f $T/perf.data
	done
	exit 0
fi
note "fio io_uring O_DIRECT, best of 2 runs of ${RUNTIME} s each, targets interleaved per workload:"
note "rand-read QD1, rand-write QD1, rand-read QD32, rand-write QD32 (IOPS), seq-read, seq-write 1 MiB QD4 (MB/s)"
# Best of two runs back to back: a TCG host's figures swing from run to
# run with the emulator's threads' scheduling.
best() {
	a=$(job "$@"); b=$(job "$@")
	awk -v a=$a -v b=$b 'BEGIN { print (a > b) ? a : b }'
}
for w in $WORK; do
	set -- $(echo $w | tr : ' ')
	for t in $TARGETS; do
		echo " $(best $1 ${t#*:} $2 $3 $4)" >> $T/${t%%:*}
	done
done
note "vmdisk's $(grep '^direct' /proc/vmware/disk/$id/status) (bmap.c), vmdisk-b's $(grep '^direct' /proc/vmware/disk/$idb/status)"
for t in $TARGETS; do
	printf '  %-9s%s\n' ${t%%:*} "$(tr -d '\n' < $T/${t%%:*})"
	tr -d '\n' < $T/${t%%:*} > $T/${t%%:*}.line
done

ratio() {	# ratio A B: per workload, A / B
	paste -d' ' $T/$1.line $T/$2.line | awk '{ n = NF / 2; s = "";
		for (i = 1; i <= n; i++) s = s sprintf(" %.2f", $(i + n) ? $i / $(i + n) : 0);
		print s }'
}
printf '  %-9s%s\n' "v/raw" "$(ratio vmdisk raw)"
[ -f $T/tcm.line ] && printf '  %-9s%s\n' "vb/tcm" "$(ratio vmdisk-b tcm)"

# The anatomy of a 4 KiB random read (memory device only).
[ -z "$LAT" ] || exit 0
{ vmw_stock null_blk && rmmod null_blk &&
	insmod $VMW_STOCK/null_blk.ko nr_devices=1 queue_mode=2 irqmode=0 gb=1 \
		bs=4096 submit_queues=1; } || { note "no stock null_blk: no anatomy"; exit 0; }
us() { awk -v n=$1 'BEGIN { printf "%6.2f", n ? 1e6 / n : 0 }'; }
note "4 KiB random read, us per read (QD1, QD32):"
for qd in 1 32; do
	f=$([ $qd = 1 ] && echo 1 || echo 3)	# rr1, rr32 in the .line files
	raw=$(cut -d' ' -f$((f + 1)) $T/raw.line)
	v=$(cut -d' ' -f$((f + 1)) $T/vmdisk.line)
	n=$(best anat /dev/nullb0 randread 4k $qd)
	d=$(best anat $BDEV randread 4k $qd)
	echo "$n $d $raw $v" > $T/anat$qd
done
row() { printf '  %-44s%s  %s\n' "$1" "$(us $(cut -d' ' -f$2 $T/anat1))" "$(us $(cut -d' ' -f$2 $T/anat32))"; }
row "null_blk: io_uring + block layer" 1
row "$BDEV: + the device" 2
row "raw: + $FS direct I/O" 3
row "vmdisk: + sd's block layer, SCSI, vmdisk" 4
for qd in 1 32; do
	set -- $(cat $T/anat$qd)
	awk -v r=$3 -v v=$4 'BEGIN { printf "%s %s\n", (r && v) ? 1e6 / v - 1e6 / r : 0, r ? 1e6 / r / 9 : 0 }'
done > $T/anat
printf '  %-44s%6.2f  %6.2f\n' "vmdisk - raw" $(awk 'NR == 1 { a = $1 } NR == 2 { print a, $1 }' $T/anat)
printf '  %-44s%6.2f  %6.2f\n' "allowed for 0.9x raw: raw / 9" $(awk 'NR == 1 { a = $2 } NR == 2 { print a, $2 }' $T/anat)
rmmod null_blk
exit 0
