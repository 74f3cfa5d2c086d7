# meshnfs build. `make` builds build/meshnfs; `make check` runs every test; `make deps`
# installs what is missing (Debian packages, --no-install-recommends).

CC        ?= cc
CLANG     ?= clang
PREFIX    ?= /usr/local
BUILD     := build
PKGS      := mount jansson libnfs libcurl libsystemd libmicrohttpd
# The version lives in one place, debian/changelog's first line: the package and `meshnfs
# --version` say the same.
# (Braces: make would count the parentheses inside the sed expression.)
VERSION   := ${shell sed -n '1s/^meshnfs (\([^)]*\)).*/\1/p' debian/changelog}

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libnfs, libcurl, libsystemd and libmicrohttpd are loaded when first used (src/core/lazylib.h),
# not linked: start-up would otherwise load about 40 more libraries for every command.
PKG_LIBS   := $(filter-out -lnfs -lcurl -lsystemd -lmicrohttpd,$(shell pkg-config --libs $(PKGS) 2>/dev/null)) -lm -pthread
LIBNFS_SONAME := $(shell objdump -p $$(pkg-config --variable=libdir libnfs 2>/dev/null)/libnfs.so 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')

WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
ifneq ($(filter true 1 yes,$(CI) $(WERROR)),)
WARN      += -Werror
endif
BASEFLAGS := -std=gnu11 -D_GNU_SOURCE -g -Isrc $(WARN) $(PKG_CFLAGS) -DMESHNFS_VERSION='"$(VERSION)"'$(if $(LIBNFS_SONAME), -DMESHNFS_LIBNFS_SONAME='"$(LIBNFS_SONAME)"')
CFLAGS    ?= -O2
# Hardening. _FORTIFY_SOURCE=3 (__builtin_dynamic_object_size: gcc 12 and glibc 2.34, both in
# Debian 12) needs optimisation: a CFLAGS given without any -O would turn it off silently (glibc
# only warns), so an -O2 is added then. -U first: some toolchains predefine level 2.
ifeq ($(filter -O1 -O2 -O3 -Os -Oz -Og -Ofast -O,$(CFLAGS)),)
HARDEN_O  := -O2
endif
HARDEN    := $(HARDEN_O) -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
	     -fstack-clash-protection -fcf-protection -fPIE
LDHARDEN  := -pie -Wl,-z,relro,-z,now
SANFLAGS  := -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

SRC_ALL   := $(shell find src -name '*.c' | sort)
TEST_SRC  := $(filter %_test.c,$(SRC_ALL))
LIB_SRC   := $(filter-out src/main.c %_test.c,$(SRC_ALL))
FUZZ_SRC  := $(sort $(wildcard fuzz/fuzz_*.c))

OBJ       := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC) src/main.c)
SAN_OBJ   := $(patsubst src/%.c,$(BUILD)/san/%.o,$(LIB_SRC))
FZ_OBJ    := $(patsubst src/%.c,$(BUILD)/fzobj/%.o,$(LIB_SRC))
TESTS     := $(patsubst src/%_test.c,$(BUILD)/test/%_test,$(TEST_SRC))
FUZZERS   := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

.PHONY: san cov golden all deps check check-unit check-vm check-ceph check-package deb fuzz fuzz-build unit tools demo install clean mutate
all: $(BUILD)/meshnfs

$(BUILD)/meshnfs: $(OBJ)
	$(CC) $(LDHARDEN) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CPPFLAGS) $(CFLAGS) $(HARDEN) -MMD -MP -c -o $@ $<

# The version is compiled into main.o.
$(BUILD)/obj/main.o: debian/changelog

# Unit tests: cmocka, beside the code they test, built with ASan + UBSan.
$(BUILD)/san/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SANFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/test/%_test: src/%_test.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SANFLAGS) -MMD -MP -o $@ $< $(SAN_OBJ) $(PKG_LIBS) $(shell pkg-config --libs cmocka)

unit: $(TESTS) $(BUILD)/test/faultshim.so $(BUILD)/test/cephfs_hang.so $(BUILD)/tools/hangfs

# meshnfs built like the unit tests (ASan + UBSan, LeakSanitizer at exit), for the
# command-line tests: MESHNFS=build/meshnfs-san bash tests/cli/FILE.sh (tests/mutate --cli
# runs them so: a leak or a read past an array in src/cmd/ fails the suite).
san: $(BUILD)/meshnfs-san
$(BUILD)/meshnfs-san: $(SAN_OBJ) $(BUILD)/san/main.o
	$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

