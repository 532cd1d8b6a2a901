# virtmux — a terminal console multiplexer for libvirt virtual machines.
#
#   make            build ./virtmux
#   make check      build and run every test (unit + end to end)
#   make check-slow the slow tier: the board on 240 real consoles (root)
#   make asan       build ./virtmux-asan with AddressSanitizer + UBSan
#   make demo       install what is missing, build, boot a tiny guest, open virtmux on it
#   make deps       install the Debian packages (root) or print the apt-get line
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench      run the benchmarks under bench/

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc

PKGS      := ncursesw libvirt libxml-2.0 libtsm libvncclient libssh libcrypto zlib
# Debian packages: build, tests, demo.
DEB_BUILD := build-essential pkg-config libncurses-dev libvirt-dev libxml2-dev \
             libvncserver-dev libtsm-dev libssh-dev libssl-dev libcriterion-dev zlib1g-dev \
             clang libclang-rt-14-dev clang-format
# seabios, console-setup-linux: the fonts the VNC recogniser reads; iproute2,
# openssh-client, netcat-openbsd: the two-host testbed and libvirt over SSH.
DEB_RUN   := libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-daemon-driver-lxc libvirt-clients \
             qemu-system-x86 openssh-server openssh-client busybox-static linux-image-amd64 \
             tmux cpio gzip procps sasl2-bin libsasl2-modules \
             seabios console-setup-linux netcat-openbsd iproute2
DEB_ALL   := $(DEB_BUILD) $(DEB_RUN)

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DVIRTMUX_VERSION=\"$(VERSION)\" \
             -DVIRTMUX_DATADIR=\"$(PREFIX)/share/virtmux\" -DVIRTMUX_BINDIR=\"$(PREFIX)/bin\" \
             $(WARN) -I. $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS    := $(PKG_LIBS) -lpthread
