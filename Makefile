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
#   make debug-kernel    build the KASAN/lockdep kernel used as a third test kernel

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := build/$(KVER)

# Module sources: everything Kbuild needs, linked into a per-kernel build
# directory so that builds for several kernels do not share objects.
MOD_SRCS := Kbuild $(wildcard *.c *.h) uapi

.PHONY: all module tools selftests deps check demo vm-test debug-kernel clean

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

debug-kernel:
	scripts/debug-kernel.sh

clean:
	rm -rf build cowstat.ko
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools clean; fi
