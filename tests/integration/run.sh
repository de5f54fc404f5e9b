#!/bin/bash
# Runs the bats integration suite against HUSK_BINARY inside a sandbox and
# checks that nothing leaked onto the host.
#
#   tests/integration/run.sh HUSK_BINARY [BATS_FILE...]
#
# HUSK_TEST_FILTER=REGEX runs only the tests whose names match (bats --filter).
#
# The sandbox is `unshare --mount --net --propagation private`: its own network
# namespace with only `lo` (up), so no test traffic can leave the machine, and
# its own mount namespace with a tmpfs holding HUSK_ROOT and every temporary
# file. Before and after, the host is snapshotted (overlay/husk mounts, husk
# cgroup directories, network namespaces, links, husk processes); anything new
# afterwards is a leak and counts as one failed test.
#
# Output: the TAP stream of bats, "# leaked: ..." lines if any, and as the last
# line "integration: N passed, N failed". Exit status 0 only if nothing failed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# --- inside the sandbox --------------------------------------------------------
if [ "${1:-}" = --inside-sandbox ]; then
	shift
	scratch=$1 husk=$2 token=$3
	shift 3
	ip link set lo up || echo "not ok leak - sandbox: cannot bring lo up"
	mount -t tmpfs -o mode=0711,size=2g husk-integration "$scratch" || {
		echo "not ok leak - sandbox: cannot mount a tmpfs on $scratch"
		exit 1
	}
	mkdir -p "$scratch/root" "$scratch/tmp"
	export HUSK=$husk HUSK_ROOT=$scratch/root TMPDIR=$scratch/tmp
	cd "$scratch/tmp" || exit 1
	# The token marks every process the tests start (husk keeps its
	# environment), so leftovers can be found afterwards.
	env HUSK_INTEGRATION_TOKEN="$token" BATS_TEST_TIMEOUT=60 \
		bats --tap ${HUSK_TEST_FILTER:+--filter "$HUSK_TEST_FILTER"} "$@"
	rc=$?
	if [ -n "${HUSK_SANITIZER_LOGS:-}" ] && ls "$HUSK_SANITIZER_LOGS"/report.* >/dev/null 2>&1; then
		cat "$HUSK_SANITIZER_LOGS"/report.* | sed 's/^/# /'
		echo "not ok leak - sanitizer reports written after the last test"
	fi
	leftovers=$(ls -A "$HUSK_ROOT/containers" 2>/dev/null)
	if [ -n "$leftovers" ]; then
		echo "# leaked: containers left in \$HUSK_ROOT/containers:" $leftovers
		echo "not ok leak - sandbox: \$HUSK_ROOT/containers is not empty"
	fi
	# Processes the tests started that outlived bats (they would keep this
	# sandbox alive); kill them so the host snapshot sees their side effects
	# go away only if husk cleans up after them.
	stray=$(grep -lzx "HUSK_INTEGRATION_TOKEN=$token" /proc/[0-9]*/environ 2>/dev/null |
		cut -d/ -f3 | grep -vx "$$")
	if [ -n "$stray" ]; then
		for pid in $stray; do
			echo "# leaked: process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
		done
		echo "not ok leak - sandbox: processes outlived the tests"
		kill -KILL $stray 2>/dev/null
	fi
	exit $rc
fi

# --- on the host -----------------------------------------------------------------
report() { # passed failed
	echo "integration: $1 passed, $2 failed"
	[ "$2" = 0 ]
	exit
}

