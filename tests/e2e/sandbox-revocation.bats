#!/usr/bin/env bats
# Revocation by serial and by FQDN (terms §11) and the CRL jra-sandbox serves.

load helpers

setup() {
	start_sandbox --now 2026-05-10T03:00:00Z
	sbx_apply example.jp 1m
}

teardown() {
	stop_sandbox
}

# issue NAME: prints the serial of a new certificate for NAME on $KID.
issue() {
	sbx_issue "$KID" "$1"
	echo "$SERIAL"
}

crl_text() {
	curl -sS --cacert "$SANDBOX_DIR/ca.pem" "$SANDBOX_URL/crl" |
		openssl crl -inform DER -noout -text -CAfile "$SANDBOX_DIR/issuer.pem"
}

crl_number() {
	crl_text | sed -n '/CRL Number/{n;s/ //gp}'
}

@test "terms §11: the reasons a registrar may not give are refused: 422 reason-not-allowed" {
	local s
	s=$(issue example.jp)
	for reason in 2 6 9 10 -1; do
		run sbx_req "certificates/$s/revocation" --data "{\"reason\":$reason}"
		[ "$(http_status)" = 422 ]
		[ "$(problem_type)" = reason-not-allowed ]
	done
	run sbx_req fqdns/example.jp
	[ "$(json_str status)" = valid ]
}

@test "revocation by serial, then again: 409 already-revoked" {
	local s
	s=$(issue example.jp)
	run sbx_req "certificates/$s/revocation" --data '{"reason":1}'
	[ "$(http_status)" = 200 ]
	[[ "$(http_body)" == "{\"revoked\":[{\"serial\":\"$s\",\"revoked_at\":\"2026-05-10T03:00:"*"\",\"revocation_reason\":1}]}" ]]
	run sbx_req "certificates/$s/revocation" --data '{"reason":1}'
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = already-revoked ]
}

@test "revocation without a reason uses 0" {
	local s
	s=$(issue example.jp)
	run sbx_req "certificates/$s/revocation" -X POST
	[ "$(http_status)" = 200 ]
	[ "$(json_num revocation_reason)" = 0 ]
}

@test "revocation by FQDN revokes every valid certificate, or the ones listed" {
	local a b c
	a=$(issue example.jp)
	b=$(issue www.example.jp)
	c=$(issue example.jp)
	run sbx_req fqdns/example.jp/revocation --data "{\"reason\":4,\"serials\":[\"$b\"]}"
	[ "$(http_status)" = 200 ]
	[[ "$(http_body)" == *"\"serial\":\"$b\""* ]]
	[[ "$(http_body)" != *"\"serial\":\"$a\""* ]]
	run sbx_req fqdns/example.jp/revocation --data '{"reason":3}'
	[ "$(http_status)" = 200 ]
	[[ "$(http_body)" == *"\"serial\":\"$a\""* ]]
	[[ "$(http_body)" == *"\"serial\":\"$c\""* ]]
	[[ "$(http_body)" != *"\"serial\":\"$b\""* ]]
	run sbx_req fqdns/example.jp/revocation --data "{\"reason\":0,\"serials\":[\"$a\"]}"
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = already-revoked ]
}

@test "another registrar's certificate answers 404 like an absent one" {
	local s
	s=$(issue example.jp)
	add_registrar R0002
	run sbx_req_as R0002 "certificates/$s/revocation" --data '{"reason":1}'
	[ "$(http_status)" = 404 ]
	[ "$(problem_type)" = not-found ]
	run sbx_req fqdns/example.jp
	[ "$(json_str status)" = valid ]
}

@test "the CRL lists revoked serials with their reason, 0 without a reasonCode, and a new number per change" {
	local a b n0 n1 n2
	a=$(issue example.jp)
	b=$(issue www.example.jp)
	n0=$(crl_number)
	[ -n "$n0" ]
	[ "$(crl_number)" = "$n0" ]
	run sbx_req "certificates/$a/revocation" --data '{"reason":0}'
	n1=$(crl_number)
	[ "$((n1))" -gt "$((n0))" ]
	run sbx_req "certificates/$b/revocation" --data '{"reason":1}'
	n2=$(crl_number)
	[ "$((n2))" -gt "$((n1))" ]
	run crl_text
	[[ "$output" == *"verify OK"* ]]
	local upper_a upper_b
	upper_a=$(printf '%s' "$a" | tr a-f A-F)
	upper_b=$(printf '%s' "$b" | tr a-f A-F)
	# each entry runs from its "Serial Number:" line to the next one
	crl_entry() {
		printf '%s\n' "$output" |
			awk -v s="$1" '/Serial Number:/ { p = ($3 == s) } /Signature Algorithm/ { p = 0 } p'
	}
	[[ "$(crl_entry "$upper_b")" == *"Key Compromise"* ]]
	[[ "$(crl_entry "$upper_a")" == *"Revocation Date"* ]]
	[[ "$(crl_entry "$upper_a")" != *"Reason Code"* ]]
}
