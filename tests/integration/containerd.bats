#!/usr/bin/env bats
# containerd 1.6 (Debian's) with a private configuration (root, state, socket,
# no CRI plugin, the overlayfs snapshotter), driven by ctr; its
# containerd-shim-runc-v2 runs the OCI runtime under test (`ctr run
# --runc-binary $OCI_RUNTIME`, see managers.bash). Images come from an OCI
# archive made by make_image.py from Debian's busybox-static.

load managers

NS=husk-containerd
IMAGE=hbox:1

# cr ARGS...: ctr on this file's containerd, namespace husk-containerd (so the
# containers' cgroups are /husk-containerd/ID); `run` gets --runc-binary.
cr() {
	timeout -k 5 "$MGR_TIMEOUT" "$MGR_DIR/bin/cr" "$@" 3>&-
}

# cr_tty COMMAND-LINE: the cr command line on a terminal of its own (script).
cr_tty() {
	timeout -k 5 "$MGR_TIMEOUT" script -qec "$MGR_DIR/bin/cr $1" /dev/null 3>&-
}

setup_file() {
	mgr_init containerd
	[ "$MGR_CGROUP" = "$NS" ]
	mgr_make_rootfs "$MGR_DIR/rootfs"
	tar -C "$MGR_DIR/rootfs" -cf "$MGR_DIR/rootfs.tar" .
	mgr_make_oci_archive "$MGR_DIR/rootfs.tar" "$IMAGE" "$MGR_DIR/hbox.tar"
	cat >"$MGR_DIR/config.toml" <<EOF
version = 2
root = "$MGR_DIR/root"
state = "$MGR_DIR/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = "$MGR_DIR/containerd.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "$MGR_DIR/opt"
EOF
	cat >"$MGR_DIR/bin/cr" <<EOF
#!/bin/sh
# ctr on the containerd of tests/integration/containerd.bats; ctr run gets the
# OCI runtime under test.
export MGR_MARK='$MGR_DIR'
if [ "\$1" = run ]; then
	shift
	set -- run --runc-binary '$MGR_RUNTIME' "\$@"
fi
exec /usr/bin/ctr --address '$MGR_DIR/containerd.sock' --namespace $NS "\$@"
EOF
	chmod 0755 "$MGR_DIR/bin/cr"
	mgr_start_daemon containerd containerd --config "$MGR_DIR/config.toml"
	mgr_wait_socket containerd "$MGR_DIR/containerd.sock"
	cr images import "$MGR_DIR/hbox.tar" >/dev/null
}

teardown_file() {
	mgr_cleanup
}

setup() {
	:
}

