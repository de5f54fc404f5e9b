#!/usr/bin/env bats
# A hostile image layer writing outside its directory: each layer tarball is
# built here (tests/integration/make_image.py) with what an attacker puts in
# a tar: climbing (../) and absolute names, absolute and climbing symlinks
# and then files, directories, hardlinks and whiteouts through them,
# hardlinks to host files, whiteouts and opaque markers naming what is
# outside, within a layer and across layers. `husk load` may refuse the image
# (one line, the store as it was) or unpack it inside its layer directory;
# either way a host directory ("the canary") must stay as it was through
# load, run, exec, cp and rmi, and no file of the image may be a host file.

load ../integration/helpers

MAKE_IMAGE=$(dirname "$BATS_TEST_FILENAME")/../integration/make_image.py

setup() {
	keeping_setup
	CANARY=$BATS_TEST_TMPDIR/canary
	mkdir -p "$CANARY/dir"
	echo "host secret" >"$CANARY/victim"
	echo "host file" >"$CANARY/dir/keep"
	chmod 0600 "$CANARY/victim"
	CANARY_STATE=$(canary_state)
}

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	"$HUSK" rmi -f $("$HUSK" images -q 2>/dev/null | grep -v "$(husk images -q busybox)") >/dev/null 2>&1
	husk_teardown
}

canary_state() {
	(cd "$CANARY" && find . -printf '%p %y %m %n %s %i\n' | sort && cat victim dir/keep)
}

expect_canary_untouched() {
	[ "$(canary_state)" = "$CANARY_STATE" ] ||
		fail "$1: the host directory changed:"$'\n'"$(canary_state)"
}

