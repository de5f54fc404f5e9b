#!/usr/bin/env bats
# Attacks from inside a container on the paths that lead from the host into
# it (issue 14's defects A-C). Each test is named after what the attacker
# does; each failed on the code before the fix. The hostile program is
# tests/attack/attack.c, copied into a test image "secbox" (attack.bash).

load ../integration/helpers
load attack

setup() {
	keeping_setup
	make_attack_image
}

teardown() {
	removing_teardown
}

tmux_start() { # COMMAND
	# A socket of its own each time: a server killed a moment ago may still
	# hold the old one ("server exited unexpectedly").
	TMUX_SOCKET=$(mktemp -u "$BATS_TEST_TMPDIR/tmux.XXXXXX")
	TERM=xterm tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s test -x 200 -y 50 "$1"
}

screen() {
	tmux -S "$TMUX_SOCKET" capture-pane -p -t test
}

# type_into_shell_and_check HUSK_ARGS: an admin's interactive bash on a pty
# runs `husk HUSK_ARGS`, whose container tries to type `touch PWNED` into
# that terminal. Fails if, once husk returned (and a second later, for
# background attackers), the host shell ran it.
type_into_shell_and_check() {
	local pwned=$BATS_TEST_TMPDIR/pwned done=$BATS_TEST_TMPDIR/done
	rm -f "$done"
	[ -z "$TMUX_SOCKET" ] || tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null
	tmux_start "env -i PATH=$PATH HOME=/root TERM=xterm HUSK_ROOT=$HUSK_ROOT \
		HUSK_INTEGRATION_TOKEN=${HUSK_INTEGRATION_TOKEN:-} bash --norc --noprofile -i"
	sleep 0.3
	tmux -S "$TMUX_SOCKET" send-keys -t test "\"$HUSK\" $1 \"touch $pwned\"\$'\\n'" Enter
	sleep 2.5
	tmux -S "$TMUX_SOCKET" send-keys -t test "touch $done" Enter
	wait_for 10 test -e "$done" || fail "the shell never came back; screen: $(screen)"
	[ ! -e "$pwned" ] || fail "the container typed into the host's shell; screen: $(screen)"
	screen | grep -q '^tiocsti fd0: ' || "$HUSK" exec victim grep -q '^tiocsti fd0: ' /tmp/attack.log ||
		fail "the attack did not run; screen: $(screen)"
}

@test "TIOCSTI: run and run -i without -t (also --userns private) cannot type into the caller's shell" {
	type_into_shell_and_check "run --rm --network none secbox /attack tiocsti"
	type_into_shell_and_check "run --rm -i --network none secbox /attack tiocsti"
	type_into_shell_and_check "run --rm -i --userns private --network none secbox /attack tiocsti"
}

@test "TIOCSTI: exec and exec -i cannot type into the caller's shell" {
	"$HUSK" run -d --name victim --network none secbox sleep 1000 >/dev/null
	type_into_shell_and_check "exec victim /attack tiocsti"
	type_into_shell_and_check "exec -i victim /attack tiocsti"
}

@test "TIOCSTI: a background process left by exec cannot type into the shell later" {
	"$HUSK" run -d --name victim --network none secbox sleep 1000 >/dev/null
	type_into_shell_and_check "exec victim /attack tiocsti-later 1"
}

@test "TIOCSTI: refused by seccomp even on the container's own terminal; no /dev/tty without -t" {
	run script -qec "\"$HUSK\" run --rm -t --network none secbox /attack tiocsti x" /dev/null </dev/null
	expect_match "tiocsti fd0: Operation not permitted"
	run "$HUSK" run --rm --network none secbox /attack tiocsti x
	expect_status 0
	expect_match "open /dev/tty: No such device or address"
}

@test "io_uring and AF_VSOCK sockets are refused; /proc/key-users is masked" {
	run "$HUSK" run --rm --network none secbox /attack refused-syscalls
	expect_status 0
	expect_output "io_uring_setup: Operation not permitted
socket AF_VSOCK: Operation not permitted"
	run "$HUSK" run --rm --network none busybox cat /proc/key-users
	expect_status 0
	expect_output ""
}

