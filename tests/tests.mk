# Tests: unit tests (cmocka, tests/unit/test_*.c) and integration tests
# (tests/integration/*.sh, real namespaces), run by tests/run, which prints
# TAP and ends with "N passed, N failed".
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: unit-tests test-build
unit-tests: $(UNIT_BIN)

$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_HARNESS) -lcmocka

-include $(UNIT_SRC:%.c=$(B)/obj/%.d)

# Both builds: the plain one and the ASan+UBSan one.
test-build:
	$(MAKE) all unit-tests
	$(MAKE) SANITIZE=1 all unit-tests
	$(MAKE) fuzz-build

test: setup test-build
	tests/run
