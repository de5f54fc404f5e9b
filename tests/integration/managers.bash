# Shared by podman.bats, containerd.bats and docker.bats: real container
# managers (podman 4.3 with conmon, containerd 1.6 with ctr, Docker Engine
# 20.10 with its own containerd) running containers through the OCI runtime
# under test:
#
#   OCI_RUNTIME   the runtime, an absolute path (default: husk-oci next to
#                 $HUSK; a symlink is called by its own name); to check the
#                 tests themselves against runc:
#                 OCI_RUNTIME=/usr/sbin/runc tests/integration/run.sh build/husk \
#                     tests/integration/podman.bats
#   OCI_RUNTIME_LOG    if set, a file (outside the sandbox's tmpfs, e.g.
#                 /tmp/calls.log) that gets every runtime call of the run
#   OCI_RUNTIME_TRACE=1  the log also gets each call's exit status, the
#                 content of its --pid-file and the last line of its --log,
#                 and OCI_RUNTIME_LOG.specs/MANAGER/ every config.json (create,
#                 run) and process.json (exec) (the wrapper then runs the
#                 runtime as a child, not by exec)
#
# Only inside the sandbox of tests/integration/run.sh (its own mount and
# network namespaces). mgr_init, from setup_file, adds to it:
#  - a tmpfs on /run: paths the managers do not let us choose (runc's default
#    root /run/runc that podman uses, containerd's shim sockets in
#    /run/containerd/s, the shim's runc root /run/containerd/runc/NAMESPACE,
#    network namespaces in /run/netns, dockerd's /run/docker/plugins) land
#    there, not on the host; MGR_DIR, with every root, state directory and
#    socket of the manager, is on it too (short paths: podman wants its
#    runroot under 50 characters, unix sockets under 108);
#  - overlays on /var/lib and /opt, the host's as lower layers: CNI keeps its
#    cache and host-local IP leases in /var/lib/cni, which podman does not
#    let us move, and the containerd that dockerd starts has its "opt" plugin
#    make /opt/containerd (dockerd writes that containerd's configuration);
#  - cgroup parent husk-NAME for the containers, so that a leaked cgroup is
#    also seen by run.sh's check of the host;
#  - MGR_DIR/bin/BASENAME-OF-OCI_RUNTIME, a wrapper that logs each call's argv
#    to MGR_DIR/runtime.log and execs OCI_RUNTIME (same base name: podman
#    decides by name whether a runtime takes --log-format=json). A failing
#    test shows the last calls and the daemon's log.
# mgr_cleanup, from teardown_file, stops the daemons by PID, kills what they
# left (processes carrying MGR_MARK in their environment, processes in the
# husk-NAME cgroups), unmounts everything under MGR_DIR, removes the cgroups,
# and unmounts /opt, /var/lib and /run.

load helpers

OCI_RUNTIME=${OCI_RUNTIME:-$(dirname "${HUSK:-/nonexistent/husk}")/husk-oci}

# How long one manager command may take before it counts as a hang.
MGR_TIMEOUT=${MGR_TIMEOUT:-40}

# --- setup and cleanup of a file ----------------------------------------------

