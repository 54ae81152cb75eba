# libFuzzer targets (clang-14 + libclang-rt-14-dev), built into build-fuzz/:
#   make fuzz-build   build them (make test does)
#   make fuzz         build, then run every target FUZZ_SECONDS (default 60) from
#                     its seeds, with one summary (fuzz/run)
# The harness library is compiled once, instrumented, and linked into each.
FUZZ_CC      ?= clang-14
FUZZ_SAN     := -fsanitize=address,undefined
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE -iquote harness -iquote bench $(FUZZ_SAN) \
                -DRB_VERSION='"$(VERSION)"' -DRB_COMMIT='"$(COMMIT)"'
# Every harness source but the programs' own (main, the subcommands, the payload).
FUZZ_LIB_SRC := $(filter-out harness/main.c harness/cmd_%.c harness/payload%.c harness/spawn.c,\
                  $(sort $(wildcard harness/*.c)))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:harness/%.c=build-fuzz/obj/%.o)
# The scenario target spends its time in sandboxes, not in parsing: its copy
# of the library goes without ASan (a third faster), UBSan kept.
FUZZ_FAST_OBJ := $(FUZZ_LIB_SRC:harness/%.c=build-fuzz/obj-ubsan/%.o)
FUZZ_TARGETS := $(patsubst fuzz/%.c,build-fuzz/%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_SEEDS   := $(patsubst fuzz/seeds/scenario/%.scn,build-fuzz/seeds/scenario/%,\
                  $(sort $(wildcard fuzz/seeds/scenario/*.scn))) build-fuzz/seeds/empty/start
FUZZ_SECONDS ?= 60

.PHONY: fuzz fuzz-build
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_FAST_OBJ) build-fuzz/obj/cmd_compare.o
fuzz-build: all $(FUZZ_TARGETS) $(FUZZ_SEEDS)

build-fuzz/obj/%.o: harness/%.c harness/*.h
	@mkdir -p build-fuzz/obj
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/obj-ubsan/%.o: harness/%.c harness/*.h
	@mkdir -p build-fuzz/obj-ubsan
	@echo "  FUZZCC  $< (UBSan)"
	@$(FUZZ_CC) $(FUZZ_CFLAGS:$(FUZZ_SAN)=-fsanitize=undefined) -fsanitize=fuzzer-no-link -c -o $@ $<

# version.o carries the commit
build-fuzz/obj/version.o build-fuzz/obj-ubsan/version.o: FORCE

build-fuzz/fuzz_scenario: fuzz/fuzz_scenario.c $(FUZZ_FAST_OBJ) harness/*.h
	@echo "  FUZZ    $@ (UBSan)"
	@$(FUZZ_CC) $(FUZZ_CFLAGS:$(FUZZ_SAN)=-fsanitize=undefined) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_FAST_OBJ) $(LDLIBS_HARNESS)

build-fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB_OBJ) harness/*.h
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS_HARNESS)

# compare is a subcommand: its target links it beside the library.
build-fuzz/fuzz_compare: fuzz/fuzz_compare.c $(FUZZ_LIB_OBJ) build-fuzz/obj/cmd_compare.o harness/*.h
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJ) build-fuzz/obj/cmd_compare.o \
		$(LDLIBS_HARNESS)

# The scenario seeds in the fuzzer's bytes, from their text form.
build-fuzz/seeds/scenario/%: fuzz/seeds/scenario/%.scn $(B)/reapbench
	@mkdir -p build-fuzz/seeds/scenario
	@$(B)/reapbench replay --encode $@ $<

# A corpus with no hint at all (the app starts, does nothing): what the
# fuzzer finds from it, it found on its own.
build-fuzz/seeds/empty/start:
	@mkdir -p build-fuzz/seeds/empty
	@printf '\0' >$@

fuzz: fuzz-build
	fuzz/run $(FUZZ_SECONDS)
