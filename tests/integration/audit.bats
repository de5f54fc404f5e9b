#!/usr/bin/env bats
# husk audit: what namespaces do not isolate, measured on the running kernel.
# Traffic stays in the sandbox (10.88/16 made by husk there). The one host
# change, raising net.netfilter.nf_conntrack_max (one value for every
# network namespace), is undone by the teardown.

load helpers

setup_file() {
	sysctl_snapshot >"$BATS_FILE_TMPDIR/first"
	sysctl_snapshot >"$BATS_FILE_TMPDIR/second"
}

setup() { keeping_setup; }

teardown() {
	[ -z "${SERVER:-}" ] || kill "$SERVER" 2>/dev/null
	if [ -n "${CONNTRACK_MAX_BEFORE:-}" ]; then
		in_first_netns sh -c "echo $CONNTRACK_MAX_BEFORE >/proc/sys/net/netfilter/nf_conntrack_max"
	fi
	removing_teardown
}

# The sandbox has its own network namespace, where global net keys are
# read-only or hidden as in a container: the host's values are in the first
# one, where kthreadd (PID 2) runs.
in_first_netns() {
	nsenter --net=/proc/2/ns/net "$@"
}

key_line() { # KEY: "KEY CLASS WHERE" from husk audit --keys
	"$HUSK" audit --keys | awk -v k="$1" '$1 == k { print $1, $2, $3 }'
}

@test "nf_conntrack_max: a container reads the host's value, sees it change, and cannot write it" {
	host=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
	[ "$host" = "$(in_first_netns cat /proc/sys/net/netfilter/nf_conntrack_max)" ]
	"$HUSK" run -d --name c busybox sleep 1001 >/dev/null
	run "$HUSK" exec c cat /proc/sys/net/netfilter/nf_conntrack_max
	expect_output "$host"
	CONNTRACK_MAX_BEFORE=$host
	in_first_netns sh -c "echo $((host + 1024)) >/proc/sys/net/netfilter/nf_conntrack_max"
	run "$HUSK" exec c cat /proc/sys/net/netfilter/nf_conntrack_max
	expect_output "$((host + 1024))"
	# husk mounts /proc/sys read-only; with --privileged the kernel itself refuses.
	run "$HUSK" exec c sh -c 'echo 5 >/proc/sys/net/netfilter/nf_conntrack_max'
	expect_status 1
	expect_match 'Read-only file system'
	run "$HUSK" run --rm --privileged busybox sh -c 'echo 5 >/proc/sys/net/netfilter/nf_conntrack_max'
	expect_status 1
	expect_match 'Permission denied'
	run --separate-stderr "$HUSK" run --rm --sysctl net.netfilter.nf_conntrack_max=5 busybox true
	expect_husk_error 125 'net.netfilter.nf_conntrack_max is refused: no namespace isolates it.*\(husk audit: global-read-only-inside\)'
	[ "$(cat /proc/sys/net/netfilter/nf_conntrack_max)" = "$((host + 1024))" ]
}

@test "kernel settings are classified by experiment and cached per kernel release" {
	run "$HUSK" audit --refresh --format json
	expect_status 0
	[ "$(jq -r .Sysctls.Cached <<<"$output")" = false ]
	[ -f "$HUSK_ROOT/audit/sysctl-$(uname -r).json" ]
	[ "$(key_line net.netfilter.nf_conntrack_max)" = "net.netfilter.nf_conntrack_max global-read-only-inside net" ]
	[ "$(key_line net.ipv4.ip_forward)" = "net.ipv4.ip_forward isolated net" ]
	[ "$(key_line net.core.somaxconn)" = "net.core.somaxconn isolated net" ]
	[ "$(key_line kernel.hostname)" = "kernel.hostname isolated uts" ]
	[ "$(key_line kernel.shmmax)" = "kernel.shmmax isolated ipc" ]
	[ "$(key_line net.core.netdev_max_backlog)" = "net.core.netdev_max_backlog global-hidden-inside net" ]
	[ "$(key_line fs.file-max)" = "fs.file-max global-visible -" ]
	[ "$(key_line vm.swappiness)" = "vm.swappiness global-visible -" ]
	# kernel.pid_max became per PID namespace in Linux 6.14: the audit must
	# say what this kernel does, checked here by hand in a new PID namespace.
	# As a user namespace's root, which cannot write a global pid_max.
	before=$(cat /proc/sys/kernel/pid_max)
	if unshare --user --map-root-user --pid --fork sh -c 'echo 1000 >/proc/sys/kernel/pid_max' 2>/dev/null &&
		[ "$(cat /proc/sys/kernel/pid_max)" = "$before" ]; then
		[ "$(key_line kernel.pid_max)" = "kernel.pid_max isolated pid" ]
		run "$HUSK" run --rm --sysctl kernel.pid_max=5000 busybox cat /proc/sys/kernel/pid_max
		expect_output 5000
		[ "$(cat /proc/sys/kernel/pid_max)" = "$before" ]
		run --separate-stderr "$HUSK" run --rm --pid host --sysctl kernel.pid_max=5000 busybox true
		expect_husk_error 125 'shares that namespace \(--pid host\)'
	else
		[ "$(key_line kernel.pid_max)" = "kernel.pid_max global-visible -" ]
	fi
	run "$HUSK" audit --format json
	[ "$(jq -r .Sysctls.Cached <<<"$output")" = true ]
	[ "$(jq -r '.Sysctls.Classes[] | select(.Namespace == "net") | .Keys' <<<"$output")" -gt 100 ]
}

