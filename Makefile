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
PROFILE ?=
PAGES ?=
# TIMEOUT: seconds a kernel may run; each command has its own default
# (300 for make run), used unless TIMEOUT= is given.
TIMEOUT ?=
BENCH_RUNS ?= 2
# make bench-compare: kernels A and B (a Debian series or a tree each), and
# how many rounds of one boot each.
A ?=
B ?=
A_KDIR ?=
B_KDIR ?=
ROUNDS ?= 10
PATCH ?=
PATCHES ?=
GOOD ?=
BAD ?=
ON_CRASH ?=
# make patch / make test: 1 (0 in make test) builds and runs the series
# with the patched tree's own kunit.py.
PATCH_BUILD ?=
# make census CHECK=1: write nothing, fail unless docs/contracts.md is current.
CHECK ?=
# What make test runs after UML 6.12: kernel-arch[-profile].
TEST_MATRIX ?= 6.1-um 6.12-x86_64 6.12-um-kasan 6.12-um-modules 6.12-x86_64-boot-options
PYTHON ?= python3
# One record each in tools/allockunit/arches/ (um first).
ARCHES := um $(filter-out um,$(basename $(notdir $(wildcard tools/allockunit/arches/[a-z]*.py))))
space := $(subst ,, )
TOOL := $(PYTHON) tools/alloc-kunit

RUN_ARGS = --kernel='$(KERNEL)' --arch='$(ARCH)' \
	$(if $(KDIR),--kdir='$(KDIR)') $(if $(FILTER),--filter='$(FILTER)') \
	$(TIMEOUT_ARG) $(VARIANT_ARGS)
TIMEOUT_ARG = $(if $(TIMEOUT),--timeout='$(TIMEOUT)')
VARIANT_ARGS = $(if $(PROFILE),--profile='$(PROFILE)') \
	$(if $(PAGES),--pages='$(PAGES)')

# A variable given on the command line to a target that does not take it
# is an error, not silence (make bench FILTER=... would measure everything).
NOT_FOR_run :=
NOT_FOR_bench := FILTER
NOT_FOR_bench-compare := KERNEL KDIR FILTER
NOT_FOR_regressions := FILTER PAGES
NOT_FOR_prepare := FILTER TIMEOUT PROFILE PAGES
NOT_FOR_bisect := KERNEL
NOT_FOR_patch := ARCH FILTER PROFILE PAGES
NOT_FOR_census := ARCH FILTER TIMEOUT PROFILE PAGES
NOT_FOR_coverage := ARCH FILTER PROFILE PAGES
NOT_FOR_mutate := FILTER PAGES
NOT_FOR_test := KERNEL ARCH KDIR FILTER TIMEOUT PROFILE PAGES
check-vars = $(foreach v,$(NOT_FOR_$@),$(if $(filter command line,$(origin $(v))),\
	$(error make $@ does not take $(v)=; see make help)))

.PHONY: help run test bench bench-compare regressions prepare bisect patch census coverage mutate clean

help:
	@echo 'make run    build and run every suite with kunit.py (UML, $(KERNEL))'
	@echo 'make test   the project test suite: tool tests, checkpatch, make run'
	@echo 'make bench  allocation and access cost: table, CSV, JSON, plot'
	@echo 'make bench-compare A=6.1 B=6.12 (or A_KDIR=, B_KDIR= trees) ROUNDS=10'
	@echo '            boots A B A B ...: B/A per measurement with 95% intervals'
	@echo 'make regressions  put real allocator bugs back one by one (PATCH=name)'
	@echo 'make bisect KDIR=<git tree> GOOD=<rev> BAD=<rev>  git bisect run IN YOUR'
	@echo '            TREE (checks out revisions there): the commit that broke a case'
	@echo '            (FILTER, ARCH, TIMEOUT; ON_CRASH=bad|skip for a kernel that stops)'
	@echo 'make patch  the suites as a git format-patch series for KERNEL or KDIR, in'
	@echo '            build/patch/<kernel>/, checked (PATCH_BUILD=1: also run it there)'
	@echo 'make census the documented allocation interfaces of KERNEL or KDIR and the'
	@echo '            cases that check each: docs/contracts.md (CHECK=1: only check it)'
	@echo 'make coverage  gcov on UML: lines, branches and exported functions of the'
	@echo '            allocators the suites reach, beside the in-tree suites (build/coverage/)'
	@echo 'make mutate  small systematic changes to the allocators, one build and run'
	@echo '            each: mutation score per function (build/mutate/; FILES=, FUNCS=,'
	@echo '            OPS=, LIMIT=N SEED=N, FRESH=1, LIST=1; a rerun resumes)'
	@echo 'variables:  KERNEL=6.12|6.1  ARCH=$(subst $(space),|,$(ARCHES))  KDIR=/path/to/linux'
	@echo '            PROFILE=default|kasan|debug|hardened|kfence|kmemleak|modules|rt|'
	@echo '                    boot-options|coverage'
	@echo '            PAGES=4k|16k|64k (ARCH=arm64)'
	@echo '            FILTER=suite.case*  TIMEOUT=seconds  BENCH_RUNS=2'
	@echo '            TEST_MATRIX="6.1-um 6.12-x86_64 6.12-um-kasan" (added to 6.12-um)'
	@echo 'results:    build/results/<kernel>-<arch>/, build/bench/<kernel>-<arch>/'
	@echo '            build/bench/compare-<A>-vs-<B>-<arch>/ (make bench-compare)'

