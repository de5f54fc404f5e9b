# Shared by every tests/integration/*.bats file: `load helpers`.
#
# The suite runs inside the sandbox tests/integration/run.sh makes (own mount
# and network namespaces, HUSK_ROOT on a private tmpfs); running a .bats file
# directly with bats works too if HUSK and HUSK_ROOT are exported, but then
# nothing protects the host's network or mount table.
#
# setup() snapshots what a test could leak; teardown() stops the background
# processes the test started, removes the containers it kept (only when the
# test said it would keep some, see keep_containers) and fails the test if a
# mount, cgroup, husk process, container directory or name is left behind.

bats_require_minimum_version 1.5.0

# The container ids husk makes, and the short form used as default host name.
ID_RE='^[0-9a-f]{64}$'
SHORT_ID_RE='^[0-9a-f]{12}$'

# Docker's 14 default capabilities.
DEFAULT_CAPS=00000000a80425fb

setup() {
	husk_setup
}

teardown() {
	husk_teardown
}

# For files whose tests keep containers running: their setup() and teardown()
# call these, and every container is removed (through husk, so monitors,
# cgroups and network state go too) before the usual leak checks.
keeping_setup() {
	husk_setup
	keep_containers=1
}

# For files whose tests make volumes too: what a failed test left is
# removed, so one failure does not cascade (each test checks its own).
volume_removing_teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	"$HUSK" volume rm $("$HUSK" volume ls -q) >/dev/null 2>&1
	husk_teardown
}

# busybox_image NAME PLANT [CHANGE...]: busybox's files plus what the
# function PLANT does to the root directory it is given, imported as NAME
# with CMD ["sh"] and each `import -c` CHANGE.
busybox_image() {
	local name=$1 plant=$2 root=$BATS_TEST_TMPDIR/root-$1 change changes=()
	shift 2
	for change in "$@"; do changes+=(-c "$change"); done
	husk run --rm --network none busybox true
	mkdir "$root"
	cp -a "$(husk image inspect -f '{{.GraphDriver.Data.UpperDir}}' busybox)/." "$root/"
	"$plant" "$root"
	tar -C "$root" -c . | husk import -c 'CMD ["sh"]' "${changes[@]}" - "$name" >/dev/null
	rm -rf "$root"
}

removing_teardown() {
	"$HUSK" rm -fv $("$HUSK" ps -aq) >/dev/null 2>&1
	husk_teardown
}

husk_setup() {
	if [ -z "${HUSK:-}" ] || [ -z "${HUSK_ROOT:-}" ]; then
		echo "HUSK and HUSK_ROOT must be set: run tests/integration/run.sh BINARY" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "the integration tests need root" >&2
		return 1
	fi
	# Tests that run husk without --rm set keep_containers=1 so the teardown
	# removes what they left; for every other test a leftover is a failure.
	keep_containers=
	BG_PIDS=()
	TMUX_SOCKET=
	snapshot_mounts >"$BATS_TEST_TMPDIR/mounts.before"
	snapshot_cgroups >"$BATS_TEST_TMPDIR/cgroups.before"
	snapshot_husk_processes >"$BATS_TEST_TMPDIR/processes.before"
	list_containers >"$BATS_TEST_TMPDIR/containers.before"
	list_volumes >"$BATS_TEST_TMPDIR/volumes.before"
}

list_volumes() {
	ls "$HUSK_ROOT/volumes" 2>/dev/null | grep -v '^\.' | sort
}

