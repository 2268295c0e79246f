#!/usr/bin/env bats
# jra against a real jra-sandbox: the configuration and its checks, apply
# and the EAB credentials, status and its output formats, and how errors
# come out (message, hint, exit status).

bats_require_minimum_version 1.5.0
load helpers

setup() {
	start_sandbox --now 2026-01-31T15:30:00Z
}

teardown() {
	stop_sandbox
}

@test "config check reports every step and passes" {
	run --separate-stderr "$JRA" config check
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "ok    config file"*"$SANDBOX_DIR/jra.yaml (from \$JRA_CONFIG)" ]]
	[[ "${lines[1]}" == "ok    profile        sandbox: registrar R0001"* ]]
	[[ "${lines[2]}" == "ok    key file"*"mode 0600"* ]]
	[[ "${lines[3]}" == "ok    endpoint"* ]]
	[[ "${lines[4]}" == "ok    signature      accepted: registrar R0001"* ]]
}

@test "a key file readable by others is refused with the chmod that fixes it" {
	chmod 644 "$SANDBOX_DIR/r0001-ed25519.key"
	run --separate-stderr "$JRA" whoami
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"r0001-ed25519.key"* ]]
	[[ "$stderr" == *"hint: chmod 600"* ]]
}

@test "a mistyped key in the config file names the place and the fix" {
	sed 's/^    timeout:/    timout:/' "$SANDBOX_DIR/jra.yaml" >"$SANDBOX_DIR/typo.yaml"
	run --separate-stderr "$JRA" -c "$SANDBOX_DIR/typo.yaml" whoami
	[ "$status" -eq 78 ]
	[[ "$stderr" == "jra: $SANDBOX_DIR/typo.yaml:"*": key 'timout': unknown key in profile 'sandbox' (did you mean 'timeout'?)" ]]
}

@test "a key the CA does not know is an authentication error naming the key" {
	openssl genpkey -algorithm ed25519 -out "$SANDBOX_DIR/other.key" 2>/dev/null
	chmod 600 "$SANDBOX_DIR/other.key"
	sed 's/^    key_file:.*/    key_file: other.key/' "$SANDBOX_DIR/jra.yaml" >"$SANDBOX_DIR/other.yaml"
	run --separate-stderr "$JRA" -c "$SANDBOX_DIR/other.yaml" whoami
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"hint: check that key 'r0001-ed25519' of registrar 'R0001'"*"other.key"* ]]
}

@test "whoami shows the registrar and marks the profile's key" {
	run "$JRA" whoami
	[ "$status" -eq 0 ]
	[[ "$output" == *"registrar       R0001"* ]]
	[[ "$output" == *"r0001-ed25519 (ed25519), this profile's"* ]]
}

@test "apply without --agree-terms is refused before anything is sent" {
	run --separate-stderr "$JRA" apply example.jp --period 1m
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"apply needs --agree-terms"* ]]
	run "$JRA" status example.jp
	[ "$status" -eq 1 ]
}

@test "apply sends the current terms version and prints the EAB credentials once" {
	run --separate-stderr "$JRA" -vv apply example.jp --period 1m --agree-terms
	[ "$status" -eq 0 ]
	[[ "$stderr" == *'"agreed_terms_version":"2025-08-22"'* ]]
	[[ "$output" == *"state           applied"* ]]
	[[ "$output" == *"eab kid         kid-"* ]]
	key=$(printf '%s\n' "$output" | sed -n 's/^eab hmac_key *//p')
	[ -n "$key" ]
	# -vv shows bodies but never the key nor the signature
	[[ "$stderr" != *"$key"* ]]
	[[ "$stderr" == *'"hmac_key":"[redacted]"'* ]]
	[[ "$stderr" == *"Signature: sig1=:[redacted]:"* ]]
	[[ "$output" == *"names           example.jp www.example.jp"* ]]
}

@test "apply --eab-out writes a new mode 0600 file and never overwrites one" {
	run "$JRA" apply example.jp --period 1y --agree-terms --eab-out "$SANDBOX_DIR/eab.json"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$SANDBOX_DIR/eab.json")" = 600 ]
	[ -n "$(json_str kid "$(tr -d ' \n' <"$SANDBOX_DIR/eab.json")")" ]
	[ -n "$(json_str hmac_key "$(tr -d ' \n' <"$SANDBOX_DIR/eab.json")")" ]
	[[ "$output" != *"eab hmac_key"* ]]
	cp "$SANDBOX_DIR/eab.json" "$SANDBOX_DIR/eab.before"
	run --separate-stderr "$JRA" apply other.jp --period 1y --agree-terms --eab-out "$SANDBOX_DIR/eab.json"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"File exists"* ]]
	cmp "$SANDBOX_DIR/eab.json" "$SANDBOX_DIR/eab.before"
	# nothing was applied for: the file was checked first
	run "$JRA" status other.jp
	[ "$status" -eq 1 ]
}

@test "applying twice is refused by the CA with exit status 1" {
	"$JRA" apply example.jp --period 1m --agree-terms >/dev/null
	run --separate-stderr "$JRA" apply EXAMPLE.jp. --period 1m --agree-terms
	[ "$status" -eq 1 ]
	[[ "$stderr" == "jra: cannot apply for 'example.jp': "*"(fqdn-in-service)"* ]]
	[[ "$stderr" == *"hint: "* ]]
}

