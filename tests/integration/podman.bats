#!/usr/bin/env bats
# podman 4.3 (Debian's, with conmon) running its containers through the OCI
# runtime under test: `podman --runtime $OCI_RUNTIME` (see managers.bash),
# rootful, cgroupfs, its own storage (overlay driver), containers.conf and
# registries.conf, no registry ever contacted (--rootfs, import, --pull never).
# Networks by CNI (Debian's containernetworking-plugins; podman 4.3 in Debian
# also does netavark, not installed here), inside the sandbox's network
# namespace. --init needs Debian's catatonit.

load managers

# pm ARGS...: podman with this file's configuration (MGR_DIR/bin/pm, usable
# by hand too), as a hang-proof command.
pm() {
	timeout -k 5 "$MGR_TIMEOUT" "$MGR_DIR/bin/pm" "$@" 3>&-
}

# pm_tty COMMAND-LINE: the pm command line on a terminal of its own (script),
# stdin relayed to it.
pm_tty() {
	timeout -k 5 "$MGR_TIMEOUT" script -qec "$MGR_DIR/bin/pm $1" /dev/null 3>&-
}

IMAGE=localhost/hbox:1

setup_file() {
	mgr_init podman
	mgr_make_rootfs "$MGR_DIR/rootfs"
	tar -C "$MGR_DIR/rootfs" -cf "$MGR_DIR/rootfs.tar" .
	# Its own copy for --rootfs: podman adds mount points to it.
	cp -a "$MGR_DIR/rootfs" "$MGR_DIR/rootfs-run"
	mkdir -p "$MGR_DIR/cni"
	cat >"$MGR_DIR/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$MGR_DIR/graph"
runroot = "$MGR_DIR/run"
EOF
	cat >"$MGR_DIR/registries.conf" <<EOF
unqualified-search-registries = []
EOF
	# default_ulimits: podman asks for nofile and nproc 1048576 otherwise,
	# more than the hard limits here (and no CAP_SYS_RESOURCE to raise them).
	# runtime_supports_json: podman passes --log-format=json --log FILE only
	# to runtimes of these names (the base name of the binary).
	cat >"$MGR_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
init_path = "/usr/bin/catatonit"

[network]
network_backend = "cni"
network_config_dir = "$MGR_DIR/cni"
cni_plugin_dirs = ["/usr/lib/cni"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
lock_type = "file"
tmp_dir = "$MGR_DIR/libpod"
image_copy_tmp_dir = "$MGR_DIR/tmp"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "$(basename "$OCI_RUNTIME")"]
EOF
	cat >"$MGR_DIR/bin/pm" <<EOF
#!/bin/sh
# podman with the private configuration of tests/integration/podman.bats and
# the OCI runtime under test; run and create get cgroup parent /$MGR_CGROUP.
export MGR_MARK='$MGR_DIR'
export CONTAINERS_CONF='$MGR_DIR/containers.conf'
export CONTAINERS_STORAGE_CONF='$MGR_DIR/storage.conf'
export CONTAINERS_REGISTRIES_CONF='$MGR_DIR/registries.conf'
case \$1 in
run|create)
	cmd=\$1
	shift
	set -- "\$cmd" --cgroup-parent /$MGR_CGROUP "\$@"
	;;
esac
exec /usr/bin/podman --runtime '$MGR_RUNTIME' "\$@"
EOF
	chmod 0755 "$MGR_DIR/bin/pm"
	export ROOTFS=$MGR_DIR/rootfs-run
	pm import --change 'CMD ["sh"]' "$MGR_DIR/rootfs.tar" "$IMAGE" >/dev/null
}

# CNI leaves its bridge, its chains and ip_forward behind on purpose; they
# live in the sandbox's network namespace. Remove them (nothing else there
# uses CNI's names).
mgr_network_cleanup() {
	local table chain rule
	ip link del cni-podman0 2>/dev/null
	command -v iptables >/dev/null || return 0
	for table in filter nat mangle; do
		iptables -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j CNI-' |
			sed 's/^-A/-D/' | while read -r rule; do
				eval "iptables -t $table $rule" 2>/dev/null
			done
		for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^CNI-/ {print $2}'); do
			iptables -t "$table" -F "$chain" 2>/dev/null
		done
		for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^CNI-/ {print $2}'); do
			iptables -t "$table" -X "$chain" 2>/dev/null
		done
	done
}

