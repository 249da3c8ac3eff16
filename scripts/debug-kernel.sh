#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the x86_64 debug kernel (KASAN, lockdep, UBSAN, KFENCE, DEBUG_VM...)
# the VM tests boot under QEMU, from Debian's linux-source-6.12 and the config
# fragment selftests/vm/debug.config. Incremental; a no-op if nothing changed.
#   scripts/debug-kernel.sh [--boot-test]    --boot-test: then boot it in QEMU
# Result: build/debug-kernel/linux/arch/x86/boot/bzImage, and a tree to build
# modules against: make -C build/debug-kernel/linux M=<dir> modules
set -euo pipefail

SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."           # repo top, wherever we are called from
TOP=$PWD
OUT=$TOP/build/debug-kernel
SRC=$OUT/linux
FRAG=$TOP/selftests/vm/debug.config
PKG=linux-source-6.12
TARBALL=/usr/src/$PKG.tar.xz
IMAGE=$SRC/arch/x86/boot/bzImage
JOBS=$(nproc)

msg() { echo "debug-kernel: $*"; }
die() { echo "debug-kernel: error: $*" >&2; exit 1; }

BOOT_TEST=0
case "${1:-}" in
	"") ;; --boot-test) BOOT_TEST=1 ;; *) die "usage: $0 [--boot-test]" ;;
esac

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

need_pkgs $PKG build-essential bc flex bison libelf-dev libssl-dev cpio kmod xz-utils
((BOOT_TEST)) && need_pkgs busybox-static qemu-system-x86
[ -f "$FRAG" ] || die "missing config fragment $FRAG"

# Extract once per source package version (an upgraded package re-extracts).
SRCVER=$(dpkg-query -W -f='${Version}' $PKG)
if [ "$(cat "$SRC/.cowstat-source" 2>/dev/null)" != "$SRCVER" ]; then
	msg "extracting $TARBALL ($SRCVER)"
	rm -rf "$SRC" "$OUT/linux.tmp" && mkdir -p "$OUT/linux.tmp"
	tar -xJf "$TARBALL" -C "$OUT/linux.tmp"
	mv "$OUT/linux.tmp/$PKG" "$SRC"     # atomic: no half-extracted tree
	rmdir "$OUT/linux.tmp"
	echo "$SRCVER" >"$SRC/.cowstat-source"
fi

# What the build depends on besides the kernel sources themselves.
STAMP=$( { echo "$SRCVER"; cat "$FRAG" "$SELF"; } | sha256sum | cut -d' ' -f1)

if [ -f "$IMAGE" ] && [ -f "$OUT/release" ] &&
   [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
	msg "up to date, not rebuilding"
else
	rm -f "$OUT/stamp"               # only a complete build writes it back
	cd "$SRC"
	msg "configuring: tinyconfig + $(basename "$FRAG")"
	make -s tinyconfig >/dev/null
	scripts/kconfig/merge_config.sh -m .config "$FRAG" >/dev/null
	make -s olddefconfig

	# olddefconfig silently drops options whose dependencies are unmet:
	# insist that the fragment came through unchanged.
	bad=0
	while IFS= read -r line; do
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
	start=$SECONDS
	make -j"$JOBS"
	make -j"$JOBS" modules_prepare
	make -j"$JOBS" modules           # may build nothing; writes Module.symvers
	[ -f "$IMAGE" ] || die "no image at $IMAGE"
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
msg "image:   ${IMAGE#"$TOP"/}"
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