# meshnfs with gcov counters (-O0: every line keeps its own code), for tests/mutate --cli
# cover's map of which tests/cli file runs which line; built only on demand (`make cov`), never
# by all, check or CI. Its _exit writes the counters first (tests/lib/covexit.c: the forked
# children of health.c, watch and ceph_cli end with _exit, which skips gcov's exit handler).
COVFLAGS  := -O0 --coverage
COV_OBJ   := $(patsubst src/%.c,$(BUILD)/cov/%.o,$(LIB_SRC) src/main.c)
cov: $(BUILD)/meshnfs-cov
$(BUILD)/cov/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(COVFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/cov/covexit.o: tests/lib/covexit.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -O2 -c -o $@ $<
$(BUILD)/meshnfs-cov: $(COV_OBJ) $(BUILD)/cov/covexit.o
	$(CC) $(COVFLAGS) -Wl,--wrap=_exit -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

# Fault injection on the write path (LD_PRELOAD shim for tests/cli/setup-faults.sh).
$(BUILD)/test/faultshim.so: tests/lib/faultshim.c src/core/test_files.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -fPIC -shared $(WARN) -o $@ $< -ldl

# A libcephfs whose ceph_shutdown never returns (src/node/ceph_hang_test.c loads it by path).
$(BUILD)/test/cephfs_hang.so: tests/lib/cephfs_hang.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -fPIC -shared $(WARN) -Wl,-soname,libcephfs.so.2 -o $@ $<

# Programs the tests run (e.g. hs-replay, the Headscale API replay server), not installed.
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
TOOLS     := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(WARN) -o $@ $< -lssl -lcrypto

# hangfs: a FUSE filesystem whose answers the mount tests switch to hang, ESTALE, EIO, EROFS,
# EACCES (libfuse3, Debian's libfuse3-dev).
$(BUILD)/tools/hangfs: tests/fuse/hangfs.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -g -O1 $(WARN) $(shell pkg-config --cflags fuse3) -o $@ $< $(shell pkg-config --libs fuse3)
TOOLS     += $(BUILD)/tools/hangfs

tools: $(TOOLS)

# Fuzzers: libFuzzer (clang), one per parser of outside input, seed corpus in fuzz/corpus/NAME.
$(BUILD)/fzobj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(BASEFLAGS) -O1 -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<

$(BUILD)/fuzz/%: fuzz/%.c $(FZ_OBJ)
	@mkdir -p $(dir $@)
	$(CLANG) $(BASEFLAGS) -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(FZ_OBJ) $(PKG_LIBS)

fuzz-build: $(FUZZERS)

# Runs each fuzzer for FUZZ_SECONDS (default 60), FUZZ_JOBS side by side (default 1), growing
# its corpus in build/fuzz-corpus, and prints a table of executions, coverage and crashes
# (bench/fuzz-campaign.sh; the 10-minute run is FUZZ_SECONDS=600, recorded in bench/README.md).
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
fuzz: $(FUZZERS)
	bash bench/fuzz-campaign.sh --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS)

# Rewrites tests/golden/*.txt from the current build: only after a deliberate change of words,
# and the diff goes into the commit.
golden: all
	GOLDEN_UPDATE=1 bash tests/cli/golden.sh

check: all unit fuzz-build tools
	tests/run

check-unit: all unit fuzz-build tools
	tests/run unit fuzz cli

check-vm: all
	tests/run vm

# CephFS behind NFS-Ganesha in the lab (tests/ceph): a Ceph cluster of Debian's packages
# (scripts/deps.sh ceph); about a minute to come up, so not part of make check.
check-ceph: all tools
	@scripts/deps.sh --check vm ceph
	tests/run ceph

# Mutation testing (tests/mutate): one seeded bug at a time in a scratch copy, the relevant
# fast suites against each; kill rate per module and the survivors. The CPU is shared: a
# sample by default; e.g. make mutate MUTATE_ARGS="--modules format --sample 40 --fuzz".
# --cli cover: each mutant also runs the tests/cli files that execute its line, by a gcov map
# built once per tree (build/meshnfs-cov, every cli file alone: minutes) and cached in
# build/mutate/cover-*.json (tests/MUTATION.md, top).
MUTATE_ARGS ?= --sample 40 --cli cover
mutate: all unit
	tests/mutate $(MUTATE_ARGS)

deps:
	scripts/deps.sh

demo: all
	scripts/demo.sh

install: all
	install -D -m 0755 $(BUILD)/meshnfs $(DESTDIR)$(PREFIX)/sbin/meshnfs
	install -D -m 0644 man/meshnfs.8 $(DESTDIR)$(PREFIX)/share/man/man8/meshnfs.8
	install -D -m 0644 man/meshnfs.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/meshnfs.conf.5

# The Debian package: dpkg-buildpackage writes its results into the parent directory of the
# checkout; they are moved from there into build/ (meshnfs_VERSION_ARCH.deb, the -dbgsym
# .deb, .buildinfo, .changes), then lintian checks the .changes. Build dependencies missing:
# scripts/deps.sh says which (group package) and make stops.
deb:
	@scripts/deps.sh --check package build
	scripts/build-deb.sh

# Installs the built package into a fresh Debian 12 root, runs it, purges it (tests/package).
check-package: deb
	TEST_TIMEOUT=1200 tests/run package

clean:
	rm -rf $(BUILD)

.SECONDARY:

# Dependency files of this build only: not the package build's copy (build/pkg) nor the
# package test's Debian root (build/package), where *.d names directories.
-include $(shell find $(BUILD) \( -path '$(BUILD)/pkg' -o -path '$(BUILD)/package' \) -prune -o -type f -name '*.d' -print 2>/dev/null)