teardown_file() {
	mgr_cleanup
}

setup() {
	:
}

# Every test removes its containers; one left is removed here and fails the
# test, and so does a container cgroup left after the removal.
teardown() {
	local left problems=()
	left=$(pm ps -aq 2>&1)
	if [ -n "$left" ]; then
		problems+=("containers left: $(echo $left)")
		pm rm -f -t 0 $left >/dev/null 2>&1
	fi
	if ! wait_for 10 eval '[ -z "$(mgr_cgroup_dirs | grep -v "/conmon$")" ]' 2>/dev/null; then
		problems+=("cgroups left: $(mgr_cgroup_dirs | grep -v '/conmon$' | tr '\n' ' ')")
	fi
	mgr_test_teardown
	if [ ${#problems[@]} -gt 0 ]; then
		printf 'teardown: %s\n' "${problems[@]}" >&2
		return 1
	fi
}

# start NAME PODMAN-RUN-ARGS...: `podman run -d --name NAME ...`; sets CID.
start() {
	local name=$1
	shift
	run pm run -d --name "$name" "$@"
	expect_status 0 || return 1
	CID=${lines[-1]}
	expect_match '^[0-9a-f]{64}$' "$CID"
}

@test "run --rm --rootfs: output, exit status 3; conmon calls the runtime under test" {
	run --separate-stderr pm run --rm --network none --rootfs "$ROOTFS" \
		sh -c 'echo out; echo err >&2; ulimit -n; exit 3'
	expect_status 3
	expect_output $'out\n1024'
	[ "$stderr" = err ] || fail "stderr: $stderr"
	# conmon: create with podman's global flags, a bundle and a pid file;
	# podman: start, then delete --force once the container exited.
	runtime_calls "\(conmon\) '--log-format=json' '--log' '[^']*/oci-log' 'create' '--bundle' '[^']*' '--pid-file' '[^']*/pidfile' '[0-9a-f]{64}'" ||
		fail "no create from conmon in $(cat "$MGR_LOG")"
	runtime_calls "\(podman\) 'start' '[0-9a-f]{64}'" || fail "no start"
	runtime_calls "\(podman\) 'delete' '--force' '[0-9a-f]{64}'" || fail "no delete"
}

@test "exit status 127 for a command not found, 126 for one not executable" {
	run -127 pm run --rm --network none "$IMAGE" no-such-command
	expect_match 'executable file not found'
	run -127 pm run --rm --network none "$IMAGE" /no/such/file
	run pm run --rm --network none "$IMAGE" /etc/passwd
	expect_status 126
	expect_match 'permission denied'
}

@test "import of a rootfs tarball, then run the image" {
	run pm import --change 'CMD ["cat", "/www/index.html"]' "$MGR_DIR/rootfs.tar" localhost/imported:1
	expect_status 0
	run pm images --format '{{.Repository}}:{{.Tag}}'
	expect_match 'localhost/imported:1'
	run pm run --rm --pull never --network none localhost/imported:1
	expect_status 0
	expect_output "hello from busybox httpd"
	run pm rmi localhost/imported:1
	expect_status 0
}

@test "run -d --init: catatonit is PID 1; ps lists the container; stop forwards SIGTERM" {
	start init1 --init --network none "$IMAGE" sleep 1000
	run pm ps --format '{{.Names}} {{.Status}}'
	expect_status 0
	expect_match '^init1 Up'
	# Retried: once in a full run PID 1's cmdline read empty (an exec in
	# flight reads as no arguments) right after the start.
	run pm exec init1 sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do c=\$(tr '\\0' ' ' </proc/1/cmdline); [ -n \"\$c\" ] && break; sleep 0.2; done; echo \"\$c\""
	expect_output "/run/podman-init -- sleep 1000 "
	local started=$SECONDS
	run pm stop -t 30 init1
	expect_status 0
	[ $((SECONDS - started)) -lt 15 ] || fail "stop took $((SECONDS - started)) s: SIGTERM did not reach sleep"
	run pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' init1
	expect_output "exited 143"
	run pm rm init1
	expect_status 0
	run pm ps -aq
	expect_output ""
}

@test "exec: output, stderr, exit status, -e -w -u; exec -t gets a terminal" {
	start ex1 --network none "$IMAGE" sleep 1000
	run --separate-stderr pm exec ex1 sh -c 'echo out; echo err >&2; exit 4'
	expect_status 4
	expect_output out
	[ "$stderr" = err ] || fail "stderr: $stderr"
	run pm exec -e GREETING=hi -w /www -u nobody ex1 sh -c 'echo $GREETING $(pwd) $(id -u)'
	expect_status 0
	expect_output "hi /www 65534"
	run pm exec ex1 tty
	expect_status 1
	run pm exec -t ex1 tty
	expect_status 0
	expect_match '^/dev/pts/[0-9]+'
	# The runtime's exec got a process.json, a pid file, and with -t a
	# console socket (the pty master comes back over it).
	runtime_calls "'exec' '--pid-file' '[^']*' '--process' '[^']*'" || fail "no exec"
	runtime_calls "'exec' .*'--detach' '--tty' '--console-socket' " || fail "no exec --tty"
	run pm rm -f -t 0 ex1
	expect_status 0
}

@test "exec -it on a terminal: typed input reaches the command" {
	start ex2 --network none "$IMAGE" sleep 1000
	run pm_tty "exec -it ex2 sh -c 'read line; echo got \$line; exit 5'" <<<"typed-line"
	expect_status 5
	expect_match "got typed-line"
	run pm rm -f -t 0 ex2
	expect_status 0
}

@test "pause freezes the container's cgroup, unpause thaws it" {
	start p1 --network none "$IMAGE" sleep 1000
	local pid
	pid=$(pm inspect -f '{{.State.Pid}}' p1)
	[ "$(freezer_state "$pid")" = THAWED ] || fail "not thawed at start"
	run pm pause p1
	expect_status 0
	run pm inspect -f '{{.State.Status}}' p1
	expect_output paused
	[ "$(freezer_state "$pid")" = FROZEN ] || fail "paused but not frozen"
	run pm unpause p1
	expect_status 0
	run pm inspect -f '{{.State.Status}}' p1
	expect_output running
	[ "$(freezer_state "$pid")" = THAWED ] || fail "unpaused but still frozen"
	run pm exec p1 true
	expect_status 0
	runtime_calls "'pause' '$CID'" || fail "no pause"
	runtime_calls "'resume' '$CID'" || fail "no resume"
	run pm rm -f -t 0 p1
	expect_status 0
}

@test "stop: SIGTERM to PID 1 (its trap's exit status); one that ignores it is killed after -t" {
	start s1 --network none "$IMAGE" sh -c 'trap "exit 7" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
	wait_for 20 pm exec s1 test -e /tmp/ready
	run pm stop -t 30 s1
	expect_status 0
	run pm inspect -f '{{.State.ExitCode}}' s1
	expect_output 7
	runtime_calls "'kill' '$CID' '15'" || fail "no kill with signal 15"
	start s2 --network none "$IMAGE" sleep 1000
	local started=$SECONDS
	run pm stop -t 1 s2
	expect_status 0
	[ $((SECONDS - started)) -lt 15 ] || fail "stop -t 1 took $((SECONDS - started)) s"
	run pm inspect -f '{{.State.ExitCode}}' s2
	expect_output 137
	runtime_calls "'kill' '$CID' '9'" || fail "no kill with signal 9"
	run pm rm s1 s2
	expect_status 0
}

@test "kill, wait 137, rm: the process, its cgroups and the runtime's state are gone" {
	start k1 --network none "$IMAGE" sleep 1000
	local pid
	pid=$(pm inspect -f '{{.State.Pid}}' k1)
	kill -0 "$pid"
	grep -q "/$MGR_CGROUP/libpod-$CID\$" "/proc/$pid/cgroup" || fail "not in $MGR_CGROUP: $(cat /proc/$pid/cgroup)"
	run pm kill k1
	expect_status 0
	run pm wait k1
	expect_status 0
	expect_output 137
	run pm rm k1
	expect_status 0
	! kill -0 "$pid" 2>/dev/null || fail "PID $pid still runs"
	run mgr_cgroup_dirs
	[[ $output != *"libpod-$CID"* ]] || fail "cgroups left: $output"
	runtime_calls "'delete' '--force' '$CID'" || fail "no delete"
	run pm ps -aq
	expect_output ""
}

@test "run -t: a terminal; run -it: typed input, exit status" {
	run pm run --rm -t --network none "$IMAGE" sh -c 'tty; stty size'
	expect_status 0
	expect_match '^/dev/pts/[0-9]+'
	runtime_calls "'create' .*'--console-socket' " || fail "no create --console-socket"
	run pm_tty "run --rm -it --network none $IMAGE sh -c 'read line; echo got \$line; exit 6'" <<<"typed-line"
	expect_status 6
	expect_match "got typed-line"
}

@test "--network none: a network namespace of its own with only lo" {
	run pm run --rm --network none "$IMAGE" sh -c 'readlink /proc/self/ns/net; ip -o link | cut -d: -f2'
	expect_status 0
	[ "${#lines[@]}" = 2 ] || fail "$output"
	[ "${lines[0]}" != "$(readlink /proc/self/ns/net)" ] || fail "the host's network namespace"
	[ "${lines[1]}" = " lo" ] || fail "links: $output"
}

@test "--network host: the sandbox's network namespace" {
	run pm run --rm --network host "$IMAGE" readlink /proc/self/ns/net
	expect_status 0
	expect_output "$(readlink /proc/self/ns/net)"
}

@test "default bridge network (CNI): eth0 on 10.88.0.0/16; containers reach each other" {
	start web1 "$IMAGE" httpd -f -p 80 -h /www
	local ip
	ip=$(pm inspect -f '{{.NetworkSettings.IPAddress}}' web1)
	expect_match '^10\.88\.[0-9]+\.[0-9]+$' "$ip"
	[ "$(readlink "/proc/$(pm inspect -f '{{.State.Pid}}' web1)/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
		fail "the host's network namespace"
	run pm exec web1 ip -o -4 addr show eth0
	expect_match "inet $ip/16"
	run pm exec web1 ip route
	expect_match 'default via 10\.88\.0\.1'
	# The host end of its veth is on CNI's bridge.
	run ip -o link show master cni-podman0
	expect_match 'veth'
	wait_for 10 pm exec web1 sh -c 'netstat -ltn | grep -q ":80 "'
	run pm run --rm "$IMAGE" wget -qO- "http://$ip/"
	expect_status 0
	expect_output "hello from busybox httpd"
	run pm rm -f -t 0 web1
	expect_status 0
	run ip -o link show master cni-podman0
	expect_output ""
}

@test "-p 127.0.0.1:18080:80: busybox httpd answers curl on the host" {
	start web2 -p 127.0.0.1:18080:80 "$IMAGE" httpd -f -p 80 -h /www
	run pm port web2
	expect_output "80/tcp -> 127.0.0.1:18080"
	wait_for 10 curl -sf -o /dev/null -m 2 http://127.0.0.1:18080/
	run curl -sS -m 5 http://127.0.0.1:18080/
	expect_status 0
	expect_output "hello from busybox httpd"
	run pm rm -f -t 0 web2
	expect_status 0
	run curl -sS -m 2 http://127.0.0.1:18080/
	[ "$status" != 0 ] || fail "still answered after rm: $output"
	run iptables -t nat -S
	[[ $output != *CNI-DN-* ]] || fail "port forwarding rules left: $output"
}

@test "nothing left behind: no conmon, container cgroup, mount, netns or runtime state" {
	run mgr_leftovers '^conmon$'
	expect_output ""
}