# Every readable key of the first network namespace and of husk's own, as
# "path:value" lines (grep exits 2 for the few unreadable keys: under bats'
# errexit that would end the group early).
sysctl_snapshot() {
	{
		in_first_netns grep -r . /proc/sys 2>/dev/null || true
		grep -r . /proc/sys/net 2>/dev/null | sed 's|^|sandbox:|' || true
	} | sort
}

# Values that change on their own, or with the links husk makes and removes.
volatile_patterns() {
	printf '%s\n' random -nr -state pty/nr ns_last_pid conntrack_count stat_refresh \
		/conf/veth /neigh/veth /conf/husk /neigh/husk
}

@test "the audit leaves every /proc/sys value as it found it" {
	# Against the snapshot setup_file took before any husk command of this
	# file: a probe's change the kernel would not take back shows up even
	# though earlier tests already ran the probe.
	volatile() { diff "$1" "$2" | sed -n 's/^[<>] \([^:]*:[^:]*\):.*/\1/p; s/^[<>] \([^:]*\):.*/\1/p'; }
	{
		volatile "$BATS_FILE_TMPDIR/first" "$BATS_FILE_TMPDIR/second"
		volatile_patterns
	} >"$BATS_TEST_TMPDIR/volatile"
	rm -f "$HUSK_ROOT"/audit/sysctl-*.json
	"$HUSK" audit --refresh >/dev/null
	sysctl_snapshot >"$BATS_TEST_TMPDIR/after"
	changed=$(diff "$BATS_FILE_TMPDIR/second" "$BATS_TEST_TMPDIR/after" | grep '^[<>]' |
		grep -v -F -f "$BATS_TEST_TMPDIR/volatile" || true)
	[ -z "$changed" ] || fail "the audit changed: $changed"
	[ "$(grep -c '^/proc/sys/kernel/' "$BATS_TEST_TMPDIR/after")" -gt 100 ]
	[ "$(grep -c '^sandbox:/proc/sys/net/' "$BATS_TEST_TMPDIR/after")" -gt 100 ]
}

@test "conntrack: a container's connections count against it in the host's table" {
	"$HUSK" run -d --name client busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name idle busybox sleep 1001 >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/www"
	echo hello >"$BATS_TEST_TMPDIR/www/index.html"
	busybox httpd -f -p 10.88.0.1:8089 -h "$BATS_TEST_TMPDIR/www" </dev/null >/dev/null 2>&1 3>&- &
	SERVER=$!
	users() { "$HUSK" audit --format json | jq -r '.Tables[] | select(.Table == "conntrack") | .Users[] | "\(.Name) \(.Used)"'; }
	before=$(users | awk '$1 == "client" { print $2 }')
	run "$HUSK" exec client sh -c 'for i in $(seq 30); do wget -q -O- http://10.88.0.1:8089/ || exit 1; done | grep -c hello'
	expect_output 30
	run users
	client=$(awk '$1 == "client" { print $2 }' <<<"$output")
	[ "${client:-0}" -ge $((${before:-0} + 30)) ] || fail "client holds ${client:-0} entries (before: ${before:-0}): $output"
	! grep -q '^idle ' <<<"$output"
	run "$HUSK" audit
	expect_match 'conntrack +[0-9]+ +net.netfilter.nf_conntrack_max +[0-9]+ .*client [0-9]+'
}

