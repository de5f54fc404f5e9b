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
	monitor=$("$HUSK" inspect -f '{{.State.MonitorPid}}' "$id")
	sleep 1
	if [ -e "/proc/$monitor/stat" ] && [ "$(awk '{print $3}' "/proc/$monitor/stat")" != Z ]; then
		ticks=$(awk '{print $14 + $15}' "/proc/$monitor/stat")
		fail "the monitor still runs after the container exited ($ticks ticks of CPU)"
	fi
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id"
	expect_output "exited 0"
	run "$HUSK" logs "$id"
	expect_output x
}

# The container writes ~0.5 MB/s. One attach client is stalled (its stdout is
# a FIFO nobody reads yet): the log must keep growing, and once the client
# reads again it learns it was dropped.
@test "monitor: a stalled attach client neither freezes the log nor the container; it is dropped with a message" {
	local id log fifo=$BATS_TEST_TMPDIR/fifo size1 size2
	id=$("$HUSK" run -d --name talker --network none busybox sh -c 'while :; do seq 1 1000; usleep 10000; done')
	log=$HUSK_ROOT/containers/$id/container.log
	mkfifo "$fifo"
	env --default-signal "$HUSK" attach talker >"$fifo" 2>"$BATS_TEST_TMPDIR/attach.err" &
	local attach=$!
	BG_PIDS+=("$attach")
	sleep 3 # the client's pipe, its socket and its 1 MiB backlog fill
	size1=$(stat -c %s "$log")
	sleep 2
	size2=$(stat -c %s "$log")
	[ "$size2" -gt $((size1 + 200000)) ] || fail "the log grew from $size1 to $size2 bytes only"
	cat "$fifo" >/dev/null
	bg_wait "$attach"
	[ "$BG_STATUS" != 0 ] || fail "attach ended with 0"
	grep -q "fell more than 1 MiB behind" "$BATS_TEST_TMPDIR/attach.err" ||
		fail "no message: $(cat "$BATS_TEST_TMPDIR/attach.err")"
	# A second client attached afterwards works.
	run timeout 2 "$HUSK" attach talker
	[[ "$output" == *1000* ]] || fail "a new client got: ${output:0:200}"
}

@test "monitor: a client sending half a frame stalls nothing" {
	local id log size1 size2
	id=$("$HUSK" run -d -i --name talker --network none busybox sh -c 'while :; do echo tick; usleep 20000; done')
	log=$HUSK_ROOT/containers/$id/container.log
	# A header announcing 100 bytes, then silence.
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.send(b"i\x64\x00\x00\x00abc")
time.sleep(1.5)
' "$HUSK_ROOT/containers/$id/sock/attach.sock" &
	BG_PIDS+=($!)
	sleep 0.5
	size1=$(stat -c %s "$log")
	sleep 0.8
	size2=$(stat -c %s "$log")
	[ "$size2" -gt "$size1" ] || fail "the log stopped at $size1 bytes"
	wait
}
