#!/usr/bin/env bats
# A husk command killed with SIGKILL while it starts a container. Nothing of
# it may be left running unseen (no setup child waiting forever), `husk ps
# -a` shows what is left in a state docker knows, and `husk rm -f` / `husk
# container prune -f` remove all of it: cgroups, the address lease, veth,
# bridge, published ports and nftables table, the directory and the name.
# Each run is killed as soon as husk has a child (ROUNDS times), which lands
# anywhere from the cgroup's creation to the relay.

load helpers

setup() { keeping_setup; }

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	"$HUSK" container prune -f >/dev/null 2>&1
	husk_teardown
}

ROUNDS=${CRASH_ROUNDS:-20}

# kill_at_first_child HUSK-ARGS...: starts husk and SIGKILLs it as soon as
# it has a child; prints husk's exit status, then the children it had. (Run
# in a subshell whose stderr is dropped: bash reports every killed job.)
kill_at_first_child() {
	local pid children status
	env --default-signal "$HUSK" "$@" </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	# Read without forking (pgrep's own fork and exec take about as long
	# as a whole `run -d`).
	children=
	while [ -z "$children" ] && read -r children <"/proc/$pid/task/$pid/children" 2>/dev/null; do
		:
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" && status=0 || status=$?
	printf '%s %s\n' "$status" "$(echo $children)"
}

# kill_rounds HUSK-ARGS...: kill_at_first_child, $ROUNDS times. The image is
# made first: its build has a child of husk's too, and is not what is tested.
kill_rounds() {
	local i result killed=0
	"$HUSK" create --network none busybox true >/dev/null
	"$HUSK" container prune -f >/dev/null
	: >"$BATS_TEST_TMPDIR/children"
	for ((i = 0; i < ROUNDS; i++)); do
		result=$(kill_at_first_child "$@" 2>/dev/null)
		[ "${result%% *}" != 137 ] || killed=$((killed + 1))
		echo "${result#* }" >>"$BATS_TEST_TMPDIR/children"
	done
	# run -d returns within milliseconds, about as fast as pgrep polls: many
	# finish before the kill. Enough must have been killed to test anything.
	[ "$killed" -ge $((ROUNDS / 10)) ] || fail "only $killed of $ROUNDS runs were killed while starting"
	list_containers >"$BATS_TEST_TMPDIR/ids"
}

# A zombie has let go of everything; one stuck in recvmsg has not.
children_gone() {
	local pid state
	for pid in $(cat "$BATS_TEST_TMPDIR/children"); do
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
		[ "$state" = Z ] || return 1
	done
}

# Container directories with a record: a husk killed between a directory's
# mkdir and its first record leaves one without, which ps does not list and
# prune removes (nothing_left checks that it is gone).
recorded_containers() {
	local id
	for id in $(list_containers); do
		[ -e "$HUSK_ROOT/containers/$id/container.json" ] && echo "$id"
	done
}

# ps -a lists every recorded container, each in a state docker knows.
ps_lists_everything() {
	local listed line
	listed=$("$HUSK" ps -aq --no-trunc | sort)
	[ "$listed" = "$(recorded_containers)" ] ||
		fail "ps -a lists: $(echo $listed); the store holds: $(recorded_containers | tr '\n' ' ')"
	run "$HUSK" ps -a --format '{{.Status}}'
	expect_status 0
	for line in "${lines[@]}"; do
		expect_match '^(Created|Up .*|Exited \(-?[0-9]+\)( .* ago)?)$' "$line" || return 1
	done
}

# rm -f of every container ps -a lists, then prune: a directory whose
# husk was killed before its first record is not a container ps lists, but
# prune's to remove (see run --rm above).
remove_listed() {
	local ids
	ids=$("$HUSK" ps -aq)
	[ -z "$ids" ] || "$HUSK" rm -f $ids >/dev/null
	"$HUSK" container prune -f >/dev/null
}

no_links() {
	[ -z "$(ip -o link show | grep -E 'veth|husk')" ]
}

nothing_left() {
	local id cgroups=
	[ -z "$("$HUSK" ps -aq)" ] || fail "ps -a still lists: $("$HUSK" ps -a)"
	[ -z "$(list_containers)" ] || fail "container directories left: $(list_containers)"
	[ -z "$(ls -A "$HUSK_ROOT/names" 2>/dev/null)" ] || fail "names left: $(ls -A "$HUSK_ROOT/names")"
	wait_for 5 children_gone || fail "processes left: $(ps -o pid,stat,wchan:20,args -p "$(
		xargs <"$BATS_TEST_TMPDIR/children" | tr ' ' ,)")"
	for id in $(cat "$BATS_TEST_TMPDIR/ids"); do
		cgroups+="$(find /sys/fs/cgroup -type d -name "$id" 2>/dev/null | xargs) "
	done
	[ -z "${cgroups// /}" ] || fail "cgroups left: $cgroups"
	# A dead container's network namespace (and its veth) goes asynchronously.
	wait_for 5 no_links || fail "links left: $(ip -o link show | grep -E 'veth|husk')"
	! nft list table ip husk >/dev/null 2>&1 || fail "nftables table left: $(nft list table ip husk)"
	[ -z "$(ls -A "$HUSK_ROOT/networks/bridge/leases" 2>/dev/null)" ] ||
		fail "leases left: $(ls -l "$HUSK_ROOT/networks/bridge/leases")"
	[ "$(sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "ip_forward left on"
}

@test "run --rm killed as it starts: ps -a shows what is left, prune removes it" {
	# sleep, not true: a start of ~10 ms can finish before pgrep (a fork
	# and exec itself) has seen the child, and a finished run tests nothing.
	kill_rounds run --rm busybox sleep 1
	ps_lists_everything
	# Those killed after their command started run on (as docker's would
	# without a client); once they exit, prune takes them too.
	wait_for 5 sh -c '! "$1" ps -q | grep -q .' sh "$HUSK" || fail "still running: $("$HUSK" ps)"
	run "$HUSK" container prune -f
	expect_status 0
	nothing_left
}

@test "run -d killed as it starts: the container starts whole under its monitor, rm -f removes it" {
	kill_rounds run -d busybox sleep 1000
	ps_lists_everything
	[ "$("$HUSK" ps -q | wc -l)" = "$(count_containers)" ] || fail "not all run: $("$HUSK" ps -a)"
	remove_listed
	nothing_left
}

@test "run with a published port on the default bridge killed as it starts: rm -f removes all" {
	kill_rounds run -p 127.0.0.1::80 busybox sleep 1000
	ps_lists_everything
	remove_listed
	nothing_left
}

@test "run killed at any moment, also while it makes the container: rm -f and prune remove all" {
	local i pid
	"$HUSK" create --network none busybox true >/dev/null
	"$HUSK" container prune -f >/dev/null
	: >"$BATS_TEST_TMPDIR/children"
	for ((i = 0; i < ROUNDS; i++)); do
		env --default-signal "$HUSK" run --name "c$i" -p 127.0.0.1::80 busybox sleep 1000 \
			</dev/null >/dev/null 2>&1 3>&- &
		pid=$!
		sleep "0.0$((i % 10))"
		pgrep -P "$pid" >>"$BATS_TEST_TMPDIR/children" || true
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	list_containers >"$BATS_TEST_TMPDIR/ids"
	run "$HUSK" ps -a --format '{{.Status}}'
	expect_status 0
	remove_listed
	# A directory whose record was never written is not listed: prune finds it.
	run "$HUSK" container prune -f
	expect_status 0
	nothing_left
}
