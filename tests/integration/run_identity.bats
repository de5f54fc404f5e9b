#!/usr/bin/env bats
# The `run`/`create` flags that say who a container is and how it is found
# (issue 17): --env-file, -l/--label, --label-file, --stop-timeout, --cidfile,
# -a/--attach, --sig-proxy, --add-host, --dns, --dns-search, --dns-option,
# --network-alias, --ip, --mac-address, --domainname, --hostname's rules,
# --group-add and --shm-size. Networks made here use 10.90.7.0/24, inside
# the sandbox only.

load helpers

setup() { keeping_setup; }

teardown() {
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1
	for network in $("$HUSK" network ls | awk 'NR > 1 && $2 != "bridge" {print $2}'); do
		"$HUSK" network rm "$network" >/dev/null
	done
	"$HUSK" rmi labeled:1 >/dev/null 2>&1
	husk_teardown
}


@test "--env-file: docker's format, files in order, -e overrides, KEY alone copies husk's" {
	cat >"$BATS_TEST_TMPDIR/one.env" <<-'EOF'
		# a comment

		   A=from-file
		B=keeps "quotes" and  spaces  
		FROM_HUSK
		NOT_IN_HUSK
		C=one
	EOF
	printf 'C=two\nD=\n' >"$BATS_TEST_TMPDIR/two.env"
	export FROM_HUSK=husk-value
	unset NOT_IN_HUSK
	run husk run --rm --network none --env-file "$BATS_TEST_TMPDIR/one.env" \
		--env-file "$BATS_TEST_TMPDIR/two.env" -e A=from-flag busybox \
		sh -c 'echo "$A|$B|$FROM_HUSK|${NOT_IN_HUSK-unset}|$C|${D-unset}"'
	expect_status 0
	expect_output 'from-flag|keeps "quotes" and  spaces  |husk-value|unset|two|'
}

@test "--env-file: a bad or missing file is refused, naming it" {
	printf 'OK=1\nBAD KEY=2\n' >"$BATS_TEST_TMPDIR/bad.env"
	refused "--env-file: invalid env file \($BATS_TEST_TMPDIR/bad.env\): variable 'BAD KEY' contains whitespaces" \
		run --rm --network none --env-file "$BATS_TEST_TMPDIR/bad.env" busybox true
	refused "--env-file: open $BATS_TEST_TMPDIR/missing.env: No such file or directory" \
		create --env-file "$BATS_TEST_TMPDIR/missing.env" busybox true
}

@test "-l, --label-file: labels over the image's, -l last; shown by inspect, kept by restart" {
	busybox_tar "$BATS_TEST_TMPDIR/rootfs.tar"
	husk import -c 'LABEL team=image tier=image' "$BATS_TEST_TMPDIR/rootfs.tar" labeled:1 >/dev/null
	printf '# labels\ntier=file\nowner=file\nbare\n' >"$BATS_TEST_TMPDIR/labels"
	husk create --name lab --network none --label-file "$BATS_TEST_TMPDIR/labels" \
		-l owner=flag --label empty -l 'x.y/z=a=b' labeled:1 true >/dev/null
	run husk inspect -f '{{.Config.Labels.team}} {{.Config.Labels.tier}} {{.Config.Labels.owner}} [{{.Config.Labels.empty}}] {{index .Config.Labels "x.y/z"}} {{len .Config.Labels}}' lab
	expect_output 'image file flag [] a=b 5'
	husk start lab >/dev/null
	husk restart lab >/dev/null
	run husk inspect -f '{{.Config.Labels.owner}}' lab
	expect_output flag
	refused "invalid --label \"=v\": empty name" run --rm --network none -l =v busybox true
	refused "invalid --label \"a b=c\"" run --rm --network none -l 'a b=c' busybox true
	printf 'bad key=1\n' >"$BATS_TEST_TMPDIR/bad"
	refused "--label-file: invalid env file" create --label-file "$BATS_TEST_TMPDIR/bad" busybox
}

