#!/usr/bin/env bats
# The EAB credentials a new subscriber gets (terms §7.1): shown once, or
# kept off the terminal in a 0600 file, and turned into ready-to-paste
# account registration for certbot, lego and acme.sh.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	start_sandbox
}

teardown_file() {
	stop_sandbox
}

@test "apply prints the kid, the key and the ACME clients' registration lines once" {
	run --separate-stderr "$JRA" apply eab-shown.example.jp --period 1m --agree-terms
	[ "$status" -eq 0 ]
	kid=$(printf '%s\n' "$output" | sed -n 's/^eab kid *//p')
	key=$(printf '%s\n' "$output" | sed -n 's/^eab hmac_key *//p')
	[ -n "$kid" ] && [ -n "$key" ]
	# base64url without padding, 256 bits
	[[ "$key" =~ ^[A-Za-z0-9_-]{43}$ ]]
	[[ "$output" == *"certbot register --server '"*"' --eab-kid '$kid' --eab-hmac-key '$key'"* ]]
	[[ "$output" == *"lego --server '"*"' --eab --kid '$kid' --hmac '$key'"*"--domains 'eab-shown.example.jp'"* ]]
	[[ "$output" == *"acme.sh --register-account --server '"*"' --eab-kid '$kid' --eab-hmac-key '$key'"* ]]
}

@test "--eab-out keeps the key off the terminal; --show-eab-usage prints it again" {
	local f=$BATS_TEST_TMPDIR/customer.eab.json
	run --separate-stderr "$JRA" apply eab-file.example.jp --period 1y --agree-terms --eab-out "$f"
	[ "$status" -eq 0 ]
	eab_file_private "$f"
	kid=$EAB_KID key=$EAB_KEY

	run --separate-stderr "$JRA" apply --show-eab-usage "$f"
	[ "$status" -eq 0 ]
	[[ "$output" == *"certbot register"*"--eab-kid '$kid' --eab-hmac-key '$key'"* ]]
	[[ "$output" == *"acme.sh --register-account"*"--eab-hmac-key '$key'"* ]]

	# never overwritten
	run --separate-stderr "$JRA" apply eab-file2.example.jp --period 1y --agree-terms --eab-out "$f"
	[ "$status" -eq 65 ]
	[ "$(jq -r .kid "$f")" = "$kid" ]
	run "$JRA" status eab-file2.example.jp
	[ "$status" -eq 1 ]
}

@test "--show-eab-usage refuses a file that holds no credentials, and extra arguments" {
	echo '{"kid": 1}' >"$BATS_TEST_TMPDIR/not-eab.json"
	run --separate-stderr "$JRA" apply --show-eab-usage "$BATS_TEST_TMPDIR/not-eab.json"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"not-eab.json"* ]]
	run --separate-stderr "$JRA" apply --show-eab-usage "$BATS_TEST_TMPDIR/not-eab.json" x.example.jp
	[ "$status" -eq 64 ]
}