run:
	$(check-vars)@$(TOOL) run $(RUN_ARGS)

bench:
	$(check-vars)@$(TOOL) bench --kernel='$(KERNEL)' --arch='$(ARCH)' \
		$(if $(KDIR),--kdir='$(KDIR)') --runs='$(BENCH_RUNS)' \
		$(TIMEOUT_ARG) $(VARIANT_ARGS)

bench-compare:
	$(check-vars)@$(TOOL) bench-compare $(if $(A),--a-kernel='$(A)') \
		$(if $(A_KDIR),--a-kdir='$(A_KDIR)') $(if $(B),--b-kernel='$(B)') \
		$(if $(B_KDIR),--b-kdir='$(B_KDIR)') --arch='$(ARCH)' \
		--rounds='$(ROUNDS)' $(TIMEOUT_ARG) $(VARIANT_ARGS)

regressions:
	$(check-vars)@$(TOOL) regressions --kernel='$(KERNEL)' --arch='$(ARCH)' \
		$(if $(PATCH),--only='$(PATCH)') $(TIMEOUT_ARG) \
		$(if $(KDIR),--kdir='$(KDIR)') $(if $(PATCHES),--patches='$(PATCHES)') \
		$(if $(PROFILE),--profile='$(PROFILE)')

prepare:
	$(check-vars)@$(TOOL) prepare --kernel='$(KERNEL)' --arch='$(ARCH)' \
		$(if $(KDIR),--kdir='$(KDIR)')

bisect:
	$(check-vars)@$(TOOL) bisect --kdir='$(KDIR)' --good='$(GOOD)' --bad='$(BAD)' \
		--arch='$(ARCH)' $(if $(FILTER),--filter='$(FILTER)') \
		$(TIMEOUT_ARG) $(VARIANT_ARGS) \
		$(if $(ON_CRASH),--on-crash='$(ON_CRASH)')

patch:
	$(check-vars)@$(TOOL) patch --kernel='$(KERNEL)' $(if $(KDIR),--kdir='$(KDIR)') \
		$(if $(filter 1,$(PATCH_BUILD)),--build) $(TIMEOUT_ARG)

census:
	$(check-vars)@$(TOOL) census --kernel='$(KERNEL)' $(if $(KDIR),--kdir='$(KDIR)') \
		$(if $(filter 1,$(CHECK)),--check)

coverage:
	$(check-vars)@$(TOOL) coverage --kernel='$(KERNEL)' $(if $(KDIR),--kdir='$(KDIR)') \
		$(TIMEOUT_ARG)

mutate:
	$(check-vars)@$(TOOL) mutate --kernel='$(KERNEL)' --arch='$(ARCH)' \
		$(if $(KDIR),--kdir='$(KDIR)') $(if $(FILES),--files='$(FILES)') \
		$(if $(FUNCS),--funcs='$(FUNCS)') $(if $(OPS),--ops='$(OPS)') \
		$(if $(LIMIT),--limit='$(LIMIT)') $(if $(SEED),--seed='$(SEED)') \
		$(if $(PROFILE),--profile='$(PROFILE)') \
		$(TIMEOUT_ARG) \
		$(if $(filter 1,$(FRESH)),--fresh) $(if $(filter 1,$(LIST)),--list) \
		$(if $(filter 1,$(SURVIVORS)),--survivors) $(if $(ONLY),--only='$(ONLY)')

test:
	$(check-vars)@TEST_MATRIX='$(TEST_MATRIX)' PATCH_BUILD='$(PATCH_BUILD)' $(TOOL) test

clean:
	rm -rf build/kunit build/results build/view build/bench build/patch

endif
