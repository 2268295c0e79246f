#!/usr/bin/env bats
# jra against a hostile server (hostile.c): every broken answer ends in one
# clear message and the exit code cron needs, within --timeout, without
# following a redirect and without holding more than the response cap.
#
# meson passes JRA (the jra binary) and HOSTILE (the server) in the
# environment.

: "${JRA:?set JRA to the jra binary}"
: "${HOSTILE:?set HOSTILE to the hostile test server}"

# What one jra run may take beyond its time limits before it counts as a hang.
SLACK=3

bats_require_minimum_version 1.5.0

setup_file() {
	local pki
	pki=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/pki.XXXXXX")
	export PKI=$pki
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 2 -subj "/CN=hostile test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/server.key" -out "$PKI/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
	# localhost is in the certificate so that a followed redirect would succeed
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' \
		>"$PKI/ext.cnf"
	openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
		-CAcreateserial -days 2 -extfile "$PKI/ext.cnf" -out "$PKI/server.pem" 2>/dev/null
	(umask 077 && openssl genpkey -algorithm ed25519 -out "$PKI/r0001.key")
	[ -s "$PKI/server.pem" ] && [ -s "$PKI/r0001.key" ]
}

# start_hostile MODE [N]: the server in a directory of this test; sets SRV
# (its directory), SRV_PID, SRV_URL, and JRA_CONFIG to a profile for it.
start_hostile() {
	local i
	SRV=$BATS_TEST_TMPDIR/srv
	mkdir -p "$SRV"
	cp "$PKI/server.pem" "$PKI/server.key" "$SRV/"
	: >"$SRV/requests"
	"$HOSTILE" "$1" "$SRV" ${2:+"$2"} </dev/null >"$SRV/log" 2>&1 3>&- &
	SRV_PID=$!
	for i in $(seq 1 100); do
		[ -s "$SRV/url" ] && break
		kill -0 "$SRV_PID" 2>/dev/null || { cat "$SRV/log" >&2; return 1; }
		sleep 0.1
	done
	SRV_URL=$(cat "$SRV/url")
	[ -n "$SRV_URL" ]
	cat >"$BATS_TEST_TMPDIR/jra.yaml" <<-EOF
	default_profile: hostile
	profiles:
	  hostile:
	    endpoint: $SRV_URL/registrar/v1
	    registrar: R0001
	    key_id: r0001-ed25519
	    key_file: $PKI/r0001.key
	    alg: ed25519
	    ca_file: $PKI/ca.pem
	    timeout: 5
	    retries: 0
	EOF
	export JRA_CONFIG=$BATS_TEST_TMPDIR/jra.yaml
}

stop_hostile() {
	if [ -n "${SRV_PID:-}" ]; then
		kill "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
	fi
	SRV_PID=
	rm -f "${SRV:-/nonexistent}/url"
}

teardown() {
	stop_hostile
}

# baseline_rss: the peak RSS of jra for an answer of a few bytes, in $base_kb.
baseline_rss() {
	start_hostile problem-empty
	jra_timed status example.jp
	base_kb=$rss_kb
	stop_hostile
}

# A sanitizer's shadow memory and quarantine make RSS say nothing about jra.
sanitized() {
	ldd "$JRA" 2>/dev/null | grep -q -e libasan -e libubsan
}

# jra_timed ARGS...: runs jra (killed after 60 s: a hang fails the test
# rather than the suite), with stdout in $output, stderr in $stderr,
# the exit code in $status, the wall time in whole milliseconds in
# $elapsed_ms and the peak RSS in KiB in $rss_kb.
jra_timed() {
	local t0 t1
	t0=$(date +%s%N)
	run --separate-stderr /usr/bin/time -f '%M' -o "$BATS_TEST_TMPDIR/rss" \
		timeout -s KILL 60 "$JRA" "$@"
	t1=$(date +%s%N)
	elapsed_ms=$(((t1 - t0) / 1000000))
	rss_kb=$(tail -n 1 "$BATS_TEST_TMPDIR/rss")
	echo "exit $status after $elapsed_ms ms, peak RSS $rss_kb KiB" >&2
	echo "stdout: $output" >&2
	echo "stderr: $stderr" >&2
}

# one_message PATTERN: stderr is one "jra:" line matching PATTERN (and at
# most one hint), with no control characters from the server in it.
one_message() {
	[ "$(printf '%s\n' "$stderr" | grep -c '^jra: ')" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | grep -vc -e '^jra: ' -e '^hint: ')" -eq 0 ]
	printf '%s\n' "$stderr" | grep -q -e "$1"
	! printf '%s' "$stderr" | LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')"
}

requests() {
	wc -l <"$SRV/requests"
}

within() {
	[ "$elapsed_ms" -lt $(($1 * 1000)) ]
}

@test "garbage instead of JSON: bad data, 65" {
	start_hostile garbage
	jra_timed status example.jp
	[ "$status" -eq 65 ]
	one_message "not a JSON object"
	[ -z "$output" ]
}

