# libFuzzer targets (clang-14 + libclang-rt-14-dev), built into build-fuzz/:
#   make fuzz-build   build them (make test does)
#   make fuzz         build, then run every target FUZZ_SECONDS (default 60) from
#                     its seeds, with one summary (fuzz/run)
# The harness library is compiled once, instrumented, and linked into each.
FUZZ_CC      ?= clang-14
FUZZ_SAN     := -fsanitize=address,undefined
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE $(addprefix -iquote ,$(SRC_DIRS)) $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link
# The harness library, instrumented (ASan+UBSan, as every target): the same
# sources as $(LIB).
FUZZ_LIB     := build-fuzz/libreapbench.a
FUZZ_OBJ     := $(LIB_SRC:%.c=build-fuzz/obj/%.o)
FUZZ_TARGETS := $(patsubst fuzz/%.c,build-fuzz/%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_SEEDS   := $(patsubst fuzz/seeds/scenario/%.scn,build-fuzz/seeds/scenario/%,\
                  $(sort $(wildcard fuzz/seeds/scenario/*.scn))) build-fuzz/seeds/empty/start
FUZZ_SECONDS ?= 60

.PHONY: fuzz fuzz-build
fuzz-build: all $(FUZZ_TARGETS) $(FUZZ_SEEDS)

build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build-fuzz/obj/harness/observe/observer_bpf.o: $(BPF_DIR)/reap.skel.h
build-fuzz/obj/harness/observe/observer_bpf.o: FUZZ_CFLAGS += -I$(BPF_DIR)
build-fuzz/obj/harness/core/seccomp.o: $(GEN_DIR)/docker_default_seccomp.h
build-fuzz/obj/harness/core/seccomp.o: FUZZ_CFLAGS += -iquote $(GEN_DIR)
build-fuzz/obj/harness/core/version.o: $(B)/commit
build-fuzz/obj/harness/core/version.o: FUZZ_CFLAGS += -DRB_VERSION='"$(VERSION)"' -DRB_COMMIT='"$(COMMIT)"'

$(FUZZ_LIB): $(FUZZ_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

build-fuzz/fuzz_%: build-fuzz/obj/fuzz/fuzz_%.o $(FUZZ_LIB)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_HARNESS)

-include $(FUZZ_OBJ:.o=.d) $(patsubst fuzz/%.c,build-fuzz/obj/fuzz/%.d,$(wildcard fuzz/fuzz_*.c))

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
