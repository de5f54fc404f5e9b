#!/bin/bash
# tests/check.sh BUILD ASAN_BUILD -- everything `make check` runs after building:
#
#   1. the cmocka unit tests of BUILD and of ASAN_BUILD (AddressSanitizer,
#      LeakSanitizer, UBSan), through `meson test`;
#   2. the bats integration suite against BUILD/husk, in a sandbox, with the
#      host checked for leaks (tests/integration/run.sh), then against
#      ASAN_BUILD/husk, where any sanitizer report fails the test during which
#      it was written (CHECK_ASAN_INTEGRATION=0 leaves this run out, and says
#      so).
#
# Counting: every cmocka test case is one test (from the TAP each unit test
# executable prints; a test executable that prints no TAP counts as one test).
# A unit test executable that exits non-zero although all its cases passed
# (a sanitizer report: leak, UBSan, ASan at exit) or that stops before its
# plan is complete adds failures. Every bats test is one test; a leak onto the
# host counts as one more failure.
#
# The last line of output is "N passed, N failed"; the exit status is 0 only
# if nothing failed.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD ASAN_BUILD" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
build=$1
asan_build=$2
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

passed=0
failed=0

# Sanitizer reports must fail the test that caused them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:print_summary=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-print_suppressions=0}

# count_meson_tests TESTLOG_JSON: prints "PASSED FAILED", and a "# ..." line
# for each problem, from meson's testlog.json (one JSON object per line).
count_meson_tests() {
	python3 - "$1" <<'EOF'
import json, re, sys

passed = failed = 0
notes = []
with open(sys.argv[1]) as log:
    for line in log:
        line = line.strip()
        if not line:
            continue
        test = json.loads(line)
        name = test.get("name", "?")
        result = test.get("result", "")
        stdout = test.get("stdout") or ""
        stderr = test.get("stderr") or ""
        ok = bad = skip = 0
        plan = None
        for tap in stdout.splitlines():
            m = re.match(r"^1\.\.(\d+)", tap)
            if m:  # one plan per cmocka group
                plan = (plan or 0) + int(m.group(1))
            elif re.match(r"^not ok\b", tap):
                bad += 1
            elif re.match(r"^ok\b", tap):
                if re.search(r"#\s*skip", tap, re.I):
                    skip += 1
                else:
                    ok += 1
        good_result = result in ("OK", "SKIP", "EXPECTEDFAIL")
        if ok + bad + skip == 0 and plan is None:
            # no TAP at all: the executable is one test
            if good_result:
                passed += 1
            else:
                failed += 1
                notes.append("%s: %s (exit status %s)" % (name, result, test.get("returncode")))
            continue
        if plan is not None and ok + bad + skip < plan:
            missing = plan - (ok + bad + skip)
            bad += missing
            notes.append("%s: %d of %d test cases never reported" % (name, missing, plan))
        sanitizer = re.search(r"(ERROR: (Address|Leak)Sanitizer|runtime error:)", stderr)
        if not good_result and bad == 0:
            bad += 1
            why = sanitizer.group(1) if sanitizer else "exit status %s" % test.get("returncode")
            notes.append("%s: %s although every case passed (%s)" % (name, result, why))
        elif sanitizer and bad == 0:
            bad += 1
            notes.append("%s: %s" % (name, sanitizer.group(1)))
        passed += ok
        failed += bad
for note in notes:
    print("# unit: " + note)
print(passed, failed)
EOF
}

# unit BUILD_DIR: runs and counts the unit tests of one build.
unit() {
	local dir=$1 log counts p f rc
	if [ ! -f "$dir/build.ninja" ]; then
		echo "# unit ($dir): not configured (run make check)"
		failed=$((failed + 1))
		return
	fi
	log=$dir/meson-logs/testlog.json
	rm -f "$log"
	echo "== unit tests: $dir"
	meson test -C "$dir" --print-errorlogs
	rc=$?
	if [ ! -f "$log" ]; then
		if [ "$rc" = 0 ]; then
			echo "unit ($dir): 0 passed, 0 failed (no unit tests)"
		else
			echo "unit ($dir): meson test failed with status $rc and ran nothing"
			failed=$((failed + 1))
		fi
		return
	fi
	counts=$(count_meson_tests "$log") || {
		echo "unit ($dir): cannot read $log"
		failed=$((failed + 1))
		return
	}
	printf '%s\n' "$counts" | grep '^#'
	read -r p f <<<"$(printf '%s\n' "$counts" | tail -1)"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "# unit ($dir): meson test exited with status $rc"
		f=1
	fi
	echo "unit ($dir): $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}

unit "$build"
unit "$asan_build"

# integration HUSK_BINARY: runs and counts the integration suite.
integration() {
	local out summary p f
	echo "== integration tests: $1"
	out=$(mktemp /tmp/husk-check.XXXXXX)
	tests/integration/run.sh "$1" | tee "$out"
	summary=$(grep -E '^integration: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
	rm -f "$out"
	if [ -n "$summary" ]; then
		read -r p f <<<"$(echo "$summary" | sed -E 's/^integration: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')"
		passed=$((passed + p))
		failed=$((failed + f))
	else
		echo "# integration: no summary line (run.sh crashed?)"
		failed=$((failed + 1))
	fi
}

integration "$build/husk"
# The suite again against the sanitizer build of husk: run.sh has every
# AddressSanitizer, LeakSanitizer and UBSan report written to a file, and
# helpers.bash fails the test during which one appeared.
if [ "${CHECK_ASAN_INTEGRATION:-1}" = 0 ]; then
	echo "# integration ($asan_build/husk): left out (CHECK_ASAN_INTEGRATION=0)"
else
	integration "$asan_build/husk"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
