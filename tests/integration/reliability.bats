#!/usr/bin/env bats
# Issue 19's defects, reproduced as a user would (and fixed): names that
# are another container's ID, unbounded templates, values that would add
# lines to the files husk writes into a container.

load helpers

setup() {
	keeping_setup
}

teardown() {
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