@test "--stop-timeout: Config.StopTimeout; stop and restart without -t use it, -t still wins" {
	# sh as PID 1 with no TERM handler: only SIGKILL after the timeout ends it.
	husk run -d --name st --network none --stop-timeout 1 busybox sh -c 'while :; do sleep 0.1; done' >/dev/null
	run husk inspect -f '{{.Config.StopTimeout}}' st
	expect_output 1
	local start=$SECONDS
	husk stop st >/dev/null
	[ $((SECONDS - start)) -le 4 ] || fail "stop took $((SECONDS - start)) s, not about 1"
	run husk inspect -f '{{.State.ExitCode}}' st
	expect_output 137
	husk start st >/dev/null
	start=$SECONDS
	husk restart st >/dev/null
	[ $((SECONDS - start)) -le 4 ] || fail "restart took $((SECONDS - start)) s"
	run husk inspect -f '{{.State.Running}}' st
	expect_output true
	husk run -d --name long --network none --stop-timeout 100 busybox sh -c 'while :; do sleep 0.1; done' >/dev/null
	start=$SECONDS
	husk stop -t 0 long >/dev/null
	[ $((SECONDS - start)) -le 3 ] || fail "stop -t 0 waited $((SECONDS - start)) s"
	refused 'invalid --stop-timeout "soon"' run --rm --network none --stop-timeout soon busybox true
}

@test "--cidfile: the full ID; an existing file is refused; removed when nothing was created" {
	local cid=$BATS_TEST_TMPDIR/cid
	run husk create --network none --cidfile "$cid" busybox true
	expect_status 0
	[ "$(cat "$cid")" = "$output" ] || fail "cidfile has '$(cat "$cid")', create said $output"
	expect_match "$ID_RE" "$(cat "$cid")"
	run husk inspect -f '{{.HostConfig.ContainerIDFile}}' "$output"
	expect_output "$cid"
	husk rm "$(cat "$cid")" >/dev/null
	# docker's refusal: the file exists (even empty), nothing is created.
	refused "container ID file found, make sure the other container isn't running or delete $cid" \
		run --rm --network none --cidfile "$cid" busybox true
	rm "$cid"
	# A creation that fails leaves no file.
	refused 'No such image' run --rm --network none --pull never --cidfile "$cid" nosuchimage:1 true
	[ ! -e "$cid" ] || fail "cidfile left after a failed run"
	refused 'invalid --shm-size' run --rm --network none --shm-size x --cidfile "$cid" busybox true
	[ ! -e "$cid" ] || fail "cidfile left after a refused run"
	# A relative path is husk's working directory's, also with -d (whose
	# monitor runs in /).
	cd "$BATS_TEST_TMPDIR"
	run husk run -d --network none --cidfile rel busybox true
	expect_status 0
	[ "$(cat rel)" = "$output" ] || fail "run -d wrote '$(cat rel)', said $output"
	husk run --rm --network none --cidfile fg busybox true
	expect_match "$ID_RE" "$(cat fg)"
}

@test "-a: only the named streams are shown, the log has all; bad stream, -a with -d refused" {
	run --separate-stderr husk run --name att --network none -a stdout busybox sh -c 'echo out; echo err >&2; exit 3'
	expect_status 3
	expect_output out
	[ -z "$stderr" ] || fail "stderr shown: $stderr"
	run --separate-stderr husk run --rm --network none -a STDERR busybox sh -c 'echo out; echo err >&2'
	expect_status 0
	expect_output ""
	[ "$stderr" = err ] || fail "stderr: $stderr"
	run husk logs att
	expect_output "$(printf 'out\nerr')"
	run husk inspect -f '{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}}' att
	expect_output "false true false"
	husk create --name plain --network none -i busybox cat >/dev/null
	run husk inspect -f '{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}} {{.Config.StdinOnce}}' plain
	expect_output "true true true true"
	# -i with -a: stdin reaches the container.
	run bash -c "echo typed | '$HUSK' run --rm --network none -i -a stdout busybox cat"
	expect_output typed
	refused 'invalid --attach "stdio": valid streams are STDIN, STDOUT and STDERR' \
		run --rm --network none -a stdio busybox true
	refused 'conflicting options: cannot specify both --attach and --detach' \
		run -d --network none -a stdout busybox true
}

