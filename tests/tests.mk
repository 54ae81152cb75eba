# Tests: unit tests (cmocka, tests/unit/test_*.c) and integration tests
# (tests/integration/*.sh, real namespaces), run by tests/run, which prints
# TAP and ends with "N passed, N failed".
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
LIB_OBJ    := $(filter-out $(B)/obj/main.o,$(HARNESS_OBJ))

.PHONY: unit-tests test-build
unit-tests: $(UNIT_BIN)

$(B)/tests/test_%: tests/unit/test_%.c tests/unit/helpers.h $(LIB_OBJ) harness/*.h
	@mkdir -p $(dir $@)
	@echo "  CC+LD   $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS_HARNESS) -lcmocka

# Both builds: the plain one and the ASan+UBSan one.
test-build:
	$(MAKE) all unit-tests
	$(MAKE) SANITIZE=1 all unit-tests
	$(MAKE) fuzz-build

test: setup test-build
	tests/run