# Every test deletes its tasks and containers; one left is removed here and
# fails the test, and so does a container cgroup left after that.
teardown() {
	local problems=() tasks='' containers='' id
	# (The last test stops containerd.)
	[ ! -e "$MGR_DIR/containerd.pid" ] || tasks=$(cr task ls -q 2>&1)
	[ ! -e "$MGR_DIR/containerd.pid" ] || containers=$(cr containers ls -q 2>&1)
	if [ -n "$tasks$containers" ]; then
		problems+=("left: tasks: $(echo $tasks), containers: $(echo $containers)")
		for id in $tasks; do
			cr task resume "$id" >/dev/null 2>&1
			cr task kill -a -s KILL "$id" >/dev/null 2>&1
		done
		sleep 0.5
		for id in $tasks; do
			cr task delete -f "$id" >/dev/null 2>&1
		done
		for id in $containers; do
			cr containers rm "$id" >/dev/null 2>&1
		done
	fi
	if ! wait_for 10 eval '[ -z "$(mgr_cgroup_dirs)" ]' 2>/dev/null; then
		problems+=("cgroups left: $(mgr_cgroup_dirs | tr '\n' ' ')")
	fi
	mgr_test_teardown
	if [ ${#problems[@]} -gt 0 ]; then
		printf 'teardown: %s\n' "${problems[@]}" >&2
		return 1
	fi
}

# task_pid ID: the host PID of the task's init process (ctr task ls).
task_pid() {
	cr task ls | awk -v id="$1" '$1 == id {print $2}'
}

# task_status ID: RUNNING, PAUSED, STOPPED ...
task_status() {
	cr task ls | awk -v id="$1" '$1 == id {print $3}'
}

# task_is ID STATUS: the task's status is STATUS.
task_is() {
	[ "$(task_status "$1")" = "$2" ]
}

# task_processes ID: how many processes `ctr task ps` lists.
task_processes() {
	cr task ps "$1" | grep -c '^[0-9]'
}

# remove ID: kill (if it runs), delete the task, remove the container.
remove() {
	cr task kill -s KILL "$1" >/dev/null 2>&1
	wait_for 10 task_is "$1" STOPPED
	cr task delete "$1" >/dev/null 2>&1
	run cr containers rm "$1"
	expect_status 0
}

@test "images import of an OCI archive, run from it, images rm" {
	mgr_make_oci_archive "$MGR_DIR/rootfs.tar" imported:1 "$BATS_TEST_TMPDIR/imported.tar"
	run cr images import "$BATS_TEST_TMPDIR/imported.tar"
	expect_status 0
	expect_match 'unpacking imported:1 \(sha256:[0-9a-f]{64}\)\.\.\.done'
	run cr images ls -q
	expect_match '(^|'$'\n'')imported:1($|'$'\n'')'
	run cr run --rm imported:1 imp1 cat /www/index.html
	expect_status 0
	expect_output "hello from busybox httpd"
	run cr images rm imported:1
	expect_status 0
}

@test "run --rm: output, exit status 3; the shim calls the runtime with --root, --log, --log-format json" {
	run --separate-stderr cr run --rm "$IMAGE" rm1 sh -c 'echo out; echo err >&2; exit 3'
	expect_status 3
	expect_output out
	[ "$stderr" = err ] || fail "stderr: $stderr"
	local bundle="$MGR_DIR/state/io.containerd.runtime.v2.task/$NS/rm1"
	runtime_calls "\(containerd-shim\) '--root' '/run/containerd/runc/$NS' '--log' '$bundle/log.json' '--log-format' 'json' 'create' '--bundle' '$bundle' '--pid-file' '$bundle/init.pid' 'rm1'" ||
		fail "no create from the shim in $(cat "$MGR_LOG")"
	runtime_calls "'start' 'rm1'" || fail "no start"
	runtime_calls "'delete' 'rm1'" || fail "no delete"
	run cr containers ls -q
	expect_output ""
}

@test "exit status of a failed create: the runtime's error reaches ctr" {
	run cr run --rm "$IMAGE" bad1 no-such-command
	[ "$status" != 0 ] || fail "no-such-command ran"
	expect_match 'OCI runtime create failed: .*executable file not found'
	run cr run --rm "$IMAGE" bad2 /etc/passwd
	[ "$status" != 0 ] || fail "/etc/passwd ran"
	expect_match 'OCI runtime create failed: .*permission denied'
	run cr containers ls -q
	expect_output ""
}

@test "run -d, task ls, task ps: host PIDs of the task's processes" {
	run cr run -d "$IMAGE" d1 sh -c 'sleep 1000 & sleep 1001 & wait'
	expect_status 0
	wait_for 10 task_is d1 RUNNING
	local pid
	pid=$(task_pid d1)
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sh -c sleep 1000 & sleep 1001 & wait " ] ||
		fail "PID $pid is $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	grep -q ":/$NS/d1\$" "/proc/$pid/cgroup" || fail "cgroups: $(cat "/proc/$pid/cgroup")"
	wait_for 10 eval '[ "$(task_processes d1)" = 3 ]'
	run cr task ps d1
	expect_status 0
	expect_match "(^|"$'\n'")$pid "
	runtime_calls "'ps' '--format' 'json' 'd1'" || fail "no ps --format json"
	remove d1
}

@test "task exec: output, exit status; exec -t on a terminal" {
	run cr run -d "$IMAGE" x1 sleep 1000
	expect_status 0
	run --separate-stderr cr task exec --exec-id e1 x1 sh -c 'echo out; echo err >&2; exit 4'
	expect_status 4
	expect_output out
	[ "$stderr" = err ] || fail "stderr: $stderr"
	runtime_calls "'exec' '--process' '[^']*' '--detach' '--pid-file' '[^']*/e1.pid' 'x1'" || fail "no exec --detach"
	run cr task exec --exec-id e2 --cwd /www --user 65534 x1 sh -c 'echo $(pwd) $(id -u)'
	expect_status 0
	expect_output "/www 65534"
	run cr_tty "task exec -t --exec-id e3 x1 sh -c 'tty; exit 5'" </dev/null
	expect_status 5
	expect_match '/dev/pts/[0-9]+'
	runtime_calls "'exec' '--process' '[^']*' '--console-socket' '[^']*' '--detach' " || fail "no exec --console-socket"
	remove x1
}

@test "pause and resume: the task's cgroup is frozen, then thawed" {
	run cr run -d "$IMAGE" p1 sleep 1000
	expect_status 0
	local pid
	pid=$(task_pid p1)
	run cr task pause p1
	expect_status 0
	[ "$(task_status p1)" = PAUSED ] || fail "status $(task_status p1)"
	[ "$(freezer_state "$pid")" = FROZEN ] || fail "paused but not frozen"
	run cr task resume p1
	expect_status 0
	[ "$(task_status p1)" = RUNNING ] || fail "status $(task_status p1)"
	[ "$(freezer_state "$pid")" = THAWED ] || fail "resumed but still frozen"
	runtime_calls "'pause' 'p1'" || fail "no pause"
	runtime_calls "'resume' 'p1'" || fail "no resume"
	remove p1
}

@test "kill: SIGTERM reaches PID 1's trap; task delete reports its exit status" {
	run cr run -d "$IMAGE" k1 sh -c 'trap "exit 7" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
	expect_status 0
	wait_for 10 cr task exec --exec-id ready k1 test -e /tmp/ready
	run cr task kill k1
	expect_status 0
	wait_for 10 task_is k1 STOPPED
	runtime_calls "'kill' 'k1' '15'" || fail "no kill with signal 15"
	run cr task delete k1
	expect_status 0
	expect_match 'exit code 7'
	run cr containers rm k1
	expect_status 0
}

@test "kill --all: every process of the task, exec'd ones too, gets the signal" {
	run cr run -d "$IMAGE" ka1 sh -c 'sleep 1000 & sleep 1001 & wait'
	expect_status 0
	run cr task exec -d --exec-id ex ka1 sleep 1002
	expect_status 0
	wait_for 10 eval '[ "$(task_processes ka1)" = 4 ]'
	local pids
	pids=$(cr task ps ka1 | awk '/^[0-9]/ {print $1}')
	run cr task kill --all -s KILL ka1
	expect_status 0
	runtime_calls "'kill' '--all' 'ka1' '9'" || fail "no kill --all"
	wait_for 10 task_is ka1 STOPPED
	local pid
	for pid in $pids; do
		wait_for 5 eval "! kill -0 $pid 2>/dev/null" || fail "PID $pid survived kill --all"
	done
	run cr task delete ka1
	expect_status 0
	expect_match 'exit code 137'
	run cr containers rm ka1
	expect_status 0
}

@test "task delete: the runtime's state, the cgroup and the rootfs mount are gone" {
	run cr run -d "$IMAGE" del1 sleep 1000
	expect_status 0
	local pid rootfs=$MGR_DIR/state/io.containerd.runtime.v2.task/$NS/del1/rootfs
	pid=$(task_pid del1)
	[ -d "/run/containerd/runc/$NS/del1" ] || fail "no runtime state in /run/containerd/runc/$NS"
	findmnt "$rootfs" >/dev/null || fail "rootfs not mounted"
	run cr task delete del1
	[ "$status" != 0 ] || fail "deleted a running task"
	run cr task kill -s KILL del1
	expect_status 0
	wait_for 10 task_is del1 STOPPED
	run cr task delete del1
	expect_status 0
	run cr task ls -q
	expect_output ""
	! kill -0 "$pid" 2>/dev/null || fail "PID $pid still runs"
	[ ! -e "/run/containerd/runc/$NS/del1" ] || fail "runtime state left"
	run mgr_cgroup_dirs
	expect_output ""
	! findmnt "$rootfs" >/dev/null || fail "rootfs still mounted"
	runtime_calls "'delete' 'del1'" || fail "no delete"
	run cr containers rm del1
	expect_status 0
}

@test "run -t: the task's terminal" {
	run cr_tty "run --rm -t $IMAGE t1 sh -c 'tty; exit 6'" </dev/null
	expect_status 6
	expect_match '/dev/pts/[0-9]+'
	runtime_calls "'create' '--bundle' '[^']*' '--pid-file' '[^']*' '--console-socket' '[^']*' 't1'" ||
		fail "no create --console-socket"
}

@test "containerd stops by SIGTERM and leaves nothing behind" {
	mgr_stop_daemon containerd
	run mgr_leftovers
	expect_output ""
}
