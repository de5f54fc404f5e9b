#!/usr/bin/env bats
# The output path (issue 14 part 2): one pump for the foreground relay and
# the monitor; no busy loops, and no client that can stall the container.

load helpers

setup() {
	keeping_setup
}

teardown() {
	pkill -f 'sleep 31.5' 2>/dev/null || true
	removing_teardown
}

# CPU seconds (user+system) of a command run in the foreground.
cpu_of() {
	/usr/bin/time -f '%U %S' -o "$BATS_TEST_TMPDIR/time" "$@" >/dev/null 2>&1 || true
	awk '{print $1 + $2}' "$BATS_TEST_TMPDIR/time"
}

@test "foreground: no spinning while a process outside the PID namespace holds the output" {
	local start=$SECONDS cpu
	cpu=$(cpu_of "$HUSK" run --rm --network none --pid host busybox sh -c 'sleep 2.5 & echo x')
	[ $((SECONDS - start)) -lt 2 ] || fail "husk waited for the background writer"
	awk -v c="$cpu" 'BEGIN { exit !(c < 0.2) }' || fail "husk used $cpu s of CPU"
	run "$HUSK" run --rm --network none --pid host busybox sh -c 'sleep 2.5 & echo x'
	expect_output x
}

@test "monitor: no spinning while a process outside the PID namespace holds the output; the exit is recorded" {
	local id monitor ticks
	id=$("$HUSK" run -d --network none --pid host busybox sh -c 'sleep 31.5 & echo x')
	sleep 1
	# The monitor names itself husk-<10 hex digits of the ID>.
	for monitor in $(pgrep -x "husk-${id:0:10}"); do
		[ "$(awk '{print $3}' "/proc/$monitor/stat")" != Z ] || continue
		ticks=$(awk '{print $14 + $15}' "/proc/$monitor/stat")
		fail "the monitor still runs after the container exited ($ticks ticks of CPU)"
	done
	pgrep -f 'sleep 31.5' && fail "the container's background process outlived it"
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id"
	expect_output "exited 0"
	run "$HUSK" logs "$id"
	expect_output x
}

# The container writes a few MB/s. One attach client is stalled (its stdout
# is a pipe nobody reads for 3 s): the log must keep growing meanwhile, and
# once the client reads again it learns it was dropped.
@test "monitor: a stalled attach client neither freezes the log nor the container; it is dropped with a message" {
	local id log size1 size2 err=$BATS_TEST_TMPDIR/attach.err rc=$BATS_TEST_TMPDIR/attach.rc
	id=$("$HUSK" run -d --name talker --network none busybox sh -c 'while :; do seq 1 2000; usleep 10000; done')
	log=$HUSK_ROOT/containers/$id/container.log
	({
		status=0
		env --default-signal "$HUSK" attach talker 2>"$err" || status=$?
		echo "$status" >"$rc"
	} | {
		sleep 4
		cat >/dev/null
	}) &
	BG_PIDS+=($!)
	sleep 1.5 # the client's pipe, its socket and its 1 MiB backlog fill
	size1=$(stat -c %s "$log")
	sleep 1.5
	size2=$(stat -c %s "$log")
	[ "$size2" -gt $((size1 + 500000)) ] || fail "the log grew from $size1 to $size2 bytes only"
	wait_for 10 test -s "$rc" || fail "the stalled client was never dropped: $(cat "$err")"
	[ "$(cat "$rc")" != 0 ] || fail "attach ended with 0"
	grep -q "fell more than 1 MiB behind" "$err" || fail "no message: $(cat "$err")"
	# A client attached afterwards works.
	# attach forwards SIGTERM to the container (as docker --sig-proxy): KILL.
	timeout -s KILL 1 "$HUSK" attach talker >"$BATS_TEST_TMPDIR/second" 2>&1 || true
	grep -qx 2000 "$BATS_TEST_TMPDIR/second" || fail "a new client got: $(head -c 200 "$BATS_TEST_TMPDIR/second")"
}

@test "monitor: a client sending half a frame stalls nothing" {
	local id log size1 size2
	id=$("$HUSK" run -d -i --name talker --network none busybox sh -c 'while :; do echo tick; usleep 20000; done')
	log=$HUSK_ROOT/containers/$id/container.log
	# A header announcing 100 bytes, then silence.
	python3 -c '
import os, socket, sys, time
d = os.open(sys.argv[1], os.O_PATH)
s = socket.socket(socket.AF_UNIX)
s.connect("/proc/self/fd/%d/attach.sock" % d)
s.send(b"i\x64\x00\x00\x00abc")
time.sleep(1.5)
' "$HUSK_ROOT/containers/$id/sock" &
	local client=$!
	BG_PIDS+=("$client")
	sleep 0.5
	size1=$(stat -c %s "$log")
	sleep 0.8
	size2=$(stat -c %s "$log")
	[ "$size2" -gt "$size1" ] || fail "the log stopped at $size1 bytes"
	wait "$client"
}
