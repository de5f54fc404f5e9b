#!/usr/bin/env bats
# --pid, --ipc and --network container:NAME (and --network host): the new
# container joins the very namespaces of a running one, checked with the
# kernel's namespace links and with what a user would try.

load helpers

setup() { keeping_setup; }
teardown() { removing_teardown; }

ns_of() { # CONTAINER TYPE: the namespace link of the container's PID 1
	readlink "/proc/$("$HUSK" inspect -f '{{.State.Pid}}' "$1")/ns/$2"
}

@test "--pid container:a: the same PID namespace, each sees the other's processes" {
	"$HUSK" run -d --name a busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name b --pid container:a busybox sleep 1002 >/dev/null
	[ "$(ns_of b pid)" = "$(ns_of a pid)" ]
	[ "$(ns_of b pid)" != "$(readlink /proc/self/ns/pid)" ]
	run "$HUSK" exec b ps -o pid,args
	expect_status 0
	expect_match '1 sleep 1001'
	expect_match 'sleep 1002'
	run "$HUSK" exec a ps -o args
	expect_match 'sleep 1002'
	# A fresh container joining a sees a's process as PID 1.
	run "$HUSK" run --rm --pid container:a busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "; readlink /proc/self/ns/pid'
	expect_status 0
	expect_output "sleep 1001 $(ns_of a pid)"
	# Other namespaces stay the container's own.
	[ "$(ns_of b net)" != "$(ns_of a net)" ]
	[ "$(ns_of b mnt)" != "$(ns_of a mnt)" ]
}

@test "--ipc container:a: a SysV queue made in one is listed in the other, /dev/shm is shared" {
	"$HUSK" run -d --name a --ipc shareable busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name b --ipc container:a busybox sleep 1002 >/dev/null
	"$HUSK" run -d --name c busybox sleep 1003 >/dev/null
	[ "$(ns_of b ipc)" = "$(ns_of a ipc)" ]
	# busybox has no ipcmk/ipcs: make the queue in a's IPC namespace with the
	# host's ipcmk, read the kernel's list (/proc/sysvipc/msg) in b.
	id=$(nsenter --ipc --target "$("$HUSK" inspect -f '{{.State.Pid}}' a)" ipcmk -Q | grep -o '[0-9]*$')
	run "$HUSK" exec b awk '{print $2}' /proc/sysvipc/msg
	expect_status 0
	grep -qx "$id" <<<"$output" || fail "queue $id of a not listed in b: $output"
	run "$HUSK" exec c awk '{print $2}' /proc/sysvipc/msg
	! grep -qx "$id" <<<"$output" || fail "queue $id of a listed in the private container c"
	! grep -qx "$id" < <(awk '{print $2}' /proc/sysvipc/msg) || fail "queue listed on the host"
	# And the other way round: made in b, seen in a.
	id=$(nsenter --ipc --target "$("$HUSK" inspect -f '{{.State.Pid}}' b)" ipcmk -Q | grep -o '[0-9]*$')
	run "$HUSK" exec a awk '{print $2}' /proc/sysvipc/msg
	grep -qx "$id" <<<"$output" || fail "queue $id of b not listed in a: $output"
	"$HUSK" exec a sh -c 'echo from-a >/dev/shm/note'
	run "$HUSK" exec b cat /dev/shm/note
	expect_output from-a
	run "$HUSK" exec c cat /dev/shm/note
	expect_status 1
}

@test "--network container:a: the same interfaces, a service a binds on 127.0.0.1 is reachable, a's host name" {
	"$HUSK" run -d --name a busybox sleep 1001 >/dev/null
	# Containers lack CAP_NET_ADMIN: add links to a's namespace from the host.
	nsenter --net --target "$("$HUSK" inspect -f '{{.State.Pid}}' a)" ip link add husk-v0 type veth peer name husk-v1
	"$HUSK" exec a sh -c 'mkdir /www && echo served-by-a >/www/index.html && httpd -p 127.0.0.1:8080 -h /www'
	# LISTEN (0A) on 127.0.0.1:8080 in a's /proc/net/tcp.
	wait_for 5 "$HUSK" exec a grep -q '0100007F:1F90 00000000:0000 0A' /proc/net/tcp
	run "$HUSK" run --rm --network container:a busybox sh -c 'wget -qO- http://127.0.0.1:8080/; hostname; ip -o link show | cut -d: -f2 | cut -d@ -f1 | tr -d " " | sort | xargs; readlink /proc/self/ns/net'
	expect_status 0
	[ "${lines[0]}" = served-by-a ] || fail "$output"
	[ "${lines[1]}" = "$("$HUSK" exec a hostname)" ] || fail "$output"
	[ "${lines[2]}" = "eth0 husk-v0 husk-v1 lo" ] || fail "$output"
	[ "${lines[3]}" = "$(ns_of a net)" ] || fail "$output"
	run "$HUSK" inspect -f '{{.HostConfig.NetworkMode}}' "$("$HUSK" create --network container:a busybox true)"
	expect_output "container:$("$HUSK" inspect -f '{{.Id}}' a)"
}

@test "--network host: the host's interfaces and network namespace" {
	# The sandbox's network namespace is the "host" here; give it a pair of links.
	ip link add husk-h0 type veth peer name husk-h1
	run "$HUSK" run --rm --network host busybox sh -c 'ip -o link show | cut -d: -f2 | cut -d@ -f1 | tr -d " " | sort | xargs; readlink /proc/self/ns/net'
	host_links=$(ip -o link show | cut -d: -f2 | cut -d@ -f1 | tr -d ' ' | sort | xargs)
	ip link del husk-h0
	expect_status 0
	[ "${lines[0]}" = "$host_links" ] || fail "links: ${lines[0]} vs host: $host_links"
	[ "${lines[1]}" = "$(readlink /proc/self/ns/net)" ] || fail "$output"
	run "$HUSK" run --rm --network none busybox sh -c 'ip -o link show | cut -d: -f2 | tr -d " " | xargs'
	expect_output lo
}