# mgr_init NAME: checks the sandbox and the runtime, makes the private /run and
# /var/lib and /opt, MGR_DIR and the runtime wrapper. Exports MGR_NAME, MGR_DIR,
# MGR_CGROUP, MGR_RUNTIME (the wrapper) and MGR_LOG (its log).
mgr_init() {
	if [ -z "${HUSK_INTEGRATION_TOKEN:-}" ]; then
		echo "run these through tests/integration/run.sh: they mount over /run, /var/lib, /opt" \
			"of the sandbox it makes" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "the manager tests need root" >&2
		return 1
	fi
	if [[ $OCI_RUNTIME != /* ]]; then
		echo "OCI_RUNTIME=$OCI_RUNTIME: give an absolute path (the tests run elsewhere)" >&2
		return 1
	fi
	if ! [ -f "$OCI_RUNTIME" ] || ! [ -x "$OCI_RUNTIME" ]; then
		echo "OCI_RUNTIME=$OCI_RUNTIME: no such executable (husk-oci not built yet?" \
			"OCI_RUNTIME=/usr/sbin/runc runs these tests against runc)" >&2
		return 1
	fi
	export MGR_NAME=$1 MGR_CGROUP=husk-$1
	mount -t tmpfs -o mode=0755,size=1g "husk-$1-run" /run || return 1
	export MGR_RUN_MOUNTED=1
	local dir
	for dir in /var/lib /opt; do
		mkdir -p "/run/.husk-overlay$dir/upper" "/run/.husk-overlay$dir/work"
		mount -t overlay -o "lowerdir=$dir,upperdir=/run/.husk-overlay$dir/upper,workdir=/run/.husk-overlay$dir/work" \
			"husk-$1-overlay" "$dir" || return 1
		MGR_OVERLAYS="$dir ${MGR_OVERLAYS:-}"
	done
	export MGR_OVERLAYS
	MGR_DIR=$(mktemp -d "/run/husk-$1.XXXXXX") || return 1
	export MGR_DIR
	mkdir -p "$MGR_DIR/bin" "$MGR_DIR/tmp"
	export MGR_LOG=$MGR_DIR/runtime.log
	MGR_RUNTIME=$MGR_DIR/bin/$(basename "$OCI_RUNTIME")
	export MGR_RUNTIME
	: >"$MGR_LOG"
	{
		echo '#!/bin/bash'
		echo '# OCI runtime wrapper of tests/integration/managers.bash: logs, then runs.'
		printf 'real=%q log=%q trace=%q\n' "$OCI_RUNTIME" "$MGR_LOG" "${OCI_RUNTIME_TRACE:-}"
		cat <<'EOF'
comm=?
read -r comm </proc/$PPID/comm 2>/dev/null
printf -v line '%(%T)T %s(%s) %s' -1 "$PPID" "$comm" "${*@Q}"
printf '%s\n' "$line" >>"$log"
[ "$trace" = 1 ] || exec "$real" "$@"
"$real" "$@"
rc=$?
pidfile= logfile= bundle= process= prev=
for a in "$@"; do
	case $prev in
	--pid-file) pidfile=$a ;; --log) logfile=$a ;; --bundle | -b) bundle=$a ;; --process | -p) process=$a ;;
	esac
	case $a in --pid-file=*) pidfile=${a#*=} ;; --log=*) logfile=${a#*=} ;; esac
	prev=$a
done
# The specs it was given, for reading later (mgr_cleanup keeps them).
n=$(date +%s%N)-${*: -1}
[ -z "$bundle" ] || cp "$bundle/config.json" "${log%.log}-specs/$n-config.json" 2>/dev/null
[ -z "$process" ] || cp "$process" "${log%.log}-specs/$n-process.json" 2>/dev/null
extra="    -> exit $rc"
[ -z "$pidfile" ] || extra+=", pid file: $(cat "$pidfile" 2>&1)"
[ -z "$logfile" ] || extra+=", last log line: $(tail -n 1 "$logfile" 2>&1)"
printf '%s\n' "$extra" >>"$log"
exit $rc
EOF
	} >"$MGR_RUNTIME"
	chmod 0755 "$MGR_RUNTIME"
	mkdir -p "${MGR_LOG%.log}-specs"
}

# mgr_cleanup: teardown_file's. Idempotent; each step also runs after a failed
# setup_file. Prints what it had to clean up by force.
mgr_cleanup() {
	local pidfile
	if [ -n "${MGR_DIR:-}" ] && [ -d "$MGR_DIR" ]; then
		for pidfile in "$MGR_DIR"/*.pid; do
			[ -e "$pidfile" ] || continue
			mgr_stop_daemon "$(basename "$pidfile" .pid)"
		done
		mgr_kill_leftovers
		if declare -F mgr_network_cleanup >/dev/null; then
			mgr_network_cleanup
		fi
		mgr_umount_under "$MGR_DIR"
		mgr_remove_cgroups
		if [ -n "${OCI_RUNTIME_LOG:-}" ] && [ -s "$MGR_LOG" ]; then
			{
				echo "##### $(basename "$BATS_TEST_FILENAME") ($MGR_NAME, $OCI_RUNTIME)"
				cat "$MGR_LOG"
			} >>"$OCI_RUNTIME_LOG"
			if [ -n "$(ls -A "${MGR_LOG%.log}-specs")" ]; then
				mkdir -p "$OCI_RUNTIME_LOG.specs/$MGR_NAME"
				cp "${MGR_LOG%.log}-specs"/* "$OCI_RUNTIME_LOG.specs/$MGR_NAME/"
			fi
		fi
	fi
	local dir
	for dir in ${MGR_OVERLAYS:-}; do
		umount "$dir" 2>/dev/null || umount -l "$dir"
	done
	MGR_OVERLAYS=
	if [ -n "${MGR_RUN_MOUNTED:-}" ]; then
		umount -R /run 2>/dev/null || umount -R -l /run
		MGR_RUN_MOUNTED=
	fi
}

# mgr_test_teardown: every test's teardown (after the file's own checks): when
# the test failed, the last runtime calls and the daemons' last log lines.
mgr_test_teardown() {
	local f
	[ -z "${BATS_TEST_COMPLETED:-}" ] || return 0
	echo "# last calls of the OCI runtime ($MGR_LOG):"
	tail -n 12 "$MGR_LOG" 2>/dev/null | sed 's/^/#   /'
	for f in "$MGR_DIR"/*.log; do
		if [ "$f" = "$MGR_LOG" ] || [ ! -e "$f" ]; then
			continue
		fi
		echo "# last lines of $f:"
		tail -n 8 "$f" | cut -c1-400 | sed 's/^/#   /'
	done
}

# --- daemons --------------------------------------------------------------------

# mgr_start_daemon NAME COMMAND...: starts COMMAND in its own session, out of
# bats' file descriptors, output to MGR_DIR/NAME.log, PID in MGR_DIR/NAME.pid.
# Every process it starts inherits MGR_MARK=MGR_DIR (mgr_processes).
mgr_start_daemon() {
	local name=$1
	shift
	MGR_MARK=$MGR_DIR setsid "$@" </dev/null >"$MGR_DIR/$name.log" 2>&1 3>&- &
	echo $! >"$MGR_DIR/$name.pid"
}

# mgr_wait_socket NAME SOCKET [SECONDS]: until the daemon listens; fails
# with its log if it died or took too long.
mgr_wait_socket() {
	local name=$1 socket=$2 deadline=$((SECONDS + ${3:-30})) pid
	pid=$(cat "$MGR_DIR/$name.pid")
	until [ -S "$socket" ]; do
		if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
			echo "$name did not come up (socket $socket); its log:" >&2
			tail -n 30 "$MGR_DIR/$name.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# mgr_stop_daemon NAME [SECONDS]: SIGTERM to its PID, SIGKILL after SECONDS
# (default 20), and wait until it is gone. Removes NAME.pid.
mgr_stop_daemon() {
	local name=$1 pid deadline
	[ -e "$MGR_DIR/$name.pid" ] || return 0
	pid=$(cat "$MGR_DIR/$name.pid")
	deadline=$((SECONDS + ${2:-20}))
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
		# A child of this shell: reap it, or it stays a zombie for kill -0.
		wait "$pid" 2>/dev/null && break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "# $name (PID $pid) ignored SIGTERM for ${2:-20} s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -f "$MGR_DIR/$name.pid"
}

# --- what the managers leave ---------------------------------------------------

# Processes whose environment carries MGR_MARK=MGR_DIR: the daemons and
# everything they (or a manager's CLI) started and that is not a container
# process: containerd, containerd-shim-runc-v2, conmon, podman's exit commands.
mgr_processes() {
	grep -lzx "MGR_MARK=$MGR_DIR" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 |
		grep -vx -e "$$" -e "${BASHPID:-$$}"
}

# The husk-NAME directory of every hierarchy (cgroup v1 controllers, named
# ones, a cgroup2 at /sys/fs/cgroup/unified or at /sys/fs/cgroup).
mgr_cgroup_roots() {
	local d
	for d in /sys/fs/cgroup/"$MGR_CGROUP" /sys/fs/cgroup/*/"$MGR_CGROUP"; do
		[ -d "$d" ] && echo "$d"
	done
	true
}

# Cgroup directories under husk-NAME, deepest first.
mgr_cgroup_dirs() {
	local root
	for root in $(mgr_cgroup_roots); do
		find "$root" -depth -mindepth 1 -type d 2>/dev/null
	done
}

# Processes in those cgroups: the containers' processes.
mgr_cgroup_processes() {
	local root
	for root in $(mgr_cgroup_roots); do
		find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null
	done | sort -u
}

mgr_kill_leftovers() {
	local pids f i
	# Frozen (paused) processes die only once thawed.
	find /sys/fs/cgroup/freezer/"$MGR_CGROUP" -name freezer.state 2>/dev/null |
		while read -r f; do echo THAWED >"$f"; done 2>/dev/null
	for f in $(mgr_cgroup_roots); do find "$f" -name cgroup.freeze; done 2>/dev/null |
		while read -r f; do echo 0 >"$f"; done 2>/dev/null
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$( (mgr_processes; mgr_cgroup_processes) | sort -u)
		[ -n "$pids" ] || return 0
		if [ "$i" = 1 ]; then
			for f in $pids; do
				echo "# killing a leftover: $f $(tr '\0' ' ' </proc/"$f"/cmdline 2>/dev/null)"
			done
		fi
		# shellcheck disable=SC2086 # one PID a word
		kill -KILL $pids 2>/dev/null
		sleep 0.2
	done
}

# mgr_umount_under DIR: every mount point at or under DIR, deepest first.
mgr_umount_under() {
	local m
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo |
		sort -r | while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
}

mgr_remove_cgroups() {
	mgr_cgroup_dirs | xargs -r rmdir 2>/dev/null
	mgr_cgroup_roots | xargs -r rmdir 2>/dev/null
	true
}

# mgr_leftovers [CGROUP_KEEP_REGEX]: one line per thing a stopped manager (no
# daemon running, no container) must not leave: processes, cgroup directories
# of containers (those matching the ERE, e.g. podman's conmon, are the
# manager's own), container mounts (overlay, nsfs, the containers' /dev/shm)
# under MGR_DIR, network namespaces, shim sockets, runtime state in /run.
mgr_leftovers() {
	local keep=${1:-^$} p d
	for p in $(mgr_processes; mgr_cgroup_processes); do
		echo "process $p: $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)"
	done
	for d in $(mgr_cgroup_dirs); do
		[[ ${d##*/"$MGR_CGROUP"/} =~ $keep ]] || echo "cgroup $d"
	done
	# mountinfo: optional fields (shared:N ...) end with "-", then type, source.
	awk -v d="$MGR_DIR" 'index($5, d "/") == 1 {
			for (i = 7; i < NF; i++) if ($i == "-") break
			if ($(i + 1) == "overlay" || $(i + 1) == "nsfs" || $(i + 2) == "shm" || $5 ~ /\/shm$/)
				print "mount " $5 " (" $(i + 1) ")"
		}' /proc/self/mountinfo
	for d in /run/netns/* /run/containerd/s/* /run/containerd/runc/*/* /run/runc/* \
		"/run/$(basename "$OCI_RUNTIME")"/*; do
		[ -e "$d" ] && echo "left in /run: $d"
	done
	true
}

# --- images ----------------------------------------------------------------------

# mgr_make_rootfs DIR: busybox (Debian's busybox-static) with a symlink per
# applet, /etc/passwd and /etc/group, and /www/index.html for httpd.
mgr_make_rootfs() {
	local dir=$1 applet
	mkdir -p "$dir"/{bin,etc,tmp,proc,sys,dev,root,www}
	chmod 1777 "$dir/tmp"
	cp /bin/busybox "$dir/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$dir/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
	echo "hello from busybox httpd" >"$dir/www/index.html"
}

# mgr_make_oci_archive ROOTFS_TAR REF OUT_TAR: a one-layer OCI image archive
# (oci-layout, index.json naming REF, gzip layer) by make_image.py.
mgr_make_oci_archive() {
	local layout
	layout=$(mktemp -d "$MGR_DIR/tmp/layout.XXXXXX")
	printf '{"ref": "%s", "manifest": "oci", "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]}, "layers": [{"compression": "gzip", "tar": "%s"}]}' \
		"$2" "$1" | python3 "$BATS_TEST_DIRNAME/make_image.py" "$layout" || return 1
	tar -C "$layout" -cf "$3" . && rm -rf "$layout"
}

# --- looking at containers from the host ----------------------------------------

# freezer_state PID: FROZEN or THAWED, from the freezer of PID's cgroup (v1
# freezer hierarchy, or cgroup.freeze of cgroup2).
freezer_state() {
	local path
	path=$(awk -F: '$2 == "freezer" {print $3}' "/proc/$1/cgroup")
	if [ -n "$path" ] && [ -e "/sys/fs/cgroup/freezer$path/freezer.state" ]; then
		cat "/sys/fs/cgroup/freezer$path/freezer.state"
		return
	fi
	path=$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")
	local base=/sys/fs/cgroup
	[ -e "$base/cgroup.controllers" ] || base=/sys/fs/cgroup/unified
	case $(cat "$base$path/cgroup.freeze" 2>/dev/null) in
		1) echo FROZEN ;;
		0) echo THAWED ;;
		*) echo "no freezer for PID $1" >&2; return 1 ;;
	esac
}

# memory_limit PID: the memory limit (bytes, or "max") of PID's cgroup.
memory_limit() {
	local path
	path=$(awk -F: '$2 == "memory" {print $3}' "/proc/$1/cgroup")
	if [ -n "$path" ] && [ -e "/sys/fs/cgroup/memory$path/memory.limit_in_bytes" ]; then
		cat "/sys/fs/cgroup/memory$path/memory.limit_in_bytes"
		return
	fi
	path=$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")
	cat "/sys/fs/cgroup$path/memory.max"
}

# runtime_calls REGEX: the runtime calls logged so far whose argv matches.
runtime_calls() {
	grep -E -- "$1" "$MGR_LOG"
}

# strip_cr: a terminal's output without carriage returns.
strip_cr() {
	tr -d '\r'
}