@test "host fd: exec cannot chmod the file its stdout was redirected to setuid" {
	"$HUSK" run -d --name victim --network none busybox sleep 1000 >/dev/null
	local file=$BATS_TEST_TMPDIR/out
	: >"$file"
	chmod 0644 "$file"
	"$HUSK" exec victim sh -c 'chmod 4755 /proc/self/fd/1; chmod 4755 /proc/self/fd/2' >"$file" 2>>"$file"
	[ "$(stat -c %a "$file")" = 644 ] || fail "mode became $(stat -c %a "$file")"
	"$HUSK" run --rm --network none busybox sh -c 'chmod 4755 /proc/self/fd/1' >"$file"
	[ "$(stat -c %a "$file")" = 644 ] || fail "run: mode became $(stat -c %a "$file")"
}

@test "host fd: exec -i and run -i cannot rewrite a read-only file given as stdin" {
	"$HUSK" run -d --name victim --network none busybox sleep 1000 >/dev/null
	local file=$BATS_TEST_TMPDIR/in
	echo original >"$file"
	chmod 0444 "$file"
	"$HUSK" exec -i victim sh -c 'echo rewritten > /proc/self/fd/0' <"$file" || true
	"$HUSK" run --rm -i --network none busybox sh -c 'echo rewritten > /proc/self/fd/0' <"$file" || true
	[ "$(cat "$file")" = original ] || fail "the host file now reads: $(cat "$file")"
}

@test "host fd: a background process left by exec cannot write to husk's stdout file after husk returned" {
	"$HUSK" run -d --name victim --network none busybox sleep 1000 >/dev/null
	local file=$BATS_TEST_TMPDIR/out
	"$HUSK" exec victim sh -c '(sleep 1; echo late) & echo now' >"$file"
	sleep 2
	[ "$(cat "$file")" = now ] || fail "the file reads: $(cat "$file")"
}

# The exec'd process is frozen as soon as it joins the container's cgroups
# (the v1 freezer, set behind husk's back so exec is not refused): it is
# then still a copy of husk, in the container's PID namespace, for as long
# as the test likes. A second container sharing that PID namespace attacks it.
# probe_frozen_exec VICTIM-OPTIONS...: the victim container runs with them.
probe_frozen_exec() {
	local id freezer hostpid nspid marker=admin-secret-$RANDOM$RANDOM
	"$HUSK" run -d --name victim --network none "$@" busybox sleep 1000 >/dev/null
	"$HUSK" run -d --name watcher --network none --pid container:victim secbox sleep 1000 >/dev/null
	id=$("$HUSK" inspect -f '{{.Id}}' victim)
	freezer=/sys/fs/cgroup/freezer/husk/$id
	[ -f "$freezer/freezer.state" ] || fail "no v1 freezer at $freezer"
	local before
	before=$(cat "$freezer/cgroup.procs")
	echo FROZEN >"$freezer/freezer.state"
	# The marker is in husk's environment and in an argument only husk sees
	# (-e of an unset variable passes nothing to the container).
	HUSK_ADMIN_SECRET=$marker start_bg "$BATS_TEST_TMPDIR/exec.out" exec -e "UNSET_$marker" victim true
	new_process() { hostpid=$(grep -vxF "$before" "$freezer/cgroup.procs" | head -1); [ -n "$hostpid" ]; }
	wait_for 10 new_process || { echo THAWED >"$freezer/freezer.state"; fail "the exec never joined the cgroup"; }
	nspid=$(awk '/^NSpid:/ {print $NF}' "/proc/$hostpid/status")
	run "$HUSK" exec watcher /attack probe "$nspid" "$marker"
	echo THAWED >"$freezer/freezer.state"
	expect_bg_status "$BG_PID" 0 "$BATS_TEST_TMPDIR/exec.out"
	echo "$output"
	local attempt
	for attempt in "read environ" "marker in environ" "marker in cmdline" "open mem" "ptrace" \
		"process_vm_readv" "reopen fds" "open exe"; do
		echo "$output" | grep -q "^$attempt: " || fail "no result for $attempt"
		if echo "$output" | grep -qx "$attempt: ok"; then
			fail "container root could: $attempt"
		fi
	done
}

