#!/usr/bin/env bats
# Issue 19's defects, reproduced as a user would (and fixed): names that
# are another container's ID, unbounded templates, values that would add
# lines to the files husk writes into a container.

load helpers

setup() {
	keeping_setup
}

teardown() {
	if [ -n "${SMALL_ROOT:-}" ]; then
		small_root_teardown
	fi
	removing_teardown
}

@test "a full ID always names its own container: a 64-hex name is refused, lookups try IDs first" {
	victim=$(husk create --name victim --network none busybox true)
	refused 'invalid container name .*64 hex digits are a container ID' \
		create --name "$victim" --network none busybox true
	husk create --name attacker --network none busybox true >/dev/null
	run --separate-stderr husk rename attacker "$victim"
	expect_husk_error 1 '[Ii]nvalid container name'
	# A name an older husk let through: the victim's ID naming the attacker.
	attacker=$(husk inspect -f '{{.Id}}' attacker)
	ln -s "$attacker" "$HUSK_ROOT/names/$victim"
	# rm -f of the victim's ID removes the victim, nothing else.
	run husk rm -f "$victim"
	expect_output "$victim"
	run husk ps -a --format '{{.Names}}'
	expect_output attacker
	rm -f "$HUSK_ROOT/names/$victim"
}

@test "templates are bounded: a huge range or output is one clear error" {
	husk create --name tpl --network none busybox true >/dev/null
	run --separate-stderr timeout 20 "$HUSK" inspect -f '{{range 2000000000}}{{end}}' tpl
	expect_husk_error 1 'range runs more than 1000000 times'
	run --separate-stderr timeout 20 "$HUSK" ps -a --format '{{range 900000}}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{end}}'
	expect_husk_error 1 'output is larger than 16 MiB'
}

@test "values written into /etc/hosts, /etc/hostname and resolv.conf cannot add lines" {
	nl=$'\n'
	for flag in --hostname --domainname --dns-search --dns-option --network-alias; do
		run --separate-stderr "$HUSK" run --rm --network none "$flag" "a${nl}b" busybox true
		expect_status 125
		# One line, the newline shown escaped.
		expect_match "^husk: invalid $flag \"a\\\\nb\"" "$stderr"
		[ "${#stderr_lines[@]}" -eq 1 ]
	done
	run --separate-stderr "$HUSK" run --rm --network none --add-host "x${nl}y:10.0.0.1" busybox true
	expect_status 125
	run husk ps -aq
	expect_output ""
}

