#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one kernel under QEMU with a busybox initramfs holding cowstat.ko,
# the selftests and the CLI; run the selftests (or the demo) inside; stream
# their TAP to stdout; keep the guest's whole kernel log; fail on a failed
# or missing test, a guest that does not finish, or a kernel log that shows
# a warning, a BUG, an oops, a KASAN/UBSAN/lockdep report, an RCU stall or a
# soft lockup.
#
#   selftests/vm/run.sh KVER|debug|debug-X.Y [test|demo|bench]
#
# KVER is an installed Debian kernel (see scripts/kernels.sh); debug-X.Y is
# the debug kernel that scripts/debug-kernel.sh builds from linux-source-X.Y
# (build/kernel/debug-X.Y), and "debug" is debug-6.12.  The counts are written to
# build/vm/KVER/result as "passed failed skipped".  "bench" runs
# bench/cowstat_bench instead of the tests (make bench, bench/run.sh).
# COWSTAT_VM_MEM sets the guest's memory in MiB (default 2048);
# COWSTAT_VM_ENV="NAME=VALUE ..." the tests' environment (see below).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${1:?usage: run.sh KVER|debug|debug-X.Y [test|demo]}
mode=${2:-test}
cd "$top"

case $kver in
debug|debug-*)
	# "debug" is debug-6.12; debug-X.Y is the debug kernel built from
	# linux-source-X.Y (scripts/debug-kernel.sh).
	tree=$top/build/kernel/$kver
	[ "$kver" = debug ] && tree=$top/build/kernel/debug-6.12
	kdir=$tree/linux
	image=$kdir/arch/x86/boot/bzImage
	[ -f "$image" ] || { echo "run: no $kver kernel; run 'make debug-kernel'" >&2; exit 1; }
	modver=$(cat "$tree/release")
	;;
*)
	kdir=/lib/modules/$kver/build
	image=/boot/vmlinuz-$kver
	modver=$kver
	[ -f "$image" ] || { echo "run: no kernel image $image" >&2; exit 1; }
	;;
esac

work=$top/build/vm/$kver
root=$work/root
rm -rf "$work"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests,lib/modules,etc,root}

# The module for this kernel, the selftests and the CLI.
make -s module KVER="$kver" KDIR="$kdir" >"$work/build.log" 2>&1 ||
	{ cat "$work/build.log"; echo "run: module build failed" >&2; exit 1; }
mkdir -p "$top/build/selftests"
make -s -C selftests OUTPUT="$top/build/selftests" >>"$work/build.log" 2>&1 ||
	{ cat "$work/build.log"; echo "run: selftests build failed" >&2; exit 1; }
make -s tools >>"$work/build.log" 2>&1 ||
	{ cat "$work/build.log"; echo "run: CLI build failed" >&2; exit 1; }

cp "$top/build/$kver/cowstat.ko" "$root/lib/modules/"

