# libFuzzer targets (clang-14 + libclang-rt-14-dev). `make fuzz` builds them
# into build-fuzz/; `make fuzz-smoke` runs each briefly on its seeds (part of
# make test); FUZZ_SECONDS=600 make fuzz-run for a real session.
FUZZ_CC      ?= clang-14
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE -iquote harness -fsanitize=fuzzer,address,undefined \
                -DRB_VERSION='"$(VERSION)"' -DRB_COMMIT='"$(COMMIT)"'
FUZZ_LIB_SRC := harness/registry.c harness/record.c harness/error.c harness/signames.c harness/version.c
FUZZ_TARGETS := build-fuzz/fuzz_descriptor build-fuzz/fuzz_record
FUZZ_SECONDS ?= 60

.PHONY: fuzz fuzz-smoke fuzz-run
fuzz: $(FUZZ_TARGETS)

build-fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB_SRC) harness/*.h
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) $(LDLIBS_HARNESS)

# Seeds: the shipped descriptors; records from tests/fixtures.
# (libFuzzer writes new inputs into the FIRST directory: never a source dir.)
fuzz-smoke: fuzz
	rm -rf build-fuzz/smoke && mkdir -p build-fuzz/smoke/d build-fuzz/smoke/r
	build-fuzz/fuzz_descriptor -runs=20000 -max_len=4096 build-fuzz/smoke/d reapers/ 2>&1 | tail -1
	build-fuzz/fuzz_record -runs=20000 -max_len=8192 build-fuzz/smoke/r fuzz/seeds/record 2>&1 | tail -1

fuzz-run: fuzz
	mkdir -p build-fuzz/corpus-descriptor build-fuzz/corpus-record
	build-fuzz/fuzz_descriptor -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus-descriptor reapers/
	build-fuzz/fuzz_record -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus-record fuzz/seeds/record