# strace kills husk at its first rename: the one that would put the first
# record in place, leaving config.json and container.json.tmp.PID.
@test "a create killed before its first record frees the name and leaves nothing behind" {
	husk create --name warm --network none busybox true >/dev/null # the image is in the store
	run strace -f -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when=1 \
		"$HUSK" create --name half --network none busybox true
	expect_status 137
	directory=$(echo "$HUSK_ROOT"/containers/*/container.json.tmp.*)
	[ -e "$directory" ]
	# The name is free again for a new container...
	husk create --name half --network none busybox true >/dev/null
	[ ! -e "$directory" ]
	husk rm half >/dev/null
	# ... and rm -f by name, and prune, remove what a kill left.
	run strace -f -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when=1 \
		"$HUSK" create --name half --network none busybox true
	expect_status 137
	run husk rm -f half
	expect_output half
	run strace -f -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when=1 \
		"$HUSK" create --network none busybox true
	expect_status 137
	husk container prune -f >/dev/null
	run husk ps -aq --no-trunc
	expect_output "$(husk inspect -f '{{.Id}}' warm)"
	run ls "$HUSK_ROOT/containers"
	expect_output "$(husk inspect -f '{{.Id}}' warm)"
	[ -z "$(ls "$HUSK_ROOT/names" | grep -v '^warm$')" ]
}

# A state root of its own, small enough to fill: 16 MiB of tmpfs.
small_root() {
	SMALL_ROOT=$BATS_TEST_TMPDIR/small
	mkdir -p "$SMALL_ROOT"
	mount -t tmpfs -o size=16m tmpfs "$SMALL_ROOT"
}

small_root_teardown() {
	rm -f "$SMALL_ROOT"/fill*
	HUSK_ROOT=$SMALL_ROOT "$HUSK" rm -f chatty >/dev/null 2>&1 || true
	umount "$SMALL_ROOT"
}

# PID 1 writes 3 KB lines and counts them in /dev/shm/n; TERM ends it with 42.
start_chatty() {
	HUSK_ROOT=$SMALL_ROOT husk run -d --name chatty --network none busybox sh -c \
		'trap "exit 42" TERM; n=0; while :; do head -c 3000 /dev/zero | tr "\0" x; echo; n=$((n+1)); echo $n >/dev/shm/n; usleep 10000; done' >/dev/null
	CHATTY_PID=$(HUSK_ROOT=$SMALL_ROOT husk inspect -f '{{.State.Pid}}' chatty)
}

lines_after() {
	[ "$(cat /proc/$CHATTY_PID/root/dev/shm/n 2>/dev/null || echo 0)" -ge "$1" ]
}

fill_small_root() {
	dd if=/dev/zero of="$SMALL_ROOT/$1" bs=4k >/dev/null 2>&1 || true
	local written
	written=$(cat /proc/$CHATTY_PID/root/dev/shm/n)
	wait_for 10 lines_after $((written + 20))
}

@test "a full state root: the exit status is kept, and the log says what it could not hold" {
	small_root
	start_chatty
	fill_small_root fill
	rm "$SMALL_ROOT/fill"
	wait_for 10 lines_after $(($(cat /proc/$CHATTY_PID/root/dev/shm/n) + 5))
	fill_small_root fill
	# The stop's own record writes use the container's reserve.
	run env HUSK_ROOT="$SMALL_ROOT" "$HUSK" stop chatty
	expect_status 0
	run env HUSK_ROOT="$SMALL_ROOT" "$HUSK" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}' chatty
	expect_output 'exited 42 the state root ran out of space: this record was written into the space reserved for it'
	run env HUSK_ROOT="$SMALL_ROOT" "$HUSK" logs chatty
	expect_match "husk: [0-9]+ bytes of the container's output could not be logged: no space left on device" "$output"
	# Whole entries only: every other line is PID 1's x's (two of its lines
	# run together where the entry with a newline alone was lost).
	[ -z "$(echo "$output" | grep -v '^x*$' | grep -v '^husk: ')" ]
}

@test "a full state root with the reserve spent: stop says the exit could not be recorded, inspect still has it" {
	small_root
	start_chatty
	fill_small_root fill
	# Something else took the space the reserve gave.
	fallocate --punch-hole --keep-size -o 4096 -l 61440 "$SMALL_ROOT"/containers/*/reserve
	dd if=/dev/zero of="$SMALL_ROOT/fill2" bs=4k >/dev/null 2>&1 || true
	run --separate-stderr env HUSK_ROOT="$SMALL_ROOT" "$HUSK" stop chatty
	expect_husk_error 1 'container chatty stopped \(exit code 42\), but its record could not be updated; free space in the state root: No space left on device'
	run env HUSK_ROOT="$SMALL_ROOT" "$HUSK" inspect -f '{{.State.Status}} {{.State.ExitCode}}|{{.State.Error}}' chatty
	expect_output "exited 42|the exit status could not be written to the container's record (no space left in the state root); it was kept in the space reserved for it"
	run env HUSK_ROOT="$SMALL_ROOT" "$HUSK" ps -a --format '{{.Status}}'
	expect_match '^Exited \(42\)' "$output"
	# Once there is room, the next command writes what was kept.
	rm -f "$SMALL_ROOT"/fill*
	run env HUSK_ROOT="$SMALL_ROOT" "$HUSK" start chatty
	expect_status 0
	run env HUSK_ROOT="$SMALL_ROOT" "$HUSK" inspect -f '{{.State.Status}} {{.State.Error}}' chatty
	expect_output 'running '
}

# Every open in create/start/run/rm may be the one that fails: each limit
# from too few to enough cuts the launch at another step.
@test "EMFILE at every step of run: one clear line, nothing half made" {
	husk create --name warm --network none busybox true >/dev/null
	for n in $(seq 6 40); do
		run --separate-stderr prlimit --nofile="$n" "$HUSK" run -d --name "e$n" --network none busybox sleep 60
		if [ "$status" = 0 ]; then
			husk rm -f "e$n" >/dev/null
			continue
		fi
		expect_husk_error 125 'Too many open files'
		echo "with $n descriptors: $stderr"
		run husk ps -aq
		expect_output "$(husk ps -aq --filter name=warm)"
	done
	run ls "$HUSK_ROOT/containers"
	expect_output "$(husk inspect -f '{{.Id}}' warm)"
	[ -z "$(find /sys/fs/cgroup -path '*husk/*' -type d -name '[0-9a-f]*' ! -name "$(husk inspect -f '{{.Id}}' warm)*")" ]
	# rm itself under the limit: out of descriptors, it cannot tell whether
	# PID 1 runs, and must not tear down a running container (it removed
	# the name and the cgroups of one that ran on).
	husk run -d --name e --network none busybox sleep 60 >/dev/null
	for n in $(seq 4 16); do
		# Too few for the dynamic loader itself?
		prlimit --nofile="$n" "$HUSK" --help >/dev/null 2>&1 || continue
		run --separate-stderr prlimit --nofile="$n" "$HUSK" rm -f e
		[ "$status" = 0 ] && break
		expect_husk_error 1 'Too many open files'
		run husk inspect -f '{{.State.Status}}' e
		expect_output running
	done
	# Removed at the first limit that was enough.
	expect_output e
	run husk ps -aq
	expect_output "$(husk ps -aq --filter name=warm)"
}
