#!/usr/bin/env bats
# What the sandbox issues is real X.509 that stock OpenSSL accepts: the
# certificate chains to DIR/ca.pem, the CRL is signed by the issuing CA;
# and a leap day as usage start (terms §10.2, 1y) ends on a day that exists.

bats_require_minimum_version 1.5.0

load helpers

teardown() {
	stop_sandbox
}

# apply_issue FQDN PERIOD: applies, issues a certificate for FQDN and
# www.FQDN, and leaves its PEM in $BATS_TEST_TMPDIR/chain.pem.
apply_issue() {
	run "$JRA" -o json apply "$1" --period "$2" --agree-terms
	[ "$status" -eq 0 ]
	local kid
	kid=$(jq -r .eab.kid <<<"$output")
	curl -sS --cacert "$SANDBOX_DIR/ca.pem" -H 'Content-Type: application/json' \
		-d "{\"eab_kid\":\"$kid\",\"names\":[\"$1\",\"www.$1\"]}" \
		"$SANDBOX_URL/sandbox/v1/issuance" | jq -r .certificate_pem >"$BATS_TEST_TMPDIR/chain.pem"
	[ -s "$BATS_TEST_TMPDIR/chain.pem" ]
}

@test "an issued certificate verifies against ca.pem with openssl verify; the CRL with openssl crl" {
	start_sandbox
	apply_issue x509.example.jp 1m
	# the leaf first, then the issuing CA
	openssl x509 -in "$BATS_TEST_TMPDIR/chain.pem" -noout -ext subjectAltName |
		grep -q 'DNS:x509.example.jp, DNS:www.x509.example.jp'
	awk '/BEGIN/{n++} n==2' "$BATS_TEST_TMPDIR/chain.pem" >"$BATS_TEST_TMPDIR/issuer.pem"
	run openssl verify -CAfile "$SANDBOX_DIR/ca.pem" -untrusted "$BATS_TEST_TMPDIR/issuer.pem" \
		"$BATS_TEST_TMPDIR/chain.pem"
	[ "$status" -eq 0 ]
	[[ "$output" == *": OK" ]]

	run "$JRA" revoke --fqdn x509.example.jp --reason superseded --yes
	[ "$status" -eq 0 ]
	curl -sS --cacert "$SANDBOX_DIR/ca.pem" -o "$BATS_TEST_TMPDIR/crl.der" "$SANDBOX_URL/crl"
	run openssl crl -inform DER -in "$BATS_TEST_TMPDIR/crl.der" -noout -text \
		-CAfile "$BATS_TEST_TMPDIR/issuer.pem"
	[ "$status" -eq 0 ]
	[[ "$output" == *"verify OK"* ]] || [[ "$stderr" == *"verify OK"* ]] ||
		openssl crl -inform DER -in "$BATS_TEST_TMPDIR/crl.der" -noout \
			-CAfile "$BATS_TEST_TMPDIR/issuer.pem" 2>&1 | grep -q "verify OK"
	serial=$(openssl x509 -in "$BATS_TEST_TMPDIR/chain.pem" -noout -serial | cut -d= -f2)
	[[ "$output" == *"Serial Number: $serial"* ]]
	[[ "$output" == *"Superseded"* ]]
}

@test "terms §10.2: usage starting on a leap day for 1y ends on the last day of February a year later" {
	# 2028-02-28T15:30Z is 2028-02-29 00:30 in Japan
	start_sandbox --now 2028-02-28T15:30:00Z
	apply_issue leap.example.jp 1y
	run "$JRA" -o json status leap.example.jp
	[ "$(jq -r .start_date <<<"$output")" = 2028-02-29 ]
	# the last day of the same month a year later, computed here from the rule
	want=$(date -u -d "2029-03-01 -1 day" +%F)
	[ "$(jq -r .end_date <<<"$output")" = "$want" ]
	# and the certificate: 23:59:59 JST of the issuance date + 90 days
	na=$(date -u -d "$(date -u -d '2028-02-29 +90 days' +%F)T23:59:59+09:00" +%FT%TZ)
	[ "$(jq -r '.certificates[0].not_after' <<<"$output")" = "$na" ]
}
