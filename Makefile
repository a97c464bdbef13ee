# cohesim: one flat makefile.  `make` builds build/cohesim and
# build/libcohesim.a; `make run` and `make test` install missing Debian
# packages first (make deps), so a fresh machine needs nothing else.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
OPT     ?= -O2
# SANITIZER=address,undefined builds an instrumented copy (make check does).
SANITIZER ?=
# WERROR=1 turns warnings into errors (CI sets it).
WERROR  ?=
# FP_TRAPS=1: the binary stops (SIGFPE) at the first invalid operation,
# division by zero or overflow (make check builds it so).
FP_TRAPS ?=
# MPI=1 builds build/mpi/cohesim against Open MPI (sweeps across ranks).
MPI     ?=
ifeq ($(MPI),1)
CC      := mpicc
# Without Open MPI the compiler call would fail with "mpicc: No such file";
# name the command that installs it instead (make deps itself must work).
ifeq ($(shell command -v mpicc 2>/dev/null),)
ifneq ($(filter-out deps clean,$(or $(MAKECMDGOALS),all)),)
$(error mpicc not found: run 'make deps MPI=1' to install Open MPI)
endif
endif
BUILD   := build/mpi
MPI_DEF := -DCOH_MPI
endif

PKGS    := gsl libconfig jansson
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wwrite-strings \
           -Wundef -Wold-style-definition -Wnull-dereference
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_XOPEN_SOURCE=700 $(MPI_DEF) $(if $(FP_TRAPS),-DCOH_FP_TRAPS) $(WARN) $(if $(WERROR),-Werror) \
              $(if $(SANITIZER),-fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all) \
              -Iinclude -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LDLIBS_ALL := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
LDFLAGS_ALL := $(if $(SANITIZER),-fsanitize=$(SANITIZER)) $(LDFLAGS)
TEST_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

