# Reliability targets, included from the Makefile (docs/reliability.md says what each does
# and how to add a case):
#   make asan       everything built with ASan+UBSan into $(ASAN_BUILD), unit + integration
#                   tests run with it; any sanitizer report, in a test or in a plugin, fails
#   make fuzz       every tests/fuzz/fuzz_*.c target for FUZZ_SECONDS each (clang libFuzzer)
#   make fuzz-check the same for FUZZ_CHECK_SECONDS (1) each (part of `make check`)
#   make valgrind   memcheck over each plugin's ADD/CHECK/DEL/GC
#   make churn      the concurrent churn test at full size (CHURN_OPS, default 2000)
ASAN_BUILD ?= build-asan
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

FUZZ_BUILD         ?= build-fuzz
FUZZ_CC            ?= clang-14
FUZZ_SECONDS       ?= 60
FUZZ_CHECK_SECONDS ?= 1
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter -Wno-unused-function -Werror \
	      -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(CPPFLAGS) -Iplugins/bridge -Iruntime $(PKG_CFLAGS)
# Targets of parsers still being written elsewhere are built once core/ defines them.
FUZZ_NEEDS_cni_netconf := cni_netconf_parse
FUZZ_NEEDS_cni_cache   := cni_cache_read
fuzz_defined = $(shell grep -qs '^int $(1)\b' core/*/*.c && echo yes)
FUZZ_SRC   := $(foreach f,$(wildcard tests/fuzz/fuzz_*.c),$(if $(FUZZ_NEEDS_$(patsubst fuzz_%,%,$(basename $(notdir $(f))))),$(if $(call fuzz_defined,$(FUZZ_NEEDS_$(patsubst fuzz_%,%,$(basename $(notdir $(f)))))),$(f)),$(f)))
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
FUZZ_CORE  := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(CORE_SRC))
# Every target links core/ and every plugin's body (host-local's parsers, the bridge's
# config); a target named fuzz_<word>_*.c also links the sources but main.c of the
# directories FUZZ_DIR_<word>.
FUZZ_PLUGINS := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(foreach p,$(PLUGINS),$(call plugin_body,$(p))))
FUZZ_DIR_runtime := runtime runtime/engine runtime/cli runtime/image
# fuzz_image_*.c: the image store's parsers and the layer unpacker.
FUZZ_DIR_image := runtime/image
# fuzz_dns_*.c: the DNS responder's names file and query path (runtime/dns), which link ldns.
FUZZ_DIR_dns := runtime/dns
$(FUZZ_BUILD)/fuzz_dns_%: PKG_LIBS += -lldns
# fuzz_daemon_*.c: the daemon's router and create-body parser (runtime/daemon, over the
# engine and the image store), which link libmicrohttpd.
FUZZ_DIR_daemon := runtime/daemon runtime/engine runtime/image
$(FUZZ_BUILD)/fuzz_daemon_%: PKG_LIBS += $(shell pkg-config --libs libmicrohttpd)

.PHONY: asan asan-build fuzz fuzz-check fuzz-build valgrind churn

asan-build: | deps-test
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
		all $(patsubst $(BUILD)/%,$(ASAN_BUILD)/%,$(UNIT_BINS) $(TOOL_BINS))

asan: asan-build
	@tests/reliability/sanitize.sh $(ASAN_BUILD)

$(FUZZ_BUILD)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

fuzz_plugin_objs = $(if $(FUZZ_DIR_$(1)),$(patsubst %.c,$(FUZZ_BUILD)/%.o,$(filter-out %/main.c,$(wildcard $(addsuffix /*.c,$(FUZZ_DIR_$(1)))))))
define fuzz_rule
$(FUZZ_BUILD)/$(1): $(FUZZ_BUILD)/tests/fuzz/$(1).o $(FUZZ_CORE) $(FUZZ_PLUGINS) $(call fuzz_plugin_objs,$(word 2,$(subst _, ,$(1))))
	$$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach t,$(basename $(notdir $(FUZZ_SRC))),$(eval $(call fuzz_rule,$(t))))

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@tests/reliability/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-check: fuzz-build
	@tests/reliability/fuzz.sh $(FUZZ_BUILD) $(FUZZ_CHECK_SECONDS)

valgrind: all | deps-test
	@tests/run-all.sh $(BUILD) integration valgrind.sh

churn: all | deps-test
	@CHURN_OPS=$${CHURN_OPS:-2000} tests/run-all.sh $(BUILD) integration churn.sh

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
