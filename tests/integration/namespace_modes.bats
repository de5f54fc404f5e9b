#!/usr/bin/env bats
# --pid, --ipc, --uts and --cgroupns: a namespace of the container's own by
# default, the host's on request; checked with the kernel's namespace links.

load helpers

# ns_in_container TYPE [husk run flags...]: /proc/self/ns/TYPE inside a container.
ns_in_container() {
	local type=$1
	shift
	"$HUSK" run --rm "$@" busybox readlink /proc/self/ns/$type
}

@test "by default every namespace but user is the container's own" {
	for type in cgroup ipc mnt net pid uts time; do
		run ns_in_container $type
		expect_status 0
		[ "$output" != "$(readlink /proc/self/ns/$type)" ] || fail "$type is the host's"
	done
}

@test "--pid host: the host's PID namespace, its PID 1 is the host's init" {
	run ns_in_container pid --pid host
	expect_output "$(readlink /proc/self/ns/pid)"
	run "$HUSK" run --rm --pid host busybox cat /proc/1/cmdline
	expect_output "$(tr -d '\0' </proc/1/cmdline)"
	run "$HUSK" run --rm --pid private busybox sh -c 'echo $$'
	expect_output 1
}

@test "--ipc host: the host's IPC namespace; a queue made on the host is listed inside" {
	run ns_in_container ipc --ipc host
	expect_output "$(readlink /proc/self/ns/ipc)"
	# busybox has no ipcs: the kernel's own list is /proc/sysvipc/msg (msqid is
	# its second column).
	id=$(ipcmk -Q | grep -o '[0-9]*$')
	run "$HUSK" run --rm --ipc host busybox awk '{print $2}' /proc/sysvipc/msg
	ipcrm -q "$id"
	expect_status 0
	grep -qx "$id" <<<"$output" || fail "queue $id not listed: $output"
	id=$(ipcmk -Q | grep -o '[0-9]*$')
	run "$HUSK" run --rm busybox awk '{print $2}' /proc/sysvipc/msg
	ipcrm -q "$id"
	! grep -qx "$id" <<<"$output"
}

@test "--ipc none: an IPC namespace of its own and no /dev/shm; shareable is private" {
	run ns_in_container ipc --ipc none
	[ "$output" != "$(readlink /proc/self/ns/ipc)" ]
	run "$HUSK" run --rm --ipc none busybox test -e /dev/shm
	expect_status 1
	run "$HUSK" run --rm --ipc shareable busybox sh -c 'test -d /dev/shm && readlink /proc/self/ns/ipc'
	expect_status 0
	[ "$output" != "$(readlink /proc/self/ns/ipc)" ]
}

@test "--uts host: the host's name; --hostname with it is refused" {
	run ns_in_container uts --uts host
	expect_output "$(readlink /proc/self/ns/uts)"
	run "$HUSK" run --rm --uts host busybox hostname
	expect_output "$(hostname)"
	run --separate-stderr "$HUSK" run --rm --uts host --hostname other busybox true
	expect_husk_error 125 'conflicting options: --hostname and --uts host'
	[ "$(count_containers)" = 0 ]
}

@test "--cgroupns host: the host's cgroup namespace, the full cgroup path shows" {
	run ns_in_container cgroup --cgroupns host
	expect_output "$(readlink /proc/self/ns/cgroup)"
	run "$HUSK" run --rm --cgroupns host busybox cat /proc/self/cgroup
	[[ "$output" == *"/husk/"* ]] || fail "$output"
	run "$HUSK" run --rm busybox cat /proc/self/cgroup
	[[ "$output" != *"/husk/"* ]] || fail "$output"
}

@test "inspect HostConfig modes and Namespaces agree with the kernel" {
	keep_containers=1
	"$HUSK" run -d --name m --pid host --ipc none --uts host --cgroupns host busybox sleep 100 >/dev/null
	run "$HUSK" inspect -f '{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} {{.HostConfig.CgroupnsMode}}' m
	expect_output "host none host host"
	pid=$("$HUSK" inspect -f '{{.State.Pid}}' m)
	for type in pid uts cgroup; do
		[ "$("$HUSK" inspect -f "{{index .Namespaces \"$type\"}}" m)" = "$(stat -L -c %i /proc/self/ns/$type)" ]
	done
	[ "$("$HUSK" inspect -f '{{index .Namespaces "ipc"}}' m)" != "$(stat -L -c %i /proc/self/ns/ipc)" ]
	"$HUSK" rm -f m >/dev/null
}

@test "bad namespace modes: one-line error naming the flag, nothing created" {
	for flag in --pid --ipc --uts --cgroupns; do
		run --separate-stderr "$HUSK" run --rm $flag bogus busybox true
		expect_husk_error 125 "invalid $flag mode \"bogus\""
	done
	[ "$(count_containers)" = 0 ]
}