LIB_SRC := $(sort $(wildcard src/core/*.c src/scenario/*.c src/engine/*.c src/mc/*.c src/analysis/*.c src/output/*.c src/plot/*.c src/sweep/*.c)) $(BUILD)/gen/plot_templates.c
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTS   := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
PLOT_TEMPLATES := $(sort $(wildcard plots/*.gp))

# V=1 shows the full compiler command lines.
Q := $(if $(V),,@)
say = $(if $(V),,@printf '  %-6s %s\n' $(1) $(2);)

LIB := $(BUILD)/libcohesim.a
BIN := $(BUILD)/cohesim

.PHONY: all deps run test check install uninstall clean bench tests-build \
        fuzz fuzzers lint

all: $(BIN) $(LIB)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/plot_templates.c: $(PLOT_TEMPLATES) src/plot/embed.sh
	@mkdir -p $(dir $@)
	$(call say,EMBED,$@)
	$(Q)sh src/plot/embed.sh $(PLOT_TEMPLATES) > $@.tmp && mv $@.tmp $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS_ALL)

TEST_CFLAGS := $(ALL_CFLAGS) -Wno-format-truncation $(shell pkg-config --cflags cmocka 2>/dev/null)
# What the tests that drive the binary share, compiled once.
TEST_SUPPORT := $(BUILD)/obj/tests/unit/bin_helpers.o

$(TEST_SUPPORT): tests/unit/bin_helpers.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%: tests/unit/%.c $(TEST_SUPPORT) $(LIB)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -MMD -MP \
	      $(LDFLAGS_ALL) -o $@ $< $(TEST_SUPPORT) $(LIB) $(TEST_LIBS) $(LDLIBS_ALL)

# Each fuzz harness also builds with a plain main that replays files, so
# `make test` replays the seed corpora and every past finding.
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/replay_%)

$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(LIB)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP $(LDFLAGS_ALL) -o $@ $< tests/fuzz/replay.c $(LIB) $(LDLIBS_ALL)

tests-build: $(BIN) $(TESTS) $(REPLAYS) $(BUILD)/bench

# Debian packages: pkg-config name or file -> package.
deps:
	@COH_MPI=$(MPI) sh .ci/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@$(BIN) run scenarios/$(or $(SCENARIO),csto-armenia).cfg

test: deps
	@$(MAKE) --no-print-directory tests-build
	@if [ -d build/mpi ] && command -v mpicc >/dev/null; then \
		$(MAKE) --no-print-directory MPI=1 all; fi
	@sh tests/run.sh $(BUILD)

# Tests again under AddressSanitizer + UndefinedBehaviorSanitizer, with
# floating-point traps on, then under valgrind (memcheck) with the
# ordinary build.
check: deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 SANITIZER=address,undefined FP_TRAPS=1 tests-build
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=tests/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1 \
	  sh tests/run.sh build/asan
	@$(MAKE) --no-print-directory tests-build
	@COH_VALGRIND=1 sh tests/run.sh $(BUILD)

$(BUILD)/bench: bench/bench.c $(LIB)
	$(call say,BENCH,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP $(LDFLAGS_ALL) -o $@ $< $(LIB) $(LDLIBS_ALL)

bench: all $(BUILD)/bench
	@sh bench/run.sh $(BUILD)

TIDY_FLAGS := -std=c11 -D_XOPEN_SOURCE=700 -Iinclude -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

# Static analysis of src/: cppcheck, then clang-tidy with .clang-tidy's
# checks; either one's finding fails the target.
lint: $(BUILD)/gen/plot_templates.c
	@COH_LINT=1 sh .ci/deps.sh
	@echo "  LINT   cppcheck src/"
	@cppcheck --quiet --error-exitcode=1 --std=c11 \
	  --enable=warning,style,performance,portability --inline-suppr \
	  --suppress=missingIncludeSystem -D_XOPEN_SOURCE=700 -Iinclude -Isrc src/
	@echo "  LINT   clang-tidy src/"
	@printf '%s\n' $(LIB_SRC) $(CLI_SRC) | xargs -P 2 -n 8 sh -c \
	  'clang-tidy --quiet "$$@" -- $(TIDY_FLAGS) 2>/dev/null' clang-tidy

# libFuzzer: the library and harnesses built with clang, ASan and UBSan in
# build/fuzz, each harness run for FUZZ_TIME seconds (tests/fuzz/run.sh).
FUZZ_TIME ?= 60
FUZZERS := $(FUZZ_NAMES:%=$(BUILD)/fuzz_%)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB)
	$(call say,FUZZ,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -MMD -MP $(LDFLAGS_ALL) -o $@ $< $(LIB) $(LDLIBS_ALL)

fuzzers: $(FUZZERS)

fuzz:
	@COH_FUZZ=1 sh .ci/deps.sh
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang \
	  SANITIZER=address,undefined CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" fuzzers
	@sh tests/fuzz/run.sh build/fuzz $(FUZZ_TIME) $(FUZZ)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	           $(DESTDIR)$(PREFIX)/include/cohesim $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/cohesim
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libcohesim.a
	install -m 644 include/cohesim.h $(DESTDIR)$(PREFIX)/include/cohesim.h
	install -m 644 include/cohesim/*.h $(DESTDIR)$(PREFIX)/include/cohesim/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 man/cohesim.1 $(DESTDIR)$(PREFIX)/share/man/man1/cohesim.1
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/.*COH_VERSION "\(.*\)".*/\1/p' include/cohesim/version.h)|g' \
	    cohesim.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/cohesim.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/cohesim $(DESTDIR)$(PREFIX)/lib/libcohesim.a \
	      $(DESTDIR)$(PREFIX)/include/cohesim.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/cohesim.pc \
	      $(DESTDIR)$(PREFIX)/share/man/man1/cohesim.1
	rm -rf $(DESTDIR)$(PREFIX)/include/cohesim

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
