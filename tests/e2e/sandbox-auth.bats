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
	# 20 s of margin: the client's second and the server's may differ by one
	run sbx_req terms --created-offset -320
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = stale-signature ]
	run sbx_req terms --created-offset 320
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = stale-signature ]
	run sbx_req terms --created-offset -280
	[ "$(http_status)" = 200 ]
	run sbx_req terms --created-offset 280
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

@test "ecdsa-p256-sha256 and hmac-sha256 keys sign too, and only for their own alg" {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$SANDBOX_DIR/ec.key" 2>/dev/null
	chmod 600 "$SANDBOX_DIR/ec.key"
	local pem secret
	pem=$(openssl pkey -in "$SANDBOX_DIR/ec.key" -pubout | awk '{printf "%s\\n", $0}')
	secret=$(openssl rand -base64 32)
	printf '%s\n' "$secret" >"$SANDBOX_DIR/hmac.secret"
	chmod 600 "$SANDBOX_DIR/hmac.secret"
	run sbx_api POST registrars "{\"id\":\"R0003\",\"name\":\"Three\",\"keys\":[{\"keyid\":\"r3-ec\",\"alg\":\"ecdsa-p256-sha256\",\"public_key_pem\":\"$pem\"},{\"keyid\":\"r3-hmac\",\"alg\":\"hmac-sha256\",\"secret_b64\":\"$secret\"}]}"
	[ "$(http_status)" = 201 ]
	SBX_KEY=$SANDBOX_DIR/ec.key SBX_KEYID=r3-ec SBX_ALG=ecdsa-p256-sha256 run sbx_req registrar
	[ "$(http_status)" = 200 ]
	[ "$(json_str id)" = R0003 ]
	SBX_KEY=$SANDBOX_DIR/hmac.secret SBX_KEYID=r3-hmac SBX_ALG=hmac-sha256 run sbx_req registrar
	[ "$(http_status)" = 200 ]
	[ "$(json_str id)" = R0003 ]
	# the keyid's registered alg is the only one accepted
	SBX_KEY=$SANDBOX_DIR/hmac.secret SBX_KEYID=r3-ec SBX_ALG=hmac-sha256 run sbx_req registrar
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = unauthorized ]
}

@test "a registrar with a malformed key is not registered" {
	run sbx_api POST registrars '{"id":"R0004","name":"Four","keys":[{"keyid":"k4","alg":"ed25519","public_key_pem":"not a key"}]}'
	[ "$(http_status)" = 400 ]
	[[ "$(http_body)" == *'"field":"keys[0]"'* ]]
	run sbx_api POST registrars '{"id":"R0001","name":"Again","keys":[{"keyid":"k5","alg":"hmac-sha256","secret_b64":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="}]}'
	[ "$(http_status)" = 409 ]
}

@test "concurrent signed requests are all answered" {
	local i pids=()
	for i in $(seq 1 12); do
		sbx_req fqdns --data "$(apply_body "c$i.example.jp")" >"$SANDBOX_DIR/c$i.out" 3>&- &
		pids+=($!)
	done
	# only these: a bare wait would also wait for the sandbox
	wait "${pids[@]}"
	for i in $(seq 1 12); do
		output=$(cat "$SANDBOX_DIR/c$i.out")
		[ "$(http_status)" = 201 ]
	done
	run sbx_req 'fqdns?limit=1000'
	[ "$(http_body | grep -o '"fqdn":"c[0-9]*.example.jp"' | sort -u | wc -l)" -eq 12 ]
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
