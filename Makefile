# reapbench — see README.md. `make` builds, `make test` tests, `make bench` benchmarks.
CC       ?= gcc
# Build with every CPU (a clean `make test` builds three copies: plain,
# sanitized and fuzzing); `make JOBS=1` builds one file at a time. Set at
# the top level only: sub-makes share its jobserver.
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(JOBS)
endif
CFLAGS   ?= -O2 -g
# Source folders (README "Layout"): common/ is linked into all three programs
# (reapbench, rb-payload, the reapers), payload/ is rb-payload, core/ report/
# suites/ are the harness; bench/ holds the storm generator.
SRC_DIRS := harness harness/common harness/core harness/report harness/suites \
            harness/suites/conform harness/suites/scenario harness/payload harness/observe bench
# The kernel-side observer's generated skeleton (one for every build).
BPF_DIR  := build/bpf
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE \
            $(addprefix -iquote ,$(SRC_DIRS))
# Every object records the headers it read (build/obj/**/*.d, included below),
# so that make rebuilds only what a change touches.
DEPFLAGS := -MMD -MP
LDLIBS_HARNESS = -linih -ljansson -lbpf -lsmartcols -lm
B        := build
VERSION  := 0.1.0
COMMIT   := $(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
B       := build-san
endif

COMMON_SRC  := $(sort $(wildcard harness/common/*.c))
# The storm generator: the engine and one file per pattern, listed in
# bench/patterns.c. Linked into the payload, which runs it, and the harness,
# which lists and checks the patterns.
STORM_SRC   := bench/storm.c bench/storm_args.c bench/patterns.c $(sort $(wildcard bench/pattern_*.c))
# The harness library: everything but main.c and the payload. The harness,
# the unit tests and (built by clang, instrumented) the fuzz targets link it.
LIB_SRC     := $(COMMON_SRC) $(STORM_SRC) \
               $(sort $(wildcard harness/core/*.c harness/report/*.c harness/suites/*.c \
                                 harness/suites/*/*.c) \
                      $(filter-out %.bpf.c,$(wildcard harness/observe/*.c)))
# The payload (workload under the reaper): static, so that it starts cheaply.
PAYLOAD_SRC := $(sort $(wildcard harness/payload/*.c)) $(COMMON_SRC) $(STORM_SRC)
# Reapers built from this repo (reapers/src/rb-*.c).
REAPERS     := $(B)/rb-init $(B)/rb-pause

obj          = $(patsubst %.c,$(B)/obj/%.o,$(1))
LIB          := $(B)/libreapbench.a
ALL_OBJ     := $(call obj,$(LIB_SRC) $(PAYLOAD_SRC) harness/main.c $(REAPERS:$(B)/%=reapers/src/%.c))

.PHONY: all setup test bench bench-check bench-check-baseline baseline clean FORCE
all: $(B)/reapbench $(B)/rb-payload $(REAPERS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

# The version object carries the commit: rebuilt when the commit changes
# ($(B)/commit is rewritten only then), not on every make.
$(B)/commit: FORCE
	@mkdir -p $(B)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' >$@
$(B)/obj/harness/core/version.o: $(B)/commit
$(B)/obj/harness/core/version.o: CFLAGS += -DRB_VERSION='"$(VERSION)"' -DRB_COMMIT='"$(COMMIT)"'

# The observer's BPF program, compiled against this kernel's BTF into a
# skeleton header (or a stub saying why not: harness/observe/build-skel).
# A stub is dated 1970, so that every make tries again (until `make setup`
# has installed what it needs).
$(BPF_DIR)/reap.skel.h: harness/observe/reap.bpf.c harness/observe/reap_events.h \
                        harness/observe/build-skel
	@echo "  BPF     $<"
	@harness/observe/build-skel $< $(BPF_DIR) $(BPF_ARCH)
$(B)/obj/harness/observe/observer_bpf.o: $(BPF_DIR)/reap.skel.h
$(B)/obj/harness/observe/observer_bpf.o: CFLAGS += -I$(BPF_DIR)

# Docker's default seccomp profile, embedded in the harness as a const
# array (harness/core/seccomp/README.md says where it comes from).
GEN_DIR := build/gen
$(GEN_DIR)/docker_default_seccomp.h: harness/core/seccomp/docker-default.json
	@mkdir -p $(GEN_DIR)
	@echo "  XXD     $<"
	@cd $(dir $<) && xxd -i $(notdir $<) | sed 's/^unsigned/static const unsigned/' >$(abspath $@)
$(B)/obj/harness/core/seccomp.o: $(GEN_DIR)/docker_default_seccomp.h
$(B)/obj/harness/core/seccomp.o: CFLAGS += -iquote $(GEN_DIR)

$(LIB): $(call obj,$(LIB_SRC))
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(B)/reapbench: $(B)/obj/harness/main.o $(LIB)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_HARNESS)

# Static unless sanitized (the sanitizer runtimes do not link statically).
$(B)/rb-payload: $(call obj,$(PAYLOAD_SRC))
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(if $(filter 1,$(SANITIZE)),,-static) -o $@ $^ -lm

$(B)/rb-%: $(B)/obj/reapers/src/rb-%.o $(B)/obj/harness/common/signames.o
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^

-include $(ALL_OBJ:.o=.d)
# Objects made on the way to a reaper are kept (no rebuild on the next make).
.SECONDARY:

include tests/tests.mk

# Installs the Debian packages the project needs (root), or prints the command.
setup:
	@./.ci/setup

bench: setup all fuzz-build
	bench/run-quick $(B)

# The regression gate: the reference PID 1 of BASE (default: the merge base
# with main) against the working tree's, side by side in one run
# (bench/gate-ref, reapbench gate). bench-check-baseline compares a fresh run
# of bench/gate-plan.sh against results/baseline/ instead (make baseline),
# for a machine that keeps its baseline.
# GATE: more `reapbench gate` options (GATE="--pairs 90" on a loaded runner)
bench-check: setup all
	bench/gate-ref --build $(B) $(if $(BASE),--ref $(BASE)) $(if $(GATE),-- $(GATE))

bench-check-baseline: setup all
	bench/check --build $(B)

baseline: setup all
	bench/baseline --build $(B)

clean:
	rm -rf build build-san build-fuzz
include fuzz/fuzz.mk