# hostile NAME LAYERS-JSON: loads image NAME:1 made of LAYERS-JSON (the
# "layers" list of make_image.py); if husk takes it, runs it, reads every
# file of it and removes it. The canary must be untouched after each step,
# and the layer directories hold no host file (no hardlink to the victim).
hostile() {
	local name=$1 layers=$2 dir=$BATS_TEST_TMPDIR/layout.$1
	python3 "$MAKE_IMAGE" "$dir" <<<"{\"ref\": \"$name:1\", \"layers\": $layers}" ||
		fail "$name: make_image.py failed"
	tar -C "$dir" -cf "$dir.tar" .
	run --separate-stderr husk load -i "$dir.tar"
	expect_canary_untouched "$name: load"
	if [ "$status" != 0 ]; then
		[ "${#stderr_lines[@]}" = 1 ] && [[ "$stderr" == husk:* ]] ||
			fail "$name: refused without one clear line: $stderr"
		[ -z "$(ls -A "$HUSK_ROOT/images/tmp" 2>/dev/null)" ] || fail "$name: left $(ls "$HUSK_ROOT/images/tmp")"
		echo "# $name: refused" >&3
		return 0
	fi
	echo "# $name: loaded inside its layers" >&3
	[ "$(find "$HUSK_ROOT" -samefile "$CANARY/victim" | wc -l)" = 0 ] ||
		fail "$name: a layer file is the host's victim: $(find "$HUSK_ROOT" -samefile "$CANARY/victim")"
	! grep -rqs "host secret" "$HUSK_ROOT/images" || fail "$name: the host secret is in the image store"
	run husk run --rm --network none "$name:1" /bin/busybox sh -c \
		'find / -xdev -type f -exec /bin/busybox cat {} + 2>/dev/null | /bin/busybox grep "host secret";
		 /bin/busybox rm -rf /out/* /up/* /h /h2 2>/dev/null; /bin/busybox echo x >/out/written'
	[[ "$output" != *"host secret"* ]] || fail "$name: the container read the host's file: $output"
	expect_canary_untouched "$name: run"
	husk create --name "c-$name" --network none "$name:1" true >/dev/null
	husk cp "c-$name:/" "$BATS_TEST_TMPDIR/cp-$name" 2>/dev/null || true
	! grep -rqs "host secret" "$BATS_TEST_TMPDIR/cp-$name" || fail "$name: cp out gave the host secret"
	husk rm "c-$name" >/dev/null
	husk rmi "$name:1" >/dev/null
	expect_canary_untouched "$name: rmi"
}

# A layer needs busybox to run anything: the busybox layer comes first.
busybox_layer() {
	busybox_tar "$BATS_TEST_TMPDIR/busybox.tar"
	echo "{\"compression\": \"none\", \"tar\": \"$BATS_TEST_TMPDIR/busybox.tar\"}"
}

file() { echo "{\"path\": \"$1\", \"type\": \"file\", \"content\": \"${2:-pwned}\"}"; }
link() { echo "{\"path\": \"$1\", \"type\": \"symlink\", \"target\": \"$2\"}"; }
hard() { echo "{\"path\": \"$1\", \"type\": \"hardlink\", \"target\": \"$2\"}"; }
dir() { echo "{\"path\": \"$1\", \"type\": \"dir\"}"; }
layer() { local IFS=,; echo "{\"entries\": [$*]}"; }

UP=../../../../../../../../../../../..

@test "hostile layer: climbing and absolute names, files and directories through absolute and climbing symlinks" {
	local bb
	bb=$(busybox_layer)
	hostile climb "[$bb, $(layer "$(file "$UP$CANARY/planted")")]"
	hostile absolute "[$bb, $(layer "$(file "$CANARY/planted")")]"
	hostile inner-climb "[$bb, $(layer "$(dir a)" "$(file "a/$UP$CANARY/planted")")]"
	hostile abs-symlink "[$bb, $(layer "$(link out "$CANARY")" "$(file out/planted)" "$(dir out/newdir)" \
		"$(file out/victim overwritten)")]"
	hostile climb-symlink "[$bb, $(layer "$(link up "$UP")" "$(file "up$CANARY/planted")" \
		"$(file "up$CANARY/victim" overwritten)")]"
	hostile file-over-symlink "[$bb, $(layer "$(link out "$CANARY/victim")" "$(file out overwritten)")]"
	hostile symlink-chain "[$bb, $(layer "$(link a b)" "$(link b "$CANARY")" "$(file a/planted)")]"
	hostile across-layers "[$bb, $(layer "$(link out "$CANARY")" "$(link up "$UP")"), \
		$(layer "$(file out/planted)" "$(file "up$CANARY/victim" overwritten)" "$(dir out/newdir)")]"
}

@test "hostile layer: hardlinks to host files, absolute, climbing, through symlinks, across layers" {
	local bb
	bb=$(busybox_layer)
	hostile hard-absolute "[$bb, $(layer "$(hard h "$CANARY/victim")")]"
	hostile hard-climb "[$bb, $(layer "$(hard h "$UP$CANARY/victim")")]"
	hostile hard-through-symlink "[$bb, $(layer "$(link out "$CANARY")" "$(hard h out/victim)")]"
	hostile hard-then-write "[$bb, $(layer "$(link out "$CANARY/victim")" "$(hard h out)" "$(file h overwritten)")]"
	hostile hard-across-layers "[$bb, $(layer "$(link out "$CANARY")"), $(layer "$(hard h2 out/victim)")]"
}

@test "hostile layer: whiteouts and opaque markers naming what is outside, within a layer and across layers" {
	local bb
	bb=$(busybox_layer)
	hostile wh-climb "[$bb, $(layer "$(file "$UP$CANARY/.wh.victim")")]"
	hostile wh-absolute "[$bb, $(layer "$(file "$CANARY/.wh.victim")")]"
	hostile wh-through-symlink "[$bb, $(layer "$(link out "$CANARY")" "$(file out/.wh.victim)" \
		"$(file out/.wh.dir)")]"
	hostile opaque-through-symlink "[$bb, $(layer "$(link out "$CANARY")" "$(file out/.wh..wh..opq)")]"
	hostile wh-dotdot "[$bb, $(layer "$(dir a)" "$(file a/.wh..)" "$(file .wh..)")]"
	hostile wh-across-layers "[$bb, $(layer "$(link out "$CANARY")" "$(link up "$UP")"), \
		$(layer "$(file out/.wh.victim)" "$(file out/.wh..wh..opq)" "$(file "up$CANARY/.wh.dir")")]"
	hostile wh-of-symlink-dir "[$bb, $(layer "$(link out "$CANARY/dir")"), $(layer "$(file out/.wh.keep)" "$(file .wh.out)")]"
}
