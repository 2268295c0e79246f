#!/usr/bin/env bats
# Cancelling many FQDNs at once (利用終了の届け出, terms §10.4) asks first on
# a terminal and needs --yes without one; a single FQDN does not ask.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	start_sandbox
}

teardown_file() {
	stop_sandbox
}

apply() {
	local f
	for f in "$@"; do
		run "$JRA" apply "$f" --period 1m --agree-terms
		[ "$status" -eq 0 ]
	done
}

state() {
	"$JRA" -o json status "$1" | jq -r .state
}

@test "two FQDNs without --yes and without a terminal: refused, nothing sent" {
	apply c1.example.jp c2.example.jp
	run --separate-stderr "$JRA" cancel c1.example.jp c2.example.jp </dev/null
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--yes"* ]]
	[ "$(state c1.example.jp)" = applied ]
	[ "$(state c2.example.jp)" = applied ]
}

@test "a list from a file needs --yes too; with it every FQDN is cancelled" {
	apply c3.example.jp c4.example.jp
	printf 'c3.example.jp\nc4.example.jp\n' >"$BATS_TEST_TMPDIR/list"
	run --separate-stderr "$JRA" cancel -f "$BATS_TEST_TMPDIR/list" </dev/null
	[ "$status" -eq 64 ]
	[ "$(state c3.example.jp)" = applied ]
	run --separate-stderr "$JRA" cancel --yes -f "$BATS_TEST_TMPDIR/list" </dev/null
	[ "$status" -eq 0 ]
	[ "$(state c3.example.jp)" = ended ]
	[ "$(state c4.example.jp)" = ended ]
}

@test "on a terminal it asks; 'n' cancels nothing, 'y' cancels both" {
	command -v script >/dev/null || skip "script(1) is not installed"
	apply c5.example.jp c6.example.jp
	run script -qec "'$JRA' cancel c5.example.jp c6.example.jp" /dev/null <<<"n"
	[ "$status" -eq 64 ]
	[[ "$output" == *"Cancel the service of 2 FQDNs? [y/N]"* ]]
	[ "$(state c5.example.jp)" = applied ]
	run script -qec "'$JRA' cancel c5.example.jp c6.example.jp" /dev/null <<<"y"
	[ "$status" -eq 0 ]
	[ "$(state c5.example.jp)" = ended ]
	[ "$(state c6.example.jp)" = ended ]
}

@test "one FQDN is cancelled without a question; withdraw-cancel never asks" {
	apply c7.example.jp
	run --separate-stderr "$JRA" cancel c7.example.jp </dev/null
	[ "$status" -eq 0 ]
	run --separate-stderr "$JRA" withdraw-cancel --yes c7.example.jp </dev/null
	[ "$status" -eq 64 ]
}
