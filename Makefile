# SPDX-License-Identifier: GPL-2.0
#
# Two makefiles in one. Inside kbuild (the tree is grafted into a kernel as
# lib/alloc-kunit/, see tools/allockunit/graft.py) KERNELRELEASE is set and
# only the first branch is read. Run by hand, `make` is the user's entry
# point: see README.md or `make help`.

ifneq ($(KERNELRELEASE),)

obj-y += lib/

else

KERNEL ?= 6.12
ARCH ?= um
KDIR ?=
FILTER ?=
TIMEOUT ?= 300
BENCH_RUNS ?= 2
PATCH ?=
PATCHES ?=
# What make test runs after UML 6.12: kernel-arch pairs.
TEST_MATRIX ?= 6.1-um 6.12-x86_64
PYTHON ?= python3
TOOL := $(PYTHON) tools/alloc-kunit

RUN_ARGS = --kernel='$(KERNEL)' --arch='$(ARCH)' \
	$(if $(KDIR),--kdir='$(KDIR)') $(if $(FILTER),--filter='$(FILTER)') \
	--timeout='$(TIMEOUT)'

.PHONY: help run test bench regressions prepare clean

help:
	@echo 'make run    build and run every suite with kunit.py (UML, $(KERNEL))'
	@echo 'make test   the project test suite: tool tests, checkpatch, make run'
	@echo 'make bench  allocation and access cost: table, CSV, JSON, plot'
	@echo 'make regressions  put real allocator bugs back one by one (PATCH=name)'
	@echo 'variables:  KERNEL=6.12|6.1  ARCH=um|x86_64  KDIR=/path/to/linux'
	@echo '            FILTER=suite.case*  TIMEOUT=seconds  BENCH_RUNS=2'
	@echo '            TEST_MATRIX="6.1-um 6.12-x86_64" (what make test adds to 6.12-um)'
	@echo 'results:    build/results/<kernel>-<arch>/, build/bench/<kernel>-<arch>/'

run:
	@$(TOOL) run $(RUN_ARGS)

bench:
	@$(TOOL) bench --kernel='$(KERNEL)' --arch='$(ARCH)' \
		$(if $(KDIR),--kdir='$(KDIR)') --runs='$(BENCH_RUNS)'

regressions:
	@$(TOOL) regressions --kernel='$(KERNEL)' --arch='$(ARCH)' \
		$(if $(PATCH),--only='$(PATCH)') --timeout='$(TIMEOUT)' \
		$(if $(KDIR),--kdir='$(KDIR)') $(if $(PATCHES),--patches='$(PATCHES)')

prepare:
	@$(TOOL) prepare --kernel='$(KERNEL)' --arch='$(ARCH)' \
		$(if $(KDIR),--kdir='$(KDIR)')

test:
	@TEST_MATRIX='$(TEST_MATRIX)' $(TOOL) test

clean:
	rm -rf build/kunit build/results build/view build/bench

endif
