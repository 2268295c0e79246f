#!/usr/bin/env bats
# jra against a real jra-sandbox through an FQDN's life: cancellation and
# its withdrawal (terms §10.4), revocation reasons (terms §11), changes,
# transfers, subscribers' EAB credentials, and retries over the sandbox's
# injected faults (contract §3).

bats_require_minimum_version 1.5.0
load helpers

setup() {
	start_sandbox --now 2026-01-31T15:30:00Z
}

teardown() {
	stop_sandbox
}

# apply FQDN PERIOD: applies with jra; sets KID to the new subscriber's EAB kid.
apply() {
	run --separate-stderr "$JRA" -o jsonl apply "$1" --period "$2" --agree-terms
	[ "$status" -eq 0 ]
	KID=$(json_str kid "$output")
	[ -n "$KID" ]
}

# A second registrar, R0002, and a config file for it in $R2_CONFIG.
add_r0002() {
	local pem
	openssl genpkey -algorithm ed25519 -out "$SANDBOX_DIR/r2.key" 2>/dev/null
	chmod 600 "$SANDBOX_DIR/r2.key"
	pem=$(openssl pkey -in "$SANDBOX_DIR/r2.key" -pubout | awk '{printf "%s\\n", $0}')
	run sbx_api POST registrars "{\"id\":\"R0002\",\"name\":\"Two\",\"keys\":[{\"keyid\":\"r2\",\"alg\":\"ed25519\",\"public_key_pem\":\"$pem\"}]}"
	[ "$(http_status)" = 201 ] || [ "$(http_status)" = 200 ]
	R2_CONFIG=$SANDBOX_DIR/r2.yaml
	sed -e 's/^    registrar:.*/    registrar: R0002/' -e 's/^    key_id:.*/    key_id: r2/' \
	    -e 's/^    key_file:.*/    key_file: r2.key/' "$SANDBOX_DIR/jra.yaml" >"$R2_CONFIG"
}

@test "cancelling an FQDN whose usage has not started ends it at once" {
	apply example.jp 1m
	run "$JRA" cancel example.jp
	[ "$status" -eq 0 ]
	[[ "$output" == "example.jp: ended at once (withdrawn)"* ]]
	run "$JRA" -o jsonl status example.jp
	[ "$(json_str state "$output")" = ended ]
}

@test "cancel says when the service ends; withdraw-cancel says it continues and until when" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	# usage started 2026-02-01 (JST); 1m ends on the last day of March (terms §10.2)
	run "$JRA" cancel example.jp
	[ "$status" -eq 0 ]
	[ "$output" = "example.jp: cancellation filed; the service ends at the end of 2026-03-31 (JST)" ]
	run "$JRA" withdraw-cancel example.jp
	[ "$status" -eq 0 ]
	[ "$output" = "example.jp: cancellation withdrawn; the service continues: the period ends 2026-03-31 (JST) and renews for 1m" ]
	run "$JRA" -o jsonl status example.jp
	[ "$(json_str state "$output")" = active ]
}

@test "withdrawing a cancellation that was never filed is refused with exit 1" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	run --separate-stderr "$JRA" withdraw-cancel example.jp
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"(invalid-state)"* ]]
}

@test "-q prints nothing when a cancellation succeeds" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	run "$JRA" -q cancel example.jp
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "revoke refuses reasons a registrar may not give, before sending" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	run --separate-stderr "$JRA" revoke --serial "$SERIAL" --reason privilegeWithdrawn --yes
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"privilegeWithdrawn (9) is not one a registrar may give"*"cessationOfOperation (5)"* ]]
	run --separate-stderr "$JRA" revoke --serial "$SERIAL" --reason 2 --yes
	[ "$status" -eq 64 ]
	run "$JRA" -o jsonl status example.jp
	[[ "$output" == *'"status":"valid"'* ]]
}

@test "revoke needs --yes when stdin is not a terminal" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	run --separate-stderr "$JRA" revoke --serial "$SERIAL" </dev/null
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--yes"* ]]
}

@test "revoke takes a reason by name in any case; a second revocation is refused" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	upper=$(printf '%s' "$SERIAL" | tr a-f A-F)
	run "$JRA" revoke --serial "$upper" --reason KEYCOMPROMISE --yes
	[ "$status" -eq 0 ]
	[[ "$output" == "$SERIAL revoked at "*", reason keyCompromise (1)" ]]
	run "$JRA" -o jsonl status example.jp
	[[ "$output" == *'"status":"revoked"'* ]]
	[[ "$output" == *'"revocation_reason":1'* ]]
	run --separate-stderr "$JRA" revoke --serial "$SERIAL" --yes
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"(already-revoked)"* ]]
}

