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
		expect_match "^husk: invalid $flag " "$stderr"
	done
	run --separate-stderr "$HUSK" run --rm --network none --add-host "x${nl}y:10.0.0.1" busybox true
	expect_status 125
	run husk ps -aq
	expect_output ""
}
