# reapbench — see README.md. `make` builds, `make test` tests, `make bench` benchmarks.
CC       ?= gcc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE -iquote harness \
            -iquote bench
LDLIBS_HARNESS = -linih -ljansson -lm
B        := build
VERSION  := 0.1.0
COMMIT   := $(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
B       := build-san
endif

# The harness: one binary with subcommands; every harness/*.c but the
# payload's own (payload.c) and the spawner (in the storm objects below).
HARNESS_SRC := $(filter-out harness/payload.c harness/payload_%.c harness/spawn.c,$(sort $(wildcard harness/*.c)))
# The storm generator (bench/): the engine and one file per pattern, listed in
# bench/patterns.c. Linked into the payload, which runs it, and the harness,
# which lists and checks the patterns.
STORM_SRC   := bench/storm.c bench/patterns.c $(sort $(wildcard bench/pattern_*.c)) harness/spawn.c
# The payload (workload under the reaper): static, so that it starts cheaply.
PAYLOAD_SRC := harness/payload.c harness/payload_scenario.c harness/scenario.c harness/signames.c \
               harness/stats.c harness/error.c harness/procfs.c
# Reapers built from this repo.
REAPERS     := $(B)/rb-init $(B)/rb-pause

STORM_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(notdir $(STORM_SRC)))
HARNESS_OBJ := $(HARNESS_SRC:harness/%.c=$(B)/obj/%.o) $(STORM_OBJ)
PAYLOAD_OBJ := $(PAYLOAD_SRC:harness/%.c=$(B)/obj/%.o) $(STORM_OBJ)

.PHONY: all setup test bench bench-check baseline clean FORCE
all: $(B)/reapbench $(B)/rb-payload $(REAPERS)

$(B)/obj/%.o: harness/%.c harness/*.h bench/*.h | $(B)/obj
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(B)/obj/%.o: bench/%.c bench/*.h harness/*.h | $(B)/obj
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

# Always rebuilt: it carries the commit.
$(B)/obj/version.o: harness/version.c FORCE | $(B)/obj
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -DRB_VERSION='"$(VERSION)"' -DRB_COMMIT='"$(COMMIT)"' -c -o $@ $<

$(B)/obj:
	mkdir -p $@

$(B)/reapbench: $(HARNESS_OBJ)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_HARNESS)

# Static unless sanitized (the sanitizer runtimes do not link statically).
$(B)/rb-payload: $(PAYLOAD_OBJ)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(if $(filter 1,$(SANITIZE)),,-static) -o $@ $^ -lm

$(B)/rb-%: reapers/src/rb-%.c harness/*.h | $(B)/obj
	@echo "  CC+LD   $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< harness/signames.c

include tests/tests.mk

# Installs the Debian packages the project needs (root), or prints the command.
setup:
	@./.ci/setup

bench: setup all fuzz-build
	bench/run-quick $(B)

# The regression gate (bench/gate-plan.sh): compare a fresh run against
# results/baseline/ (exit 1 on a regression), or make that baseline.
bench-check: setup all
	bench/check --build $(B)

baseline: setup all
	bench/baseline --build $(B)

clean:
	rm -rf build build-san build-fuzz
include fuzz/fuzz.mk