@test "revoke --fqdn revokes every valid certificate of the FQDN" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	first=$SERIAL
	sbx_issue "$KID" www.example.jp
	run "$JRA" revoke --fqdn example.jp --reason 5 --yes
	[ "$status" -eq 0 ]
	[[ "$output" == *"$first revoked"* ]]
	[[ "$output" == *"$SERIAL revoked"* ]]
}

@test "modify changes the renewal period" {
	apply example.jp 1m
	run "$JRA" modify example.jp --renewal-period 1y
	[ "$status" -eq 0 ]
	[[ "$output" == *"period          1m, renews for 1y"* ]]
}

@test "a transfer: code, request, status on both sides, approval" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	add_r0002
	run "$JRA" -o jsonl transfer code example.jp
	[ "$status" -eq 0 ]
	code=$(json_str code "$output")
	[ -n "$code" ]
	run --separate-stderr "$JRA" -c "$R2_CONFIG" transfer request example.jp --code wrong
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"(bad-transfer-code)"* ]]
	run "$JRA" -c "$R2_CONFIG" transfer request example.jp --code "$code"
	[ "$status" -eq 0 ]
	[[ "$output" == "example.jp: transfer requested"* ]]
	run "$JRA" -o jsonl transfer status example.jp
	[ "$(json_str state "$output")" = pending ]
	run "$JRA" transfer approve example.jp
	[ "$status" -eq 0 ]
	[ "$output" = "example.jp: transfer approved" ]
	run "$JRA" -c "$R2_CONFIG" -o jsonl status example.jp
	[ "$(json_str registrar "$output")" = R0002 ]
	run "$JRA" status example.jp
	[ "$status" -eq 1 ]
}

@test "subscriber rotate-eab gives a new kid, written once to a 0600 file" {
	apply example.jp 1m
	run "$JRA" -o jsonl status example.jp
	sub=$(json_str subscriber "$output")
	run "$JRA" subscriber rotate-eab "$sub" --eab-out "$SANDBOX_DIR/new.json"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$SANDBOX_DIR/new.json")" = 600 ]
	new=$(json_str kid "$(tr -d ' \n' <"$SANDBOX_DIR/new.json")")
	[ -n "$new" ] && [ "$new" != "$KID" ]
	run "$JRA" -o jsonl subscriber show "$sub"
	[ "$(json_str eab_kid "$output")" = "$new" ]
}

@test "503s are retried with backoff, then succeed" {
	apply example.jp 1m
	run sbx_api POST faults '{"mode":"status-503","count":2}'
	run --separate-stderr "$JRA" -v status example.jp
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$stderr" | grep -c 'retrying in')" -eq 2 ]
}

@test "the CA unavailable after every retry exits 69" {
	run sbx_api POST faults '{"mode":"status-503","count":5}'
	run --separate-stderr "$JRA" --retries 1 whoami
	[ "$status" -eq 69 ]
	[[ "$stderr" == *"after 2 attempts"* ]]
}

@test "a connection dropped after the change is retried with the same idempotency key" {
	apply example.jp 1m
	sbx_issue "$KID" example.jp
	run sbx_api POST faults '{"mode":"drop-after-commit","count":1}'
	run --separate-stderr "$JRA" -v cancel example.jp
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"-> 200 replayed"* ]]
	[[ "$output" == "example.jp: cancellation filed"* ]]
}

@test "a batch runs concurrently and prints in input order" {
	for f in a b c d e f; do
		"$JRA" apply "$f.example.jp" --period 1m --agree-terms >/dev/null
	done
	printf '%s.example.jp\n' f e d c b a | "$JRA" -o jsonl status -j 4 -f - >"$SANDBOX_DIR/out"
	run cut -c1-30 "$SANDBOX_DIR/out"
	[ "${#lines[@]}" -eq 6 ]
	got=$(grep -o '"fqdn":"[a-f].example.jp"' "$SANDBOX_DIR/out" | cut -c9 | tr -d '\n')
	[ "$got" = fedcba ]
}

@test "rate limited without retries left: exit 75, the CA's words and a hint" {
	restart_sandbox --rate-limit 2/min
	"$JRA" whoami >/dev/null
	"$JRA" whoami >/dev/null
	run --separate-stderr "$JRA" --retries 0 whoami
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"(rate-limited)"* ]]
	[[ "$stderr" == *"hint: "* ]]
}
