#!/usr/bin/env bats
# Contract §2: how jra-sandbox authenticates registrar-API requests, and
# that its state survives a restart.

load helpers

setup() {
	start_sandbox
}

teardown() {
	stop_sandbox
}

apply_body() {
	printf '{"fqdn":"%s","period":"1m","agreed_terms_version":"2025-08-22"}' "$1"
}

@test "a correctly signed request is answered" {
	run sbx_req terms
	[ "$status" -eq 0 ]
	[ "$(http_status)" = 200 ]
	[ "$(json_str version)" = 2025-08-22 ]
}

@test "a signed POST with a body is answered" {
	run sbx_req fqdns --data "$(apply_body example.jp)"
	[ "$(http_status)" = 201 ]
	[ "$(json_str state)" = applied ]
}

@test "a signature made with another key is refused: 401 unauthorized" {
	openssl genpkey -algorithm ed25519 -out "$SANDBOX_DIR/wrong.key" 2>/dev/null
	chmod 600 "$SANDBOX_DIR/wrong.key"
	SBX_KEY=$SANDBOX_DIR/wrong.key run sbx_req terms
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = unauthorized ]
}

@test "an unknown keyid is refused: 401 unauthorized" {
	SBX_KEYID=no-such-key run sbx_req terms
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = unauthorized ]
}

@test "a request without a signature is refused: 401 unauthorized" {
	run sbx_req terms --no-signature
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = unauthorized ]
}

@test "a signature covering a component the contract does not list is refused" {
	run sbx_req terms --extra-component
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = unauthorized ]
}

@test "a body other than the signed one is refused: 400 bad-digest, nothing applied" {
	run sbx_req fqdns --data "$(apply_body tamper.example.jp)" --tamper-body
	[ "$(http_status)" = 400 ]
	[ "$(problem_type)" = bad-digest ]
	run sbx_req fqdns/tamper.example.jp
	[ "$(http_status)" = 404 ]
}

@test "created more than 300 s in the past or future is refused: 401 stale-signature" {
	run sbx_req terms --created-offset -301
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = stale-signature ]
	run sbx_req terms --created-offset 301
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = stale-signature ]
	run sbx_req terms --created-offset -290
	[ "$(http_status)" = 200 ]
}

@test "freshness follows the real clock, not the sandbox's" {
	run sbx_api POST clock/advance '{"days":400}'
	[ "$(http_status)" = 200 ]
	run sbx_req terms
	[ "$(http_status)" = 200 ]
}

@test "a nonce seen before is refused: 401 replayed-nonce" {
	local nonce=sbxreqnonce-0123456789abcdef
	run sbx_req terms --nonce "$nonce"
	[ "$(http_status)" = 200 ]
	run sbx_req terms --nonce "$nonce"
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = replayed-nonce ]
}

@test "a nonce shorter than 128 bits is refused" {
	run sbx_req terms --nonce AAAAAAAAAAAAAAAAAAAA
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = unauthorized ]
}

@test "another registrar's FQDN answers exactly like an absent one" {
	add_registrar R0002
	run sbx_req fqdns --data "$(apply_body mine.example.jp)"
	[ "$(http_status)" = 201 ]
	run sbx_req_as R0002 fqdns/mine.example.jp
	[ "$(http_status)" = 404 ]
	local theirs
	theirs=$(http_body | sed 's/"detail":"[^"]*"//')
	run sbx_req_as R0002 fqdns/absent.example.jp
	[ "$(http_status)" = 404 ]
	[ "$(http_body | sed 's/"detail":"[^"]*"//')" = "$theirs" ]
	[ "$(problem_type)" = not-found ]
}

@test "state and the clock survive a restart" {
	run sbx_api PUT clock '{"now":"2030-01-15T00:00:00Z"}'
	[ "$(http_status)" = 200 ]
	run sbx_req fqdns --data "$(apply_body keep.example.jp)"
	[ "$(http_status)" = 201 ]
	local sub
	sub=$(json_str subscriber)
	restart_sandbox
	run sbx_req fqdns/keep.example.jp
	[ "$(http_status)" = 200 ]
	[ "$(json_str subscriber)" = "$sub" ]
	[[ "$(json_str applied_at)" == 2030-01-15T00:00:0?Z ]]
	run sbx_api GET clock
	[[ "$(json_str now)" == 2030-01-15T00:0* ]]
}

@test "the demo profile points at the sandbox; ready goes away on SIGTERM" {
	grep -qx "    endpoint: $SANDBOX_URL/registrar/v1" "$SANDBOX_DIR/jra.yaml"
	[ "$(stat -c %a "$SANDBOX_DIR/r0001-ed25519.key")" = 600 ]
	[ -s "$SANDBOX_DIR/ready" ]
	_sandbox_kill
	[ ! -e "$SANDBOX_DIR/ready" ]
}