# The client links ncurses alone: it starts in a few ms (a reattach), where
# the server's libraries (libvirt, libssh, libvncclient...) take ~30.
CLIENT_LIBS := $(shell pkg-config --libs ncursesw 2>/dev/null)

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Every .c under the source folders; the two main()s are kept out of the
# library so unit tests can link everything else.
MAINS     := tui/main.c server/main.c
LIB_SRC   := $(filter-out $(MAINS),$(wildcard backends/*.c keymaps/*.c views/*.c tui/*.c server/*.c proto/*.c util/*.c policy/*.c)) \
             keymaps/default_keys.c
# The client: the terminal, the protocol, key names.
CLIENT_SRC := $(filter-out tui/main.c,$(wildcard tui/*.c)) $(wildcard proto/*.c) keymaps/key.c util/utf8.c
SERVER_SRC := $(filter-out $(wildcard tui/*.c),$(LIB_SRC))
LIB_SRC   := $(sort $(LIB_SRC))
HDRS      := $(wildcard backends/*.h keymaps/*.h views/*.h tui/*.h server/*.h proto/*.h util/*.h policy/*.h)
TEST_SRC  := $(wildcard tests/unit/test_*.c)

B         := build/release
BA        := build/asan
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
LIB_OBJ_A := $(LIB_SRC:%.c=$(BA)/%.o)
CLIENT_OBJ   := $(CLIENT_SRC:%.c=$(B)/%.o)
CLIENT_OBJ_A := $(CLIENT_SRC:%.c=$(BA)/%.o)
SERVER_OBJ   := $(SERVER_SRC:%.c=$(B)/%.o)
SERVER_OBJ_A := $(SERVER_SRC:%.c=$(BA)/%.o)
TESTS     := $(TEST_SRC:tests/unit/%.c=$(BA)/tests/%)
# A misbehaving VNC server for the end-to-end tests (tests/vnc/).
HOSTILE   := build/hostile_server
# Waits until typed keys are handled, for tests/e2e/lib.sh (tests/e2e/tools/).
TTYIDLE   := build/ttyidle

.PHONY: all asan check check-slow format format-check unit e2e mutants rig-selftest demo deps deps-check print-deps install uninstall bench bench-reattach bench-fanout bench-remote bench-migrate bench-scale clean
all: virtmux

# virtmux is the client; it starts virtmux-server, which must be beside it.
virtmux: $(CLIENT_OBJ) $(B)/tui/main.o virtmux-server
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(CLIENT_OBJ) $(B)/tui/main.o $(CLIENT_LIBS)

virtmux-server: $(SERVER_OBJ) $(B)/server/main.o
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

virtmux-asan: $(CLIENT_OBJ_A) $(BA)/tui/main.o virtmux-server-asan
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $(CLIENT_OBJ_A) $(BA)/tui/main.o $(CLIENT_LIBS)

virtmux-server-asan: $(SERVER_OBJ_A) $(BA)/server/main.o
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

asan: virtmux-asan

# V=1 shows the full compiler lines.
Q := $(if $(V),,@)

$(B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BA)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC asan $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# The shipped default key bindings are also compiled in, so ./virtmux works
# from the build tree and a broken install still has keys.
keymaps/default_keys.c: keymaps/default.keys keymaps/embed.sh
	sh keymaps/embed.sh $< default_keys_text > $@

$(BA)/tests/%: tests/unit/%.c $(LIB_OBJ_A) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< $(LIB_OBJ_A) $(LDLIBS) -lcriterion

# make check: everything a newcomer needs, then unit tests, then end to end.
check: deps-check format-check virtmux virtmux-asan $(TESTS) $(HOSTILE) $(TTYIDLE) fuzz-build
	@tests/run-unit.sh $(TESTS)
	@$(MAKE) --no-print-directory fuzz-regress
	@tests/e2e/run.sh

# One style (.clang-format). The directories written to it so far; the rest
# of the tree is close to it and joins when its files are next touched.
FORMAT_FILES := $(filter-out keymaps/default_keys.c,$(wildcard keymaps/*.[ch] policy/*.[ch] util/*.[ch] tests/unit/*.[ch]))
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES) || { \
	  echo "format-check: run 'make format' (clang-format, .clang-format)" >&2; exit 1; }

# The slow tier, not in make check: the board on the full rig of 240 LXC
# consoles (a few minutes: bringing 240 up and down is most of it).
check-slow: virtmux virtmux-asan $(TTYIDLE)
	@BOARD_RIG_N=240 E2E_TIMEOUT=1200 tests/e2e/run.sh t_board_rig

# make mutants: small deliberate breakages (tests/mutants.list), each alone in
# a scratch copy of the tree; every one must make a test fail. Slow: not in check.
mutants: virtmux virtmux-asan $(TESTS) $(HOSTILE) $(TTYIDLE)
	@tests/mutants.sh

# The LXC console rig (tests/rig/README.md): 4 containers end to end; root.
rig-selftest:
	@tests/rig/selftest.sh

unit: virtmux-asan $(TESTS)
	@tests/run-unit.sh $(TESTS)

e2e: virtmux virtmux-asan $(HOSTILE) $(TTYIDLE)
	@tests/e2e/run.sh

$(HOSTILE): tests/vnc/hostile_server.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g -o $@ $<

$(TTYIDLE): tests/e2e/tools/ttyidle.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g -o $@ $<

demo: deps-check virtmux
	./virtmux --demo

deps:
	@sh .ci/deps.sh install $(DEB_ALL)

print-deps:
	@echo $(DEB_ALL)

# Only reach for apt when something is actually missing.
deps-check:
	@sh .ci/deps.sh check $(DEB_ALL)

install: virtmux
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/share/virtmux/keymaps $(DESTDIR)$(PREFIX)/share/virtmux/demo \
	           $(DESTDIR)$(PREFIX)/share/virtmux/fonts
	install -m 755 virtmux $(DESTDIR)$(PREFIX)/bin/virtmux
	install -m 755 virtmux-server $(DESTDIR)$(PREFIX)/bin/virtmux-server
	install -m 644 virtmux.1 $(DESTDIR)$(PREFIX)/share/man/man1/virtmux.1
	install -m 644 keymaps/*.keys $(DESTDIR)$(PREFIX)/share/virtmux/keymaps/
	install -m 644 backends/fonts/*.psf $(DESTDIR)$(PREFIX)/share/virtmux/fonts/
	install -m 755 demo/mkguest.sh demo/embed-root.sh $(DESTDIR)$(PREFIX)/share/virtmux/demo/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/virtmux $(DESTDIR)$(PREFIX)/bin/virtmux-server $(DESTDIR)$(PREFIX)/share/man/man1/virtmux.1
	rm -rf $(DESTDIR)$(PREFIX)/share/virtmux

# The benchmarks' peers that the tests do not need.
DEB_BENCH := tesseract-ocr

bench: virtmux
	@sh .ci/deps.sh check $(DEB_ALL) $(DEB_BENCH)
	bench/list/run.sh
	bench/serial/run.sh
	bench/vnc/run.sh
	bench/reattach/run.sh
	bench/fanout/run.sh

# The server's benchmarks (issue 12; root, private libvirtd): ~2 and ~4 min.
bench-reattach: virtmux
	bench/reattach/run.sh
bench-fanout: virtmux
	bench/fanout/run.sh
# 24 and 240 LXC consoles (tests/rig; root): ~15 min.
bench-scale: virtmux
	bench/scale/run.sh

# On the two-host testbed (tests/testbed): ~2 min and ~15 min.
bench-remote: virtmux
	bench/remote/run.sh
bench-migrate: virtmux
	bench/migrate/run.sh

clean:
	rm -rf build virtmux virtmux-asan virtmux-server virtmux-server-asan keymaps/default_keys.c

# make fuzz: a libFuzzer target for guest bytes -> screen -> draw (needs clang).
include tests/fuzz/fuzz.mk