@test "husk ns: the matrix groups who shares, details name the sharers, json and inspect agree with the kernel" {
	"$HUSK" run -d --name a --ipc shareable busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name b --pid container:a --ipc container:a --network container:a busybox sleep 1002 >/dev/null
	"$HUSK" run -d --name h --pid host --network host --uts host --ipc host --cgroupns host busybox sleep 1003 >/dev/null
	"$HUSK" create --name idle busybox true >/dev/null
	run "$HUSK" ns
	expect_status 0
	[ "$(tr -s ' ' <<<"${lines[0]}")" = "NAME CGROUP IPC MNT NET PID TIME USER UTS" ] || fail "$output"
	[ "$(tr -s ' ' <<<"${lines[1]}")" = "host host host host host host host host host" ] || fail "$output"
	[ "$(tr -s ' ' <<<"${lines[2]}")" = "a a a a a a a host a" ] || fail "$output"
	[ "$(tr -s ' ' <<<"${lines[3]}")" = "b b a b a a b host b" ] || fail "$output"
	[ "$(tr -s ' ' <<<"${lines[4]}")" = "h host host h host host h host host" ] || fail "$output"
	[ "${#lines[@]}" = 5 ] || fail "the created container is listed: $output"
	run "$HUSK" ns b
	expect_status 0
	pid_a=$("$HUSK" inspect -f '{{.State.Pid}}' a)
	expect_match "b +ipc +$(stat -L -c %i /proc/$pid_a/ns/ipc) +a"$'\n'
	expect_match "b +net +$(stat -L -c %i /proc/$pid_a/ns/net) +a"$'\n'
	expect_match "b +pid +[0-9]+ +a"$'\n'
	expect_match "b +mnt +[0-9]+ +private"$'\n'
	expect_match "b +user +$(stat -L -c %i /proc/self/ns/user) +host, a, h"
	run "$HUSK" ns --format json h
	expect_status 0
	tr -d ' \n' <<<"$output" | grep -q "\"net\":{\"Inode\":$(stat -L -c %i /proc/self/ns/net),\"SharedWith\":\[\"host\"\]}" || fail "$output"
	id=$("$HUSK" inspect -f '{{.Id}}' a)
	run "$HUSK" inspect -f '{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.NetworkMode}}' b
	expect_output "container:$id container:$id container:$id"
	for type in cgroup ipc mnt net pid time uts; do
		[ "$("$HUSK" inspect -f "{{index .Namespaces \"$type\"}}" b)" = "$(stat -L -c %i /proc/"$("$HUSK" inspect -f '{{.State.Pid}}' b)"/ns/$type)" ]
	done
	run --separate-stderr "$HUSK" ns idle
	expect_husk_error 125 'container idle is not running'
	run --separate-stderr "$HUSK" ns --format yaml
	expect_husk_error 125 'invalid --format "yaml": use table or json'
}

@test "joining errors: not running, itself, unknown, non-shareable IPC, --hostname; nothing created" {
	"$HUSK" create --name made busybox true >/dev/null
	"$HUSK" run -d --name private busybox sleep 1001 >/dev/null
	"$HUSK" run --name done busybox true
	before=$(count_containers)
	run --separate-stderr "$HUSK" run --rm --pid container:made busybox true
	expect_husk_error 125 'cannot join the PID namespace of container made: it is not running'
	run --separate-stderr "$HUSK" run -d --network container:done busybox true
	expect_husk_error 125 'cannot join the network namespace of container done: it is not running'
	run --separate-stderr "$HUSK" run --rm --name me --pid container:me busybox true
	expect_husk_error 125 'container:me: a container cannot join its own namespace'
	run --separate-stderr "$HUSK" run --rm --ipc container:nobody busybox true
	expect_husk_error 125 'No such container: nobody'
	run --separate-stderr "$HUSK" run --rm --ipc container:private busybox true
	expect_husk_error 125 'container private has a non-shareable IPC namespace \(private\): start it with --ipc shareable'
	run --separate-stderr "$HUSK" run --rm --network container:private --hostname x busybox true
	expect_husk_error 125 'conflicting options: --hostname and --network container:private'
	run --separate-stderr "$HUSK" run --rm --pid container: busybox true
	expect_husk_error 125 'invalid --pid mode "container:"'
	run --separate-stderr "$HUSK" run --rm --uts container:private busybox true
	expect_husk_error 125 'invalid --uts mode "container:private": use host or private'
	[ "$(count_containers)" = "$before" ]
	# A created container joining a stopped one fails at start and stays created.
	"$HUSK" create --name joiner --pid container:done busybox true >/dev/null
	run --separate-stderr "$HUSK" start joiner
	expect_husk_error 1 'cannot join the PID namespace of container done: it is not running'
	run "$HUSK" inspect -f '{{.State.Status}}' joiner
	expect_output exited
}

@test "--pid container:a ends when a ends: its PID namespace's init is gone" {
	"$HUSK" run -d --name a busybox sleep 1001 >/dev/null
	"$HUSK" run -d --name b --pid container:a busybox sleep 1002 >/dev/null
	"$HUSK" kill a >/dev/null
	run "$HUSK" wait b
	expect_output 137
}
