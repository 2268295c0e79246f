# Shared by hostile.bats and valgrind.bats: a throw-away PKI, the hostile
# server (hostile.c) started in a mode, and jra run against it with its
# exit code, stderr, wall time and peak RSS recorded.
#
#   setup_file              makes a CA, the server's certificate (127.0.0.1
#                           and localhost) and an ed25519 key for jra in $PKI
#   start_hostile MODE [N]  starts the server; sets SRV, SRV_PID, SRV_URL and
#                           JRA_CONFIG (a profile "hostile" for it)
#   stop_hostile            stops it (teardown does too)
#   jra_timed ARGS...       runs jra: $status, $output, $stderr, $elapsed_ms,
#                           $rss_kb
#   one_message PATTERN     stderr is one "jra:" line matching PATTERN
#   requests                how many requests the server saw
#   within SECONDS          the run took less than SECONDS
#   baseline_rss, sanitized for the memory bounds

: "${JRA:?set JRA to the jra binary}"
: "${HOSTILE:?set HOSTILE to the hostile test server}"

# What one jra run may take beyond its time limits before it counts as a hang.
SLACK=3

bats_require_minimum_version 1.5.0

# The profile's timeout, for the cases that do not give --timeout.
PROFILE_TIMEOUT=5

# Under valgrind (JRA_VALGRIND=1) jra runs some ten times slower; a TLS
# handshake alone can take seconds.
if [ "${JRA_VALGRIND:-0}" = 1 ]; then
	SLACK=30
	PROFILE_TIMEOUT=60
fi

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
	    timeout: $PROFILE_TIMEOUT
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

# A sanitizer's shadow memory and quarantine, or valgrind's, make RSS say
# nothing about jra.
sanitized() {
	[ "${JRA_VALGRIND:-0}" = 1 ] || ldd "$JRA" 2>/dev/null | grep -q -e libasan -e libubsan
}

# jra_timed ARGS...: runs jra (killed after 120 s: a hang fails the test
# rather than the suite; under valgrind when JRA_VALGRIND=1, which exits 99
# on a memory error or leak and shows its report), with stdout in $output, stderr in $stderr,
# the exit code in $status, the wall time in whole milliseconds in
# $elapsed_ms and the peak RSS in KiB in $rss_kb.
jra_timed() {
	local t0 t1
	t0=$(date +%s%N)
	local vg=
	if [ "${JRA_VALGRIND:-0}" = 1 ]; then
		vg="valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible"
		vg="$vg --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
		vg="$vg --log-file=$BATS_TEST_TMPDIR/valgrind.%p"
	fi
	run --separate-stderr /usr/bin/time -f '%M' -o "$BATS_TEST_TMPDIR/rss" \
		timeout -s KILL 120 $vg "$JRA" "$@"
	t1=$(date +%s%N)
	if [ "$status" -eq 99 ]; then
		cat "$BATS_TEST_TMPDIR"/valgrind.* >&2
	fi
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

