#!/usr/bin/env bats
# CVE-2019-14271: docker cp ran a helper chrooted into the container that
# loaded the container's libnss_*.so, so the image's code ran as host root.
# husk loads libraries of its own lazily (dlopen of libarchive, libcrypto,
# libcurl, libnftables) and reads users and groups; if any of that ever
# happened with a container's root or mount namespace as its own, the
# container's copy would be loaded. This image plants a library under every
# such name, in every directory the loader searches, and an nsswitch.conf
# that asks for it; each library writes a mark when loaded (in whatever root
# it runs, and at a host path). No command of husk's may load one.

load ../integration/helpers

setup() {
	keeping_setup
	command -v gcc >/dev/null || skip "gcc is needed to build the planted libraries"
	MARK=$BATS_TEST_TMPDIR/loaded-by-husk
}

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	"$HUSK" rmi -f libimg >/dev/null 2>&1 || true
	husk_teardown
}

make_library_image() {
	local so=$BATS_TEST_TMPDIR/evil.so
	cat >"$so.c" <<EOF2
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void)
{
    close(open("$MARK", O_WRONLY | O_CREAT, 0644));
    if (getenv("ONLY_THE_MARK") == NULL)
        close(open("/loaded-by-husk", O_WRONLY | O_CREAT, 0644));
}
EOF2
	gcc -shared -fPIC -o "$so" "$so.c" || fail "cannot build the library"
	# Not vacuous: loaded, it leaves the mark.
	ONLY_THE_MARK=1 LD_PRELOAD=$so /bin/true
	[ -e "$MARK" ] || fail "the library leaves no mark when loaded"
	rm "$MARK"
	plant() {
		local d name
		for d in lib lib64 usr/lib lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu; do
			mkdir -p "$1/$d"
			for name in libnss_evil.so.2 libnss_files.so.2 libnss_compat.so.2 libarchive.so.13 \
				libcrypto.so.3 libcurl.so.4 libnftables.so.1 libc.so.6 libm.so.6 libseccomp.so.2 \
				libjansson.so.4 libz.so.1 libzstd.so.1; do
				cp "$so" "$1/$d/$name"
			done
		done
		printf 'passwd: evil files\ngroup: evil files\nhosts: evil files\n' >"$1/etc/nsswitch.conf"
		echo "evil:x:4242:4242::/:/bin/sh" >>"$1/etc/passwd"
		echo "evil:x:4242:" >>"$1/etc/group"
	}
	busybox_image libimg plant
}

expect_nothing_loaded() {
	[ ! -e "$MARK" ] || fail "$1: husk loaded a library of the container's"
}

@test "CVE-2019-14271: cp, exec -u, run -u, export, diff, top, commit and save never load a library of the container's" {
	make_library_image
	# busybox is static: the container itself never loads them either.
	husk run -d --name lib --network none -u evil:evil libimg sleep 1000 >/dev/null
	expect_nothing_loaded "run -u evil:evil"
	echo payload >"$BATS_TEST_TMPDIR/payload"
	husk cp "$BATS_TEST_TMPDIR/payload" lib:/tmp/
	expect_nothing_loaded "cp in"
	husk cp lib:/etc/passwd "$BATS_TEST_TMPDIR/out"
	expect_nothing_loaded "cp out"
	husk cp lib:/lib - >/dev/null
	expect_nothing_loaded "cp out to a tar stream"
	tar -C "$BATS_TEST_TMPDIR" -cf - payload | husk cp - lib:/tmp
	expect_nothing_loaded "cp in from a tar stream"
	husk exec -u evil lib id >/dev/null
	expect_nothing_loaded "exec -u evil"
	husk exec -u 4242:evil lib true
	expect_nothing_loaded "exec -u 4242:evil"
	husk top lib >/dev/null
	expect_nothing_loaded "top"
	husk diff lib >/dev/null
	expect_nothing_loaded "diff"
	husk export lib >/dev/null
	expect_nothing_loaded "export (running)"
	husk commit lib libimg:committed >/dev/null
	expect_nothing_loaded "commit"
	husk stop -t 0 lib >/dev/null
	husk cp "$BATS_TEST_TMPDIR/payload" lib:/tmp/p2
	expect_nothing_loaded "cp in (stopped)"
	husk cp lib:/etc/group "$BATS_TEST_TMPDIR/out2"
	expect_nothing_loaded "cp out (stopped)"
	husk start lib >/dev/null
	expect_nothing_loaded "start"
	husk save libimg >/dev/null
	expect_nothing_loaded "save"
	husk run --rm --network none -u evil libimg true
	expect_nothing_loaded "run --rm -u evil"
	husk rmi -f libimg:committed >/dev/null 2>&1 || true
	# Nor inside: the mark is nowhere in the container's file system.
	run husk exec lib ls /loaded-by-husk
	expect_status 1
}