@test "--sig-proxy=false: a signal ends husk, not the container, which runs on; default: forwarded" {
	start_bg "$BATS_TEST_TMPDIR/proxy.out" run --name proxied --network none busybox \
		sh -c 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done'
	wait_for 10 file_has_line "$BATS_TEST_TMPDIR/proxy.out" ready
	kill -TERM "$BG_PID"
	expect_bg_status "$BG_PID" 3 "$BATS_TEST_TMPDIR/proxy.out"
	file_has_line "$BATS_TEST_TMPDIR/proxy.out" "got TERM"
	start_bg "$BATS_TEST_TMPDIR/free.out" run --name free --network none --sig-proxy=false busybox \
		sh -c 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done'
	wait_for 10 file_has_line "$BATS_TEST_TMPDIR/free.out" ready
	kill -TERM "$BG_PID"
	expect_bg_status "$BG_PID" 143 "$BATS_TEST_TMPDIR/free.out"
	run husk inspect -f '{{.State.Running}}' free
	expect_output true
	! file_has_line "$BATS_TEST_TMPDIR/free.out" "got TERM" || fail "TERM reached the container"
	# It runs on under its monitor: stop's TERM is its own, and logged.
	husk stop free >/dev/null
	run husk inspect -f '{{.State.ExitCode}}' free
	expect_output 3
	run husk logs free
	expect_output "$(printf 'ready\ngot TERM')"
	refused 'invalid --sig-proxy "maybe": true or false' run --rm --network none --sig-proxy=maybe busybox true
	run --separate-stderr husk create --sig-proxy=false busybox true
	expect_husk_error 125 'unknown flag --sig-proxy'
}

@test "--add-host: /etc/hosts lines (NAME:IP, NAME=IP, IPv6, host-gateway), also with --network host" {
	run husk run --rm --network none --add-host db:10.1.2.3 --add-host 'v6=[2001:db8:0::1]' \
		--add-host gw:host-gateway busybox cat /etc/hosts
	expect_status 0
	expect_match $'\n10\\.1\\.2\\.3\tdb\n'
	expect_match $'\n2001:db8::1\tv6\n'
	expect_match $'\n10\\.88\\.0\\.1\tgw\n'
	expect_match $'127\\.0\\.0\\.1\tlocalhost'
	husk create --name ah --network none --add-host a:192.0.2.7 --add-host b=192.0.2.8 busybox >/dev/null
	run husk inspect -f '{{json .HostConfig.ExtraHosts}}' ah
	expect_output '["a:192.0.2.7","b:192.0.2.8"]'
	husk rm ah >/dev/null
	# With the host's network the file is husk's own (the host's plus nothing
	# would not hold the entry), as docker's.
	run husk run --rm --network host --add-host only-here:192.0.2.9 busybox cat /etc/hosts
	expect_match $'192\\.0\\.2\\.9\tonly-here'
	refused 'invalid --add-host "nocolon": use NAME:IP or NAME=IP' run --rm --network none --add-host nocolon busybox true
	refused 'invalid --add-host "x:300.1.1.1": "300.1.1.1" is not an IP address' \
		run --rm --network none --add-host x:300.1.1.1 busybox true
	husk run -d --name donor --network none busybox sleep 1000 >/dev/null
	refused 'conflicting options: --add-host and --network container:donor' \
		run --rm --network container:donor --add-host a:192.0.2.1 busybox true
}

@test "--add-host on a bridge: kept across restarts; host-gateway is the network's gateway" {
	husk network create --subnet 10.90.7.0/24 idnet >/dev/null
	husk run -d --name h --network idnet --add-host db:192.0.2.5 --add-host gw:host-gateway busybox sleep 1000 >/dev/null
	run husk exec h cat /etc/hosts
	expect_match $'192\\.0\\.2\\.5\tdb'
	expect_match $'10\\.90\\.7\\.1\tgw'
	husk restart -t 0 h >/dev/null
	run husk exec h cat /etc/hosts
	expect_match $'192\\.0\\.2\\.5\tdb'
	expect_match $'10\\.90\\.7\\.1\tgw'
}

@test "--dns, --dns-search, --dns-option: resolv.conf as docker writes it; recorded; bad values refused" {
	run husk run --rm --network none --dns 192.0.2.53 --dns 2001:db8::53 --dns-search a.example \
		--dns-search b.example --dns-option ndots:2 --dns-opt timeout:1 busybox cat /etc/resolv.conf
	expect_status 0
	expect_match $'^nameserver 192\\.0\\.2\\.53\nnameserver 2001:db8::53\nsearch a\\.example b\\.example\noptions ndots:2 timeout:1'
	husk create --name d --network none --dns 192.0.2.53 --dns-search . busybox >/dev/null
	run husk inspect -f '{{json .HostConfig.Dns}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}}' d
	expect_output '["192.0.2.53"] ["."] []'
	run husk run --rm --network host --dns 192.0.2.54 busybox grep nameserver /etc/resolv.conf
	expect_output "nameserver 192.0.2.54"
	refused 'invalid --dns "dns.example": IP address is not correctly formatted' \
		run --rm --network none --dns dns.example busybox true
	refused 'invalid --dns-search "bad_domain": not a valid domain' \
		run --rm --network none --dns-search bad_domain busybox true
	refused 'invalid --dns-option "ndots:1 rotate"' \
		run --rm --network none --dns-option 'ndots:1 rotate' busybox true
}

