#!/usr/bin/env bats
# Operations (issue 18): docker's management commands and `husk version`.

load helpers

setup() {
	keeping_setup
}

teardown() {
	removing_teardown
}

@test "container ls/run/inspect/rm: docker's management commands run husk's own" {
	run husk container run --rm --network none busybox echo hi
	expect_status 0
	expect_output hi
	id=$(husk container create --network none --name mc busybox true)
	run husk container ls -aq
	expect_output "${id:0:12}"
	run husk container list -a --format '{{.Names}}'
	expect_output mc
	run husk container inspect -f '{{.Name}}' mc
	expect_output /mc
	run husk container rm mc
	expect_output mc
	run husk container ps -aq
	expect_output ""
	run --separate-stderr husk container frobnicate
	expect_husk_error 1 'unknown command "container frobnicate"'
}

@test "version: docker's Client and Server fields, --format and json" {
	run husk version
	expect_status 0
	expect_match "^Client:" "${lines[0]}"
	expect_match "Kernel:	$(uname -r)" "$output"
	run husk version --format '{{.Client.Version}} {{.Server.Version}} {{.Server.KernelVersion}}'
	expect_output "$(husk --version | awk '{print $3}') $(husk --version | awk '{print $3}') $(uname -r)"
	run husk version -f json
	expect_match '^\{"Client":\{"Version":' "$output"
	run --separate-stderr husk version --bogus
	expect_husk_error 1 'unknown flag --bogus'
}
