#!/bin/sh
# tests/fuzz/run.sh BUILD_DIR [TARGET...]: runs each libFuzzer target of
# BUILD_DIR (a -Dfuzz=true build) for FUZZ_SECONDS (default 60), one after
# the other, from the committed seeds in tests/fuzz/corpus/TARGET (never
# written: new inputs go to BUILD_DIR/fuzz/corpus/TARGET). A crash, timeout,
# leak or sanitizer report fails the run; its input is kept as
# BUILD_DIR/fuzz/artifacts/TARGET-crash-... Prints one line per target:
# executions, coverage (libFuzzer's cov:) and the result.
set -u
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [TARGET...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-60}
targets=${*:-spec cli template reference manifest seccomp mount tar audit}
# Absolute: a target may change its working directory (fuzz_cli does).
build=$(cd "$build" && pwd)
out=$build/fuzz
mkdir -p "$out/artifacts" "$out/logs"
# UBSan's reports are errors, as LeakSanitizer's and ASan's are.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
failed=0
summary=""
for t in $targets; do
	binary=$build/tests/fuzz/fuzz_$t
	if [ ! -x "$binary" ]; then
		echo "fuzz: no target $binary" >&2
		failed=1
		continue
	fi
	mkdir -p "$out/corpus/$t"
	dict=""
	[ -f "$here/dict/$t.dict" ] && dict="-dict=$here/dict/$t.dict"
	log=$out/logs/$t.log
	echo "fuzz: $t for ${seconds}s"
	# shellcheck disable=SC2086
	nice -n 10 "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" $dict \
		"$out/corpus/$t" "$here/corpus/$t" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	if [ $status -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $status, see $log)"
		failed=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 >&2
	fi
	summary="$summary$(printf '%-10s %12s execs  cov %6s  %s' "$t" "${runs:-?}" "${cov:-?}" "$result")
"
done
printf '\n%s' "$summary"
[ $failed -eq 0 ] && echo "fuzz: all passed" || echo "fuzz: failures"
exit $failed
