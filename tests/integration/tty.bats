#!/usr/bin/env bats
# -t: a terminal from the container's own devpts; window size; -it sessions.
# Runs husk under a real pty: util-linux `script`, and tmux for typing.

load helpers

# in_pty COMMAND: runs the shell COMMAND on a fresh pty; output without \r.
in_pty() {
	script -qec "$1" /dev/null </dev/null | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

@test "-t: tty is /dev/pts/0 of the container's own devpts" {
	run in_pty '"$HUSK" run --rm -t busybox tty'
	expect_status 0
	expect_output /dev/pts/0
}

@test "-t: the container's /dev/pts holds only its own terminal, and /dev/console exists" {
	run in_pty '"$HUSK" run --rm -t busybox sh -c "ls -1 /dev/pts; test -c /dev/console && echo console"'
	expect_status 0
	expect_output "0
ptmx
console"
}

@test "-t: stdin, stdout and stderr are the terminal" {
	run in_pty '"$HUSK" run --rm -t busybox sh -c "test -t 0 && test -t 1 && test -t 2 && echo all-ttys"'
	expect_status 0
	expect_output all-ttys
}

@test "without -t there is no terminal, even when husk runs on one" {
	run in_pty '"$HUSK" run --rm busybox sh -c "test -t 1 || echo no-tty"'
	expect_status 0
	expect_output no-tty
}

@test "-t: exit status passes through" {
	run in_pty '"$HUSK" run --rm -t busybox sh -c "exit 5"'
	expect_status 5
}

@test "-t: the window size is the caller's" {
	run in_pty 'stty rows 27 cols 91; "$HUSK" run --rm -t busybox stty size'
	expect_status 0
	expect_output "27 91"
}

@test "-t: window size changes reach the container" {
	# The container prints its size, then the size after the first SIGWINCH.
	# The outer shell keeps changing the size until the container is done.
	run in_pty '
		stty rows 10 cols 20
		"$HUSK" run --rm -t busybox sh -c "trap \"stty size; exit 0\" WINCH; stty size; while :; do sleep 0.1; done" </dev/tty &
		pid=$!
		# started once its PID 1 (the child of husk) runs the loop'"'"'s sleep
		for i in $(seq 100); do
			pgrep -x sleep -P "$(pgrep -d, -P $pid)" >/dev/null 2>&1 && break
			sleep 0.05
		done
		for i in $(seq 30 70); do
			kill -0 $pid 2>/dev/null || break
			stty rows $i cols 100
			sleep 0.2
		done
		wait $pid'
	expect_status 0
	[ "${lines[0]}" = "10 20" ] || fail "first size: ${lines[0]}; output: $output"
	expect_match '^[3-7][0-9] 100$' "${lines[1]}"
}

@test "-t: the caller's terminal settings are restored" {
	run in_pty 'stty -g; "$HUSK" run --rm -t busybox echo ran; stty -g'
	expect_status 0
	[ "${#lines[@]}" = 3 ] || fail "output: $output"
	[ "${lines[1]}" = ran ] || fail "output: $output"
	[ "${lines[0]}" = "${lines[2]}" ] || fail "before ${lines[0]}, after ${lines[2]}"
}

# tmux with a private server for this test.
tmux_start() { # COMMAND
	TMUX_SOCKET=$BATS_TEST_TMPDIR/tmux.sock
	TERM=xterm tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s test -x 80 -y 24 "$1"
}

screen() {
	tmux -S "$TMUX_SOCKET" capture-pane -p -t test
}

screen_has() { # REGEX
	screen | grep -qE -- "$1"
}

type_keys() {
	tmux -S "$TMUX_SOCKET" send-keys -t test "$@"
}

@test "-it: an interactive shell (typing, ^C, exit status)" {
	local rc=$BATS_TEST_TMPDIR/rc
	tmux_start "\"$HUSK\" run --rm -it busybox sh; echo \$? > $rc; sleep 100"
	wait_for 10 screen_has '^/ #' || fail "no prompt; screen: $(screen)"
	type_keys 'echo $((6 * 7))' Enter
	wait_for 10 screen_has '^42$' || fail "no 42; screen: $(screen)"
	type_keys 'sleep 100' Enter
	sleep 0.3
	type_keys C-c
	type_keys 'echo after-interrupt' Enter
	wait_for 10 screen_has '^after-interrupt$' || fail "^C did not interrupt sleep; screen: $(screen)"
	type_keys 'exit 3' Enter
	wait_for 10 test -s "$rc" || fail "husk did not exit; screen: $(screen)"
	[ "$(cat "$rc")" = 3 ] || fail "exit status $(cat "$rc")"
}

@test "-it: tmux window resize reaches the container" {
	local rc=$BATS_TEST_TMPDIR/rc
	tmux_start "\"$HUSK\" run --rm -it busybox sh; echo \$? > $rc; sleep 100"
	wait_for 10 screen_has '^/ #' || fail "no prompt; screen: $(screen)"
	type_keys 'stty size' Enter
	wait_for 10 screen_has '^24 80$' || fail "size not 24 80; screen: $(screen)"
	tmux -S "$TMUX_SOCKET" resize-window -t test -x 100 -y 30
	type_keys 'clear; stty size' Enter
	wait_for 10 screen_has '^30 100$' || fail "size not 30 100; screen: $(screen)"
	type_keys 'exit' Enter
	wait_for 10 test -s "$rc" || fail "husk did not exit; screen: $(screen)"
}
