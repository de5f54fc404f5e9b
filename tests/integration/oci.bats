#!/usr/bin/env bats
# husk-oci: runc's command line on a bundle, as container managers drive it.

load helpers

OCI() { "$(dirname "$HUSK")/husk-oci" --root "$OCI_ROOT" "$@"; }

setup() {
	husk_setup
	OCI_ROOT=$BATS_TEST_TMPDIR/oci-root
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/tmp"
	cp /bin/busybox "$BUNDLE/rootfs/bin/"
	for c in $(/bin/busybox --list | grep -vx busybox); do
		ln -s busybox "$BUNDLE/rootfs/bin/$c"
	done
	(cd "$BUNDLE" && OCI spec)
	# Every test's cgroup has "husk" in its path, so the leak check sees it.
	spec '.process.terminal = false | .root.readonly = false | .linux.cgroupsPath = "/husk-oci-test/" + env.BATS_TEST_NUMBER'
}

teardown() {
	local id
	for id in $(OCI list -q 2>/dev/null); do
		OCI delete --force "$id" >/dev/null 2>&1
	done
	# Parents are the caller's, as with runc: cgroup_destroy leaves them.
	rmdir /sys/fs/cgroup/*/husk-oci-test /sys/fs/cgroup/*/husk.slice 2>/dev/null || true
	husk_teardown
}

# spec JQ: rewrites the bundle's config.json.
spec() {
	jq "$1" "$BUNDLE/config.json" >"$BUNDLE/config.new" && mv "$BUNDLE/config.new" "$BUNDLE/config.json"
}

args() { # the process's command
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	spec ".process.args = $json"
}

