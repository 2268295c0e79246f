#!/usr/bin/env bats
# Every command, and every mode of the commands that have modes, answers
# --help on stdout with exit 0, needing no configuration and no network.

bats_require_minimum_version 1.5.0

setup() {
	export JRA_CONFIG=$BATS_TEST_TMPDIR/absent.yaml
}

@test "jra CMD --help and jra help CMD for every command" {
	local cmd
	for cmd in $("$JRA" --complete commands | cut -f1); do
		run --separate-stderr "$JRA" "$cmd" --help
		[ "$status" -eq 0 ] || { echo "jra $cmd --help exited $status: $stderr"; return 1; }
		[[ "$output" == *"usage: jra $cmd"* ]]
		run --separate-stderr "$JRA" help "$cmd"
		[ "$status" -eq 0 ]
	done
}

@test "--help after a mode helps too" {
	local line
	for line in "config check" "transfer code" "transfer request" "transfer status" \
		"subscriber create" "subscriber show" "subscriber rotate-eab"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$JRA" $line --help
		[ "$status" -eq 0 ] || { echo "jra $line --help exited $status: $stderr"; return 1; }
		[[ "$output" == *"usage: jra ${line%% *}"* ]]
	done
}
