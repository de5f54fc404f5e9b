#!/usr/bin/env bats
# The state root as an unprivileged host user (uid 65534 through setpriv):
# with a plain and a --userns private container running (each with -i, so
# each has an attach.sock, and an -e secret), an exec'd process, a volume
# holding a secret and an image, every path under the state root is tried
# as that user: list a directory, read or write a file, connect to a socket.
# None may work; whatever husk adds to the state root later is tried too.
# (../integration/state_root.bats checks the modes one by one, and that the
# monitor hangs up on a stranger that reaches attach.sock anyway.)

load ../integration/helpers

setup() {
	husk_setup
	ROOT=$(dirname "$HUSK_ROOT")/state-scan.$BATS_TEST_NUMBER
	rm -rf "$ROOT"
}

teardown() {
	if [ -d "$ROOT" ]; then
		h rm -f $(h ps -aq) >/dev/null 2>&1
		h volume rm $(h volume ls -q) >/dev/null 2>&1
		rm -rf "$ROOT"
	fi
	husk_teardown
}

h() {
	"$HUSK" --root "$ROOT" "$@"
}

# try_everything PATH...: as uid 65534, one line per path it could use.
try_everything() {
	setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import os, socket, stat, sys
for path in sys.argv[1:]:
    try:
        st = os.lstat(path)
    except OSError:
        continue
    # Reaching a path at all is searching every directory above it: enough
    # to run a setuid-root file a container left in its layer or a volume.
    if path != sys.argv[1]:
        print("reached " + path)
    if stat.S_ISDIR(st.st_mode):
        try:
            os.listdir(path); print("listed " + path)
        except OSError:
            pass
    elif stat.S_ISSOCK(st.st_mode):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path); print("connected " + path)
        except OSError:
            pass
    elif stat.S_ISREG(st.st_mode):
        for mode, word in ((os.O_RDONLY, "read"), (os.O_WRONLY, "wrote")):
            try:
                os.close(os.open(path, mode | os.O_NONBLOCK | os.O_NOFOLLOW)); print(word + " " + path)
            except OSError:
                pass
' "$@"
}

@test "the state root as uid 65534: nothing below it reached (no setuid file to run), no directory listed, no file read or written, no socket connected (plain and --userns private)" {
	h run -d -i --name plain --network none -e SECRET=hunter2 busybox sh >/dev/null
	h run -d -i --name private --userns private --network none -e SECRET=hunter2 busybox sh >/dev/null
	# A setuid-root copy of busybox in a volume and in a layer: whoever
	# reaches one is root.
	h run --rm --network none -v secretvol:/v busybox sh -c \
		'echo hunter2 >/v/secret; cp /bin/busybox /v/suid; chmod 4755 /v/suid'
	h exec plain sh -c 'cp /bin/busybox /suid; chmod 4755 /suid'
	h exec -d plain sleep 1000
	local paths
	mapfile -t paths < <(find "$ROOT")
	[ "${paths[0]}" = "$ROOT" ]
	[ "${#paths[@]}" -gt 50 ] || fail "only ${#paths[@]} paths under $ROOT"
	find "$ROOT" -type s | grep -q attach.sock || fail "no attach.sock to try"
	run try_everything "${paths[@]}"
	expect_status 0
	expect_output ""
	# Not vacuous: where uid 65534 may, the scan says so.
	local open=$(dirname "$HUSK_ROOT")/open.$BATS_TEST_NUMBER
	mkdir -m 0755 "$open"
	echo public >"$open/file"
	run try_everything "$(dirname "$open")" "$open" "$open/file"
	rm -rf "$open"
	expect_output "reached $open
listed $open
reached $open/file
read $open/file"
	run setpriv --reuid=65534 --regid=65534 --clear-groups grep -rqs hunter2 "$ROOT"
	[ "$status" != 0 ] || fail "uid 65534 found the secret"
}
