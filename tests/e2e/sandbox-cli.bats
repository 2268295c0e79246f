#!/usr/bin/env bats
# jra-sandbox's command line: help, version, bad options, and the files
# it leaves in its state directory.

load helpers

teardown() {
	stop_sandbox
}

@test "--help prints every option to stdout and exits 0" {
	run "$JRA_SANDBOX" --help
	[ "$status" -eq 0 ]
	for opt in --listen --state-dir --now --rate-limit --help --version; do
		[[ "$output" == *"$opt"* ]]
	done
}

@test "--version prints the version" {
	run "$JRA_SANDBOX" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "jra-sandbox "[0-9]* ]]
}

@test "bad options exit 64 with a message" {
	run "$JRA_SANDBOX" --now yesterday --state-dir "$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 64 ]
	[[ "$output" == *"--now 'yesterday'"* ]]
	run "$JRA_SANDBOX" --rate-limit -3 --state-dir "$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 64 ]
	run "$JRA_SANDBOX" --listen nonsense --state-dir "$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 64 ]
	run "$JRA_SANDBOX" --bogus
	[ "$status" -eq 64 ]
}

@test "a port in use is an error the user can act on" {
	start_sandbox
	local port=${SANDBOX_URL##*:}
	run "$JRA_SANDBOX" --listen "127.0.0.1:$port" --state-dir "$BATS_TEST_TMPDIR/other"
	[ "$status" -eq 78 ]
	[[ "$output" == *"cannot listen"* ]]
}

@test "the state directory holds the CA, the demo key and the profile; --now only counts once" {
	start_sandbox --now 2027-05-05T05:05:05Z
	[ -s "$SANDBOX_DIR/ca.pem" ]
	[ "$(stat -c %a "$SANDBOX_DIR")" = 700 ]
	[ "$(stat -c %a "$SANDBOX_DIR/r0001-ed25519.key")" = 600 ]
	grep -qx "default_profile: sandbox" "$SANDBOX_DIR/jra.yaml"
	grep -qx "    key_file: r0001-ed25519.key" "$SANDBOX_DIR/jra.yaml"
	grep -qx "    ca_file: ca.pem" "$SANDBOX_DIR/jra.yaml"
	[ "$(cat "$SANDBOX_DIR/ready")" = "$SANDBOX_URL" ]
	[[ "$SANDBOX_URL" == https://127.0.0.1:* ]]
	# the TLS certificate chains to ca.pem and names 127.0.0.1
	run curl -sS --cacert "$SANDBOX_DIR/ca.pem" "$SANDBOX_URL/sandbox/v1/clock"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"now":"2027-05-05T05:0'* ]]
	restart_sandbox --now 2030-01-01T00:00:00Z
	run sbx_api GET clock
	[[ "$(json_str now)" == 2027-05-05T05:* ]]
	grep -q "ignored" "$SANDBOX_DIR/sandbox.log"
}
