#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a kernel tree from Debian's sources, for the VM tests to boot and for
# modules to be built against:
#
#   scripts/debug-kernel.sh [--source PKG|newest] [--config debug|cloud] [--boot-test]
#
#   --source linux-source-6.12   (default) bookworm's package, installed by apt
#   --source newest              the newest linux-source-X.Y of trixie-backports,
#                                found and downloaded by scripts/fetch-source.sh
#                                (never installed; never hard-coded)
#   --config debug               (default) tinyconfig + selftests/vm/debug.config
#                                (KASAN, lockdep, UBSAN, KFENCE, DEBUG_VM...),
#                                a full build that boots under QEMU
#   --config cloud               Debian's own cloud-amd64 .config of that version,
#                                `make modules_prepare` only: a tree to compile
#                                the module against (it does not boot)
#   --boot-test                  then boot the debug kernel in QEMU
#
# Incremental; a no-op if nothing changed.  The tree is build/kernel/NAME with
# NAME = CONFIG-SERIES (debug-6.12, debug-7.3, cloud-7.3); its release is in
# build/kernel/NAME/release, and modules build against it with
#   make -C build/kernel/NAME/linux M=<dir> modules
# With --print-name, only print NAME (after finding the newest source).
set -euo pipefail

SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."           # repo top, wherever we are called from
TOP=$PWD
FRAG=$TOP/selftests/vm/debug.config
JOBS=$(nproc)

msg() { echo "debug-kernel: $*"; }
die() { echo "debug-kernel: error: $*" >&2; exit 1; }

BOOT_TEST=0 SOURCE=linux-source-6.12 CONFIG=debug PRINT_NAME=0
while [ $# -gt 0 ]; do
	case $1 in
	--boot-test) BOOT_TEST=1 ;;
	--source) SOURCE=${2:?}; shift ;;
	--config) CONFIG=${2:?}; shift ;;
	--print-name) PRINT_NAME=1 ;;
	*) die "usage: $0 [--source PKG|newest] [--config debug|cloud] [--boot-test]" ;;
	esac
	shift
done
case $CONFIG in debug|cloud) ;; *) die "--config: debug or cloud" ;; esac
[ "$CONFIG" = cloud ] && [ "$BOOT_TEST" = 1 ] && die "a cloud tree is not booted"

# Install only what is missing; apt-get update only when something is.
need_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	msg "installing ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

need_pkgs build-essential bc flex bison libelf-dev libssl-dev cpio kmod xz-utils
((BOOT_TEST)) && need_pkgs busybox-static qemu-system-x86
[ -f "$FRAG" ] || die "missing config fragment $FRAG"

# The source: a tarball and its version, and for --config cloud Debian's
# .config of the same version.
if [ "$SOURCE" = newest ]; then
	debs=$(scripts/fetch-source.sh) || die "could not fetch the newest linux-source"
	srcdeb=$(echo "$debs" | sed -n 1p) hdrdeb=$(echo "$debs" | sed -n 2p)
	PKG=$(dpkg-deb -f "$srcdeb" Package)
	SRCVER=$(dpkg-deb -f "$srcdeb" Version)
else
	PKG=$SOURCE
	need_pkgs "$PKG"
	SRCVER=$(dpkg-query -W -f='${Version}' "$PKG")
	srcdeb="" hdrdeb=""
	[ "$CONFIG" = cloud ] && die "--config cloud needs --source newest (installed kernels have headers)"
