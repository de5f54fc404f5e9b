# Shared by the tests/security/*.bats files: `load attack` after
# `load ../integration/helpers`.
#
# The hostile program is tests/attack/ (husk-attack, static, built by
# meson); the busybox image has no compiler, so it is copied into a test
# image, "secbox" (files.bats's "attackbox" has only /attack):
#   /attack       husk-attack
#   /suid-attack  husk-attack, setuid root (mode 4755)
#   /evil         a script whose interpreter is /proc/self/exe (the
#                 CVE-2019-5736 trick: whatever binary runs the exec becomes
#                 the container's process)

ATTACK=$(dirname "$HUSK")/tests/attack/husk-attack

make_attack_image() {
	[ -x "$ATTACK" ] || fail "no $ATTACK (built by meson)"
	"$HUSK" image inspect secbox >/dev/null 2>&1 && return
	"$HUSK" run --rm --network none busybox true
	local layer root=$BATS_TEST_TMPDIR/secbox
	layer=$("$HUSK" image inspect -f '{{.GraphDriver.Data.UpperDir}}' busybox)
	mkdir "$root"
	cp -a "$layer/." "$root/"
	install -m 0755 "$ATTACK" "$root/attack"
	install -m 4755 -o 0 -g 0 "$ATTACK" "$root/suid-attack"
	printf '#!/proc/self/exe --version\n' >"$root/evil"
	chmod 0755 "$root/evil"
	tar -C "$root" -c . | "$HUSK" import -c 'CMD ["sh"]' - secbox >/dev/null
	rm -rf "$root"
}

# expect_refused OUTPUT ATTEMPT ERROR: OUTPUT has the line "ATTEMPT: ERROR"
# (ERROR a strerror text); "ATTEMPT: ok" or any other answer fails.
expect_refused() {
	local line
	line=$(grep -F -- "$2: " <<<"$1" | head -1)
	[ -n "$line" ] || fail "no result for: $2"$'\n'"$1" || return 1
	[ "$line" = "$2: $3" ] || fail "expected \"$2: $3\", got \"$line\"" || return 1
}
