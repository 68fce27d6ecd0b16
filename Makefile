# Thin wrapper over CMake. `make run` and `make test` work on a fresh Debian machine: they install
# what is missing (scripts/install-deps.sh), build, and run.
JOBS ?= $(shell nproc)
BUILD ?= build
CONF ?= conf/respite.conf

.PHONY: all deps build run test test-asan test-tsan fuzz bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/respite-server $(CONF)

# Everything CI runs: Release tests, then the sanitizer builds and a short fuzz run.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory fuzz

test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRESPITE_SANITIZE=address >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ctest --output-on-failure -j $(JOBS) -LE differential

test-tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRESPITE_SANITIZE=thread >/dev/null
	@cmake --build build-tsan -j $(JOBS)
	@# detect_deadlocks=0: TSan's lock-order detector aborts when a thread holds more than 64 mutexes,
	@# which FLUSHDB and SWAPDB do by design (every shard, locked in address order). Races are still
	@# reported and halt the run.
	@cd build-tsan && TSAN_OPTIONS="halt_on_error=1 detect_deadlocks=0" ctest --output-on-failure -j $(JOBS) -L tsan

fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRESPITE_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_resp_parser fuzz_commands
	@mkdir -p build-fuzz/corpus build-fuzz/corpus_commands
	@# New inputs go to the build dir's corpus (first dir); the committed seeds stay as they are.
	@build-fuzz/tests/fuzz/fuzz_resp_parser -max_total_time=30 -dict=tests/fuzz/resp.dict build-fuzz/corpus tests/fuzz/corpus/parser
	@# The command fuzzer: its seeds and crash regressions replayed, then 25 s of new inputs.
	@build-fuzz/tests/fuzz/fuzz_commands -max_total_time=25 -timeout=10 -rss_limit_mb=4096 build-fuzz/corpus_commands tests/fuzz/corpus_commands

bench: build
	@scripts/install-deps.sh --bench
	bench/compare.sh

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build build-asan build-tsan build-fuzz