fi
SERIES=${PKG#linux-source-}
NAME=$CONFIG-$SERIES
((PRINT_NAME)) && { echo "$NAME"; exit 0; }
OUT=$TOP/build/kernel/$NAME
SRC=$OUT/linux
IMAGE=$SRC/arch/x86/boot/bzImage
mkdir -p "$OUT"
msg "$NAME: $PKG $SRCVER"

# Extract once per source package version (an upgraded package re-extracts).
if [ "$(cat "$SRC/.cowstat-source" 2>/dev/null)" != "$SRCVER" ]; then
	msg "extracting $PKG ($SRCVER)"
	rm -rf "$SRC" "$OUT/linux.tmp" && mkdir -p "$OUT/linux.tmp"
	if [ -n "$srcdeb" ]; then
		dpkg-deb --fsys-tarfile "$srcdeb" |
			tar -xO "./usr/src/$PKG.tar.xz" | tar -xJ -C "$OUT/linux.tmp"
	else
		tar -xJf "/usr/src/$PKG.tar.xz" -C "$OUT/linux.tmp"
	fi
	mv "$OUT/linux.tmp/$PKG" "$SRC"     # atomic: no half-extracted tree
	rmdir "$OUT/linux.tmp"
	echo "$SRCVER" >"$SRC/.cowstat-source"
fi

# What the build depends on besides the kernel sources themselves.
STAMP=$( { echo "$SRCVER $CONFIG"; cat "$FRAG" "$SELF"; } | sha256sum | cut -d' ' -f1)

# What a build of this tree must produce.
if [ "$CONFIG" = debug ]; then RESULT=$IMAGE; else RESULT=$SRC/Module.symvers; fi

if [ -f "$RESULT" ] && [ -f "$OUT/release" ] &&
   [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
	msg "up to date, not rebuilding"
else
	rm -f "$OUT/stamp"               # only a complete build writes it back
	cd "$SRC"
	start=$SECONDS
	if [ "$CONFIG" = cloud ]; then
		# Debian's .config and Module.symvers for this version, from its
		# cloud headers package (unpacked here, never installed).
		msg "configuring: Debian's cloud-amd64 .config from $(basename "$hdrdeb")"
		hdr=$(dpkg-deb -f "$hdrdeb" Package)
		dpkg-deb --fsys-tarfile "$hdrdeb" |
			tar -xO "./usr/src/$hdr/.config" >.config
		dpkg-deb --fsys-tarfile "$hdrdeb" |
			tar -xO "./usr/src/$hdr/Module.symvers" >Module.symvers.debian
		# Debian signs with its own keys; a compile-only tree needs none.
		scripts/config --set-str SYSTEM_TRUSTED_KEYS "" \
			--set-str SYSTEM_REVOCATION_KEYS "" --disable MODULE_SIG_ALL \
			--set-str MODULE_SIG_KEY "" --disable DEBUG_INFO_BTF_MODULES
		make -s olddefconfig
		msg "make modules_prepare with -j$JOBS (about 4 minutes on 2 cores)"
		make -s -j"$JOBS" modules_prepare
		# The kernel's own exports, so that modpost checks every symbol the
		# module uses against what Debian's 7.x kernel exports.
		cp Module.symvers.debian Module.symvers
	else
		msg "configuring: tinyconfig + $(basename "$FRAG")"
		make -s tinyconfig >/dev/null
		scripts/kconfig/merge_config.sh -m .config "$FRAG" >/dev/null
		make -s olddefconfig

		# olddefconfig silently drops options whose dependencies are
		# unmet: insist that the fragment came through unchanged.
		# A symbol that no Kconfig file of this source defines was
		# renamed or removed in this version: say so and go on (the
		# fragment carries the newer name too).
		grep -rhoE '^[[:space:]]*(menu)?config [A-Za-z0-9_]+' --include='Kconfig*' . |
			awk '{ print "CONFIG_" $2 }' | sort -u >"$OUT/kconfig-symbols"
		known() {
			grep -qxF -- "$1" "$OUT/kconfig-symbols" && return 0
			msg "note: ${1} is not a symbol of $PKG, skipped"
			return 1
		}
		bad=0
		while IFS= read -r line; do
			if [[ $line =~ ^(# )?(CONFIG_[A-Za-z0-9_]+)[=\ ] ]]; then
				known "${BASH_REMATCH[2]}" || continue
			fi
			if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)= ]]; then
				grep -qxF -- "$line" .config && continue
				got=$(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" .config || echo "absent")
				echo "  want: $line  got: $got" >&2; bad=1
			elif [[ $line =~ ^"# "(CONFIG_[A-Za-z0-9_]+)" is not set"$ ]]; then
				got=$(grep -E "^${BASH_REMATCH[1]}=" .config) || continue
				echo "  want: $line  got: $got" >&2; bad=1
			fi
		done <"$FRAG"
		((bad == 0)) || die ".config does not match $FRAG (missing dependencies?)"
		msg "config verified against $(basename "$FRAG")"

		msg "building with -j$JOBS (5-15 minutes from scratch on 2 cores)"
		make -j"$JOBS"
		make -j"$JOBS" modules_prepare
		make -j"$JOBS" modules       # may build nothing; writes Module.symvers
		[ -f "$IMAGE" ] || die "no image at $IMAGE"
	fi
	[ -f Module.symvers ] || die "no Module.symvers: out-of-tree modules cannot link"
	msg "built in $((SECONDS - start))s"

	# The tree must build an external module, as cowstat's Makefile does it.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	cat >"$tmp/hello.c" <<-'EOF'
	#include <linux/module.h>
	static int __init hello_init(void) { return 0; }
	module_init(hello_init);
	MODULE_LICENSE("GPL");
	MODULE_DESCRIPTION("out-of-tree build test");
	EOF
	echo 'obj-m := hello.o' >"$tmp/Kbuild"
	make -s -C "$SRC" M="$tmp" modules || die "out-of-tree test module failed to build"
	[ -f "$tmp/hello.ko" ] || die "out-of-tree test module: no hello.ko"
	msg "out-of-tree module build works"

	make -s kernelrelease >"$OUT/release"
	echo "$STAMP" >"$OUT/stamp"
	cd "$TOP"
fi

RELEASE=$(cat "$OUT/release")
[ "$CONFIG" = debug ] && msg "image:   ${IMAGE#"$TOP"/}"
msg "release: $RELEASE"
((BOOT_TEST)) || exit 0

# --- Optional boot test: busybox initramfs, QEMU TCG, as the runner boots it.
BT=$OUT/boot-test
rm -rf "$BT" && mkdir -p "$BT"
cat >"$BT/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "DEBUG-KERNEL-BOOT-OK $(uname -r)" >/dev/ttyS0
poweroff -f
EOF
# gen_init_cpio (built with the kernel) makes device nodes without mknod.
{
	printf 'dir %s 755 0 0\n' /dev /proc /bin
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "file /bin/busybox $(command -v busybox) 755 0 0"
	for a in sh mount uname echo poweroff; do echo "slink /bin/$a busybox 777 0 0"; done
	echo "file /init $BT/init 755 0 0"
} >"$BT/initramfs.list"
"$SRC/usr/gen_init_cpio" "$BT/initramfs.list" | gzip -9 >"$BT/initramfs.cpio.gz"

msg "booting under QEMU (TCG; kernel log in ${BT#"$TOP"/}/console.log)"
start=$SECONDS
timeout 300 qemu-system-x86_64 -m 2048 -smp 2 -display none -no-reboot \
	-monitor none -serial stdio -serial file:"$BT/console.log" \
	-kernel "$IMAGE" -initrd "$BT/initramfs.cpio.gz" \
	-append "console=ttyS1 panic=-1 panic_on_warn=0" </dev/null >"$BT/ttyS0.log" || true
msg "QEMU ran for $((SECONDS - start))s"

fail=0  # "log:text" pairs: the marker from init, then KASAN and lockdep
for want in "ttyS0.log:DEBUG-KERNEL-BOOT-OK $RELEASE" \
	"console.log:KernelAddressSanitizer initialized" "console.log:Lock dependency validator"; do
	if grep -qF -- "${want#*:}" "$BT/${want%%:*}"; then msg "ok: $want"
	else echo "debug-kernel: FAIL: not found: $want" >&2; fail=1; fi
done
((fail == 0)) || die "boot test failed; see $BT/"
msg "boot test passed"
