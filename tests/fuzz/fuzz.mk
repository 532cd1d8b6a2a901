# tests/fuzz/fuzz.mk: libFuzzer targets, included by the Makefile.
#
#   make fuzz                   build build/fuzz/fuzz_console and fuzz_vgatext, run each FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=600  longer
#   make fuzz FUZZ_TARGETS=fuzz_vgatext   one of them
#   make fuzz-build             only build
#   make fuzz-repro FUZZ_INPUT=tests/fuzz/crashes/<file>   run one input
#   make fuzz-repro FUZZ_TARGET=fuzz_vgatext FUZZ_INPUT=<file>
#
# fuzz_console: guest bytes -> libtsm screen -> ncurses pane (seeds: corpus/).
# fuzz_vgatext: VNC framebuffer -> text cells (seeds: vgatext-corpus/).
#
# Needs clang with its libFuzzer/sanitizer runtimes. Debian packages:
#   clang libclang-rt-14-dev      (Debian 12; clang 14; apt-get install -y clang libclang-rt-14-dev)
# Uses PKG_CFLAGS and LDLIBS from the Makefile (pkg-config of ncursesw, libtsm, ...).
#
# The repository's seeds (tests/fuzz/corpus, tests/fuzz/vgatext-corpus) are
# copied to build/fuzz/corpus and build/fuzz/vgatext-corpus, and the fuzzers
# grow those copies; crashes land in build/fuzz/crashes/ (vgatext-crash-*
# for fuzz_vgatext). Keep a reproducer worth keeping in tests/fuzz/crashes/
# with a note.

# Included anywhere in the Makefile, this file must not change its default goal.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DICT    ?= tests/fuzz/console.dict
# Extra libFuzzer flags, e.g. FUZZ_FLAGS='-jobs=4 -workers=4' or '-max_len=8192'.
FUZZ_FLAGS   ?=

FZ           := build/fuzz
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
# No -Werror here: a warning only clang gives must not stop the fuzzing.
# Recursive (=): PKG_CFLAGS may be defined after the include line.
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-unused-parameter \
                -I. $(PKG_CFLAGS) $(FUZZ_SAN)

