# SPDX-License-Identifier: GPL-2.0
#
# cowstat: build the module and the CLI, set up and run the tests.
#
#   make                 module for the running kernel (or KVER=/KDIR=) + CLI
#   make KVER=<version>  module for an installed kernel, e.g. 6.12.117+deb12-cloud-amd64
#   make deps            install everything the project needs (apt, idempotent)
#   make check           deps, builds, static checks, host tests, VM tests
#   make demo            deps, build, boot a VM and show cowstat on a forked tree
#   make vm-test KVER=.. the VM test suite on one kernel
#   make bench           cowstat against smaps_rollup, smaps and --backend=pagemap
#                        in one 6.12 VM boot (bench/results/; not part of check)
#   make debug-kernel    build the KASAN/lockdep 6.12 kernel used as a test kernel
#   make debug-kernel SOURCE=newest   the same from the newest trixie-backports source
#   make install         module into /lib/modules/$(KVER)/updates + depmod,
#                        CLI and man page under $(PREFIX) (hosts without DKMS)
#   make uninstall       remove what make install installed
#   make dkms-install    register with DKMS, build + install for every kernel
#   make dkms-remove     remove from DKMS (every kernel) and /usr/src

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := build/$(KVER)

# Module sources: everything Kbuild needs, linked into a per-kernel build
# directory so that builds for several kernels do not share objects.
MOD_SRCS := Kbuild $(wildcard *.c *.h) uapi

# Installation.  DESTDIR stages into a directory (then depmod is left to
# the packager).
PREFIX ?= /usr/local
MODDIR = $(DESTDIR)/lib/modules/$(KVER)/updates
CS_VERSION := $(shell sed -n 's/^\#define COWSTAT_VERSION[[:space:]]*"\(.*\)"/\1/p' cowstat.h)
DKMS_SRC = /usr/src/cowstat-$(CS_VERSION)

.PHONY: all module tools selftests deps check demo vm-test bench debug-kernel clean \
	install uninstall dkms-install dkms-remove

all: module tools

module:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "cowstat: no kernel build directory at $(KDIR)." >&2; \
		echo "cowstat: installed kernels with headers:" >&2; \
		ls -d /lib/modules/*/build 2>/dev/null | sed 's|/lib/modules/||;s|/build||;s|^|  |' >&2; \
		echo "cowstat: run 'make deps', or 'make KVER=<version>'." >&2; \
		exit 1; \
	fi
	@mkdir -p $(BUILD)
	@for f in $(MOD_SRCS); do ln -sf ../../$$f $(BUILD)/$$f; done
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(BUILD) modules
	@ln -sf $(BUILD)/cowstat.ko cowstat.ko

tools:
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools; fi

selftests:
	$(MAKE) -C selftests

deps:
	scripts/deps.sh

check:
	scripts/check.sh

demo:
	scripts/demo.sh

vm-test:
	scripts/deps.sh
	selftests/vm/run.sh $(KVER)

bench:
	bench/run.sh

debug-kernel:
	scripts/debug-kernel.sh --source $(or $(SOURCE),linux-source-6.12)

install: module tools
	install -D -m 644 $(BUILD)/cowstat.ko $(MODDIR)/cowstat.ko
	install -D -m 755 tools/cowstat $(DESTDIR)$(PREFIX)/sbin/cowstat
	install -D -m 644 tools/cowstat.8 $(DESTDIR)$(PREFIX)/share/man/man8/cowstat.8
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi
	@echo "cowstat: installed for $(KVER); load it with: modprobe cowstat"

uninstall:
	rm -f $(MODDIR)/cowstat.ko $(DESTDIR)$(PREFIX)/sbin/cowstat \
		$(DESTDIR)$(PREFIX)/share/man/man8/cowstat.8
	@if [ -z "$(DESTDIR)" ] && [ -d /lib/modules/$(KVER) ]; then depmod -a $(KVER); fi

# DKMS: the module's sources (not the tests or the CLI) go to
# /usr/src/cowstat-<version>; DKMS builds them for each installed kernel
# with headers and again for each kernel installed later (dkms.conf).  A
# kernel outside the supported range is reported and skipped.
dkms-install:
	@command -v dkms >/dev/null || { echo "cowstat: dkms is not installed (apt-get install dkms)" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild Makefile dkms.conf $(wildcard *.c *.h) uapi $(DKMS_SRC)/
	dkms status -m cowstat -v $(CS_VERSION) | grep -q . || dkms add -m cowstat -v $(CS_VERSION)
	@fail=0; for k in $$(ls /lib/modules); do \
		[ -d /lib/modules/$$k/build ] || continue; \
		dkms install -m cowstat -v $(CS_VERSION) -k $$k || fail=1; \
	done; dkms status -m cowstat; exit $$fail

dkms-remove:
	-dkms remove -m cowstat -v $(CS_VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	rm -rf build cowstat.ko
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools clean; fi
