#!/usr/bin/env bats
# cp, diff and rename (issue 17): docker's rules for where a copy lands,
# owners, "-" as a tar stream, running and stopped containers; then what a
# hostile container does against cp (CVE-2018-15664, CVE-2019-14271):
# symlinks planted towards the host's files, and a directory swapped for a
# symlink while cp runs. Each attack test checks a canary on the host.

load helpers

ATTACK=$(dirname "$HUSK")/tests/attack/husk-attack

setup() {
	keeping_setup
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	"$HUSK" network rm renamed-net >/dev/null 2>&1 || true
	husk_teardown
}

# attackbox: busybox plus /attack (tests/attack/attack.c, static).
make_attack_image() {
	"$HUSK" image inspect attackbox >/dev/null 2>&1 && return
	"$HUSK" run --rm --network none busybox true
	local layer root=$BATS_TEST_TMPDIR/attackbox
	layer=$("$HUSK" image inspect -f '{{.GraphDriver.Data.UpperDir}}' busybox)
	mkdir "$root"
	cp -a "$layer/." "$root/"
	install -m 0755 "$ATTACK" "$root/attack"
	tar -C "$root" -c . | "$HUSK" import -c 'CMD ["sh"]' - attackbox >/dev/null
	rm -rf "$root"
}

# A host directory the containers must never reach: its listing and
# content are checked after each attack.
make_canary() {
	CANARY=$BATS_TEST_TMPDIR/host-canary
	mkdir -p "$CANARY"
	echo "host secret" >"$CANARY/secret"
	touch -d '2001-01-01' "$CANARY/secret" "$CANARY"
	canary_state >"$BATS_TEST_TMPDIR/canary.before"
}

canary_state() {
	(cd "$CANARY" && find . -printf '%p %s %T@ %U:%G %m\n' | sort && cat secret)
}

expect_canary_untouched() {
	local now
	now=$(canary_state)
	[ "$now" = "$(cat "$BATS_TEST_TMPDIR/canary.before")" ] || fail "the host canary changed: $now"
}

# --- cp: where things land ---------------------------------------------------

@test "cp: a file into a created container and out again, owners as docker documents" {
	"$HUSK" create --name c --network none busybox sleep 1000 >/dev/null
	printf 'one\n' >f.txt
	chown 1234:5678 f.txt
	chmod 0640 f.txt
	husk cp f.txt c:/tmp/
	husk cp f.txt c:/tmp/renamed.txt
	husk cp -a f.txt c:/kept.txt
	husk cp c:/tmp/f.txt back.txt
	[ "$(cat back.txt)" = one ]
	# Into the container: its root's, unless -a keeps the owner.
	husk cp c:/tmp - | tar -tvf - >listing
	grep -E '^-rw-r----- 0/0 .* tmp/f.txt$' listing || fail "$(cat listing)"
	grep -E '^-rw-r----- 0/0 .* tmp/renamed.txt$' listing || fail "$(cat listing)"
	husk cp c:/kept.txt - | tar -tvf - | grep -E '^-rw-r----- 1234/5678 .* kept.txt$'
	# Out of it: the caller's (root here); -a keeps the container's owner.
	[ "$(stat -c '%u:%g %a' back.txt)" = "0:0 640" ]
	husk cp -a c:/kept.txt kept.txt
	[ "$(stat -c '%u:%g %a' kept.txt)" = "1234:5678 640" ]
	husk start c >/dev/null
	run husk exec c cat /tmp/f.txt /tmp/renamed.txt /kept.txt
	expect_output "one
one
one"
}