@test "--network-alias: others on the user-defined network find it by that name; refused on the default one" {
	husk network create --subnet 10.90.7.0/24 idnet >/dev/null
	husk run -d --name db --network idnet --network-alias database --net-alias store busybox sleep 1000 >/dev/null
	husk run -d --name app --network idnet busybox sleep 1001 >/dev/null
	local db
	db=$(husk inspect -f '{{.NetworkSettings.IPAddress}}' db)
	run husk exec app cat /etc/hosts
	expect_match "$db	db database store"
	run husk exec app ping -c 1 -W 2 database
	expect_status 0
	run husk inspect -f '{{json .NetworkSettings.Networks.idnet.Aliases}}' db
	expect_output '["database","store"]'
	husk restart -t 0 db >/dev/null
	db=$(husk inspect -f '{{.NetworkSettings.IPAddress}}' db)
	run husk exec app cat /etc/hosts
	expect_match "$db	db database store"
	refused 'invalid --network-alias "x": network-scoped aliases are only supported for user-defined networks' \
		run --rm --network-alias x busybox true
	refused 'invalid --network-alias "bad name"' run --rm --network idnet --network-alias 'bad name' busybox true
}

@test "--ip: a static address on a user-defined network, kept by restart; refused outside it, taken, or on bridge" {
	husk network create --subnet 10.90.7.0/24 idnet >/dev/null
	husk run -d --name fixed --network idnet --ip 10.90.7.42 busybox sleep 1000 >/dev/null
	run husk exec fixed ip -4 -o addr show eth0
	expect_match 'inet 10\.90\.7\.42/24'
	husk restart -t 0 fixed >/dev/null
	run husk inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.idnet.IPAMConfig.IPv4Address}}' fixed
	expect_output "10.90.7.42 10.90.7.42"
	refused 'invalid --ip "10.90.7.42": the address is already in use in network idnet' \
		run --rm --network idnet --ip 10.90.7.42 busybox true
	refused 'invalid --ip "10.90.8.1": no host address of network idnet \(10.90.7.0/24\)' \
		run --rm --network idnet --ip 10.90.8.1 busybox true
	refused 'invalid --ip "10.90.7.1": the address is already in use' \
		run --rm --network idnet --ip 10.90.7.1 busybox true
	refused 'invalid --ip "10.88.0.9": user-specified IP address is supported on user-defined networks only' \
		run --rm --ip 10.88.0.9 busybox true
	refused 'invalid --ip "10.90.7.300": not an IPv4 address' \
		run --rm --network idnet --ip 10.90.7.300 busybox true
}

@test "--mac-address: eth0's MAC, kept by restart, in inspect; bad or without a bridge refused" {
	husk run -d --name m --mac-address 92:d0:c6:0a:29:33 busybox sleep 1000 >/dev/null
	run husk exec m cat /sys/class/net/eth0/address
	expect_output 92:d0:c6:0a:29:33
	husk restart -t 0 m >/dev/null
	run husk exec m cat /sys/class/net/eth0/address
	expect_output 92:d0:c6:0a:29:33
	run husk inspect -f '{{.NetworkSettings.Networks.bridge.MacAddress}} {{.Config.MacAddress}}' m
	expect_output "92:d0:c6:0a:29:33 92:d0:c6:0a:29:33"
	husk stop -t 0 m >/dev/null
	run husk inspect -f '{{.NetworkSettings.Networks.bridge.MacAddress}}' m
	expect_output 92:d0:c6:0a:29:33
	refused 'invalid --mac-address "92:d0:c6:0a:29": not a valid mac address' \
		run --rm --mac-address 92:d0:c6:0a:29 busybox true
	refused 'invalid --mac-address "01:00:5e:00:00:01": a multicast' \
		run --rm --mac-address 01:00:5e:00:00:01 busybox true
	refused 'conflicting options: --mac-address and --network none' \
		run --rm --network none --mac-address 92:d0:c6:0a:29:33 busybox true
}

