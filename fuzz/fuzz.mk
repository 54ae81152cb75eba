# libFuzzer targets (clang-14 + libclang-rt-14-dev). `make fuzz` builds them
# into build-fuzz/; tests/integration/fuzz.sh runs each briefly on its
# seeds (part of make test); FUZZ_SECONDS=600 make fuzz-run for a real session.
FUZZ_CC      ?= clang-14
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE -iquote harness -fsanitize=fuzzer,address,undefined \
                -DRB_VERSION='"$(VERSION)"' -DRB_COMMIT='"$(COMMIT)"'
FUZZ_LIB_SRC := harness/registry.c harness/record.c harness/error.c harness/signames.c harness/version.c \
                harness/sysinfo.c
FUZZ_TARGETS := build-fuzz/fuzz_descriptor build-fuzz/fuzz_record
FUZZ_SECONDS ?= 60

.PHONY: fuzz fuzz-run
fuzz: $(FUZZ_TARGETS)

build-fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB_SRC) harness/*.h
	@mkdir -p build-fuzz
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) $(LDLIBS_HARNESS)

# Seeds: the shipped descriptors; records in fuzz/seeds/record. tests/run
# runs each target briefly (tests/integration/fuzz.sh).
fuzz-run: fuzz
	mkdir -p build-fuzz/corpus-descriptor build-fuzz/corpus-record
	build-fuzz/fuzz_descriptor -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus-descriptor reapers/
	build-fuzz/fuzz_record -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus-record fuzz/seeds/record
