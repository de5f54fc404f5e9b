#!/usr/bin/env bats
# Docker Engine 20.10 (Debian's docker.io) on top of the OCI runtime under test:
# a private dockerd (--config-file: data-root, exec-root, pidfile and socket in
# MGR_DIR, no bridge, no iptables, runtime "husk" = $OCI_RUNTIME, see
# managers.bash, also the default) that starts its own containerd under its
# exec-root (there is no /run/containerd/containerd.sock in the private /run to
# take instead). Debian's docker CLI (/usr/bin/docker: the `docker` first in
# PATH here may be another one) with DOCKER_HOST and a private DOCKER_CONFIG.
# Images: `docker import` of a busybox rootfs; no registry.

load managers

IMAGE=hbox:1

# dk ARGS...: Debian's docker CLI on this file's dockerd.
dk() {
	timeout -k 5 "$MGR_TIMEOUT" "$MGR_DIR/bin/dk" "$@" 3>&-
}

# dk_tty COMMAND-LINE: the dk command line on a terminal of its own (script).
dk_tty() {
	timeout -k 5 "$MGR_TIMEOUT" script -qec "$MGR_DIR/bin/dk $1" /dev/null 3>&-
}

setup_file() {
	mgr_init docker
	mgr_make_rootfs "$MGR_DIR/rootfs"
	tar -C "$MGR_DIR/rootfs" -cf "$MGR_DIR/rootfs.tar" .
	mkdir -p "$MGR_DIR/docker-cli"
	# deprecated-key-path: dockerd writes its trust key to /etc/docker/key.json
	# otherwise.
	cat >"$MGR_DIR/daemon.json" <<EOF
{
  "data-root": "$MGR_DIR/data",
  "exec-root": "$MGR_DIR/exec",
  "pidfile": "$MGR_DIR/dockerd.pidfile",
  "hosts": ["unix://$MGR_DIR/docker.sock"],
  "deprecated-key-path": "$MGR_DIR/key.json",
  "bridge": "none",
  "iptables": false,
  "ip6tables": false,
  "ip-forward": false,
  "ip-masq": false,
  "userland-proxy": false,
  "storage-driver": "overlay2",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "/$MGR_CGROUP",
  "runtimes": {"husk": {"path": "$MGR_RUNTIME"}},
  "default-runtime": "husk"
}
EOF
	cat >"$MGR_DIR/bin/dk" <<EOF
#!/bin/sh
# Debian's docker CLI on the dockerd of tests/integration/docker.bats.
export MGR_MARK='$MGR_DIR'
export DOCKER_HOST='unix://$MGR_DIR/docker.sock'
export DOCKER_CONFIG='$MGR_DIR/docker-cli'
exec /usr/bin/docker "\$@"
EOF
	chmod 0755 "$MGR_DIR/bin/dk"
	mgr_start_daemon dockerd dockerd --config-file "$MGR_DIR/daemon.json"
	mgr_wait_socket dockerd "$MGR_DIR/docker.sock" 60
	# The socket comes before the API answers.
	wait_for 30 dk version >/dev/null
	dk import "$MGR_DIR/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	mgr_cleanup
}

setup() {
	:
}

