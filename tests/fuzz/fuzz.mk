# tests/fuzz/fuzz.mk: libFuzzer targets, included by the Makefile.
#
#   make fuzz                   build every target, run each FUZZ_SECONDS (60)
#   make fuzz FUZZ_SECONDS=600  longer
#   make fuzz FUZZ_TARGETS=fuzz_vgatext   some of them
#   make fuzz-build             only build
#   make fuzz-regress           every seed (and kept reproducer) once: seconds; part of make check
#   make fuzz-repro FUZZ_INPUT=tests/fuzz/crashes/<file>   run one input
#   make fuzz-repro FUZZ_TARGET=fuzz_vgatext FUZZ_INPUT=<file>
#
# fuzz_console: guest bytes -> libtsm screen -> pane (seeds: corpus/).
# fuzz_vgatext: VNC framebuffer -> text cells (seeds: vgatext-corpus/).
# fuzz_proto, fuzz_cmdline, fuzz_keyfile, fuzz_knownhosts, fuzz_sshconfig:
#   seeds in NAME-corpus/ (tests/fuzz/README.md says what each checks).
#
# Needs clang with its libFuzzer/sanitizer runtimes. Debian packages:
#   clang libclang-rt-14-dev      (Debian 12; clang 14; in the Makefile's DEB_BUILD)
# Uses PKG_CFLAGS and LDLIBS from the Makefile (pkg-config of ncursesw, libtsm, ...).
#
# The repository's seeds are copied to build/fuzz/TARGET-corpus, which the
# fuzzer grows; findings land in build/fuzz/crashes/TARGET-*. Keep a
# reproducer worth keeping in tests/fuzz/crashes/ with a note.

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
                -I. $(PKG_CFLAGS) $(FUZZ_SAN) -DVIRTMUX_VERSION=\"$(VERSION)\" \
                -DVIRTMUX_DATADIR=\"$(PREFIX)/share/virtmux\" -DVIRTMUX_BINDIR=\"$(PREFIX)/bin\"

