# Thin wrapper around meson: every target installs what it needs first.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
MESON_FLAGS ?= --buildtype=debugoptimized -Dwerror=true

.PHONY: all deps demo check unit integration bench clean format fuzz
all: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) --quiet > $(BUILD)/ninja.log 2>&1 || { cat $(BUILD)/ninja.log; exit 1; }
	@grep -v "^ninja: no work to do" $(BUILD)/ninja.log || true

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	@meson setup $(BUILD) $(MESON_FLAGS) >/dev/null

$(ASAN_BUILD)/build.ninja:
	@meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null

demo: all
	@scripts/demo.sh $(BUILD)/husk

check: all $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD) --quiet > $(ASAN_BUILD)/ninja.log 2>&1 || { cat $(ASAN_BUILD)/ninja.log; exit 1; }
	@tests/check.sh $(BUILD) $(ASAN_BUILD)

# libFuzzer targets (tests/fuzz), clang with ASan+UBSan in their own build
# directory; each runs FUZZ_SECONDS (default 60). Not part of check: long.
$(FUZZ_BUILD)/build.ninja:
	@CC=clang meson setup $(FUZZ_BUILD) --buildtype=debugoptimized -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null

fuzz: deps $(FUZZ_BUILD)/build.ninja
	@ninja -C $(FUZZ_BUILD) fuzz > $(FUZZ_BUILD)/ninja.log 2>&1 || { cat $(FUZZ_BUILD)/ninja.log; exit 1; }
	@tests/fuzz/run.sh $(FUZZ_BUILD)

bench: all
	@bench/run.sh $(BUILD)/husk

format:
	@clang-format -i src/*/*.[ch] src/*/*/*.[ch] src/*.c tests/unit/*.c tests/fuzz/*.[ch] bench/*.c

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