@test "cp: directories follow docker's table (new name, into a directory, DIR/. contents)" {
	"$HUSK" create --name c --network none busybox sleep 1000 >/dev/null
	mkdir -p src/sub
	echo a >src/a
	echo b >src/sub/b
	ln -s a src/link
	husk cp src c:/new
	husk cp src c:/tmp
	husk cp c:/new out-new
	husk cp c:/tmp/src out-tmp
	mkdir into
	husk cp c:/new/. into
	for d in out-new out-tmp/ into; do
		[ "$(cat $d/a $d/sub/b)" = "a
b" ] || fail "$d: $(ls -R $d)"
		[ "$(readlink $d/link)" = a ] || fail "$d/link"
	done
	# A directory's contents into an existing directory, not a subdirectory.
	[ ! -e into/new ]
	mkdir existing
	husk cp c:/new existing
	[ -f existing/new/sub/b ]
	# docker's refusals: a directory onto a file, a file to a missing "dir/".
	touch plainfile
	run --separate-stderr husk cp c:/new plainfile
	expect_husk_error 1 'cannot copy directory'
	run --separate-stderr husk cp c:/new/a nowhere/
	expect_husk_error 1 'no such directory'
	run --separate-stderr husk cp c:/new/a missing/dir/file
	expect_husk_error 1 'invalid output path: directory ".*/missing/dir" does not exist'
	run --separate-stderr husk cp src c:/new/a
	expect_husk_error 1 'cannot copy directory'
	run --separate-stderr husk cp src/a c:/nowhere/
	expect_husk_error 1 'no such directory'
	run --separate-stderr husk cp src/a c:/missing/dir/file
	expect_husk_error 1 '^husk: Could not find the file /missing/dir in container c$'
	# A file replaces a file; a directory is never replaced by a file.
	echo newer >src/sub/b
	husk cp src/sub/b c:/new/sub/b
	[ "$(husk cp c:/new/sub/b - | tar -xOf -)" = newer ]
	mkdir -p clash/a
	run --separate-stderr husk cp clash/. c:/new
	expect_husk_error 1 'cannot overwrite non-directory "a" with directory "/new"'
}

@test "cp: a running container, through its own mounts (/etc/hosts), file by file and as tar" {
	"$HUSK" run -d --name r --network none busybox sleep 1000 >/dev/null
	echo payload >p
	husk cp p r:/root/
	run husk exec r cat /root/p
	expect_output payload
	husk cp r:/etc/hosts hosts.out
	cmp hosts.out <(husk exec r cat /etc/hosts)
	husk cp r:/etc/hostname - | tar -tf - >names
	[ "$(cat names)" = hostname ]
	# "-" in: a tar (plain or gzip) extracted to a directory.
	mkdir -p t/d && echo x >t/d/x
	tar -C t -cf - d | husk cp - r:/tmp
	tar -C t -czf - d | husk cp - r:/var
	run husk exec r cat /tmp/d/x /var/d/x
	expect_output "x
x"
	run --separate-stderr husk cp - r:/root/p <t/d/x
	expect_husk_error 1 'destination "r:/root/p" must be a directory'
	# Kernel file systems are no files: /proc's are not copied, not written.
	run --separate-stderr husk cp r:/proc/cpuinfo cpu
	expect_husk_error 1 'Could not find the file /proc/cpuinfo in container r'
	husk cp r:/proc procdir
	[ -d procdir ] && [ -z "$(ls -A procdir)" ]
	run --separate-stderr husk cp p r:/proc/sys/kernel/
	expect_husk_error 1 'kernel file system'
	run --separate-stderr husk cp - r:/sys/ </dev/null
	expect_husk_error 1 'kernel file system'
}

@test "cp: the summary line when stdout is a terminal, -q to silence it" {
	"$HUSK" create --name c --network none busybox true >/dev/null
	head -c 2048 /dev/zero >z
	run script -qec "\"$HUSK\" cp z c:/z" /dev/null
	expect_status 0
	expect_match 'Successfully copied 2.05kB to c:/z'
	run script -qec "\"$HUSK\" cp -q z c:/z" /dev/null
	[ -z "$(echo "$output" | tr -d '\r\n')" ]
	run --separate-stderr husk cp z c:/z
	[ -z "$stderr" ]
}

@test "cp -L: a symlink source is copied as what it names inside the container" {
	"$HUSK" run -d --name r --network none busybox sh -c \
		'ln -s /etc/hostname /abs; ln -s ../etc/hostname /tmp/rel; sleep 1000' >/dev/null
	wait_for 5 husk exec r test -L /tmp/rel
	husk cp r:/abs link.out
	[ "$(readlink link.out)" = /etc/hostname ]
	husk cp -L r:/abs abs.out
	husk cp -L r:/tmp/rel rel.out
	expected=$(husk exec r cat /etc/hostname)
	[ "$(cat abs.out)" = "$expected" ] && [ "$(cat rel.out)" = "$expected" ]
	[ "$expected" != "$(cat /etc/hostname)" ]
}

@test "cp: --read-only refuses writes, reads work; -a and setuid on the way out" {
	"$HUSK" create --name ro --read-only --network none busybox true >/dev/null
	echo x >x
	run --separate-stderr husk cp x ro:/tmp/
	expect_husk_error 1 '^husk: container rootfs is marked read-only$'
	husk cp ro:/bin/busybox bb
	"$HUSK" run -d --name s --network none busybox sh -c \
		'cp /bin/busybox /suid; chown 1000:1000 /suid; chmod 6755 /suid; sleep 1000' >/dev/null
	wait_for 5 husk exec s test -u /suid
	# Owner changed (the container's 1000 -> the caller): setuid dropped.
	husk cp s:/suid plain
	[ "$(stat -c '%u %a' plain)" = "0 755" ]
	husk cp -a s:/suid kept
	[ "$(stat -c '%u %a' kept)" = "1000 6755" ]
}

@test "cp: --userns private containers, stopped and running: container root owns what comes in" {
	"$HUSK" create --name u --userns private --network none busybox sleep 1000 >/dev/null
	echo in >f
	chown 4321 f
	husk cp f u:/stopped
	husk cp -a f u:/kept
	husk start u >/dev/null
	husk cp f u:/running
	run husk exec u stat -c '%u %n' /stopped /running /kept
	expect_output "0 /stopped
0 /running
4321 /kept"
	# Out: the ids the container sees, not the host's shifted ones.
	husk cp u:/etc/passwd - | tar -tvf - | grep -E '^-rw-r--r-- 0/0 '
	husk cp -a u:/kept kept
	[ "$(stat -c %u kept)" = 4321 ]
}

# --- cp: bad input ------------------------------------------------------------

@test "cp: bad arguments, missing containers and paths: one line each" {
	"$HUSK" create --name c --network none busybox true >/dev/null
	touch local
	run --separate-stderr husk cp local
	expect_husk_error 1 '"husk cp" requires exactly 2 arguments'
	run --separate-stderr husk cp local other
	expect_husk_error 1 '^husk: must specify at least one container source$'
	run --separate-stderr husk cp c:/a c:/b
	expect_husk_error 1 '^husk: copying between containers is not supported$'
	run --separate-stderr husk cp "" c:/b
	expect_husk_error 1 '^husk: source can not be empty$'
	run --separate-stderr husk cp --bogus local c:/
	expect_husk_error 125 'unknown flag --bogus'
	run --separate-stderr husk cp nosuch:/etc/passwd x
	expect_husk_error 1 '^husk: No such container: nosuch$'
	run --separate-stderr husk cp local nosuch:/tmp
	expect_husk_error 1 '^husk: No such container: nosuch$'
	run --separate-stderr husk cp c:/no/such/file x
	expect_husk_error 1 '^husk: Could not find the file /no/such/file in container c$'
	run --separate-stderr husk cp ./no-such-local c:/tmp
	expect_husk_error 1 "^husk: lstat $BATS_TEST_TMPDIR/no-such-local: No such file or directory$"
	[ ! -e x ]
	run --separate-stderr husk cp c:/etc/hostname/ x
	expect_husk_error 1 'Not a directory'
	# ./a:b is a local file with a colon.
	echo colon >'a:b'
	husk cp ./a:b c:/colon
	[ "$(husk cp c:/colon - | tar -xOf -)" = colon ]
}

# --- cp: a hostile container --------------------------------------------------

@test "cp symlink attack: absolute and climbing links towards a host directory lead nowhere" {
	make_canary
	"$HUSK" run -d --name evil --network none busybox sh -c "
		ln -s $CANARY /abs
		mkdir -p /a/b/c && ln -s ../../../../../../../../..$CANARY /a/b/c/rel
		ln -s $CANARY/secret /file-link
		mkdir -p /data && ln -s $CANARY/new /data/dangling
		sleep 1000" >/dev/null
	wait_for 5 husk exec evil test -L /data/dangling
	echo payload >payload
	for source in evil:/abs/secret evil:/a/b/c/rel/secret evil:/abs/. evil:/a/b/c/rel/; do
		run --separate-stderr husk cp "$source" out
		expect_husk_error 1 'Could not find the file'
		[ ! -e out ] || fail "$source was copied: $(ls -lR out)"
	done
	# The link itself comes out as a link; with -L its target does not exist.
	husk cp evil:/file-link link-out
	[ "$(readlink link-out)" = "$CANARY/secret" ]
	run --separate-stderr husk cp -L evil:/file-link followed
	expect_husk_error 1 'Could not find the file'
	# Into the container through the same links: nothing reaches the host.
	for target in evil:/abs/ evil:/abs/secret evil:/a/b/c/rel/ evil:/a/b/c/rel/x evil:/data/dangling \
		evil:/file-link; do
		run --separate-stderr husk cp payload "$target"
		[ "$status" = 1 ] || [ "$status" = 0 ]
	done
	# A hostile tar: climbing names, a symlink to the host and a file below it.
	python3 - "$CANARY" >evil.tar <<'EOF'
import io, sys, tarfile
out = tarfile.open(fileobj=sys.stdout.buffer, mode="w|")
def add(name, data=b"", link=None):
    info = tarfile.TarInfo(name)
    if link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, link
    else:
        info.size = len(data)
    out.addfile(info, io.BytesIO(data) if link is None else None)
add("in/link", link=sys.argv[1])
add("in/link/secret", b"overwritten\n")
add("in/rel", link="../../../../../../../.." + sys.argv[1])
add("in/rel/secret", b"overwritten\n")
out.close()
EOF
	run --separate-stderr husk cp - evil:/tmp <evil.tar
	expect_status 1
	python3 -c 'import tarfile,sys,io
out=tarfile.open(fileobj=sys.stdout.buffer,mode="w|")
i=tarfile.TarInfo("../../../../escaped"); i.size=1
out.addfile(i, io.BytesIO(b"x")); out.close()' >climb.tar
	run --separate-stderr husk cp - evil:/tmp <climb.tar
	expect_husk_error 1 'invalid entry name "../../../../escaped"'
	expect_canary_untouched
	[ ! -e "$CANARY/new" ] && [ ! -e /escaped ] && [ ! -e "$CANARY/payload" ]
	"$HUSK" stop -t 0 evil >/dev/null
	# Stopped: the same links in its layers, the same answers.
	run --separate-stderr husk cp evil:/abs/secret out
	expect_husk_error 1 'Could not find the file'
	run --separate-stderr husk cp payload evil:/abs/
	expect_status 1
	expect_canary_untouched
}

@test "cp race attack: a directory swapped for a symlink to / while cp runs both ways" {
	[ -x "$ATTACK" ] || fail "no $ATTACK (built by meson)"
	make_attack_image
	make_canary
	# /data/dir holds a decoy where the host holds the canary: if cp ever
	# followed the swapped-in link on the host's side, it would meet the
	# canary instead of the decoy.
	"$HUSK" run -d --name racer --network none attackbox sh -c "
		mkdir -p /data/dir$CANARY && echo decoy >/data/dir$CANARY/secret
		/attack swap-loop /data/dir / 20 >/tmp/swap.tmp; mv /tmp/swap.tmp /tmp/swap.log
		sleep 1000" >/dev/null
	wait_for 5 husk exec racer test -L /data/dir.swap
	echo payload >payload
	# Rounds only while the container swaps (20 s): a slower husk (the
	# sanitizer build) makes fewer.
	local i out stop=$((SECONDS + 15))
	for i in $(seq 100); do
		[ "$i" = 1 ] || [ $SECONDS -lt $stop ] || break
		out=$BATS_TEST_TMPDIR/out.$i
		"$HUSK" cp "racer:/data/dir$CANARY/secret" "$out" 2>/dev/null || true
		if [ -e "$out" ]; then
			# The decoy, or the payload an earlier round put there.
			grep -qx -e decoy -e payload "$out" || fail "attempt $i copied: $(cat "$out")"
		fi
		"$HUSK" cp racer:/data "$out.tree" 2>/dev/null || true
		! grep -rqs "host secret" "$out.tree" || fail "attempt $i: the tree holds the canary"
		"$HUSK" cp payload "racer:/data/dir$CANARY/" 2>/dev/null || true
		"$HUSK" cp payload "racer:/data/dir$CANARY/secret" 2>/dev/null || true
		tar -C "$BATS_TEST_TMPDIR" -cf - payload |
			"$HUSK" cp - "racer:/data/dir$CANARY" 2>/dev/null || true
		expect_canary_untouched
	done
	# Every attempt raced: the container was still swapping after the last,
	# and it did swap.
	run husk exec racer test -e /tmp/swap.log
	expect_status 1
	# Not vacuous: some copies out got through (with the decoy).
	ls "$BATS_TEST_TMPDIR"/out.* >/dev/null || fail "no copy out of the container succeeded"
	wait_for 25 husk exec racer grep -q 'swap-loop: ok' /tmp/swap.log
	# The payload went into the container's own directory, or nowhere.
	run husk exec racer sh -c "cat /data/dir$CANARY/payload 2>/dev/null || true"
	[ -z "$output" ] || [ "$output" = payload ]
	expect_canary_untouched
}

# --- diff ---------------------------------------------------------------------

@test "diff: added, changed and deleted paths, whiteouts and opaque directories, as docker" {
	"$HUSK" run --name d --network none busybox sh -c '
		echo new >/etc/added && mkdir -p /a/b && touch /a/b/c
		rm /etc/group && chmod 700 /home && rm -rf /var/www
		rm -rf /usr/sbin && mkdir /usr/sbin && touch /usr/sbin/only
		echo changed >>/etc/passwd && touch /tmp/x' >/dev/null
	run husk diff d
	expect_status 0
	expected='A /a
A /a/b
A /a/b/c
C /etc
A /etc/added
D /etc/group
C /etc/passwd
C /home
C /tmp
A /tmp/x
C /usr
C /usr/sbin
A /usr/sbin/only
C /var
D /var/www'
	# /usr/sbin is opaque: what busybox had there is deleted, "only" added.
	grep -qx 'D /usr/sbin/chroot' <<<"$output" || fail "no deletions below the opaque /usr/sbin: $output"
	[ "$(grep -v '^D /usr/sbin/' <<<"$output")" = "$expected" ] || fail "$output"
	# No mount points of husk's, and the same on a running container.
	! grep -E ' /(proc|sys|dev|etc/hosts|etc/hostname|etc/resolv.conf)$' <<<"$output"
	"$HUSK" run -d --name live --network none busybox sleep 1000 >/dev/null
	run husk diff live
	expect_output ""
	husk exec live sh -c 'mkdir /w && echo 1 >/w/f'
	run husk diff live
	expect_output "A /w
A /w/f"
	run --separate-stderr husk diff nosuch
	expect_husk_error 1 '^husk: No such container: nosuch$'
	run --separate-stderr husk diff
	expect_husk_error 1 '"husk diff" requires exactly 1 argument'
	run --separate-stderr husk diff --bogus d
	expect_husk_error 125 'unknown flag --bogus'
}

# --- rename -------------------------------------------------------------------

@test "rename: running and stopped containers, the name index follows, docker's refusals" {
	"$HUSK" run -d --name first --network none busybox sleep 1000 >/dev/null
	"$HUSK" create --name other --network none busybox true >/dev/null
	id=$("$HUSK" inspect -f '{{.Id}}' first)
	husk rename first second
	run husk inspect -f '{{.Name}} {{.Id}}' second
	expect_output "/second $id"
	run husk exec second true
	expect_status 0
	run --separate-stderr husk inspect first
	expect_status 1
	[ ! -e "$HUSK_ROOT/names/first" ] && [ -L "$HUSK_ROOT/names/second" ]
	# The old name is free again; a leading "/" is accepted as docker does.
	"$HUSK" create --name first --network none busybox true >/dev/null
	husk rename other /third
	run husk ps -a --format '{{.Names}}'
	[ "$(sort <<<"$output")" = "$(printf 'first\nsecond\nthird')" ] || fail "ps: $output"
	run --separate-stderr husk rename second third
	expect_husk_error 1 '^husk: failed to rename container: Error when allocating new name: the container name "third" is already in use'
	run --separate-stderr husk rename second second
	expect_husk_error 1 '^husk: failed to rename container: Renaming a container with the same name as its current name$'
	for bad in 'a' '-lead' 'sp ace' 'sl/ash' 'ex!'; do
		run --separate-stderr husk rename second "$bad"
		expect_husk_error 1 "Invalid container name \\(/$bad\\), only \\[a-zA-Z0-9\\]\\[a-zA-Z0-9_.-\\] are allowed"
	done
	run --separate-stderr husk rename nosuch x2
	expect_husk_error 1 '^husk: failed to rename container: No such container: nosuch$'
	run --separate-stderr husk rename second
	expect_husk_error 1 '"husk rename" requires exactly 2 arguments'
	run --separate-stderr husk rename second ""
	expect_husk_error 1 'Neither old nor new names may be empty'
	# Nothing changed by the refusals.
	run husk inspect -f '{{.Name}}' second
	expect_output /second
	[ -L "$HUSK_ROOT/names/second" ] && [ -L "$HUSK_ROOT/names/third" ]
	[ "$(ls "$HUSK_ROOT/names" | sort | tr '\n' ' ')" = "first second third " ]
}

@test "rename: the container and its peers on a user network know it by the new name" {
	"$HUSK" network create renamed-net >/dev/null
	"$HUSK" run -d --name one --network renamed-net busybox sleep 1000 >/dev/null
	"$HUSK" run -d --name two --network renamed-net busybox sleep 1000 >/dev/null
	husk rename one uno
	run husk exec two cat /etc/hosts
	expect_match $'\tuno\n|\tuno$'
	[[ "$output" != *$'\tone'* ]] || fail "two still knows one: $output"
	run husk exec uno cat /etc/hosts
	expect_match ' uno'
	run husk exec two ping -c 1 -W 2 uno
	expect_status 0
}