# gone PID: the process has exited (a zombie nobody reaped yet counts).
gone() {
	[ ! -e "/proc/$1" ] || [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" = Z ]
}

status_of() { OCI state "$1" | jq -r .status; }

wait_status() { # ID STATUS
	local i
	for i in $(seq 200); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	fail "$1 did not become $2 (it is $(status_of "$1"))"
}

@test "oci: run in the foreground gives the process's output and exit status" {
	args sh -c 'echo hello from $(hostname); exit 3'
	run OCI run --bundle "$BUNDLE" husk-t1
	expect_status 3
	expect_output "hello from husk"
	[ -z "$(ls -A "$OCI_ROOT")" ] || fail "run left state: $(ls "$OCI_ROOT")"
}

@test "oci: create waits on its fifo; start runs; state follows; delete removes" {
	args sh -c 'echo started >/tmp/mark; sleep 30'
	OCI create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" husk-t2
	[ "$(status_of husk-t2)" = created ]
	pid=$(OCI state husk-t2 | jq .pid)
	[ "$pid" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
	[ ! -e "$BUNDLE/rootfs/tmp/mark" ] || fail "the process ran before start"
	OCI start husk-t2
	[ "$(status_of husk-t2)" = running ]
	wait_for 10 test -e "$BUNDLE/rootfs/tmp/mark"
	run OCI start husk-t2
	expect_status 1
	expect_match "is running, not created"
	run OCI delete husk-t2
	expect_status 1
	expect_match "it is running"
	OCI kill husk-t2 KILL
	wait_status husk-t2 stopped
	OCI delete husk-t2
	run OCI state husk-t2
	expect_status 1
	expect_match 'container "husk-t2" does not exist'
}

@test "oci: delete of a created container kills its waiting process" {
	args true
	OCI create --bundle "$BUNDLE" husk-t3
	pid=$(OCI state husk-t3 | jq .pid)
	kill -0 "$pid"
	OCI delete husk-t3
	gone "$pid" || fail "process $pid survived delete"
	[ -z "$(ls -A "$OCI_ROOT")" ]
}

@test "oci: kill by name and number, --all, and on a stopped container" {
	args sh -c 'trap "echo got USR1 >/tmp/usr1" USR1; sleep 1000 & wait; sleep 1000 & wait'
	OCI run -d --bundle "$BUNDLE" husk-t4
	wait_for 10 pgrep -f "sleep 1000"
	OCI kill husk-t4 SIGUSR1
	wait_for 10 test -e "$BUNDLE/rootfs/tmp/usr1"
	OCI kill --all husk-t4 9
	wait_status husk-t4 stopped
	run OCI kill husk-t4 KILL
	expect_status 1
	expect_match "is not running"
	run OCI kill husk-t4 NOSUCHSIGNAL
	expect_status 1
	expect_match "unknown signal"
	OCI delete husk-t4
}

@test "oci: exec with flags, with --process, detached with a pid file" {
	args sleep 1000
	OCI run -d --bundle "$BUNDLE" husk-t5
	run OCI exec --env FOO=bar husk-t5 sh -c 'echo $FOO; exit 4'
	expect_status 4
	expect_output bar
	run OCI exec --user 1000:1000 --cwd /tmp husk-t5 sh -c 'echo $(id -u):$(id -g) $(pwd)'
	expect_output "1000:1000 /tmp"
	jq '.process | .args = ["sh", "-c", "echo from process.json"]' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
	run OCI exec --process "$BATS_TEST_TMPDIR/process.json" husk-t5
	expect_status 0
	expect_output "from process.json"
	OCI exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" husk-t5 sleep 500
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	OCI ps --format json husk-t5 | jq -e "index($pid) != null"
	run OCI ps husk-t5
	expect_match "sleep 500"
	OCI delete --force husk-t5
	gone "$pid" || fail "exec'd process $pid survived delete --force"
}

@test "oci: pause and resume freeze the container's processes" {
	args sleep 1000
	OCI run -d --bundle "$BUNDLE" husk-t6
	OCI pause husk-t6
	[ "$(status_of husk-t6)" = paused ]
	OCI list | grep -E "^husk-t6 +[0-9]+ +paused"
	run OCI pause husk-t6
	expect_status 1
	OCI resume husk-t6
	[ "$(status_of husk-t6)" = running ]
	run OCI resume husk-t6
	expect_status 1
	expect_match "not paused"
	OCI pause husk-t6
	OCI delete --force husk-t6
}

# A console socket receiver: takes the terminal's master and prints what the
# container writes to it.
console_receiver() {
	python3 - "$1" <<'EOF' &
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(64, socket.CMSG_LEN(fds.itemsize))
fds.frombytes(anc[0][2][:fds.itemsize])
out = b""
while True:
    try:
        chunk = os.read(fds[0], 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
sys.stdout.write(out.decode(errors="replace"))
EOF
	RECEIVER=$!
	wait_for 10 test -S "$1"
}

@test "oci: a terminal goes to --console-socket" {
	spec '.process.terminal = true'
	args sh -c 'tty; stty size'
	spec '.process.consoleSize = {"height": 25, "width": 91}'
	console_receiver "$BATS_TEST_TMPDIR/console.sock" >"$BATS_TEST_TMPDIR/console.out"
	OCI run -d --console-socket "$BATS_TEST_TMPDIR/console.sock" --bundle "$BUNDLE" husk-t7
	wait "$RECEIVER"
	grep -q "/dev/pts/0" "$BATS_TEST_TMPDIR/console.out"
	grep -q "25 91" "$BATS_TEST_TMPDIR/console.out"
	run OCI create --bundle "$BUNDLE" husk-t7b
	expect_status 1
	expect_match "needs --console-socket"
	OCI delete husk-t7
}

@test "oci: hooks run in order with the state on stdin" {
	hook=$BATS_TEST_TMPDIR/hook.sh
	printf '#!/bin/sh\necho "$1 $(cat)" >>%s/hooks.log\n' "$BATS_TEST_TMPDIR" >"$hook"
	chmod +x "$hook"
	h() { printf '[{"path": "%s", "args": ["hook", "%s"]}]' "$hook" "$1"; }
	spec ".hooks = {prestart: $(h prestart), createRuntime: $(h createRuntime),
		createContainer: $(h createContainer), startContainer: $(h startContainer),
		poststart: $(h poststart), poststop: $(h poststop)}"
	# startContainer runs inside the container: the hook's path there.
	mkdir -p "$BUNDLE/rootfs/$(dirname "$hook")"
	cp "$hook" "$BUNDLE/rootfs/$hook"
	printf '#!/bin/sh\necho "$1 $(cat)" >/tmp/start-hook\n' >"$BUNDLE/rootfs/$hook"
	args true
	OCI create --bundle "$BUNDLE" husk-t8
	OCI start husk-t8
	wait_for 10 test -s "$BUNDLE/rootfs/tmp/start-hook"
	wait_status husk-t8 stopped
	OCI delete husk-t8
	run cut -d' ' -f1 "$BATS_TEST_TMPDIR/hooks.log"
	expect_output "$(printf 'prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop')"
	grep '^poststop ' "$BATS_TEST_TMPDIR/hooks.log" | cut -d' ' -f2- | jq -e '.id == "husk-t8" and .status == "stopped"'
	grep '^prestart ' "$BATS_TEST_TMPDIR/hooks.log" | cut -d' ' -f2- | jq -e '.status == "created" and .pid > 0'
	cut -d' ' -f2- "$BUNDLE/rootfs/tmp/start-hook" | jq -e '.status == "running"'
}

@test "oci: a failing hook fails create and leaves nothing" {
	spec '.hooks = {createRuntime: [{"path": "/bin/false"}]}'
	args true
	run OCI --log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$BUNDLE" husk-t9
	expect_status 1
	expect_match "createRuntime hook /bin/false failed"
	jq -e 'select(.level == "error") | .msg | test("createRuntime hook")' "$BATS_TEST_TMPDIR/log.json"
	[ -z "$(ls -A "$OCI_ROOT")" ] || fail "state left: $(ls "$OCI_ROOT")"
}

@test "oci: invalid config.json is rejected with its JSON path, nothing left" {
	spec '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	run OCI create --bundle "$BUNDLE" husk-t10
	expect_status 1
	expect_match 'process.rlimits\[0\].type: unknown RLIMIT_BOGUS'
	spec 'del(.process.rlimits) | .mounts[0].destination = "relative"'
	run OCI create --bundle "$BUNDLE" husk-t10
	expect_match 'mounts\[0\].destination must be absolute'
	spec '.mounts[0].destination = "/proc" | .hooks = {poststop: [{"path": "x"}]}'
	run OCI create --bundle "$BUNDLE" husk-t10
	expect_match 'hooks.poststop\[0\].path must be an absolute path'
	[ -z "$(ls -A "$OCI_ROOT" 2>/dev/null)" ]
	spec 'del(.hooks)'
	run OCI create --bundle "$BUNDLE" 'bad/id'
	expect_status 1
	expect_match 'invalid container ID'
}

@test "oci: rlimits, umask and oomScoreAdj reach the process; a refused rlimit says so" {
	spec '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 4096, "hard": 8192}] | .process.oomScoreAdj = 123'
	args sh -c 'ulimit -n; ulimit -Hn; umask; cat /proc/self/oom_score_adj'
	run OCI run --bundle "$BUNDLE" husk-t11
	expect_status 0
	expect_output "$(printf '4096\n8192\n0022\n123')"
	spec '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1048576000, "hard": 1048576000}]'
	run OCI run --bundle "$BUNDLE" husk-t11
	expect_status 1
	expect_match "RLIMIT_NOFILE 1048576000:1048576000 refused"
	[ -z "$(ls -A "$OCI_ROOT" 2>/dev/null)" ]
}

@test "oci: update, events --stats and the container's own cgroup mount" {
	args sh -c 'cat /sys/fs/cgroup/pids/pids.max; touch /sys/fs/cgroup/x 2>&1; sleep 1000'
	OCI run -d --bundle "$BUNDLE" husk-t12 >"$BATS_TEST_TMPDIR/out"
	OCI update --pids-limit 77 --memory 64m husk-t12
	[ "$(cat /sys/fs/cgroup/pids/husk-oci-test/$BATS_TEST_NUMBER/pids.max)" = 77 ]
	[ "$(cat /sys/fs/cgroup/memory/husk-oci-test/$BATS_TEST_NUMBER/memory.limit_in_bytes)" = 67108864 ]
	echo '{"pids": {"limit": 55}}' | OCI update --resources - husk-t12
	[ "$(cat /sys/fs/cgroup/pids/husk-oci-test/$BATS_TEST_NUMBER/pids.max)" = 55 ]
	OCI events --stats husk-t12 | jq -e '.type == "stats" and .data.pids.current == 1'
	wait_for 10 grep -q "Read-only file system" "$BATS_TEST_TMPDIR/out"
	grep -qx max "$BATS_TEST_TMPDIR/out"
	OCI delete --force husk-t12
}

@test "oci: systemd's cgroupsPath spelling, and --systemd-cgroup without systemd" {
	spec '.linux.cgroupsPath = "husk.slice:husk:t13"'
	args sleep 100
	OCI run -d --bundle "$BUNDLE" husk-t13
	[ -d /sys/fs/cgroup/pids/husk.slice/husk-t13.scope ]
	# exec joins the same cgroups as the container (the converted path)
	run OCI exec husk-t13 cat /proc/self/cgroup
	expect_status 0
	expect_match "pids:/husk.slice/husk-t13.scope"
	OCI delete --force husk-t13
	[ ! -d /sys/fs/cgroup/pids/husk.slice/husk-t13.scope ]
	rmdir /sys/fs/cgroup/*/husk.slice 2>/dev/null || true
	if [ ! -d /run/systemd/system ]; then
		run OCI --systemd-cgroup create --bundle "$BUNDLE" husk-t13b
		expect_status 1
		expect_match "systemd is not running"
	fi
}

@test "oci: --preserve-fds passes fds to the container; husk oci is husk-oci" {
	args sh -c 'echo through fd 3 >&3'
	OCI run --preserve-fds 1 --bundle "$BUNDLE" husk-t14 3>"$BATS_TEST_TMPDIR/fd3"
	[ "$(cat "$BATS_TEST_TMPDIR/fd3")" = "through fd 3" ]
	# More fds than the caller has open: husk-oci's own must not fill the gaps.
	run OCI run --preserve-fds 4 --bundle "$BUNDLE" husk-t14 3>&- 4>&- 5>&- 6>&-
	expect_status 1
	expect_match "preserve-fds 4: fd 3 is not open"
	[ -z "$(ls -A "$OCI_ROOT")" ]
	# conmon holds its sync pipes on fds 3-5 when it runs the runtime: an
	# fd not preserved never reaches the container (it could write to it).
	args sh -c 'ls /proc/self/fd | tr "\n" " "'
	run OCI run --bundle "$BUNDLE" husk-t14 5>"$BATS_TEST_TMPDIR/fd5" 7<"$BUNDLE/config.json"
	expect_status 0
	expect_output "0 1 2 3 "
	args true
	husk oci --root "$OCI_ROOT" run --bundle "$BUNDLE" husk-t14
	run husk oci --root "$OCI_ROOT" features
	expect_status 0
	echo "$output" | jq -e '.ociVersionMax == "1.2.0" and (.hooks | index("poststop") != null)'
}

@test "oci: scheduler, ioPriority, personality and time offsets reach the process" {
	spec '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}
		| .process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}
		| .linux.personality = {"domain": "LINUX32"}
		| .linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 1000000, "nanosecs": 0}}
		| .process.apparmorProfile = "husk-test-profile"'
	# stat fields 19 (nice) and 41 (policy: 3 is SCHED_BATCH)
	args sh -c 'cut -d" " -f19,41 /proc/self/stat; ionice; uname -m; cut -d. -f1 /proc/uptime'
	run --separate-stderr OCI run --bundle "$BUNDLE" husk-t15
	expect_status 0
	[ "${lines[0]}" = "5 3" ] || fail "nice and policy: ${lines[0]}"
	[ "${lines[1]}" = "idle" ] || fail "io priority: ${lines[1]}"
	[ "${lines[2]}" = i686 ] || fail "personality: ${lines[2]}"
	[ "${lines[3]}" -gt 1000000 ] || fail "boottime offset: ${lines[3]}"
	if [ ! -e /sys/kernel/security/apparmor ]; then
		expect_match "apparmorProfile husk-test-profile ignored: AppArmor is not enabled" "$stderr"
	fi
	spec '.linux.timeOffsets = {"realtime": {"secs": 1}}'
	run OCI run --bundle "$BUNDLE" husk-t15
	expect_status 1
	expect_match "linux.timeOffsets.realtime"
}

@test "oci: idmap and ridmap binds show host files as the container's own ids" {
	mkdir -p "$BATS_TEST_TMPDIR/shared/sub"
	echo data >"$BATS_TEST_TMPDIR/shared/file"
	chown 0:0 "$BATS_TEST_TMPDIR/shared/file"
	chmod 0755 "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/shared"
	spec '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| .mounts += [{"destination": "/mapped", "type": "bind", "source": "'"$BATS_TEST_TMPDIR"'/shared", "options": ["rbind", "idmap"]},
		              {"destination": "/plain", "type": "bind", "source": "'"$BATS_TEST_TMPDIR"'/shared", "options": ["rbind"]}]'
	mkdir -p "$BUNDLE"/rootfs/{proc,dev,sys,mapped,plain}
	chmod -R go+rX "$BUNDLE"
	# The container's root is an unprivileged host uid: it must reach the bundle.
	d=$BUNDLE
	while [ "$d" != / ]; do
		chmod a+x "$d"
		d=$(dirname "$d")
	done
	args sh -c 'stat -c "%u %n" /mapped/file /plain/file'
	run OCI run --bundle "$BUNDLE" husk-t16
	expect_status 0
	expect_output "$(printf '0 /mapped/file\n65534 /plain/file')"
	spec 'del(.linux.uidMappings, .linux.gidMappings) | .linux.namespaces |= map(select(.type != "user"))'
	run OCI run --bundle "$BUNDLE" husk-t16
	expect_status 1
	expect_match "an idmap mount needs a user namespace"
	[ -z "$(ls -A "$OCI_ROOT")" ]
}

@test "oci: a hook past its timeout is killed and fails create; unified cgroup files; exec --cap and --no-new-privs" {
	spec '.hooks = {createRuntime: [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}'
	args true
	SECONDS=0
	run OCI create --bundle "$BUNDLE" husk-t17
	expect_status 1
	expect_match "createRuntime hook /bin/sleep timed out after 1 s"
	[ "$SECONDS" -lt 10 ] || fail "the hook was not killed at its timeout"
	[ -z "$(ls -A "$OCI_ROOT")" ]
	spec 'del(.hooks) | .linux.resources.unified = {"cgroup.max.depth": "3"}'
	args sleep 1000
	OCI run -d --bundle "$BUNDLE" husk-t17
	[ "$(cat /sys/fs/cgroup/unified/husk-oci-test/$BATS_TEST_NUMBER/cgroup.max.depth)" = 3 ]
	run OCI exec husk-t17 sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
	expect_match "NoNewPrivs:	1"
	effective=$(echo "$output" | sed -n 's/^CapEff:\t//p')
	run OCI exec --cap CAP_SYS_ADMIN husk-t17 sh -c 'sed -n "s/^CapEff:\t//p" /proc/self/status'
	[ $((0x$output & 0x200000)) != 0 ] || fail "CAP_SYS_ADMIN not added: $output"
	[ $((0x$effective & 0x200000)) = 0 ] || fail "CAP_SYS_ADMIN there without --cap: $effective"
	OCI list --format json | jq -e 'map(select(.id == "husk-t17" and .status == "running")) | length == 1'
	OCI delete --force husk-t17
}

@test "oci: with a cgroup namespace the cgroup mount shows the container's own cgroup only" {
	spec '.linux.namespaces += [{"type": "cgroup"}] | .linux.resources.pids = {"limit": 42}'
	args sh -c 'cat /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup/pids | grep -c husk-oci-test; cat /proc/self/cgroup | grep pids'
	run OCI run --bundle "$BUNDLE" husk-t18
	expect_status 0
	[ "${lines[0]}" = 42 ] || fail "pids.max of the container's cgroup: ${lines[0]}"
	[ "${lines[1]}" = 0 ] || fail "the host's cgroups are visible"
	expect_match "pids:/$"
	# A long rdma device name is refused without crashing (no rdma cgroup here).
	spec 'del(.linux.resources.pids) | .linux.resources.rdma = {("d" * 400): {"hcaHandles": 3}}'
	run OCI run --bundle "$BUNDLE" husk-t18
	expect_status 1
	expect_match "rdma"
	[ -z "$(ls -A "$OCI_ROOT")" ]
}

@test "oci: SCMP_ACT_NOTIFY hands the listener to listenerPath with the container's state" {
	python3 - "$BATS_TEST_TMPDIR/agent.sock" "$BATS_TEST_TMPDIR/agent.out" <<'PY' &
import array, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(65536, socket.CMSG_LEN(fds.itemsize))
fds.frombytes(anc[0][2][:fds.itemsize])
state = json.loads(msg)
# The fd is a seccomp listener: /proc shows its type.
state["listener"] = os.readlink("/proc/self/fd/%d" % fds[0])
open(sys.argv[2], "w").write(json.dumps(state))
os.close(fds[0])  # no agent answers: notified syscalls then fail with ENOSYS
PY
	agent=$!
	wait_for 10 test -S "$BATS_TEST_TMPDIR/agent.sock"
	spec '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$BATS_TEST_TMPDIR"'/agent.sock",
		"listenerMetadata": "husk-test", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
	args sh -c 'mkdir /tmp/notified 2>/dev/null; echo $?'
	OCI create --bundle "$BUNDLE" husk-t19
	wait "$agent"
	jq -e '.fds == ["seccompFd"] and .pid > 0 and .metadata == "husk-test" and .state.id == "husk-t19" and (.listener | test("seccomp"))' "$BATS_TEST_TMPDIR/agent.out"
	OCI start husk-t19
	wait_status husk-t19 stopped
	[ ! -e "$BUNDLE/rootfs/tmp/notified" ] || fail "mkdir ran: the filter did not notify"
	OCI delete husk-t19
	spec '.linux.seccomp |= del(.listenerPath)'
	run OCI create --bundle "$BUNDLE" husk-t19
	expect_status 1
	expect_match "SCMP_ACT_NOTIFY needs an absolute listenerPath"
}
