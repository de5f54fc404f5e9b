#!/usr/bin/env bats
# husk system check / husk system repair: what killed commands leave, made
# here by hand (faults.bats makes it by killing husk), found one line per
# finding as fsck prints them, then removed; a live container is never
# touched.

load helpers

setup() {
	keeping_setup
	"$HUSK" system check >"$BATS_TEST_TMPDIR/check.before" 2>&1 || true
}

teardown() {
	ip link del vethdeadbeef000 2>/dev/null || true
	awk '{print $5}' /proc/self/mountinfo | grep "^$HUSK_ROOT/containers/" | xargs -r umount -l
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	"$HUSK" system repair >/dev/null 2>&1
	husk_teardown
}

# The findings this test made (another suite's leftovers on the host's
# cgroup tree were there before).
findings() {
	grep -vxFf "$BATS_TEST_TMPDIR/check.before" <<<"$1" || true
}

FAKE_ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
GONE_ID=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210

@test "system check: a clean state root is clean, exit 0, nothing printed" {
	"$HUSK" run -d --name alive -p 127.0.0.1:18090:80 busybox sleep 100 >/dev/null
	run "$HUSK" system check
	[ -z "$(findings "$output")" ] || fail "findings on a clean root: $output"
	run "$HUSK" system repair
	[ -z "$(findings "$output")" ] || fail "repair on a clean root: $output"
	status_is alive running
	"$HUSK" rm -f alive >/dev/null
}

@test "system check finds leftovers, system repair removes them and leaves the running container" {
	local id stopped
	"$HUSK" run -d --name alive -p 127.0.0.1:18090:80 busybox sleep 100 >/dev/null
	stopped=$("$HUSK" create --name stopped busybox true)
	# A lease of a container whose PID 1 is gone, a port published to it.
	ln -s "$GONE_ID:999999:1" "$HUSK_ROOT/networks/bridge/leases/10.88.0.99"
	nft add element ip husk ports_any '{ tcp . 18091 : 10.88.0.99 . 80 }'
	# A veth on husk's bridge that no container has.
	ip link add vethdeadbeef000 type veth peer name vethpeer
	ip link set vethdeadbeef000 master husk0
	# A name whose container is gone, a directory whose record never came,
	# a temporary file of a dead writer.
	ln -s "$GONE_ID" "$HUSK_ROOT/names/ghost"
	mkdir "$HUSK_ROOT/containers/$FAKE_ID"
	echo '{}' >"$HUSK_ROOT/containers/$stopped/container.json.tmp.999999"
	# A mount in husk's namespace under a container that does not run.
	mount -t tmpfs leftover "$HUSK_ROOT/containers/$stopped/rootfs"

	run "$HUSK" system check
	expect_status 1
	local found
	found=$(findings "$output")
	expect_match "lease 10\.88\.0\.99 on network bridge: held by container fedcba987654, which is not running" "$found"
	expect_match "port 0\.0\.0\.0:18091/tcp: published to 10\.88\.0\.99:80, which no container holds" "$found"
	expect_match "veth vethdeadbeef000: on bridge husk0, of no running container" "$found"
	expect_match "name ghost: reserved for fedcba987654, but its container does not exist" "$found"
	expect_match "container $FAKE_ID: has no record \(its creation was interrupted\)" "$found"
	expect_match "file $HUSK_ROOT/containers/$stopped/container\.json\.tmp\.999999: temporary file of process 999999, which is gone" "$found"
	expect_match "mount $HUSK_ROOT/containers/$stopped/rootfs: left by a container that is not running" "$found"
	[ "$(echo "$found" | grep -c .)" = 7 ] || fail "expected 7 findings, got: $found"
	# Nothing of the running container is a finding.
	! grep -q "$("$HUSK" inspect -f '{{.Id}}' alive | cut -c1-12)\|10\.88\.0\.2\b" <<<"$found"

	run "$HUSK" system check --format json
	expect_status 1
	python3 -c '
import json, sys
findings = json.loads(sys.argv[1])
kinds = sorted({f["Kind"] for f in findings})
assert {"lease", "port", "veth", "name", "container", "file", "mount"} <= set(kinds), kinds
assert all("Repaired" not in f for f in findings)
' "$output"

	run "$HUSK" system repair
	expect_status 0
	found=$(findings "$output")
	[ "$(echo "$found" | grep -c ': repaired$')" = 7 ] || fail "not all repaired: $output"

	run "$HUSK" system check
	[ -z "$(findings "$output")" ] || fail "left after repair: $output"
	[ ! -e "$HUSK_ROOT/names/ghost" ] && [ ! -e "$HUSK_ROOT/containers/$FAKE_ID" ]
	! ip link show vethdeadbeef000 2>/dev/null
	! nft list map ip husk ports_any | grep -q 18091
	! grep -q " $HUSK_ROOT/containers/$stopped/rootfs " /proc/self/mountinfo
	# The running container still runs, with its address and port.
	status_is alive running
	nft list map ip husk ports_address | grep -q 18090
	[ -L "$HUSK_ROOT/networks/bridge/leases/$("$HUSK" inspect -f '{{.NetworkSettings.IPAddress}}' alive)" ]
	"$HUSK" rm -f alive stopped >/dev/null
}

@test "system repair: processes and cgroups of a container whose monitor and PID 1 are gone" {
	local id pid orphan
	# --pid host: PID 1's death does not take the other processes along.
	id=$("$HUSK" run -d --name lost --pid host -p 127.0.0.1:18090:80 busybox \
		sh -c 'sleep 100 & exec sleep 101')
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' lost)
	wait_for 5 pgrep -x -f 'sleep 100'
	orphan=$(pgrep -x -f 'sleep 100')
	kill -KILL "$(monitor_of lost)" "$pid"
	wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"
	run "$HUSK" system check
	expect_status 1
	expect_match "process /husk/$id: 1 processes of container ${id:0:12}, which is not running"
	expect_match "cgroup /husk/$id: of container ${id:0:12}, which is not running"
	expect_match "lease 10\.88\.0\.2 on network bridge: held by container ${id:0:12}, which is not running"
	run "$HUSK" system repair
	expect_status 0
	wait_for 5 sh -c "! kill -0 $orphan 2>/dev/null"
	run "$HUSK" system check
	[ -z "$(findings "$output")" ] || fail "left after repair: $output"
	! nft list table ip husk >/dev/null 2>&1 || fail "table left: $(nft list table ip husk)"
	# The container is the user's: ps -a shows it exited; rm -f removes it.
	run "$HUSK" ps -a --filter name=lost --format '{{.Status}}'
	expect_match '^Exited'
	"$HUSK" rm -f lost >/dev/null
}

@test "system check and repair: bad flags and arguments are one line, exit 125" {
	run --separate-stderr "$HUSK" system check --bogus
	expect_husk_error 125 'unknown flag --bogus'
	run --separate-stderr "$HUSK" system repair --format xml
	expect_husk_error 125 'json'
	run --separate-stderr "$HUSK" system check extra
	expect_husk_error 125 'accepts no arguments'
	run "$HUSK" system check --help
	expect_status 0
	expect_match 'format'
}