# What backends/console.c and views/console.c need, and nothing else.
FUZZ_LIB_SRC := backends/console.c backends/history.c backends/linewatch.c backends/textstrip.c backends/vtshadow.c keymaps/keysym.c keymaps/key.c keymaps/utf8.c \
                views/canvas.c views/console.c views/text.c views/theme.c views/view.c
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FZ)/%.o)
FUZZ_HDRS    := $(wildcard backends/*.h keymaps/*.h views/*.h)
# The recogniser and its font loader: pure computation (+ zlib).
FUZZ_VGA_SRC := backends/vgatext.c backends/vgafont.c
FUZZ_VGA_OBJ := $(FUZZ_VGA_SRC:%.c=$(FZ)/%.o)
# The client/server protocol: frames and every message's decoder.
FUZZ_PROTO_SRC := proto/wire.c proto/msg.c
FUZZ_PROTO_OBJ := $(FUZZ_PROTO_SRC:%.c=$(FZ)/%.o)
FUZZ_TARGETS ?= fuzz_console fuzz_vgatext fuzz_proto
FUZZ_TARGET  ?= fuzz_console

.PHONY: fuzz fuzz-build fuzz-repro fuzz-regress fuzz-clang-check

# make check: every seed and every kept crash reproducer, once each.
fuzz-regress: fuzz-build
	@n=$$(ls tests/fuzz/corpus tests/fuzz/crashes | grep -vc -e README -e '^$$' -e ':$$'); \
	if $(FZ)/fuzz_console -runs=1 tests/fuzz/corpus/* $$(ls -d tests/fuzz/crashes/* | grep -v README) \
	     > $(FZ)/regress.log 2>&1; then \
	  echo "fuzz-regress: $$n inputs replayed, 0 crashes"; \
	else \
	  tail -30 $(FZ)/regress.log; echo "fuzz-regress: a seed or kept reproducer crashes"; exit 1; \
	fi
	@n=$$(ls tests/fuzz/vgatext-corpus | grep -c .); \
	if $(FZ)/fuzz_vgatext -runs=1 tests/fuzz/vgatext-corpus/* > $(FZ)/regress-vgatext.log 2>&1; then \
	  echo "fuzz-regress vgatext: $$n inputs replayed, 0 crashes"; \
	else \
	  tail -30 $(FZ)/regress-vgatext.log; echo "fuzz-regress vgatext: a seed crashes"; exit 1; \
	fi
	@n=$$(ls tests/fuzz/proto-corpus | grep -c .); \
	if $(FZ)/fuzz_proto -runs=1 tests/fuzz/proto-corpus/* > $(FZ)/regress-proto.log 2>&1; then \
	  echo "fuzz-regress proto: $$n inputs replayed, 0 crashes"; \
	else \
	  tail -30 $(FZ)/regress-proto.log; echo "fuzz-regress proto: a seed crashes"; exit 1; \
	fi

# A clear message instead of a compiler error when clang or its runtimes are missing.
fuzz-clang-check:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
	  echo "fuzz: '$(FUZZ_CC)' not found. Install it: apt-get install -y clang libclang-rt-14-dev" >&2; \
	  exit 1; }
	@mkdir -p $(FZ)
	@printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' \
	  > $(FZ)/.probe.c
	@$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $(FZ)/.probe $(FZ)/.probe.c >/dev/null 2>&1 || { \
	  echo "fuzz: $(FUZZ_CC) cannot link -fsanitize=fuzzer,address,undefined (libFuzzer runtime missing)." >&2; \
	  echo "fuzz: install it: apt-get install -y libclang-rt-14-dev (or the one matching 'clang --version')" >&2; \
	  rm -f $(FZ)/.probe $(FZ)/.probe.c; exit 1; }
	@rm -f $(FZ)/.probe $(FZ)/.probe.c

# The recogniser compares every pixel with a cell's two colours; traced, each
# comparison was a call (half of fuzz_vgatext's time). Its branches are still
# counted, and the pixels come from the harness, not straight from the input.
$(FZ)/backends/vgatext.o: FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp

$(FZ)/%.o: %.c $(FUZZ_HDRS) | fuzz-clang-check
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC fuzz $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FZ)/fuzz_console: $(FZ)/tests/fuzz/fuzz_console.o $(FUZZ_LIB_OBJ) | fuzz-clang-check
	@$(if $(Q),echo "  LD fuzz $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)

$(FZ)/fuzz_vgatext: $(FZ)/tests/fuzz/fuzz_vgatext.o $(FUZZ_VGA_OBJ) | fuzz-clang-check
	@$(if $(Q),echo "  LD fuzz $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ -lz

$(FZ)/fuzz_proto: $(FZ)/tests/fuzz/fuzz_proto.o $(FUZZ_PROTO_OBJ) | fuzz-clang-check
	@$(if $(Q),echo "  LD fuzz $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^

fuzz-build: $(FZ)/fuzz_console $(FZ)/fuzz_vgatext $(FZ)/fuzz_proto

fuzz: $(FUZZ_TARGETS:%=$(FZ)/%)
	@mkdir -p $(FZ)/corpus $(FZ)/vgatext-corpus $(FZ)/crashes
	@cp tests/fuzz/corpus/* $(FZ)/corpus/
	@cp tests/fuzz/vgatext-corpus/* $(FZ)/vgatext-corpus/
	$(if $(filter fuzz_console,$(FUZZ_TARGETS)),$(FZ)/fuzz_console -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=$(FZ)/crashes/ -print_final_stats=1 \
	  $(if $(FUZZ_DICT),-dict=$(FUZZ_DICT)) $(FUZZ_FLAGS) $(FZ)/corpus)
	$(if $(filter fuzz_vgatext,$(FUZZ_TARGETS)),$(FZ)/fuzz_vgatext -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=$(FZ)/crashes/vgatext-crash- -print_final_stats=1 \
	  $(FUZZ_FLAGS) $(FZ)/vgatext-corpus)
	@mkdir -p $(FZ)/proto-corpus
	@cp tests/fuzz/proto-corpus/* $(FZ)/proto-corpus/
	$(if $(filter fuzz_proto,$(FUZZ_TARGETS)),$(FZ)/fuzz_proto -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=$(FZ)/crashes/proto-crash- -print_final_stats=1 \
	  $(FUZZ_FLAGS) $(FZ)/proto-corpus)

fuzz-repro: $(FZ)/$(FUZZ_TARGET)
	@test -n "$(FUZZ_INPUT)" || { echo "fuzz-repro: set FUZZ_INPUT=<file>" >&2; exit 1; }
	$(FZ)/$(FUZZ_TARGET) -runs=1 $(FUZZ_INPUT)

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
