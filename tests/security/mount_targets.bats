#!/usr/bin/env bats
# Symlinked mount targets and volume sources (CVE-2021-30465 and its kin):
# an image or a container sharing a volume turns the place a mount goes, or
# the directory a volume is filled from, into a symlink that leads out of
# the container's root, before or while husk sets the container up. Every
# lookup must stay inside the root: a mount lands where the link leads
# *inside* the container (or husk refuses), no directory is made on the
# host, and no host file is copied into a volume. (volumes_attack.bats and
# ../integration/mounts_review.bats attack copy-up, :ro and devices.)

load ../integration/helpers
load attack

setup() {
	keeping_setup
	make_attack_image
	HOSTDIR=$BATS_TEST_TMPDIR/hostdir
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$HOSTDIR" "$SRC"
	echo "host secret" >"$HOSTDIR/victim"
	echo "bound source" >"$SRC/marker"
	HOST_STATE=$(hostdir_state)
}

teardown() {
	volume_removing_teardown
	"$HUSK" rmi -f linkimg linkvolimg >/dev/null 2>&1 || true
}

hostdir_state() {
	(cd "$HOSTDIR" && find . -printf '%p %y %m %s\n' | sort && cat victim)
}

expect_hostdir_untouched() {
	[ "$(hostdir_state)" = "$HOST_STATE" ] || fail "$1: the host directory changed:"$'\n'"$(hostdir_state)"
}

@test "CVE-2021-30465: an image's absolute and climbing symlinks as mount targets and VOLUME paths stay inside the root" {
	plant() {
		ln -s "$HOSTDIR/new" "$1/abs"
		ln -s "../../../../../../../../../..$HOSTDIR/new2" "$1/climb"
		ln -s "$HOSTDIR" "$1/hostlink"
		ln -s "../../../../../../../..$HOSTDIR" "$1/data"
	}
	busybox_image linkimg plant
	# (The VOLUME in an image of its own: its volume at /data would cover
	# the binds that land in the same directory.)
	busybox_image linkvolimg plant 'VOLUME /data'
	run husk run --rm --network none -v "$SRC:/abs" -v "$SRC:/climb" --tmpfs /abs/tmp linkimg sh -c \
		"cat $HOSTDIR/new/marker $HOSTDIR/new2/marker; grep -c ' $HOSTDIR/new/tmp ' /proc/self/mountinfo"
	expect_hostdir_untouched "run"
	# Either refused, or each mount where the link leads inside the root.
	if [ "$status" = 0 ]; then
		expect_output "bound source
bound source
1"
	else
		echo "# refused: $output" >&3
	fi
	# A volume whose target is a link to the host directory, and the
	# image's VOLUME /data, a climbing link to it: both filled from where
	# the links lead inside the root (nothing there), never from the host.
	run husk run --rm --network none -v filled:/hostlink linkvolimg sh -c "ls -A /hostlink /data"
	expect_hostdir_untouched "run with volumes"
	# The volumes filled from the image (at hostlink and at /data) hold the
	# image's content there, never the host directory's.
	! grep -rqs "host secret" "$HUSK_ROOT/volumes" || fail "a host file was copied into a volume"
	expect_hostdir_untouched "volume copy-up"
}

@test "CVE-2021-30465 (race): a container sharing a volume swaps a nested mount target for a symlink out of the root" {
	husk volume create shared >/dev/null
	# The attacker swaps /v/sub (a directory) with a symlink to a host path
	# (absent in either root) as fast as it can, while the victim starts
	# with a bind on /v/sub over and over.
	husk run -d --name attacker --network none -v shared:/v secbox sh -c \
		"mkdir -p /v/sub && /attack swap-loop /v/sub $HOSTDIR/created 25 >/tmp/swap.log; sleep 1000" >/dev/null
	wait_for 5 husk exec attacker test -L /v/sub.swap
	local i started=0 landed
	for i in $(seq 40); do
		run husk run --rm --network none -v shared:/v -v "$SRC:/v/sub" busybox sh -c \
			"cat /v/sub/marker 2>/dev/null || cat $HOSTDIR/created/marker"
		expect_hostdir_untouched "start $i"
		[[ "$output" != *"host secret"* ]] || fail "start $i read the host's file"
		if [ "$status" = 0 ]; then
			started=$((started + 1))
			[ "$output" = "bound source" ] || fail "start $i: the bind landed nowhere the container sees: $output"
		fi
	done
	run husk exec attacker cat /tmp/swap.log
	echo "# $started of 40 starts went through; $output" >&3
	husk rm -f attacker >/dev/null
	expect_hostdir_untouched "the end"
}