@test "--domainname and --hostname: the UTS names and the own /etc/hosts line; RFC 1123; --uts host refused" {
	run husk run --rm --network none --hostname web --domainname example.com busybox \
		sh -c 'hostname; cat /proc/sys/kernel/domainname; grep "^127.0.1.1" /etc/hosts'
	expect_status 0
	expect_output "$(printf 'web\nexample.com\n127.0.1.1\tweb.example.com web')"
	husk run -d --name named --hostname web --domainname example.com busybox sleep 1000 >/dev/null
	run husk exec named cat /etc/hosts
	expect_match "	web\\.example\\.com web named"
	husk restart -t 0 named >/dev/null
	run husk exec named cat /proc/sys/kernel/domainname
	expect_output example.com
	run husk inspect -f '{{.Config.Hostname}} {{.Config.Domainname}}' named
	expect_output "web example.com"
	# The host's names are untouched.
	[ "$(cat /proc/sys/kernel/domainname)" != example.com ]
	refused 'invalid --hostname "under_score": not an RFC 1123 host name' \
		run --rm --network none --hostname under_score busybox true
	refused 'invalid --hostname "-web"' run --rm --network none --hostname -web busybox true
	refused 'invalid --domainname "bad..example"' run --rm --network none --domainname bad..example busybox true
	refused 'conflicting options: --domainname and --uts host' \
		run --rm --network none --uts host --domainname example.com busybox true
}

@test "--group-add: names from the image's /etc/group and numbers join the process's (and exec's) groups" {
	run husk run --rm --network none -u nobody --group-add staff --group-add 4242 --group-add users busybox id -G
	expect_status 0
	# (the kernel keeps them sorted)
	expect_output "65534 50 100 4242"
	husk run -d --name g --network none --group-add staff busybox sleep 1000 >/dev/null
	run husk inspect -f '{{json .HostConfig.GroupAdd}}' g
	expect_output '["staff"]'
	# exec gets them too, also as another user (as docker's).
	run husk exec g id -G
	expect_output "0 10 50"
	run husk exec -u nobody g id -G
	expect_output "65534 50"
	husk rm -f g >/dev/null
	refused '--group-add: unable to find group nosuch: no matching entries in group file' \
		run --rm --network none --group-add nosuch busybox true
	refused 'invalid --group-add "99999999999": gid out of range' \
		run --rm --network none --group-add 99999999999 busybox true
}

@test "--shm-size: the size of /dev/shm (default 64m), HostConfig.ShmSize; refused with --ipc host" {
	run husk run --rm --network none --shm-size 128m busybox df -k /dev/shm
	expect_status 0
	expect_match 'shm +131072 '
	run husk run --rm --network none busybox df -k /dev/shm
	expect_match 'shm +65536 '
	# A tmpfs of the user's own on /dev/shm keeps its size, as docker's.
	run husk run --rm --network none --shm-size 128m --tmpfs /dev/shm:size=2m busybox df -k /dev/shm
	expect_match ' 2048 +[0-9]+ +2048 '
	husk create --name s --network none --shm-size 1g busybox >/dev/null
	run husk inspect -f '{{.HostConfig.ShmSize}}' s
	expect_output 1073741824
	husk start s >/dev/null
	husk rm -f s >/dev/null
	husk create --name d --network none busybox >/dev/null
	run husk inspect -f '{{.HostConfig.ShmSize}}' d
	expect_output 67108864
	husk rm d >/dev/null
	refused 'invalid --shm-size "lots"' run --rm --network none --shm-size lots busybox true
	refused 'conflicting options: --shm-size and --ipc host' \
		run --rm --network none --ipc host --shm-size 128m busybox true
}

@test "every identity flag is kept by create, start and restart" {
	printf 'FROM_FILE=yes\n' >"$BATS_TEST_TMPDIR/e"
	husk create --name all --env-file "$BATS_TEST_TMPDIR/e" -l k=v --stop-timeout 3 \
		--add-host db:192.0.2.5 --dns 192.0.2.53 --dns-search a.example --dns-option ndots:2 \
		--mac-address 92:d0:c6:0a:29:34 --hostname box --domainname example.com \
		--group-add staff --shm-size 96m busybox sleep 1000 >/dev/null
	local check='echo $FROM_FILE; id -G; cat /proc/sys/kernel/domainname; cat /sys/class/net/eth0/address;
		df -k /dev/shm | tail -1 | tr -s " " | cut -d" " -f2; grep -c "^192.0.2.5	db$" /etc/hosts;
		grep nameserver /etc/resolv.conf'
	local expected="yes
0 10 50
example.com
92:d0:c6:0a:29:34
98304
1
nameserver 192.0.2.53"
	husk start all >/dev/null
	run husk exec all sh -c "$check"
	expect_output "$expected"
	husk restart all >/dev/null
	run husk exec all sh -c "$check"
	expect_output "$expected"
	run husk inspect -f '{{.Config.Labels.k}} {{.Config.StopTimeout}}' all
	expect_output "v 3"
}