# busybox has no inotify tool: a host `tail -f` (GNU tail watches with
# inotify) is moved into the container's cgroup, as `husk exec` would place it.
join_cgroup() { # CONTAINER PID
	local cpid path
	cpid=$("$HUSK" inspect -f '{{.State.Pid}}' "$1")
	path=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$cpid/cgroup")
	if [ -n "$path" ]; then
		echo "$2" >"/sys/fs/cgroup/pids$path/cgroup.procs"
	else
		echo "$2" >"/sys/fs/cgroup$(awk -F: '$1 == 0 { print $3 }' "/proc/$cpid/cgroup")/cgroup.procs"
	fi
}

@test "shared tables: each has a limit, usage and percent; a container's inotify instance counts for it" {
	"$HUSK" run -d --name watcher busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name other busybox sleep 1001 >/dev/null
	touch "$BATS_TEST_TMPDIR/watched"
	tail -f "$BATS_TEST_TMPDIR/watched" </dev/null >/dev/null 2>&1 3>&- &
	SERVER=$!
	wait_for 5 has_inotify "$SERVER"
	join_cgroup watcher "$SERVER"
	run "$HUSK" audit --format json
	for table in conntrack pids threads "open files" "inotify instances (uid 0)" "inotify watches (uid 0)" \
		"kernel keys (uid 0)" "tcp memory" "udp memory"; do
		jq -e --arg t "$table" '.Tables[] | select(.Table == $t and .Limit.Value > 0 and .Used >= 0 and .Percent >= 0 and (.Limit.Key | length) > 0)' \
			<<<"$output" >/dev/null || fail "table $table missing or incomplete"
	done
	[ "$(jq -r '.Tables[] | select(.Table == "inotify instances (uid 0)") | .Users[] | select(.Name == "watcher") | .Used' <<<"$output")" = 1 ]
	[ "$(jq -r '.Tables[] | select(.Table == "inotify watches (uid 0)") | .Users[] | select(.Name == "watcher") | .Used' <<<"$output")" -ge 1 ]
	[ "$(jq -r '.Tables[] | select(.Table == "pids") | .Users[] | select(.Name == "other") | .Used' <<<"$output")" = 1 ]
	run "$HUSK" audit
	expect_match 'inotify instances \(uid 0\) .*watcher 1'
	kill "$SERVER"
	wait "$SERVER" 2>/dev/null || true
	SERVER=
}

has_inotify() { # PID
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q inotify
}

@test "risks: containers without pid or memory limits are flagged; --strict fails on any risk" {
	"$HUSK" run -d --name loose busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name tight --pids-limit 50 -m 64m busybox sleep 1001 >/dev/null
	run "$HUSK" audit --format json loose
	expect_status 0
	jq -e '.Risks[] | select(.Container == "loose" and .Subject == "pids")' <<<"$output" >/dev/null
	jq -e '.Risks[] | select(.Container == "loose" and .Subject == "memory")' <<<"$output" >/dev/null
	[ "$(jq '[.Namespaces[].Name] | join(",")' <<<"$output")" = '"loose"' ]
	run "$HUSK" audit
	expect_match 'container loose has no --pids-limit: it can exhaust kernel.pid_max \([0-9]+\) for everyone'
	expect_match 'container loose has no memory limit'
	! grep -q 'container tight' <<<"$output"
	! grep -q $'\033' <<<"$output" # colour only on a terminal
	run "$HUSK" audit --strict loose
	expect_status 1
	# Table risks are the whole host's: tight alone is clean only if the host is.
	host_risks=$("$HUSK" audit --format json tight | jq '.Risks | length')
	run "$HUSK" audit --strict tight
	expect_status $((host_risks > 0 ? 1 : 0))
	! grep -q 'container tight' <<<"$output"
	"$HUSK" run -d --name shared --network host --pids-limit 9 -m 64m busybox sleep 1001 >/dev/null
	run "$HUSK" audit --format json shared
	jq -e '.Risks[] | select(.Container == "shared" and .Subject == "namespaces")' <<<"$output" >/dev/null
}

@test "audit errors: unknown or stopped containers and bad flags give one line and exit 125" {
	"$HUSK" create --name stopped busybox true >/dev/null
	run --separate-stderr "$HUSK" audit nosuch
	expect_husk_error 125 'No such container: nosuch'
	run --separate-stderr "$HUSK" audit stopped
	expect_husk_error 125 'container stopped is not running'
	run --separate-stderr "$HUSK" audit --format xml
	expect_husk_error 125 'invalid --format "xml"'
	run --separate-stderr "$HUSK" audit --bogus
	expect_husk_error 125 'unknown flag --bogus'
	run --separate-stderr "$HUSK" run --rm --sysctl kernel.nosuch=1 busybox true
	expect_husk_error 125 'kernel.nosuch is refused: this kernel has no such setting'
}