@test "volume sources: names that climb out of the volumes directory are refused; binds of a volume's path see no symlink swap" {
	local name
	for name in .. ../.. ../../etc x/../../y . "$HOSTDIR"/../x; do
		run --separate-stderr husk volume create "$name"
		[ "$status" != 0 ] || fail "volume create accepted $name"
		run --separate-stderr husk run --rm --network none --mount "type=volume,source=$name,target=/x" busybox true
		[ "$status" != 0 ] || fail "--mount type=volume accepted $name"
	done
	[ -z "$(husk volume ls -q)" ] || fail "volumes made: $(husk volume ls -q)"
	[ ! -e "$HUSK_ROOT/etc" ] && [ ! -e "$(dirname "$HUSK_ROOT")/y" ] || fail "made outside the volumes directory"
	# A volume whose content is a symlink to the host's directory: another
	# container mounting it sees the link, never the host directory.
	husk run --rm --network none -v linky:/v busybox ln -s "$HOSTDIR" /v/sub
	run husk run --rm --network none -v linky:/v busybox sh -c "cat /v/sub/victim; ls /v/sub/"
	[[ "$output" != *"host secret"* ]] || fail "the volume's symlink reached the host: $output"
	expect_hostdir_untouched "volume symlink"
}

# The files and directories husk itself puts into every container: the
# /etc/hosts, /etc/hostname and /etc/resolv.conf binds, the workdir it makes
# when missing, /proc, /sys, /dev/shm and /tmp. An image (or, for exec, the
# container) makes each a symlink out of the root, to a host directory or a
# place in it that does not exist yet.
@test "an image's /etc/hosts, hostname, resolv.conf, workdir, /proc, /sys and /dev/shm as symlinks out of the root reach nothing on the host" {
	local up=../../../../../../../../../..
	plant() {
		rm -f "$1/etc/hosts" "$1/etc/hostname" "$1/etc/resolv.conf"
		ln -s "$HOSTDIR/hosts" "$1/etc/hosts"
		ln -s "$up$HOSTDIR/hostname" "$1/etc/hostname"
		ln -s "$HOSTDIR/sub/resolv.conf" "$1/etc/resolv.conf"
		ln -s "$HOSTDIR" "$1/work"
		mkdir -p "$1/x"
		ln -s "$HOSTDIR/proc" "$1/x/proc"
		ln -s "$HOSTDIR/sys" "$1/x/sys"
	}
	busybox_image etcimg plant 'WORKDIR /work/made'
	run husk run --rm --network none etcimg sh -c 'pwd; echo written >new-file; cat /etc/hostname'
	expect_hostdir_untouched "run (WORKDIR /work/made)"
	run husk run --rm --network none -w /work/other etcimg true
	expect_hostdir_untouched "run -w /work/other"
	run husk run --rm --network none --tmpfs /x/proc --tmpfs /x/sys -v "$SRC:/work/bound" etcimg true
	expect_hostdir_untouched "run --tmpfs and -v through links"
	run husk run --rm --network none --hostname pwned --add-host pwned:10.9.9.9 --dns 10.9.9.9 etcimg \
		sh -c 'echo pwned >/etc/hosts; echo pwned >/etc/hostname; echo pwned >/etc/resolv.conf'
	expect_hostdir_untouched "run with --add-host, --hostname, --dns"
	# exec: the container makes the links itself, then asks for a workdir there.
	husk run -d --name victim --network none busybox sleep 1000 >/dev/null
	husk exec victim sh -c "ln -s $HOSTDIR /w; mkdir -p /x; ln -s $up$HOSTDIR /x/up"
	run husk exec -w /w/made victim true
	run husk exec -w /x/up/made2 victim true
	run husk exec -w /w victim sh -c 'ls; cat victim'
	[[ "$output" != *"host secret"* ]] || fail "exec -w through a link reached the host: $output"
	husk rm -f victim >/dev/null
	husk rmi etcimg >/dev/null
	expect_hostdir_untouched "exec -w through links"
}
