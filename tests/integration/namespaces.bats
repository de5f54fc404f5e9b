#!/usr/bin/env bats
# Namespaces, PID 1, network and cgroups.

load helpers

NAMESPACES="cgroup ipc mnt net pid time uts user"

# Prints "NS:[inode]" lines for this (host side) process.
host_namespaces() {
	local ns
	for ns in $NAMESPACES; do
		readlink "/proc/self/ns/$ns"
	done
}

container_namespaces_script='for ns in '"$NAMESPACES"'; do readlink /proc/self/ns/$ns; done'

@test "a container has its own cgroup ipc mnt net pid time uts namespaces, the host's user namespace" {
	run husk run --rm busybox sh -c "$container_namespaces_script"
	expect_status 0
	local host ns i=0
	host=($(host_namespaces))
	for ns in $NAMESPACES; do
		[ -n "${lines[$i]}" ] || fail "no $ns namespace reported"
		if [ "$ns" = user ]; then
			[ "${lines[$i]}" = "${host[$i]}" ] || fail "user: container ${lines[$i]}, host ${host[$i]}"
		else
			[ "${lines[$i]}" != "${host[$i]}" ] || fail "$ns namespace is the host's: ${lines[$i]}"
		fi
		i=$((i + 1))
	done
}

@test "two containers running at once do not share namespaces" {
	# (at once: the kernel reuses a freed namespace's inode number)
	local out=$BATS_TEST_TMPDIR/first
	start_bg "$out" run --rm busybox sh -c "$container_namespaces_script; echo ready; exec sleep 100"
	local first_pid=$BG_PID
	wait_for 10 file_has_line "$out" ready
	run husk run --rm busybox sh -c "$container_namespaces_script"
	expect_status 0
	local first i
	first=($(cat "$out"))
	for i in 0 1 2 3 4 5 6; do
		[ "${lines[$i]}" != "${first[$i]}" ] || fail "shared: ${lines[$i]}"
	done
	pkill -KILL -P "$first_pid"
	expect_bg_status "$first_pid" 137 "$out"
}

@test "--network host shares the host's network namespace only" {
	local host
	host=($(host_namespaces))
	run husk run --rm --network host busybox sh -c "$container_namespaces_script"
	expect_status 0
	[ "${lines[3]}" = "${host[3]}" ] || fail "net: ${lines[3]} != host ${host[3]}"
	local i
	for i in 0 1 2 4 5 6; do
		[ "${lines[$i]}" != "${host[$i]}" ] || fail "shares ${lines[$i]} with the host"
	done
	run husk run --rm --net host busybox readlink /proc/self/ns/net
	expect_status 0
	expect_output "${host[3]}"
	run husk run --rm --network none busybox readlink /proc/self/ns/net
	expect_status 0
	[ "$output" != "${host[3]}" ] || fail "--network none shares the host's network namespace"
}

@test "--network host sees the host's interfaces" {
	# (this side's /sys shows the initial network namespace's devices, so ask ip)
	run husk run --rm --network host busybox ls /sys/class/net
	expect_status 0
	expect_output "$(ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort)"
}

@test "--network none has only lo, and it is up" {
	run husk run --rm --network none busybox sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags'
	expect_status 0
	[ "${lines[0]}" = lo ] || fail "interfaces: $output"
	[ "${#lines[@]}" = 2 ] || fail "interfaces: $output"
	(( ${lines[1]} & 1 )) || fail "lo is down: flags ${lines[1]}"
}

@test "the container's loopback works" {
	run husk run --rm busybox sh -c 'ping -c 1 -W 2 127.0.0.1 >/dev/null && echo reachable'
	expect_status 0
	expect_output reachable
}

@test "the command is PID 1" {
	run husk run --rm busybox sh -c 'echo $$'
	expect_status 0
	expect_output 1
	run husk run --rm busybox cat /proc/1/cmdline
	expect_status 0
	expect_output "$(printf 'cat\0/proc/1/cmdline')"
}

@test "ps in the container sees only the container's processes" {
	run husk run --rm busybox ps -o pid,comm
	expect_status 0
	[ "${#lines[@]}" = 2 ] || fail "ps shows: $output"
	expect_match '^ *1 +ps$' "${lines[1]}"
}

@test "the UTS namespace is private: sethostname inside does not reach the host" {
	local before
	before=$(hostname)
	# (CAP_SYS_ADMIN, needed by sethostname, only with --privileged)
	run husk run --rm --privileged busybox sh -c 'hostname changed-inside && hostname'
	expect_status 0
	expect_output changed-inside
	[ "$(hostname)" = "$before" ] || fail "the host's name changed to $(hostname)"
}

@test "/proc/self/cgroup shows / for every hierarchy (cgroup namespace)" {
	run husk run --rm busybox cat /proc/self/cgroup
	expect_status 0
	[ "${#lines[@]}" -gt 0 ] || fail "empty /proc/self/cgroup"
	local line
	for line in "${lines[@]}"; do
		expect_match '^[0-9]+:[^:]*:/$' "$line" || return 1
	done
	[ "${#lines[@]}" = "$(wc -l </proc/self/cgroup)" ] || fail "hierarchies differ from the host's"
}

@test "each container has a cgroup husk/<id> in every hierarchy holding its PID 1, removed at the end" {
	keep_containers=1
	local out=$BATS_TEST_TMPDIR/out
	start_bg "$out" run --name cgroups busybox sh -c 'echo ready; exec sleep 100'
	local husk_pid=$BG_PID
	wait_for 10 file_has_line "$out" ready
	local id pid1 mount dirs=()
	id=$(only_container_id)
	pid1=$(container_pid1 "$husk_pid") || fail "no single child of husk: $(pgrep -P "$husk_pid")"
	[ "$(cat /proc/$pid1/comm)" = sleep ] || fail "PID 1 is $(cat /proc/$pid1/comm)"
	for mount in $(cgroup_mounts); do
		dirs+=("$mount/husk/$id")
		[ -d "$mount/husk/$id" ] || fail "no $mount/husk/$id"
		grep -qx "$pid1" "$mount/husk/$id/cgroup.procs" ||
			fail "$mount/husk/$id/cgroup.procs lacks $pid1: $(cat "$mount/husk/$id/cgroup.procs")"
	done
	[ "${#dirs[@]}" -gt 0 ] || fail "no cgroup hierarchy mounted"
	if [ -d /sys/fs/cgroup/pids ]; then
		grep -qx "$pid1" "/sys/fs/cgroup/pids/husk/$id/cgroup.procs" || fail "not in the pids cgroup"
	fi
	# the container's cgroup namespace is rooted there
	grep -q ':/husk/'"$id"'$' "/proc/$pid1/cgroup" || fail "$(cat /proc/$pid1/cgroup)"
	kill -KILL "$pid1"
	expect_bg_status "$husk_pid" 137 "$out"
	local dir
	for dir in "${dirs[@]}"; do
		[ ! -e "$dir" ] || fail "$dir still exists after the container ended"
	done
}

@test "the cgroups of a container that exits normally are removed" {
	local out=$BATS_TEST_TMPDIR/out
	start_bg "$out" run --rm busybox sh -c 'hostname; sleep 1'
	local husk_pid=$BG_PID
	wait_for 10 grep -q . "$out"
	local short dirs
	short=$(head -1 "$out")
	dirs=$(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/husk/$short*")
	[ -n "$dirs" ] || fail "no cgroup for $short"
	expect_bg_status "$husk_pid" 0 "$out"
	local dir
	for dir in $dirs; do
		[ ! -e "$dir" ] || fail "$dir still exists"
	done
}
