#!/usr/bin/env bats
# Batches as cron jobs run them: a thousand FQDNs from standard input, one
# result per item in input order, and Unicode names taken as typed.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	start_sandbox
}

teardown_file() {
	stop_sandbox
}

@test "a 1,000-FQDN batch from stdin: one JSONL result per item, in input order, exit 2 when some fail" {
	local i
	for i in 100 500 900; do
		run "$JRA" apply "bulk$i.example.jp" --period 1y --agree-terms
		[ "$status" -eq 0 ]
	done
	for i in $(seq 1 1000); do echo "bulk$i.example.jp"; done >"$BATS_TEST_TMPDIR/list"
	run --separate-stderr "$JRA" status -j 8 -f - -o jsonl <"$BATS_TEST_TMPDIR/list"
	[ "$status" -eq 2 ]
	# the three that exist, in their places
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
	[ "$(printf '%s\n' "$output" | jq -r .fqdn | tr '\n' ' ')" = "bulk100.example.jp bulk500.example.jp bulk900.example.jp " ]
	# every other item has its own line on stderr, in input order
	[ "$(printf '%s\n' "$stderr" | grep -c "^jra: .*bulk[0-9]*\.example\.jp")" -eq 997 ]
	[ "$(printf '%s\n' "$stderr" | grep -o "bulk[0-9]*\.example\.jp" | head -n 3 | tr '\n' ' ')" = "bulk1.example.jp bulk2.example.jp bulk3.example.jp " ]
}

@test "a Unicode FQDN is applied as A-labels and shown in both forms" {
	run "$JRA" -o json apply '日本語.jp' --period 1m --agree-terms
	[ "$status" -eq 0 ]
	[ "$(jq -r .fqdn <<<"$output")" = xn--wgv71a119e.jp ]
	[ "$(jq -r .unicode <<<"$output")" = '日本語.jp' ]
	run "$JRA" status 'xn--wgv71a119e.jp.'
	[ "$status" -eq 0 ]
	[[ "$output" == *"xn--wgv71a119e.jp"* ]]
	[[ "$output" == *"日本語.jp"* ]]
	run "$JRA" -o json status '日本語.JP'
	[ "$(jq -r .state <<<"$output")" = applied ]
}