@test "exec: a process that is still husk cannot be read, traced or used to reach husk's binary (CVE-2016-9962)" {
	probe_frozen_exec
}

# The same exec into a --userns private container, attacked from a
# container in the host's user namespace that shares its PID namespace
# (husk refuses --pid container: with --userns private for the attacker).
@test "exec --userns private: a process that is still husk cannot be read, traced or used to reach husk's binary" {
	probe_frozen_exec --userns private
}

# On Linux 6.18 the kernel itself refuses (ENOENT) an interpreter that is a
# magic link to husk's binary on a mount outside the container's namespace;
# the trampoline makes it harmless on any kernel: /proc/self/exe is then the
# sealed stub, which runs nothing of husk's.
@test "CVE-2019-5736: a command whose interpreter is /proc/self/exe never runs husk's binary" {
	run "$HUSK" run --rm --network none secbox /evil
	[[ "$output" != *"husk version"* ]] || fail "husk's binary ran in the container: $output"
	"$HUSK" run -d --name victim --network none secbox sleep 1000 >/dev/null
	run "$HUSK" exec victim /evil
	[[ "$output" != *"husk version"* ]] || fail "husk's binary ran in the container (exec): $output"
}

# A workdir through /proc/self/fd/N would start the command in whatever
# directory husk still had open (its state directory, a lock): every fd of
# husk's is closed before the workdir is resolved, and a workdir outside
# the container's root is refused (CVE-2024-21626).
@test "workdir /proc/self/fd/N never reaches a directory of husk's (CVE-2024-21626)" {
	"$HUSK" run -d --name victim --network none busybox sleep 1000 >/dev/null
	local n
	for n in $(seq 3 20); do
		run "$HUSK" exec -w "/proc/self/fd/$n" victim ls
		[[ "$output" != *container.json* && "$output" != *config.json* ]] ||
			fail "exec -w /proc/self/fd/$n listed a host directory: $output"
		run "$HUSK" run --rm --network none -w "/proc/self/fd/$n" busybox ls
		[[ "$output" != *container.json* && "$output" != *config.json* ]] ||
			fail "run -w /proc/self/fd/$n listed a host directory: $output"
	done
}

@test "a /dev/null replaced by a link to /proc/self/fd/0 never reopens husk's stdin" {
	"$HUSK" run -d --name victim --network none busybox sleep 1000 >/dev/null
	"$HUSK" exec victim sh -c 'rm /dev/null && ln -s /proc/self/fd/0 /dev/null'
	local file=$BATS_TEST_TMPDIR/in
	echo original >"$file"
	"$HUSK" exec victim sh -c 'echo rewritten >&0' <"$file" || true
	"$HUSK" exec -d victim sh -c 'echo rewritten >&0' <"$file" || true
	[ "$(cat "$file")" = original ] || fail "the host file now reads: $(cat "$file")"
}

@test "exec -u: a FIFO, /dev/zero or a device as /etc/passwd neither blocks nor feeds husk" {
	"$HUSK" run -d --name victim --network none busybox sleep 1000 >/dev/null
	"$HUSK" exec victim sh -c 'rm /etc/passwd && mkfifo /etc/passwd'
	run timeout 10 "$HUSK" exec -u nobody victim true
	[ "$status" != 124 ] || fail "husk blocked on a FIFO"
	expect_status 125
	"$HUSK" exec victim sh -c 'rm /etc/passwd && ln -s /dev/zero /etc/passwd'
	run timeout 10 "$HUSK" exec -u nobody victim true
	[ "$status" != 124 ] || fail "husk read /dev/zero"
	expect_status 125
}
