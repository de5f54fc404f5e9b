#!/usr/bin/env bats
# Host fds in a container: whatever the caller's shell gave husk (a file on
# stdin, stdout redirected to a file, a terminal) and whatever husk itself
# holds open (its state directory, locks, sockets, the record) must never be
# an fd of a container process. Each process lists its own fds
# (/attack fds) and those of PID 1 (/attack fds 1): only 0, 1 and 2, each the
# container's /dev/null, a pipe husk relays, or a pty of the container's own
# devpts. (escape.bats attacks through the fds a leak would give.)

load ../integration/helpers
load attack

setup() {
	keeping_setup
	make_attack_image
	IN=$BATS_TEST_TMPDIR/host-in
	OUT=$BATS_TEST_TMPDIR/host-out
	echo "host input" >"$IN"
}

teardown() {
	removing_teardown
}

# only_container_fds LISTING: exactly fds 0, 1 and 2, none a host file.
only_container_fds() {
	local listing
	listing=$(tr -d '\r' <<<"$1" | grep -o 'fd [0-9]*: .*')
	[ "$(grep -c '^fd ' <<<"$listing")" = 3 ] || fail "not 3 fds:"$'\n'"$listing" || return 1
	if grep -vxE 'fd [012]: (/dev/null|pipe:\[[0-9]+\]|/dev/pts/[0-9]+)' <<<"$listing"; then
		fail "a fd that is not the container's:"$'\n'"$listing"
	fi
}

# fds_of HUSK-ARGS...: the fds of the container process husk HUSK-ARGS
# starts, with the caller's stdin a host file and stdout another.
fds_of() {
	"$HUSK" "$@" /attack fds <"$IN" >"$OUT" 2>&1 || true
	cat "$OUT"
}

@test "host fds: run, run -i, exec, exec -i, --userns private, --init get none of the caller's fds or husk's" {
	local how
	for how in "run --rm --network none secbox" "run --rm -i --network none secbox" \
		"run --rm --network none --userns private secbox" "run --rm -i --network none --userns private secbox" \
		"run --rm --network none --init secbox"; do
		only_container_fds "$(fds_of $how)" || fail "husk $how"
	done
	husk run -d --name victim --network none secbox sleep 1000 >/dev/null
	husk run -d -i --name ivictim --network none --userns private secbox sleep 1000 >/dev/null
	for how in "exec victim" "exec -i victim" "exec -i ivictim" "exec -u 1000 victim"; do
		only_container_fds "$(fds_of $how)" || fail "husk $how"
	done
	# PID 1 of a detached container (with and without -i), seen from exec.
	only_container_fds "$(husk exec victim /attack fds 1)" || fail "PID 1 of run -d"
	only_container_fds "$(husk exec ivictim /attack fds 1)" || fail "PID 1 of run -d -i --userns private"
	[ "$(cat "$IN")" = "host input" ] || fail "the host's input file changed"
}

@test "host fds: run -t and exec -t on the caller's terminal get only the container's own pty" {
	husk run -d --name victim --network none secbox sleep 1000 >/dev/null
	local how
	for how in "run --rm -t --network none secbox" "run --rm -it --network none --userns private secbox" \
		"exec -t victim" "exec -it victim"; do
		run script -qec "\"$HUSK\" $how /attack fds" /dev/null </dev/null
		only_container_fds "$output" || fail "husk $how"
		expect_match 'fd 0: /dev/pts/0' "${output//$'\r'/}"
	done
}