husk_teardown() {
	local problems=() pid leftovers
	# Background husk runs the test started: kill what still runs (PID 1 of
	# the container first, so husk can clean up after it), then wait.
	for pid in "${BG_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			problems+=("background process $pid was still running at teardown")
			pkill -KILL -P "$pid" 2>/dev/null
			sleep 0.2
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	if [ -n "$TMUX_SOCKET" ]; then
		tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null
	fi

	leftovers=$(comm -13 "$BATS_TEST_TMPDIR/containers.before" <(list_containers))
	if [ -n "$leftovers" ]; then
		if [ -z "$keep_containers" ]; then
			problems+=("containers left in \$HUSK_ROOT/containers: $(echo $leftovers)")
		fi
	fi
	# Only remove after every container of this test has exited.
	rm -rf "$HUSK_ROOT/containers/"* "$HUSK_ROOT/names/"*

	sanitizer_reports || problems+=("a sanitizer report (above)")

	local new
	new=$(comm -13 "$BATS_TEST_TMPDIR/volumes.before" <(list_volumes))
	[ -z "$new" ] || problems+=("volumes left: $(echo $new)")
	new=$(comm -13 "$BATS_TEST_TMPDIR/mounts.before" <(snapshot_mounts))
	[ -z "$new" ] || problems+=("new mounts: $new")
	new=$(comm -13 "$BATS_TEST_TMPDIR/cgroups.before" <(snapshot_cgroups))
	[ -z "$new" ] || problems+=("cgroup directories left: $(echo $new)")
	new=$(comm -13 "$BATS_TEST_TMPDIR/processes.before" <(snapshot_husk_processes))
	[ -z "$new" ] || problems+=("husk processes left: $new")

	if [ ${#problems[@]} -gt 0 ]; then
		printf 'teardown: %s\n' "${problems[@]}" >&2
		return 1
	fi
}

# Against a sanitizer build run.sh sets HUSK_SANITIZER_LOGS, where each
# report is a file: prints those written since the last call to stderr and
# files them away; fails if there were any.
sanitizer_reports() {
	local report found=0
	[ -n "${HUSK_SANITIZER_LOGS:-}" ] || return 0
	for report in "$HUSK_SANITIZER_LOGS"/report.*; do
		[ -f "$report" ] || continue
		cat "$report" >&2
		mv "$report" "$HUSK_SANITIZER_LOGS/seen/"
		found=1
	done
	return $found
}

# Mount points of this (sandbox) mount namespace: husk mounts only in the
# container's own mount namespace, so this must never change.
snapshot_mounts() {
	awk '{print $5, $9, $10}' /proc/self/mountinfo | sort
}

snapshot_cgroups() {
	find /sys/fs/cgroup -type d -path '*husk*' 2>/dev/null | sort
}

# husk processes started with our HUSK_ROOT (so not someone else's on the host).
snapshot_husk_processes() {
	local p
	for p in $(pgrep -x husk); do
		if tr "\0" "\n" 2>/dev/null <"/proc/$p/environ" | grep -qxF "HUSK_ROOT=$HUSK_ROOT"; then
			echo "$p $(tr "\0" " " 2>/dev/null <"/proc/$p/cmdline")"
		fi
	done | sort
}

list_containers() {
	ls -A "$HUSK_ROOT/containers" 2>/dev/null | sort
}

count_containers() {
	list_containers | wc -l
}

# The id of the only container in $HUSK_ROOT/containers.
only_container_id() {
	local ids
	ids=$(list_containers)
	if [ "$(echo "$ids" | grep -c .)" != 1 ]; then
		echo "expected exactly one container, found: $(echo $ids)" >&2
		return 1
	fi
	echo "$ids"
}

# --- assertions (bats 1.8 has no bats-assert) --------------------------------

fail() {
	echo "$*" >&2
	return 1
}

# expect_status N: $status (from the last `run`) is N.
expect_status() {
	if [ "$status" != "$1" ]; then
		echo "expected exit status $1, got $status" >&2
		echo "--- stdout:" >&2
		printf '%s\n' "$output" >&2
		if [ -n "${stderr+x}" ]; then
			echo "--- stderr:" >&2
			printf '%s\n' "$stderr" >&2
		fi
		return 1
	fi
}

# expect_output STRING: the last `run`'s stdout is exactly STRING.
expect_output() {
	if [ "$output" != "$1" ]; then
		echo "expected output: $(printf '%q' "$1")" >&2
		echo "got:             $(printf '%q' "$output")" >&2
		[ -z "${stderr+x}" ] || echo "stderr: $stderr" >&2
		return 1
	fi
}

# expect_match REGEX [TEXT]: TEXT (default: $output) matches the ERE.
expect_match() {
	local text=${2-$output}
	if ! [[ $text =~ $1 ]]; then
		echo "expected to match /$1/, got: $(printf '%q' "$text")" >&2
		return 1
	fi
}

# expect_husk_error STATUS [REGEX]: run with --separate-stderr ended with
# STATUS, stderr is exactly one line starting with "husk: " (matching REGEX if
# given), stdout is empty.
expect_husk_error() {
	expect_status "$1" || return 1
	if [ "${#stderr_lines[@]}" != 1 ]; then
		echo "expected exactly one line on stderr, got ${#stderr_lines[@]}:" >&2
		printf '%s\n' "$stderr" >&2
		return 1
	fi
	expect_match '^husk: ' "$stderr" || return 1
	if [ -n "${2:-}" ]; then
		expect_match "$2" "$stderr" || return 1
	fi
	if [ -n "$output" ]; then
		echo "expected no stdout, got: $output" >&2
		return 1
	fi
}

# --- running things ------------------------------------------------------------

husk() {
	"$HUSK" "$@"
}

# start_bg OUTFILE husk-args...: runs husk in the background with default
# signal dispositions (a non-interactive shell starts background jobs with
# SIGINT and SIGQUIT ignored), stdout+stderr to OUTFILE. Sets BG_PID.
start_bg() {
	local out=$1
	shift
	env --default-signal "$HUSK" "$@" </dev/null >"$out" 2>&1 3>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# wait_for TIMEOUT_SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

file_has_line() {
	grep -qx -- "$2" "$1" 2>/dev/null
}

# The host pid of the container's PID 1: the only child of the husk process.
container_pid1() {
	local children
	children=$(pgrep -P "$1")
	[ "$(echo "$children" | grep -c .)" = 1 ] || return 1
	echo "$children"
}

# bg_wait PID: waits for a start_bg process, sets BG_STATUS to its exit
# status. (Not in $(...): a subshell cannot wait for its parent's children.)
bg_wait() {
	BG_STATUS=0
	wait "$1" || BG_STATUS=$?
}

# expect_bg_status PID N: the start_bg process PID ends with status N.
expect_bg_status() {
	bg_wait "$1"
	if [ "$BG_STATUS" != "$2" ]; then
		echo "expected exit status $2, got $BG_STATUS; output:" >&2
		cat "${3:-/dev/null}" >&2
		return 1
	fi
}

# --- containers' state, for tests that wait on it ------------------------------

status_is() { # C STATUS
	[ "$(husk inspect -f '{{.State.Status}}' "$1")" = "$2" ]
}

# monitor_of C: the PID of C's live monitor (named husk- and the ID's first
# 10 digits; an exited one may linger as a zombie until init reaps it).
monitor_of() {
	local pid found=1
	for pid in $(pgrep -x "husk-$(husk inspect -f '{{.Id}}' "$1" | cut -c1-10)"); do
		[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" = Z ] && continue
		echo "$pid"
		found=0
	done
	return $found
}

no_monitor() {
	! monitor_of "$1" >/dev/null
}

# refused REGEX husk-args...: a bad value gets one line naming it, exit 125,
# and leaves no container behind.
refused() {
	local regex=$1 before
	shift
	before=$(list_containers)
	run --separate-stderr "$HUSK" "$@"
	expect_husk_error 125 "$regex" || return 1
	[ "$(list_containers)" = "$before" ] || fail "a container was left: $(list_containers)"
}

# Mount points of cgroup hierarchies (v1 controllers, named, cgroup2) under
# /sys/fs/cgroup, each once.
cgroup_mounts() {
	awk '($9 == "cgroup" || $9 == "cgroup2") && $5 ~ "^/sys/fs/cgroup(/|$)" {print $5}' /proc/self/mountinfo | sort -u
}

# A block device of the host (the one holding /), or nothing.
host_block_device() {
	local dev
	for dev in /dev/vda /dev/sda /dev/nvme0n1 /dev/xvda /dev/hda; do
		if [ -b "$dev" ]; then
			echo "$dev"
			return
		fi
	done
}

# Images (images.bats, pull.bats).

# busybox_tar FILE: busybox's one layer as a rootfs tarball (made once).
busybox_tar() {
	[ -f "$1" ] && return
	husk run --rm --network none busybox true
	tar -C "$(husk image inspect -f '{{.GraphDriver.Data.UpperDir}}' busybox)" -cf "$1" .
}

# A digest of what the image store publishes: references, images, layers, blobs.
store_state() {
	local images=$HUSK_ROOT/images
	{
		cat "$images/repositories.json" 2>/dev/null
		ls "$images/images" "$images/layers" "$images/blobs/sha256" 2>/dev/null
	} | sha256sum
}

# registry_start NAME ADDR [EXTRA-YAML]: a registry with its own storage.
registry_start() {
	local dir=$BATS_FILE_TMPDIR/$1
	mkdir -p "$dir/data"
	cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $2
${3:-}
EOF
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	local i scheme=http
	[[ "${3:-}" == *tls:* ]] && scheme=https
	for i in $(seq 1 100); do
		curl -sk -o /dev/null "$scheme://$2/v2/" && return 0
		sleep 0.05
	done
	cat "$dir/log" >&2
	return 1
}
