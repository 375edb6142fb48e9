# netns-run — top-level build.  `make` builds everything, `make check` runs every test,
# `make demo` runs the main job.  Every target that needs Debian packages installs the
# missing ones first (scripts/deps.sh).

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

BINDIR  := $(PREFIX)/bin
CNIDIR  := $(PREFIX)/lib/netns-run/cni

PKGS       := libnl-3.0 libnl-route-3.0 libmnl libnftnl jansson libseccomp libarchive nettle
BUILD_DEBS := gcc make pkg-config libc6-dev libnl-3-dev libnl-route-3-dev libmnl-dev \
              libnftnl-dev libjansson-dev libseccomp-dev libarchive-dev nettle-dev libldns-dev libmicrohttpd-dev
TEST_DEBS  := libcmocka-dev iproute2 iputils-ping nftables jq util-linux procps golang-go time valgrind strace containerd busybox-static podman \
              golang-github-appc-cni-dev golang-github-containerd-go-cni-dev containernetworking-plugins clang-14 libclang-rt-14-dev \
              dnsmasq-base aardvark-dns dnsperf

CFLAGS   ?= -O2 -g
# Messages are cut to fit their fixed buffers on purpose, so truncation is not a warning.
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wno-unused-parameter -Wno-format-truncation
# Headers are named by wing or plugin folder: "nl/link.h", "host-local/hostlocal.h".
CPPFLAGS += -D_GNU_SOURCE -Icore -Iplugins -Iruntime
# Recipes expand these lazily, after `deps` has run, so pkg-config sees installed packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
# Plugins (and the runtime) are started once per container operation, so start-up time is their cost: libnl,
# libnftnl and jansson are linked statically (the dynamic loader's relocations are a
# visible part of an ADD: docs/benchmarks.md).  The price: a security fix in those libraries needs a
# rebuild, as for the reference's statically linked Go plugins.  libmnl ships no archive.
PLUGIN_LIBS = -Wl,-Bstatic -lnl-route-3 -lnl-3 -lnftnl -ljansson -Wl,-Bdynamic -lmnl -lpthread -lm
# The runtime compiles seccomp profiles (libseccomp, static for the same reason; only a
# cache miss calls it: docs/security.md).
# Images (runtime/image): nettle static; libarchive is not linked but loaded on first use
# (runtime/image/archive_lazy.h: linked, it and its dozen dependencies cost every command
# ~7 ms).  A libarchive call without its trampoline fails this link: rerun
# scripts/gen-archive-lazy.py.
RUNTIME_LIBS = -Wl,-Bstatic -lseccomp -lnettle -Wl,-Bdynamic $(PLUGIN_LIBS)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP

# core/ is four wings (base, cni, nl for netlink, nft) built into one archive; core/etcd,
# the etcd client, is an archive of its own (see its block at the end) so that only what
# calls it links libcurl.
CORE_SRC := $(filter-out core/etcd/%,$(wildcard core/*/*.c))
CORE_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(CORE_SRC))
CORE_LIB := $(BUILD)/libnetns-run-core.a

# A plugin is a directory under plugins/ with C sources; its executable is named after it
# and made of its main.c and an archive of its other sources (its body), which other
# plugins (the bridge runs host-local in process) and the runtime link too.
PLUGINS      := $(sort $(patsubst plugins/%/,%,$(dir $(wildcard plugins/*/*.c))))
PLUGIN_BINS  := $(addprefix $(BUILD)/cni/,$(PLUGINS))
plugin_body   = $(filter-out plugins/$(1)/main.c,$(wildcard plugins/$(1)/*.c))
PLUGIN_ARS   := $(foreach p,$(PLUGINS),$(if $(call plugin_body,$(p)),$(BUILD)/plugins/lib$(p).a))
# Archives in any order: the linker goes round the group until nothing is missing.
PLUGIN_GROUP  = -Wl,--start-group $(PLUGIN_ARS) $(CORE_LIB) -Wl,--end-group

# The runtime: an engine library (runtime/engine) under a thin CLI (runtime/cli); the
# daemon will link the same engine.
ENGINE_SRC  := $(wildcard runtime/engine/*.c)
ENGINE_LIB  := $(if $(ENGINE_SRC),$(BUILD)/libnetns-run-engine.a)
CLI_SRC     := $(wildcard runtime/*.c runtime/cli/*.c)
RUNTIME_BIN := $(if $(CLI_SRC),$(BUILD)/bin/netns-run)
# The image store (runtime/image) is a library under the engine: it knows blobs, layers
# and images, never containers.
IMAGE_SRC   := $(wildcard runtime/image/*.c)
IMAGE_LIB   := $(if $(IMAGE_SRC),$(BUILD)/libnetns-run-image.a)
RUNTIME_GROUP = -Wl,--start-group $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB) -Wl,--end-group
# The DNS responder of user networks (runtime/dns, issue 17): its own program,
# build/bin/netns-run-dns, started by the engine next to the netns-run binary.  It alone
# links ldns (and ldns's libcrypto), so no other command pays their start-up.
DNS_SRC     := $(filter-out runtime/dns/main.c,$(wildcard runtime/dns/*.c))
DNS_LIB     := $(if $(DNS_SRC),$(BUILD)/libnetns-run-dns.a)
DNS_BIN     := $(if $(wildcard runtime/dns/main.c),$(BUILD)/bin/netns-run-dns)
DNS_LIBS     = -lldns $(PLUGIN_LIBS)
# The daemon serving the Docker Engine API (runtime/daemon, issue 18): its own program,
# build/bin/netns-run-daemon (`netns-run daemon` starts it), over the same engine.  It
# alone links libmicrohttpd (and its TLS library).  Re-executed, it is also each of its
# containers' monitor (engine/monitor.h).
DAEMON_SRC  := $(filter-out runtime/daemon/main.c,$(wildcard runtime/daemon/*.c))
DAEMON_LIB  := $(if $(DAEMON_SRC),$(BUILD)/libnetns-run-daemon.a)
DAEMON_BIN  := $(if $(wildcard runtime/daemon/main.c),$(BUILD)/bin/netns-run-daemon)
DAEMON_LIBS  = $(shell pkg-config --libs libmicrohttpd) $(RUNTIME_LIBS)

# Unit tests mirror the tree: tests/unit/<wing or component>/test_NAME.c -> build/tests/test_NAME.
UNIT_SRC  := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(UNIT_SRC)))
# Shared test helpers (fixtures) linked into every unit test.
UNIT_LIB_SRC := $(wildcard tests/unit/*.c)
UNIT_LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(UNIT_LIB_SRC))

# Test helper programs: tests/tools/NAME.c -> build/tests/tools/NAME, linked with the core
# library; built before any test runs.
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRC))

.PHONY: all deps deps-test check unit integration demo bench bench-portmap install uninstall clean fmt

all: $(CORE_LIB) $(PLUGIN_ARS) $(IMAGE_LIB) $(ENGINE_LIB) $(PLUGIN_BINS) $(RUNTIME_BIN) $(DNS_BIN) $(DAEMON_BIN)

deps:
	@scripts/deps.sh $(BUILD_DEBS)

deps-test: deps
	@scripts/deps.sh $(TEST_DEBS)

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

define plugin_ar_rule
$(BUILD)/plugins/lib$(1).a: $(patsubst %.c,$(BUILD)/%.o,$(call plugin_body,$(1)))
	@mkdir -p $$(@D)
	rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach p,$(PLUGINS),$(if $(call plugin_body,$(p)),$(eval $(call plugin_ar_rule,$(p)))))

ifneq ($(ENGINE_LIB),)
$(ENGINE_LIB): $(patsubst %.c,$(BUILD)/%.o,$(ENGINE_SRC))
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^
endif

ifneq ($(IMAGE_LIB),)
$(IMAGE_LIB): $(patsubst %.c,$(BUILD)/%.o,$(IMAGE_SRC))
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^
endif

ifneq ($(DNS_LIB),)
$(DNS_LIB): $(patsubst %.c,$(BUILD)/%.o,$(DNS_SRC))
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^
endif

ifneq ($(DAEMON_LIB),)
$(DAEMON_LIB): $(patsubst %.c,$(BUILD)/%.o,$(DAEMON_SRC))
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^
endif

ifneq ($(DAEMON_BIN),)
# Its objects are linked whole, not from the archive: a weak stand-in (routes_weak.c) must
# not keep the archive's real handler out.
$(DAEMON_BIN): $(patsubst %.c,$(BUILD)/%.o,runtime/daemon/main.c $(DAEMON_SRC)) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(RUNTIME_GROUP) $(DAEMON_LIBS)
endif

ifneq ($(DNS_BIN),)
$(DNS_BIN): $(BUILD)/runtime/dns/main.o $(DNS_LIB) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) -Wl,--start-group $(DNS_LIB) $(CORE_LIB) -Wl,--end-group $(DNS_LIBS)
endif

define plugin_rule
$(BUILD)/cni/$(1): $(BUILD)/plugins/$(1)/main.o $(PLUGIN_ARS) $(CORE_LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(PLUGIN_GROUP) $$(PLUGIN_LIBS)
endef
$(foreach p,$(PLUGINS),$(eval $(call plugin_rule,$(p))))

# The reference calls the loopback plugin "loopback"; ours is "none".  A link keeps
# conflists written for the reference working unchanged.
$(BUILD)/cni/loopback: $(BUILD)/cni/none
	ln -sf none $@
all: $(BUILD)/cni/loopback

# `netns-run version`: git describe and the commit's date at build time (VERSION= overrides;
# outside a git tree, 0.0.0-unknown).  The header is rewritten only when they change, so
# an unchanged tree rebuilds nothing; runtime/cli/version.c falls back without it.
VERSION    ?= $(or $(shell git describe --tags --always --dirty 2>/dev/null),0.0.0-unknown)
GIT_COMMIT := $(or $(shell git rev-parse --short=12 HEAD 2>/dev/null),unknown)
BUILT      := $(or $(shell git log -1 --format=%cd --date=format:'%a %b %e %H:%M:%S %Y' 2>/dev/null),unknown)
.PHONY: version-header
$(BUILD)/gen/nr_version.h: version-header
	@mkdir -p $(@D)
	@printf '#define NR_VERSION "%s"\n#define NR_GIT_COMMIT "%s"\n#define NR_BUILT "%s"\n' \
		'$(VERSION)' '$(GIT_COMMIT)' '$(BUILT)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/runtime/cli/version.o: $(BUILD)/gen/nr_version.h
$(BUILD)/runtime/cli/version.o: CPPFLAGS += -I$(BUILD)/gen

$(RUNTIME_BIN): $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRC)) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(RUNTIME_GROUP) $(RUNTIME_LIBS)

# Docker's default seccomp profile is embedded (.incbin) from its JSON file.
$(BUILD)/runtime/engine/seccomp_default.o: runtime/engine/seccomp_default.json

# cmocka: -Werror=unused-function makes a test that is written but not registered fail the build.
define unit_rule
$(BUILD)/tests/$(basename $(notdir $(1))): $(1) $(UNIT_LIB_OBJ) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB) | deps-test
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) -Werror=unused-function -Itests/unit $$(LDFLAGS) -o $$@ $$< $(UNIT_LIB_OBJ) \
		$$(RUNTIME_GROUP) $$(PKG_LIBS) -lcmocka
endef
$(foreach t,$(UNIT_SRC),$(eval $(call unit_rule,$(t))))
# The DNS responder's unit tests link its library and ldns too.
$(patsubst %.c,$(BUILD)/tests/%,$(notdir $(wildcard tests/unit/dns/test_*.c))): $(DNS_LIB)
# Inside the group: the dns library needs core's symbols, which come before it otherwise.
$(patsubst %.c,$(BUILD)/tests/%,$(notdir $(wildcard tests/unit/dns/test_*.c))): RUNTIME_GROUP = -Wl,--start-group \
	$(DNS_LIB) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB) -Wl,--end-group -lldns

# The daemon's unit tests link its library and libmicrohttpd too.
$(patsubst %.c,$(BUILD)/tests/%,$(notdir $(wildcard tests/unit/daemon/test_*.c))): $(DAEMON_LIB)
$(patsubst %.c,$(BUILD)/tests/%,$(notdir $(wildcard tests/unit/daemon/test_*.c))): RUNTIME_GROUP = -Wl,--start-group \
	$(DAEMON_LIB) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB) -Wl,--end-group $(DAEMON_LIBS)

$(UNIT_LIB_OBJ): | deps-test

$(BUILD)/tests/tools/%: tests/tools/%.c $(PLUGIN_ARS) $(CORE_LIB) | deps-test
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(PLUGIN_GROUP) $(PKG_LIBS)

# Tools that call the image library (tests/integration/images_*.sh) link it, and what it
# links, instead.
IMAGE_TOOLS := layer_tool
$(addprefix $(BUILD)/tests/tools/,$(IMAGE_TOOLS)): $(BUILD)/tests/tools/%: tests/tools/%.c $(IMAGE_LIB) $(ENGINE_LIB) \
		$(PLUGIN_ARS) $(CORE_LIB) | deps-test
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(RUNTIME_GROUP) $(PKG_LIBS)

# Tools that drive the engine itself (tests/integration/daemon_monitor.sh: the daemon's
# container monitor and JSON log) link it, and what it links.
ENGINE_TOOLS := monitor_drive
$(addprefix $(BUILD)/tests/tools/,$(ENGINE_TOOLS)): $(BUILD)/tests/tools/%: tests/tools/%.c $(ENGINE_LIB) \
		$(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB) | deps-test
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(RUNTIME_GROUP) $(RUNTIME_LIBS)

# Tools that speak DNS (tests of the responder, runtime/dns) link ldns.
DNS_TOOLS := dns_query
$(addprefix $(BUILD)/tests/tools/,$(DNS_TOOLS)): $(BUILD)/tests/tools/%: tests/tools/%.c | deps-test
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -lldns

check integration: $(TOOL_BINS)

# The go-cni driver (tests/interop/gocni, issue 15): Go, built offline in GOPATH mode from
# Debian's go-cni and libcni sources (tests/lib/gocni.sh builds it the same way on demand).
GOCNI_BIN := $(BUILD)/interop/gocni
$(GOCNI_BIN): tests/interop/gocni/main.go | deps-test
	@mkdir -p $(@D) $(BUILD)/gocache
	env -u GOFLAGS GOPATH=/usr/share/gocode GO111MODULE=off GOPROXY=off GOCACHE=$(abspath $(BUILD))/gocache \
		go build -o $@ $<
check integration: $(GOCNI_BIN)

check: all $(UNIT_BINS) | deps-test
	@$(MAKE) --no-print-directory fmt-check
	@tests/run-all.sh $(BUILD)
	@$(MAKE) --no-print-directory asan fuzz-check

# The docker.io 20.10 client (API 1.41) for tests/integration/daemon_docker.sh: only its
# /usr/bin/docker, unpacked from the downloaded package into build/deps; the package (its
# dockerd, its services) is never installed.  Without a mirror the test skips that half.
DOCKER20_CLIENT := $(BUILD)/deps/usr/bin/docker
.PHONY: deps-docker-client
deps-docker-client:
	@scripts/deps.sh curl
	@test -x $(DOCKER20_CLIENT) || { mkdir -p $(BUILD)/deps/debs && (cd $(BUILD)/deps/debs && apt-get download -q docker.io >/dev/null 2>&1) && \
		dpkg-deb --fsys-tarfile $$(ls $(BUILD)/deps/debs/docker.io_*.deb | tail -n 1) | tar -x -C $(BUILD)/deps ./usr/bin/docker; } || \
		echo "deps-docker-client: docker.io's client not fetched; daemon_docker.sh skips its API 1.41 half" >&2
check integration: deps-docker-client

unit: $(UNIT_BINS)
	@tests/run-all.sh $(BUILD) unit

integration: all | deps-test
	@tests/run-all.sh $(BUILD) integration

demo: all | deps-test
	@scripts/demo.sh $(BUILD)

# The reference bridge (containernetworking-plugins 1.1.1) masquerades by running iptables;
# crun is what bench/runtime.sh compares netns-run with.
BENCH_DEBS   := iptables crun
BENCH_N      ?= 100
BENCH_ROUNDS ?= 3
bench: all $(BUILD)/bench/cni-time $(BUILD)/bench/floor $(BUILD)/bench/seccomp-cost | deps-test
	@scripts/deps.sh $(BENCH_DEBS)
	@bench/run.sh $(BUILD)
	@bench/bridge.sh $(BUILD) $(BENCH_N) $(BENCH_ROUNDS)
	@bench/runtime.sh $(BUILD)
	@bench/ctr.sh $(BUILD)
	@bench/tuning.sh $(BUILD)
	@bench/firewall.sh $(BUILD)
	@bench/bandwidth.sh $(BUILD)
	@bench/images.sh $(BUILD)
	@bench/dns.sh $(BUILD)
	@bench/daemon.sh $(BUILD)
	@$(BUILD)/bench/seccomp-cost

# Port publishing at scale (issue 5): BENCH_PM_N containers x 2 ports, ours and the reference.
BENCH_PM_N ?= 1000
bench-portmap: all | deps-test
	@scripts/deps.sh $(BENCH_DEBS)
	@bench/portmap.sh $(BUILD) $(BENCH_PM_N)

# Before/after in one run (issue 13): this tree against the revision BASE, built apart in
# /tmp/netns-run-base-<commit>, the benches interleaved (bench/compare.sh, docs/benchmarks.md).
BASE              ?= 0f0e528
BENCH_CMP_N       ?= 50
BENCH_CMP_ROUNDS  ?= 5
.PHONY: bench-compare
bench-compare: all $(BUILD)/bench/cni-time | deps-test
	@scripts/deps.sh $(BENCH_DEBS)
	@bench/compare.sh $(BUILD) $(BASE) $(BENCH_CMP_N) $(BENCH_CMP_ROUNDS)

# The seccomp filter's pieces alone (docs/security.md, "Cost").
$(BUILD)/bench/seccomp-cost: $(BUILD)/bench/seccomp-cost.o $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(RUNTIME_GROUP) $(RUNTIME_LIBS)

$(BUILD)/bench/cni-time: $(BUILD)/bench/cni-time.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# The kernel's share of a bridge ADD/DEL, linked as the plugins are so that its start-up
# costs what theirs does.
$(BUILD)/bench/floor: $(BUILD)/bench/floor.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PLUGIN_LIBS)

install: all
	install -d $(DESTDIR)$(CNIDIR)
	install -m 0755 $(PLUGIN_BINS) $(DESTDIR)$(CNIDIR)/
	ln -sf none $(DESTDIR)$(CNIDIR)/loopback
	$(if $(RUNTIME_BIN),install -d $(DESTDIR)$(BINDIR) && install -m 0755 $(RUNTIME_BIN) $(DNS_BIN) $(DESTDIR)$(BINDIR)/)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(CNIDIR)/,$(PLUGINS) loopback) $(DESTDIR)$(BINDIR)/netns-run $(DESTDIR)$(BINDIR)/netns-run-dns

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# Style: .clang-format, tuned for clang-format 14 (another version moves a few spots).
# `make fmt` rewrites every tracked .c/.h, `make fmt-check` lists the files it would change.
.PHONY: fmt-check
FMT_FILES = $(shell git ls-files '*.[ch]' | grep -v '^tests/fuzz/corpus/')
CLANG_FORMAT ?= $(firstword $(shell command -v clang-format-14 clang-format) clang-format-14)

fmt:
	@test -n "$(FMT_FILES)" || { echo "fmt: git lists no .c/.h files here" >&2; exit 1; }
	@command -v $(CLANG_FORMAT) >/dev/null || scripts/deps.sh clang-format-14
	$(CLANG_FORMAT) -i $(FMT_FILES)

fmt-check:
	@test -n "$(FMT_FILES)" || { echo "fmt-check: git lists no .c/.h files here" >&2; exit 1; }
	@command -v $(CLANG_FORMAT) >/dev/null || scripts/deps.sh clang-format-14
	@bad=$$($(CLANG_FORMAT) --dry-run $(FMT_FILES) 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: .*/\1/p' | uniq); \
	if [ -n "$$bad" ]; then echo "$(CLANG_FORMAT) would change:"; echo "$$bad"; exit 1; fi

include tests/reliability.mk
$(FUZZ_BUILD)/runtime/engine/seccomp_default.o: runtime/engine/seccomp_default.json

# The daemon's server (runtime/daemon, issue 18): gnutls for client-certificate checks
# (libmicrohttpd links it anyway), the build's version in the Server header and /version,
# and `make install` of the daemon and its systemd units (installed, never enabled).
DAEMON_LIBS += -lgnutls
$(FUZZ_BUILD)/fuzz_daemon_%: PKG_LIBS += -lgnutls
TEST_DEBS += curl openssl
$(addprefix $(BUILD)/runtime/daemon/,system.o server_self.o): $(BUILD)/gen/nr_version.h
$(addprefix $(BUILD)/runtime/daemon/,system.o server_self.o): CPPFLAGS += -I$(BUILD)/gen
UNITDIR ?= $(PREFIX)/lib/systemd/system
.PHONY: install-daemon uninstall-daemon
install: install-daemon
install-daemon: all
	$(if $(DAEMON_BIN),install -d $(DESTDIR)$(BINDIR) && install -m 0755 $(DAEMON_BIN) $(DESTDIR)$(BINDIR)/)
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/netns-run.service >$(DESTDIR)$(UNITDIR)/netns-run.service
	install -m 0644 contrib/systemd/netns-run.socket $(DESTDIR)$(UNITDIR)/netns-run.socket
	chmod 0644 $(DESTDIR)$(UNITDIR)/netns-run.service
uninstall: uninstall-daemon
uninstall-daemon:
	rm -f $(DESTDIR)$(BINDIR)/netns-run-daemon $(DESTDIR)$(UNITDIR)/netns-run.service $(DESTDIR)$(UNITDIR)/netns-run.socket


-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Network labs (runtime/lab, issue 19): their own program, build/bin/netns-run-lab (`netns-run
# lab` execs it), over the same engine.  It alone links libyaml (the topology file) and
# Graphviz's libgvc (the picture).  Its objects are linked whole: a weak stand-in
# (cmd_weak.c) must not keep a verb's real file out of the archive.
BUILD_DEBS += libyaml-dev libgraphviz-dev
TEST_DEBS  += frr
LAB_SRC  := $(filter-out runtime/lab/main.c,$(wildcard runtime/lab/*.c))
LAB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(LAB_SRC))
LAB_BIN  := $(if $(wildcard runtime/lab/main.c),$(BUILD)/bin/netns-run-lab)
LAB_LIBS  = -lyaml $(shell pkg-config --libs libgvc) $(RUNTIME_LIBS)
$(BUILD)/runtime/lab/%.o: CPPFLAGS += $(shell pkg-config --cflags libgvc)
all: $(LAB_BIN)
ifneq ($(LAB_BIN),)
$(LAB_BIN): $(BUILD)/runtime/lab/main.o $(LAB_OBJ) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(RUNTIME_GROUP) $(LAB_LIBS)
endif
# The lab's unit tests (tests/unit/lab) link its objects, bar main.o, and its libraries.
LAB_UNIT_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(wildcard tests/unit/lab/test_*.c)))
$(LAB_UNIT_BINS): $(LAB_OBJ)
$(LAB_UNIT_BINS): RUNTIME_GROUP = $(LAB_OBJ) -Wl,--start-group $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) \
	$(CORE_LIB) -Wl,--end-group $(LAB_LIBS)
# fuzz_lab_*.c: the topology parser (runtime/lab), which links libyaml.
FUZZ_DIR_lab := runtime/lab runtime/engine runtime/image
$(FUZZ_BUILD)/fuzz_lab_%: PKG_LIBS += -lyaml $(shell pkg-config --libs libgvc)
$(FUZZ_BUILD)/runtime/lab/%.o: FUZZ_CFLAGS += $(shell pkg-config --cflags libgvc)
install: install-lab
uninstall: uninstall-lab
.PHONY: install-lab uninstall-lab
install-lab: all
	$(if $(LAB_BIN),install -d $(DESTDIR)$(BINDIR) && install -m 0755 $(LAB_BIN) $(DESTDIR)$(BINDIR)/)
uninstall-lab:
	rm -f $(DESTDIR)$(BINDIR)/netns-run-lab

# The daemon's container monitor as a program of its own, build/bin/netns-run-monitor
# (runtime/monitor/main.c over runtime/daemon/monitor_main.c): the daemon spawns one per
# container, and without libmicrohttpd and GnuTLS it starts in a fraction of the time.
MONITOR_OBJ := $(patsubst %.c,$(BUILD)/%.o,runtime/monitor/main.c \
	$(addprefix runtime/daemon/,monitor_main.c create_body.c ctr_exit.c))
MONITOR_BIN := $(if $(wildcard runtime/monitor/main.c),$(BUILD)/bin/netns-run-monitor)
all: $(MONITOR_BIN)
ifneq ($(MONITOR_BIN),)
$(MONITOR_BIN): $(MONITOR_OBJ) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(RUNTIME_GROUP) $(RUNTIME_LIBS)
endif
install: install-monitor
uninstall: uninstall-monitor
.PHONY: install-monitor uninstall-monitor
install-monitor: all
	$(if $(MONITOR_BIN),install -d $(DESTDIR)$(BINDIR) && install -m 0755 $(MONITOR_BIN) $(DESTDIR)$(BINDIR)/)
uninstall-monitor:
	rm -f $(DESTDIR)$(BINDIR)/netns-run-monitor

# Lab topology (lab-topo): reliability.mk makes the fuzz rules before FUZZ_DIR_lab above is
# set, so a fuzz_lab_* target would link none of runtime/lab: its objects, added here.
$(foreach t,$(filter fuzz_lab_%,$(basename $(notdir $(FUZZ_SRC)))),$(eval $(FUZZ_BUILD)/$(t): $(call fuzz_plugin_objs,lab)))

# The etcd client (core/etcd, issue 20): its own archive, build/libnetns-run-etcd.a, and
# libcurl, linked only by what calls it (the overlay agent, tests/tools/etcd_tool), never
# by the plugins (PLUGIN_LIBS) or the runtime.  libcurl's OpenSSL flavour: Debian's default
# libcurl-dev, the library the curl program on these hosts already loads, and OpenSSL
# reads every PEM key etcd's TLS guides make (PKCS#1, PKCS#8, EC).  The parser
# (etcd_json.c, etcd_b64.c) needs no libcurl: the unit tests and the fuzz target link it alone.
BUILD_DEBS += libcurl4-openssl-dev
TEST_DEBS  += etcd-server
ETCD_SRC  := $(wildcard core/etcd/*.c)
ETCD_LIB  := $(if $(ETCD_SRC),$(BUILD)/libnetns-run-etcd.a)
ETCD_LIBS  = $(shell pkg-config --libs libcurl) -lpthread
all: $(ETCD_LIB)
ifneq ($(ETCD_LIB),)
$(ETCD_LIB): $(patsubst %.c,$(BUILD)/%.o,$(ETCD_SRC))
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^
endif
ETCD_UNIT_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(wildcard tests/unit/etcd/test_*.c)))
$(ETCD_UNIT_BINS): $(ETCD_LIB)
$(ETCD_UNIT_BINS): RUNTIME_GROUP = -Wl,--start-group $(ETCD_LIB) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) \
	$(CORE_LIB) -Wl,--end-group
$(BUILD)/tests/tools/etcd_tool: tests/tools/etcd_tool.c $(ETCD_LIB) $(CORE_LIB) | deps-test
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -Wl,--start-group $(ETCD_LIB) $(CORE_LIB) -Wl,--end-group $(PKG_LIBS) \
		$(ETCD_LIBS)
# fuzz_etcd_*.c: the parser, without the transport.
$(FUZZ_BUILD)/fuzz_etcd_response: $(patsubst %.c,$(FUZZ_BUILD)/%.o,core/etcd/etcd_json.c core/etcd/etcd_b64.c)

# Network labs' benchmark (bench/lab.sh, docs/benchmarks.md "Labs"): deploy and destroy of
# a 100-node ring against the `ip netns`/`ip link` floor, in `make bench`.
BENCH_LAB_N ?= 100
BENCH_LAB_ROUNDS ?= 3
.PHONY: bench-lab
bench: bench-lab
bench-lab: all | deps-test
	@bench/lab.sh $(BUILD) $(BENCH_LAB_N) $(BENCH_LAB_ROUNDS)

# Overlay networks across hosts (runtime/overlay, issue 20): their own program,
# build/bin/netns-run-overlay (`netns-run network create --driver overlay`, `join`, `leave`
# and `rm` of an overlay network exec it; the engine runs its `agent` verb), over the same
# engine.  It alone of the runtime's programs links the etcd client, hence libcurl.
OVERLAY_SRC := $(filter-out runtime/overlay/main.c,$(wildcard runtime/overlay/*.c))
OVERLAY_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(OVERLAY_SRC))
OVERLAY_BIN := $(if $(wildcard runtime/overlay/main.c),$(BUILD)/bin/netns-run-overlay)
OVERLAY_LIBS = $(ETCD_LIBS) $(RUNTIME_LIBS)
all: $(OVERLAY_BIN)
ifneq ($(OVERLAY_BIN),)
$(OVERLAY_BIN): $(BUILD)/runtime/overlay/main.o $(OVERLAY_OBJ) $(ETCD_LIB) $(ENGINE_LIB) $(IMAGE_LIB) $(PLUGIN_ARS) \
		$(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) -Wl,--start-group $(ETCD_LIB) $(ENGINE_LIB) $(IMAGE_LIB) \
		$(PLUGIN_ARS) $(CORE_LIB) -Wl,--end-group $(OVERLAY_LIBS)
endif
# netns-run-overlay's unit tests (tests/unit/overlay/test_ovl_*.c; the plugin's share the
# folder) link its objects, bar main.o.
OVERLAY_UNIT_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(wildcard tests/unit/overlay/test_ovl_*.c)))
$(OVERLAY_UNIT_BINS): $(OVERLAY_OBJ) $(ETCD_LIB)
$(OVERLAY_UNIT_BINS): RUNTIME_GROUP = $(OVERLAY_OBJ) -Wl,--start-group $(ETCD_LIB) $(ENGINE_LIB) $(IMAGE_LIB) \
	$(PLUGIN_ARS) $(CORE_LIB) -Wl,--end-group $(OVERLAY_LIBS)
install: install-overlay
uninstall: uninstall-overlay
.PHONY: install-overlay uninstall-overlay
install-overlay: all
	$(if $(OVERLAY_BIN),install -d $(DESTDIR)$(BINDIR) && install -m 0755 $(OVERLAY_BIN) $(DESTDIR)$(BINDIR)/)
uninstall-overlay:
	rm -f $(DESTDIR)$(BINDIR)/netns-run-overlay

# Multi-host overlay benchmark (bench/overlay.sh, docs/benchmarks.md "Multi-host overlay"):
# three hosts (namespaces) and a 3-member etcd; iperf3 over VXLAN against the underlay, a
# container's ADD on the overlay against a local bridge, join to reachable, etcd calls per
# container start.
TEST_DEBS += iperf3
BENCH_OVERLAY_N ?= 20
BENCH_OVERLAY_ROUNDS ?= 3
.PHONY: bench-overlay
bench: bench-overlay
bench-overlay: all | deps-test
	@bench/overlay.sh $(BUILD) $(BENCH_OVERLAY_N) $(BENCH_OVERLAY_ROUNDS)
# fuzz_ovl_def: what netns-run-overlay reads from the store (ovl_def.c alone: jansson and core).
$(FUZZ_BUILD)/fuzz_ovl_def: $(FUZZ_BUILD)/runtime/overlay/ovl_def.o