if [ $# -lt 1 ]; then
	echo "usage: $0 HUSK_BINARY [BATS_FILE...]" >&2
	report 0 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "# the integration tests must run as root" >&2
	report 0 1
fi
husk=$(realpath -e "$1" 2>/dev/null) && [ -x "$husk" ] || {
	echo "# $1: no such executable" >&2
	report 0 1
}
shift
for tool in bats unshare ip pgrep script tmux; do
	command -v "$tool" >/dev/null || {
		echo "# $tool is missing (scripts/install-deps.sh installs it)" >&2
		report 0 1
	}
done
if [ $# -gt 0 ]; then
	files=()
	for f in "$@"; do
		files+=("$(realpath -e "$f")") || report 0 1
	done
else
	# The escape regression suite runs in the same sandbox, with the same checks.
	files=("$here"/*.bats "$here"/../security/*.bats)
fi

snapshot() {
	local p
	grep -E 'overlay|husk' /proc/self/mountinfo | sed 's/^/mount: /'
	find /sys/fs/cgroup -type d -path '*husk*' 2>/dev/null | sed 's/^/cgroup: /'
	ip netns list 2>/dev/null | sed 's/^/netns: /'
	ip -o link 2>/dev/null | awk -F': ' '{print "link: " $2}'
	for p in $(pgrep -x husk); do
		echo "process: $p $(tr "\0" " " 2>/dev/null <"/proc/$p/cmdline")"
	done
}

work=$(mktemp -d /tmp/husk-integration.XXXXXX) || report 0 1
# Searchable by others (not listable): a --userns private container's root is
# an unprivileged host uid that must reach its files under HUSK_ROOT.
chmod 0711 "$work"
mkdir "$work/sandbox"
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
# A sanitizer build (linked with libasan) writes each AddressSanitizer,
# LeakSanitizer or UBSan report to a file of its own here: none is lost with
# the stderr of a monitor, a shim or a command whose status a test ignores,
# and helpers.bash fails the test during which one appeared.
if ldd "$husk" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	mkdir -p "$work/sanitizer/seen"
	export HUSK_SANITIZER_LOGS=$work/sanitizer
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}:log_path=$work/sanitizer/report"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}:log_path=$work/sanitizer/report"
fi
snapshot | sort >"$work/before"

# Output goes to a file, shown as it grows: a leaked process holding the
# output open must not hang the run (as a pipe to tee would).
: >"$work/tap" # tail must find it, however fast it starts
timeout -k 10 1500 unshare --mount --net --propagation private \
	"$here/run.sh" --inside-sandbox "$work/sandbox" "$husk" "$token" "${files[@]}" \
	</dev/null >"$work/tap" 2>&1 &
sandbox=$!
tail -n +1 -s 0.2 -f --pid=$sandbox "$work/tap"
wait $sandbox
rc=$?

# Give processes killed at the end of the sandbox a moment to be reaped.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	comm -13 "$work/before" <(snapshot | sort) >"$work/new"
	[ -s "$work/new" ] || break
	sleep 0.3
done

passed=$(grep -cE '^ok ' "$work/tap" | head -1)
skipped=$(grep -cE '^ok .* # skip' "$work/tap" | head -1)
failed=$(grep -cE '^not ok ' "$work/tap" | head -1)
passed=$((passed - skipped))
# Tests bats announced but never reported (it crashed, or timed out) failed.
plan=$(sed -n 's/^1\.\.\([0-9]\+\)$/\1/p' "$work/tap" | head -1)
reported=$(grep -cE '^(not )?ok [0-9]' "$work/tap")
if [ -z "$plan" ]; then
	echo "# bats printed no plan (exit status $rc)"
	failed=$((failed + 1))
elif [ "$reported" -lt "$plan" ]; then
	echo "# $((plan - reported)) of $plan tests never reported"
	failed=$((failed + plan - reported))
elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
	echo "# the sandbox exited with status $rc"
	failed=$((failed + 1))
fi

if [ -s "$work/new" ]; then
	sed 's/^/# leaked on the host: /' "$work/new"
	echo "not ok leak - the host has new mounts, cgroups, network namespaces, links or husk processes"
	failed=$((failed + 1))
	# Left in place, empty husk cgroup directories too: they are husk's
	# defect to fix, not the runner's to tidy away.
fi
rmdir "$work/sandbox" 2>/dev/null
rm -rf "$work"
[ "$skipped" = 0 ] || echo "# $skipped skipped"
report "$passed" "$failed"