@test "a bad FQDN is refused locally in one line with exit status 65" {
	run --separate-stderr "$JRA" status co.jp
	[ "$status" -eq 65 ]
	[ "$stderr" = "jra: invalid FQDN 'co.jp': 'co.jp' is a public suffix" ]
}

@test "status of a wildcard FQDN goes through the percent-encoded path" {
	"$JRA" apply '*.wild.jp' --period 1y --agree-terms >/dev/null
	run --separate-stderr "$JRA" -v status '*.wild.jp'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"GET $SANDBOX_URL/registrar/v1/fqdns/%2A.wild.jp -> 200"* ]]
	[[ "$output" == *"covered names   *.wild.jp wild.jp"* ]]
}

@test "status -o json prints the object for one FQDN and an array for several" {
	"$JRA" apply a.example.jp --period 1m --agree-terms >/dev/null
	"$JRA" apply b.example.jp --period 1y --agree-terms >/dev/null
	run "$JRA" -o json status a.example.jp
	[ "$status" -eq 0 ]
	[ "${output:0:1}" = "{" ]
	[ "$(json_str fqdn "$(printf '%s' "$output" | tr -d ' \n')")" = a.example.jp ]
	run "$JRA" status -o json a.example.jp b.example.jp
	[ "${output:0:1}" = "[" ]
	[[ "$output" == *'"fqdn": "a.example.jp"'*'"fqdn": "b.example.jp"'* ]]
}

@test "status -o csv has a header row and one record per FQDN" {
	"$JRA" apply a.example.jp --period 1m --agree-terms >/dev/null
	"$JRA" apply b.example.jp --period 1y --agree-terms >/dev/null
	run "$JRA" -o csv status a.example.jp b.example.jp
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == FQDN,STATE,SUBSCRIBER,PERIOD,* ]]
	[[ "${lines[1]}" == a.example.jp,applied,*,1m,* ]]
	[[ "${lines[2]}" == b.example.jp,applied,*,1y,* ]]
}

@test "status -o csv makes a customer reference that looks like a formula text" {
	"$JRA" apply a.example.jp --period 1m --agree-terms \
		--customer-ref '=HYPERLINK("http://evil.example/","x")' >/dev/null
	run "$JRA" -o csv status a.example.jp
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *',"'"'"'=HYPERLINK(""http://evil.example/"",""x"")"'* ]]
	# JSON carries the value as the CA holds it
	run "$JRA" -o json status a.example.jp
	[ "$(jq -r .customer_ref <<<"$output")" = '=HYPERLINK("http://evil.example/","x")' ]
}

@test "a batch that partly fails exits 2 and keeps the input order" {
	"$JRA" apply a.example.jp --period 1m --agree-terms >/dev/null
	"$JRA" apply b.example.jp --period 1m --agree-terms >/dev/null
	printf '# FQDNs\n\na.example.jp\nmissing.example.jp\n  bad..jp\nb.example.jp\n' >"$SANDBOX_DIR/list"
	run --separate-stderr "$JRA" -o jsonl status -j 3 -f "$SANDBOX_DIR/list"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *'"fqdn":"a.example.jp"'* ]]
	[[ "${lines[1]}" == *'"fqdn":"b.example.jp"'* ]]
	[[ "$stderr" == *"'missing.example.jp': not found"*"invalid FQDN 'bad..jp'"* ]]
}

@test "status --all lists with filters" {
	"$JRA" apply a.example.jp --period 1m --agree-terms >/dev/null
	"$JRA" apply b.example.jp --period 1y --agree-terms >/dev/null
	run "$JRA" -o csv status --all --state applied
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	run "$JRA" -o csv status --all --state active
	[ "${#lines[@]}" -eq 1 ]
}

@test "--dry-run prints the request and sends nothing" {
	run --separate-stderr "$JRA" --dry-run cancel a.example.jp
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "POST $SANDBOX_URL/registrar/v1/fqdns/a.example.jp/cancellation" ]
}

@test "help goes to stdout with exit 0; an unknown command or option exits 64" {
	run --separate-stderr "$JRA" help status
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: jra status FQDN..."* ]]
	run --separate-stderr "$JRA" status --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: jra status"* ]]
	run --separate-stderr "$JRA" frobnicate
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	run --separate-stderr "$JRA" status --frob
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"usage: jra status"* ]]
}

@test "a clock 15 minutes off is an authentication error that names the clock" {
	command -v faketime >/dev/null || skip "faketime is not installed"
	# faketime preloads itself; an ASan build must be told that is fine
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		run --separate-stderr faketime -f '+15m' "$JRA" whoami
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"(stale-signature)"* ]]
	[[ "$stderr" == *"hint: "*"check this machine's clock (timedatectl)"* ]]
}

@test "a batch keeps one connection per job: -v counts requests and connections" {
	"$JRA" apply a.example.jp --period 1m --agree-terms >/dev/null
	yes a.example.jp | head -n 200 >"$SANDBOX_DIR/list"
	run --separate-stderr "$JRA" -v -o jsonl status -j 8 -f "$SANDBOX_DIR/list"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 200 ]
	summary=$(printf '%s\n' "$stderr" | tail -n 1)
	[[ "$summary" =~ ^jra:\ 200\ requests,\ ([0-9]+)\ connections$ ]]
	[ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -le 8 ]
}