@test "a 10 MB body with Content-Length: refused before reading it, 65, not retried" {
	sanitized || baseline_rss
	start_hostile big
	jra_timed --retries 3 status example.jp
	[ "$status" -eq 65 ]
	one_message "larger than"
	[ "$(requests)" -eq 1 ]
	# refused on the length alone: none of the body sits in memory
	sanitized || [ "$rss_kb" -lt $((base_kb + 2048)) ]
}

@test "a 10 MB chunked body: refused at the 4 MB cap, 65, not retried" {
	sanitized || baseline_rss
	start_hostile big-chunked
	jra_timed --retries 3 status example.jp
	[ "$status" -eq 65 ]
	one_message "larger than"
	[ "$(requests)" -eq 1 ]
	# the cap (4 MB) and a little, not the 10 MB on offer
	sanitized || [ "$rss_kb" -lt $((base_kb + 4096 + 2048)) ]
}

@test "problem+json without any member: the status, 65" {
	start_hostile problem-empty
	jra_timed status example.jp
	[ "$status" -eq 65 ]
	one_message "HTTP 400"
}

@test "a truncated answer: temporary, retried, 75" {
	start_hostile truncated
	jra_timed --retries 1 status example.jp
	[ "$status" -eq 75 ]
	one_message "answer was cut short"
	[ "$(requests)" -eq 2 ]
	within $SLACK
}

@test "a 301 to another host is not followed: 65" {
	start_hostile redirect
	jra_timed --retries 3 status example.jp
	[ "$status" -eq 65 ]
	one_message "redirect to 'https://localhost:.*/followed'"
	[ "$(requests)" -eq 1 ]
	! grep -q followed "$SRV/requests"
}

@test "a slow drip: given up at --timeout, 75" {
	start_hostile drip
	jra_timed --timeout 2 status example.jp
	[ "$status" -eq 75 ]
	one_message "no answer within 2 s"
	within $((2 + SLACK))
}

@test "a slow drip with a retry: each attempt bounded by --timeout" {
	start_hostile drip
	jra_timed --timeout 2 --retries 1 status example.jp
	[ "$status" -eq 75 ]
	one_message "no answer within 2 s"
	[ "$(requests)" -eq 2 ]
	# two attempts of 2 s and at most 1 s of backoff between them
	within $((2 * 2 + 1 + SLACK))
}

@test "a slow drip in a parallel batch: every item bounded by --timeout" {
	start_hostile drip
	jra_timed --timeout 2 status -j 4 a.example.jp b.example.jp c.example.jp d.example.jp
	[ "$status" -eq 75 ]
	[ "$(printf '%s\n' "$stderr" | grep -c "^jra: cannot get the status of '.*': no answer within 2 s")" -eq 4 ]
	within $((2 + SLACK))
}

@test "a JSON array where an object belongs: 65" {
	start_hostile array
	jra_timed status example.jp
	[ "$status" -eq 65 ]
	one_message "not a JSON object"
}

@test "a JSON string where an object belongs: 65" {
	start_hostile string
	jra_timed whoami
	[ "$status" -eq 65 ]
	one_message "not a JSON object"
}

@test "an FQDN object with members of the wrong types: 65" {
	start_hostile wrong-types
	jra_timed status example.jp
	[ "$status" -eq 65 ]
	one_message "'fqdn'"
}

@test "a registrar object with members of the wrong types: 65" {
	start_hostile wrong-types
	jra_timed whoami
	[ "$status" -eq 65 ]
	one_message "'id'"
}

@test "a list with members of the wrong types: 65" {
	start_hostile wrong-types
	jra_timed status --all
	[ "$status" -eq 65 ]
	one_message "'items'"
}

@test "500 forever: unavailable after the retries, 69" {
	start_hostile error
	jra_timed --retries 2 status example.jp
	[ "$status" -eq 69 ]
	one_message "after 3 attempts"
	[ "$(requests)" -eq 3 ]
	# backoff 0.5-1 s, then 1-2 s
	within $((3 + SLACK))
}

@test "500 forever on a change: retried with its idempotency key, 69" {
	start_hostile error
	jra_timed --retries 1 cancel example.jp
	[ "$status" -eq 69 ]
	one_message "after 2 attempts"
	[ "$(grep -c '^POST /registrar/v1/fqdns/example.jp/cancellation$' "$SRV/requests")" -eq 2 ]
}

@test "429 with Retry-After: waits as asked, then temporary, 75" {
	start_hostile rate-limit 2
	jra_timed --retries 1 status example.jp
	[ "$status" -eq 75 ]
	one_message "slow down (rate-limited)"
	[ "$(requests)" -eq 2 ]
	[ "$elapsed_ms" -ge 2000 ]
	within $((2 + SLACK))
}

@test "429 asking to wait for a day: no wait, temporary, 75" {
	start_hostile rate-limit 86400
	jra_timed --retries 3 status example.jp
	[ "$status" -eq 75 ]
	one_message "slow down"
	printf '%s\n' "$stderr" | grep -q "^hint: .*wait 86400 s"
	[ "$(requests)" -eq 1 ]
	within $SLACK
}