# What backends/console.c and views/console.c need, and nothing else.
FUZZ_LIB_SRC := backends/console.c backends/history.c backends/linewatch.c backends/textstrip.c backends/vtshadow.c keymaps/keysym.c keymaps/key.c util/utf8.c \
                views/canvas.c views/console.c views/text.c views/theme.c views/view.c
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FZ)/%.o)
FUZZ_HDRS    := $(wildcard backends/*.h keymaps/*.h util/*.h views/*.h)
# The recogniser and its font loader: pure computation (+ zlib).
FUZZ_VGA_SRC := backends/vgatext.c backends/vgafont.c util/utf8.c
FUZZ_VGA_OBJ := $(FUZZ_VGA_SRC:%.c=$(FZ)/%.o)
# The client/server protocol: frames and every message's decoder.
FUZZ_PROTO_SRC := proto/wire.c proto/msg.c
FUZZ_PROTO_OBJ := $(FUZZ_PROTO_SRC:%.c=$(FZ)/%.o)
# The parsers of user text: the command language (tokenizer + flags), binding
# files, known_hosts and ssh_config lines. The command table's entries point
# at every command, so these link the server's whole library (the Makefile's
# SERVER_SRC: this file is included after it).
FUZZ_SERVER_SRC := $(sort $(SERVER_SRC))
FUZZ_SERVER_OBJ := $(FUZZ_SERVER_SRC:%.c=$(FZ)/%.o)
FUZZ_TEXT_TARGETS := fuzz_cmdline fuzz_keyfile fuzz_knownhosts fuzz_sshconfig
FUZZ_ALL     := fuzz_console fuzz_vgatext fuzz_proto $(FUZZ_TEXT_TARGETS) fuzz_policy
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_TARGET  ?= fuzz_console

.PHONY: fuzz fuzz-build fuzz-repro fuzz-regress fuzz-clang-check

# make check: every seed and every kept crash reproducer, once each (seconds).
fuzz-regress: fuzz-build
	@fail=0; for t in $(FUZZ_ALL); do \
	  case $$t in fuzz_console) c=tests/fuzz/corpus; extra=$$(ls -d tests/fuzz/crashes/* | grep -v README);; \
	              *) c=tests/fuzz/$${t#fuzz_}-corpus; extra=;; esac; \
	  n=$$(ls $$c $$extra 2>/dev/null | grep -vc -e README -e '^$$' -e ':$$'); \
	  if $(FZ)/$$t -runs=1 $$c/* $$extra > $(FZ)/regress-$$t.log 2>&1; then \
	    echo "fuzz-regress $$t: $$n inputs replayed, 0 crashes"; \
	  else \
	    tail -30 $(FZ)/regress-$$t.log; echo "fuzz-regress $$t: a seed or kept reproducer fails"; fail=1; \
	  fi; \
	done; exit $$fail

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
# The harnesses' own checks run over every cell several times per input;
# their comparisons guide nothing (the code under test keeps its tracing).
$(FZ)/tests/fuzz/fuzz_console.o $(FZ)/tests/fuzz/fuzz_vgatext.o: FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp
# The console's per-cell walk and the canvas compare ages, positions and
# colours, not input bytes (those are compared in libtsm, which is not
# instrumented, and in vtshadow.c, which keeps its tracing).
$(FZ)/backends/console.o $(FZ)/views/console.o $(FZ)/views/canvas.o: FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp

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

$(FZ)/fuzz_cmdline $(FZ)/fuzz_keyfile $(FZ)/fuzz_knownhosts $(FZ)/fuzz_sshconfig: $(FZ)/%: \
    $(FZ)/tests/fuzz/%.o $(FUZZ_SERVER_OBJ) | fuzz-clang-check
	@$(if $(Q),echo "  LD fuzz $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_ALL:%=$(FZ)/%)

# Each target grows a copy of its seeds under build/fuzz/; FUZZ_SECONDS each.
fuzz: $(FUZZ_TARGETS:%=$(FZ)/%)
	@mkdir -p $(FZ)/crashes
	@set -e; for t in $(FUZZ_TARGETS); do \
	  case $$t in fuzz_console) c=tests/fuzz/corpus;; *) c=tests/fuzz/$${t#fuzz_}-corpus;; esac; \
	  mkdir -p $(FZ)/$$t-corpus; cp $$c/* $(FZ)/$$t-corpus/; \
	  echo "== $$t: $(FUZZ_SECONDS) s"; \
	  $(FZ)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=$(FZ)/crashes/$$t- -print_final_stats=1 \
	    $$( [ $$t = fuzz_console ] && [ -n "$(FUZZ_DICT)" ] && echo -dict=$(FUZZ_DICT)) \
	    $(FUZZ_FLAGS) $(FZ)/$$t-corpus > $(FZ)/$$t.log 2>&1 && rc=0 || rc=$$?; \
	  grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' $(FZ)/$$t.log || true; \
	  if [ $$rc != 0 ]; then tail -40 $(FZ)/$$t.log; echo "$$t: a finding, in $(FZ)/crashes/ (log: $(FZ)/$$t.log)"; exit 1; fi; \
	done

fuzz-repro: $(FZ)/$(FUZZ_TARGET)
	@test -n "$(FUZZ_INPUT)" || { echo "fuzz-repro: set FUZZ_INPUT=<file>" >&2; exit 1; }
	$(FZ)/$(FUZZ_TARGET) -runs=1 $(FUZZ_INPUT)

# fuzz_policy: the classroom policy file and templates (policy/; seeds:
# policy-corpus/).
FUZZ_POLICY_SRC := policy/policy.c policy/define.c policy/limits.c keymaps/cmdline.c util/errf.c
FUZZ_POLICY_OBJ := $(FUZZ_POLICY_SRC:%.c=$(FZ)/%.o)
$(FUZZ_POLICY_OBJ) $(FZ)/tests/fuzz/fuzz_policy.o: $(wildcard policy/*.h)

$(FZ)/fuzz_policy: $(FZ)/tests/fuzz/fuzz_policy.o $(FUZZ_POLICY_OBJ) | fuzz-clang-check
	@$(if $(Q),echo "  LD fuzz $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(shell pkg-config --libs libxml-2.0)

# The policy alone: make fuzz-policy [FUZZ_SECONDS=N].
.PHONY: fuzz-policy
fuzz-policy:
	$(MAKE) fuzz FUZZ_TARGETS=fuzz_policy

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