# The selftests' helper modules (selftests/modules), for the same kernel and
# the same way, in a build directory of their own.
mbuild=$top/build/$kver/selftest-modules
mkdir -p "$mbuild"
for f in selftests/modules/Kbuild selftests/modules/*.c; do
	ln -sf "$top/$f" "$mbuild/"
done
make -C "$kdir" M="$mbuild" modules >>"$work/build.log" 2>&1 ||
	{ cat "$work/build.log"; echo "run: selftest modules build failed" >&2; exit 1; }
cp "$mbuild"/*.ko "$root/lib/modules/"
cp /bin/busybox "$root/bin/busybox"

# Copy a program and the shared libraries it needs into the guest.
install_prog() {
	local src=$1 dst=$2 lib
	cp "$src" "$root/$dst"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}

# Kernel modules that the tests use, with what they depend on.  Debian may
# ship them compressed; busybox insmod wants them plain.
install_kmod() {
	local name=$1 f dep
	case $kver in debug*) return 0 ;; esac	# built in
	f=$(modinfo -k "$modver" -n "$name" 2>/dev/null) || return 0
	case $f in /*) ;; *) return 0 ;; esac
	for dep in $(modinfo -k "$modver" -F depends "$name" | tr ',' ' '); do
		install_kmod "$dep"
	done
	case $f in
	*.xz) xz -dc "$f" >"$root/lib/modules/$name.ko" ;;
	*.zst) zstd -qdc "$f" >"$root/lib/modules/$name.ko" ;;
	*) cp "$f" "$root/lib/modules/$name.ko" ;;
	esac
	echo "$name" >>"$root/lib/modules/load-order"
}
install_kmod zram
install_kmod lzo-rle	# zram's default compressor on 6.1

# The real workloads (cowstat_redis, cowstat_python, the demo): Debian's
# redis-server and redis-cli, and python3 with only the standard library
# modules that selftests/vm/guest/cowstat_python_workload.py loads (the
# whole library is 54 MB; these are 3.3 MB), found by running it on the
# host.  A program that is not installed is left out and its test skips.
install_workloads() {
	local p f py=/usr/bin/python3
	for p in redis-server redis-cli; do
		f=/usr/bin/$p
		[ -x "$f" ] || continue
		mkdir -p "$root/usr/bin"
		install_prog "$f" "usr/bin/$p"
	done
	[ -x "$py" ] || return 0
	mkdir -p "$root/usr/bin"
	install_prog "$py" usr/bin/python3
	for f in $("$py" -I -S selftests/vm/guest/cowstat_python_workload.py --list-modules |
		   grep '^/usr/lib/python3' | sort -u); do
		mkdir -p "$root/$(dirname "$f")"
		# Sources, Debian's byte code (the guest compiles nothing)
		# and extension modules with their libraries.
		install_prog "$f" "$f"
	done
}

tests=$(make -s -C selftests OUTPUT="$top/build/selftests" list)
# COWSTAT_TESTS="a b" runs only those test binaries (while developing).
[ -n "${COWSTAT_TESTS:-}" ] && tests=$COWSTAT_TESTS
for t in $tests; do
	install_prog "$top/build/selftests/$t" "tests/$t"
done
for t in $(make -s -C selftests OUTPUT="$top/build/selftests" list-files); do
	install_prog "$top/build/selftests/$t" "tests/$t"
done
echo "$tests" >"$root/tests/list"
# The kernel source's kselftest runner (busybox sh runs it), the directory's
# settings (its timeout), and coreutils' timeout, which the runner needs for
# that (busybox's has no --foreground and does not exit 124), behind
# selftests/vm/timeout, which ends what a test leaves behind.
mkdir -p "$root/kselftest/kselftest" "$root/usr/bin"
cp "$(scripts/ksrc.sh)/tools/testing/selftests/kselftest/runner.sh" "$root/kselftest/kselftest/"
ln -s /tests "$root/kselftest/cowstat"
cp selftests/settings "$root/tests/settings"
install_prog /usr/bin/timeout usr/bin/timeout.coreutils
cp selftests/vm/timeout "$root/usr/bin/timeout"
[ -x tools/cowstat ] && install_prog tools/cowstat bin/cowstat
if [ "$mode" = bench ]; then
	mkdir -p "$top/build/bench"
	make -s -C bench OUTPUT="$top/build/bench" >>"$work/build.log" 2>&1 ||
		{ cat "$work/build.log"; echo "run: bench build failed" >&2; exit 1; }
	install_prog "$top/build/bench/cowstat_bench" tests/cowstat_bench
	echo "${COWSTAT_BENCH_ARGS:-}" >"$root/etc/cowstat-bench-args"
fi
for f in selftests/vm/guest/*; do
	cp "$f" "$root/tests/"
done
install_workloads
cp selftests/vm/init "$root/init"
chmod +x "$root/init"
echo "$mode" >"$root/etc/cowstat-mode"

# The long tests' lengths (README, "Tests"), through the environment that
# init gives the tests.  The stock kernels run them as written.  On the
# KASAN/lockdep kernels every iteration costs several times more and their
# two suites are most of make check's time: a shorter storm, fewer fuzz
# messages and a 2,000-process chain there, the same checks.
# COWSTAT_VM_ENV="NAME=VALUE ..." adds or overrides (COWSTAT_VM_ENV=COWSTAT_STRESS_SECS=60: the full storm).
case $kver in
debug|debug-*) guest_env="COWSTAT_STRESS_SECS=20 COWSTAT_FUZZ_MSGS=25000 COWSTAT_FUZZ_WRITES=2500 COWSTAT_CHAIN_LEN=2000" ;;
*) guest_env="" ;;
esac
declare -A genv=()
for kv in $guest_env ${COWSTAT_VM_ENV:-}; do
	[[ $kv =~ ^[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9_.,:/+-]*$ ]] ||
		{ echo "run: COWSTAT_VM_ENV: not NAME=VALUE: $kv" >&2; exit 1; }
	genv[${kv%%=*}]=${kv#*=}
done
guest_env=$(for n in "${!genv[@]}"; do echo "$n=${genv[$n]}"; done | sort | tr '\n' ' ')
guest_env=${guest_env% }
for kv in $guest_env; do echo "export $kv"; done >"$root/etc/cowstat-env"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

# Tests write to ttyS0 (stdio here); the kernel log goes to ttyS1 (a file).
# tr is line-buffered so that a slow run streams its TAP as it comes.
# no_timer_check: on a busy host the emulated CPU can miss the early
# IO-APIC timer check, which then panics the boot ("IO-APIC + timer
# doesn't work"); seen here with both host cores loaded.
# watchdog_thresh=60: under emulation kernel paths run tens of times
# slower than on hardware, and the soft-lockup detector's default 20 s
# flagged a page fault stuck behind whole-memory compaction (cowstat_stress
# on 6.12, in no cowstat code); a real lockup still shows after 120 s.
# rcu_cpu_stall_timeout=60: when the host is overloaded, QEMU's threads can
# be descheduled for tens of seconds; the guest then finds its clock 22 s
# ahead ("clocksource: Long readout interval") and RCU reports a stall
# ("kthread timer wakeup didn't happen") in whatever it was running.  Seen
# with two spinners and five other VMs and builds on the 2-core host.  A
# real stall (an RCU reader that never ends) still shows after 60 s.
console=$work/console.log
klog=$work/kernel.log
# A guard against a hung guest, not a performance bound: the KASAN/lockdep
# kernels run the same suite several times slower, and a host whose two
# cores are busy slows every guest: the 6.12 suite (about 8 minutes alone)
# passed the old 20-minute guard with two spinners and other VMs running.
case $kver in
debug|debug-*) timeout_s=${COWSTAT_VM_TIMEOUT:-5400} ;;
*) timeout_s=${COWSTAT_VM_TIMEOUT:-3600} ;;
esac
# Each test binary's wall time as the host sees it, for the time budget of
# make check (README, "Tests"): "# BINARY took Ns" after the runner's result
# line for BINARY, a TAP comment that selftests/vm/tap-count.awk ignores.
# Line by line (bash's read and echo do not buffer), so the console still
# streams.  The times also go to $work/times, "SECONDS BINARY" a line.  No
# finer: in the guest the runner prefixes a test's output with busybox sed,
# which holds it until the test exits, so a test's own lines all arrive at
# once.
times=$work/times
: >"$times"
time_binaries() {
	local line prog="" start=0 t
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
		case $line in
		"# selftests: "*)
			prog=${line##* } start=$SECONDS ;;
		"ok "*" selftests: "*|"not ok "*" selftests: "*)
			[ -n "$prog" ] || continue
			t=$((SECONDS - start))
			echo "# $prog took ${t}s"
			echo "$t $prog" >>"$times"
			prog="" ;;
		esac
	done
	[ -z "$prog" ] || echo "# $prog did not finish after $((SECONDS - start))s"
}

# The debug kernels boot with 4-level paging (la57=off): with 5-level
# paging an interrupt that arrives while identify_cpu() refills the boot
# CPU's feature bits finds LA57 cleared for a moment, and KASAN reports a
# "wild-memory-access" (an address of the 5-level direct map) in
# handle_edge_irq at 0.03 s, before the module is
# loaded (seen on the 6.12 debug kernel on a loaded host).  The stock
# kernels keep 5-level paging, so the walker's P4D level is still tested.
cpu=max
case $kver in debug|debug-*) cpu=max,la57=off ;; esac
echo "# vm $kver: booting $(basename "$image") ($mode)${guest_env:+, with $guest_env}"
vm_start=$SECONDS
timeout "$timeout_s" qemu-system-x86_64 -m "${COWSTAT_VM_MEM:-2048}" -smp 2 -cpu "$cpu" \
	-display none -no-reboot -monitor none \
	-serial stdio -serial "file:$klog" \
	-kernel "$image" -initrd "$work/initrd.gz" \
	-append "console=ttyS1 panic=-1 loglevel=7 transparent_hugepage=madvise no_timer_check watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60" \
	</dev/null | stdbuf -oL tr -d '\r' | time_binaries | tee "$console"
qemu_rc=${PIPESTATUS[0]}
echo "# vm $kver: the VM ran for $((SECONDS - vm_start))s"

[ "$mode" = test ] || { grep -q '^COWSTAT-VM-DONE' "$console"; exit $?; }

# Count results: every test binary's TAP lines must match its plan, and a
# binary that failed must have said which test failed.
awk -v klog="$klog" -v done=COWSTAT-VM-DONE -v qemu_rc="$qemu_rc" -v out="$work/result" \
	-f selftests/vm/tap-count.awk "$console"
read -r p f s <"$work/result"
[ "$f" -eq 0 ]