# Every test removes its containers; one left is removed here and fails the
# test, and so does a container cgroup left after that.
teardown() {
	local problems=() left=
	# (The last test stops dockerd.)
	[ ! -e "$MGR_DIR/dockerd.pid" ] || left=$(dk ps -aq 2>&1)
	if [ -n "$left" ]; then
		problems+=("containers left: $(echo $left)")
		dk unpause $left >/dev/null 2>&1
		dk rm -f $left >/dev/null 2>&1
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

# start NAME DOCKER-RUN-ARGS...: `docker run -d --runtime husk --network none
# --name NAME ...`; sets CID. (The default network would only add "WARNING:
# IPv4 forwarding is disabled" to the output: no bridge here.)
start() {
	local name=$1
	shift
	run dk run -d --runtime husk --network none --name "$name" "$@"
	expect_status 0 || return 1
	CID=${lines[-1]}
	expect_match '^[0-9a-f]{64}$' "$CID"
}

container_pid() {
	dk inspect -f '{{.State.Pid}}' "$1"
}

@test "dockerd runs its own containerd under its exec-root; husk is the default runtime" {
	local dockerd containerd
	dockerd=$(cat "$MGR_DIR/dockerd.pid")
	[ "$(cat "$MGR_DIR/dockerd.pidfile")" = "$dockerd" ] || fail "pidfile: $(cat "$MGR_DIR/dockerd.pidfile")"
	containerd=$(pgrep -P "$dockerd" -x containerd)
	[ -n "$containerd" ] || fail "no containerd child of dockerd $dockerd"
	run tr '\0' ' ' <"/proc/$containerd/cmdline"
	expect_match "--config $MGR_DIR/exec/containerd/containerd.toml"
	[ -S "$MGR_DIR/exec/containerd/containerd.sock" ] || fail "no containerd socket under exec-root"
	run dk info -f '{{.DefaultRuntime}} {{(index .Runtimes "husk").Path}}'
	expect_output "husk $MGR_RUNTIME"
	# dockerd asks the default runtime for its version (docker info/version).
	runtime_calls "'--version'" || fail "no --version call"
}

@test "import of a rootfs tarball, then run the image" {
	run dk import --change 'CMD ["cat", "/www/index.html"]' "$MGR_DIR/rootfs.tar" imported:1
	expect_status 0
	expect_match '^sha256:[0-9a-f]{64}$'
	run dk images --format '{{.Repository}}:{{.Tag}}'
	expect_match '(^|'$'\n'')imported:1($|'$'\n'')'
	run dk run --rm --runtime husk --network none imported:1
	expect_status 0
	expect_output "hello from busybox httpd"
	run dk rmi imported:1
	expect_status 0
}

@test "run --rm --runtime husk: output, exit status 3; the shim calls the runtime with docker's --root" {
	run --separate-stderr dk run --rm --runtime husk --network none "$IMAGE" sh -c 'echo out; echo err >&2; exit 3'
	expect_status 3
	expect_output out
	[ "$stderr" = err ] || fail "stderr: $stderr"
	local bundle="$MGR_DIR/exec/containerd/daemon/io.containerd.runtime.v2.task/moby/[0-9a-f]{64}"
	runtime_calls "\(containerd-shim\) '--root' '$MGR_DIR/exec/runtime-runc/moby' '--log' '$bundle/log.json' '--log-format' 'json' 'create' '--bundle' '$bundle' '--pid-file' '$bundle/init.pid' '[0-9a-f]{64}'" ||
		fail "no create from the shim in $(cat "$MGR_LOG")"
	runtime_calls "'start' '[0-9a-f]{64}'" || fail "no start"
	runtime_calls "'delete' '[0-9a-f]{64}'" || fail "no delete"
}

@test "exit status 127 for a command not found, 126 for one not executable" {
	run -127 dk run --rm --runtime husk --network none "$IMAGE" no-such-command
	expect_match 'executable file not found'
	run -127 dk run --rm --runtime husk --network none "$IMAGE" /no/such/file
	run dk run --rm --runtime husk --network none "$IMAGE" /etc/passwd
	expect_status 126
	expect_match 'permission denied'
	run dk ps -aq
	expect_output ""
}

@test "run -d, exec (output, exit status, -e -w -u), top" {
	start d1 "$IMAGE" sleep 1000
	run dk inspect -f '{{.HostConfig.Runtime}} {{.State.Status}}' d1
	expect_output "husk running"
	run --separate-stderr dk exec d1 sh -c 'echo out; echo err >&2; exit 4'
	expect_status 4
	expect_output out
	[ "$stderr" = err ] || fail "stderr: $stderr"
	runtime_calls "'exec' '--process' '[^']*' '--detach' '--pid-file' '[^']*' '$CID'" || fail "no exec --detach"
	run dk exec -e GREETING=hi -w /www -u nobody d1 sh -c 'echo $GREETING $(pwd) $(id -u)'
	expect_status 0
	expect_output "hi /www 65534"
	run dk top d1
	expect_status 0
	expect_match "$(container_pid d1) .*sleep 1000"
	runtime_calls "'ps' '--format' 'json' '$CID'" || fail "no ps --format json"
	run dk rm -f d1
	expect_status 0
}

@test "pause freezes the container's cgroup, unpause thaws it" {
	start p1 "$IMAGE" sleep 1000
	local pid
	pid=$(container_pid p1)
	run dk pause p1
	expect_status 0
	run dk inspect -f '{{.State.Status}}' p1
	expect_output paused
	[ "$(freezer_state "$pid")" = FROZEN ] || fail "paused but not frozen"
	run dk unpause p1
	expect_status 0
	run dk inspect -f '{{.State.Status}}' p1
	expect_output running
	[ "$(freezer_state "$pid")" = THAWED ] || fail "unpaused but still frozen"
	runtime_calls "'pause' '$CID'" || fail "no pause"
	runtime_calls "'resume' '$CID'" || fail "no resume"
	run dk rm -f p1
	expect_status 0
}

@test "kill, wait 137, rm: process and cgroups gone; stop delivers SIGTERM" {
	start k1 "$IMAGE" sleep 1000
	local pid
	pid=$(container_pid k1)
	grep -q ":/$MGR_CGROUP/$CID\$" "/proc/$pid/cgroup" || fail "cgroups: $(cat "/proc/$pid/cgroup")"
	run dk kill k1
	expect_status 0
	run dk wait k1
	expect_status 0
	expect_output 137
	runtime_calls "'kill' '$CID' '9'" || fail "no kill with signal 9"
	run dk rm k1
	expect_status 0
	! kill -0 "$pid" 2>/dev/null || fail "PID $pid still runs"
	run mgr_cgroup_dirs
	expect_output ""
	start s1 "$IMAGE" sh -c 'trap "exit 7" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
	wait_for 20 dk exec s1 test -e /tmp/ready
	run dk stop -t 30 s1
	expect_status 0
	run dk wait s1
	expect_output 7
	runtime_calls "'kill' '$CID' '15'" || fail "no kill with signal 15"
	run dk rm s1
	expect_status 0
}

@test "-m 64m: the container's memory cgroup has a 64 MiB limit" {
	start m1 -m 64m "$IMAGE" sleep 1000
	[ "$(memory_limit "$(container_pid m1)")" = 67108864 ] ||
		fail "memory limit $(memory_limit "$(container_pid m1)")"
	run dk exec m1 sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
	expect_output 67108864
	run dk rm -f m1
	expect_status 0
}

@test "--read-only: the root file system cannot be written" {
	run dk run --rm --runtime husk --network none --read-only "$IMAGE" touch /x
	expect_status 1
	expect_match 'Read-only file system'
	run dk run --rm --runtime husk --network none --read-only "$IMAGE" sh -c 'grep " / " /proc/mounts'
	expect_status 0
	expect_match ' ro[, ]'
	run dk run --rm --runtime husk --network none "$IMAGE" sh -c 'touch /x && echo wrote'
	expect_output wrote
}

@test "-t: a terminal for run and exec; -it relays typed input" {
	run dk run --rm --runtime husk --network none -t "$IMAGE" tty
	expect_status 0
	expect_match '^/dev/pts/[0-9]+'
	runtime_calls "'create' '--bundle' '[^']*' '--pid-file' '[^']*' '--console-socket' '[^']*' '[0-9a-f]{64}'" ||
		fail "no create --console-socket"
	run dk_tty "run --rm -it --runtime husk --network none $IMAGE sh -c 'read line; echo got \$line; exit 6'" <<<"typed-line"
	expect_status 6
	expect_match "got typed-line"
	start t1 "$IMAGE" sleep 1000
	run dk exec -t t1 tty
	expect_status 0
	expect_match '^/dev/pts/[0-9]+'
	runtime_calls "'exec' '--process' '[^']*' '--console-socket' '[^']*' '--detach' " || fail "no exec --console-socket"
	run dk rm -f t1
	expect_status 0
}

@test "--network host: the daemon's network namespace; none: only lo" {
	run dk run --rm --runtime husk --network host "$IMAGE" readlink /proc/self/ns/net
	expect_status 0
	expect_output "$(readlink /proc/self/ns/net)"
	run dk run --rm --runtime husk --network none "$IMAGE" sh -c 'readlink /proc/self/ns/net; ip -o link | cut -d: -f2'
	expect_status 0
	[ "${lines[0]}" != "$(readlink /proc/self/ns/net)" ] || fail "the host's network namespace"
	[ "${lines[1]}" = " lo" ] && [ "${#lines[@]}" = 2 ] || fail "links: $output"
}

@test "dockerd stops by SIGTERM, with its containerd, and leaves nothing behind" {
	local containerd
	containerd=$(pgrep -P "$(cat "$MGR_DIR/dockerd.pid")" -x containerd)
	mgr_stop_daemon dockerd
	! kill -0 "$containerd" 2>/dev/null || fail "its containerd $containerd still runs"
	# libnetwork's bind mount of the host network namespace stays (dockerd's,
	# not a container's); mgr_cleanup unmounts it.
	run mgr_leftovers
	output=$(grep -vx "mount $MGR_DIR/exec/netns/default (nsfs)" <<<"$output" || true)
	expect_output ""
}
