# Shared by the end-to-end tests (bats): start a real jra-sandbox on a free
# loopback port in a temporary state directory, talk to it, stop it.
#
# meson passes the programs in the environment:
#   JRA_SANDBOX  the jra-sandbox binary
#   SBXREQ       the sbxreq test tool (one signed request, or a broken one)
#   JRA          the jra binary
#
# Functions:
#   start_sandbox [jra-sandbox options...]
#       Starts jra-sandbox with --listen 127.0.0.1:0 in SANDBOX_DIR (a new
#       mktemp -d directory unless SANDBOX_DIR is already set), waits at
#       most 20 s for SANDBOX_DIR/ready and exports SANDBOX_DIR,
#       SANDBOX_URL (https://127.0.0.1:PORT), SANDBOX_PID and
#       JRA_CONFIG=$SANDBOX_DIR/jra.yaml (the profile "sandbox", registrar
#       R0001).  Its log is $SANDBOX_DIR/sandbox.log.  Fails (and shows
#       the log) when it does not come up.
#   stop_sandbox
#       Stops it (SIGTERM, then SIGKILL after 10 s), shows its log when the
#       test failed, removes SANDBOX_DIR and unsets the variables.  Safe to
#       call twice or when nothing runs: call it from teardown.  Fails when
#       the sandbox did not exit with status 0 (a crash, or a leak that the
#       sanitizers report at exit).
#   restart_sandbox [jra-sandbox options...]
#       Stops it and starts it again on the same state directory.
#   sbx_req PATH [sbxreq options...]
#       One request signed as R0001 (override with SBX_KEY, SBX_KEYID,
#       SBX_ALG) to $SANDBOX_URL/registrar/v1/PATH.  Prints the status
#       line, the headers, an empty line and the body.
#   sbx_req_as ID PATH [sbxreq options...]
#       The same, signed as registrar ID added by add_registrar.
#   add_registrar ID
#       Registers registrar ID through /sandbox/v1/registrars with a fresh
#       ed25519 key, kept in $SANDBOX_DIR/ID.key (keyid ID-key).
#   sbx_api METHOD PATH [JSON]
#       One unsigned call to $SANDBOX_URL/sandbox/v1/PATH with curl, printed
#       the same way.
#   http_status            the status code in $output (after `run sbx_req ...`)
#   http_body              the body in $output (its last line)
#   http_header NAME       the value of a response header in $output
#   json_str KEY [JSON]    the first string member KEY of JSON (default: http_body)
#   json_num KEY [JSON]    the first number member KEY
#   problem_type           the problem name in $output ("bad-digest")
#
# A watchdog kills the sandbox when the bats process goes away, so that no
# server outlives an interrupted run.  The sandbox and the watchdog are
# children of the test's shell: wait for your own background jobs by pid,
# never with a bare `wait`, which would wait for the sandbox too.

: "${JRA_SANDBOX:?set JRA_SANDBOX to the jra-sandbox binary}"
: "${SBXREQ:?set SBXREQ to the sbxreq binary}"

_sandbox_wait_ready() {
	local i
	for i in $(seq 1 200); do
		if [ -s "$SANDBOX_DIR/ready" ]; then
			return 0
		fi
		if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
			echo "jra-sandbox exited before it was ready; its log:" >&2
			cat "$SANDBOX_DIR/sandbox.log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "jra-sandbox was not ready within 20 s; its log:" >&2
	cat "$SANDBOX_DIR/sandbox.log" >&2
	return 1
}

start_sandbox() {
	if [ -z "${SANDBOX_DIR:-}" ]; then
		SANDBOX_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/sandbox.XXXXXX")
	fi
	export SANDBOX_DIR
	rm -f "$SANDBOX_DIR/ready"
	"$JRA_SANDBOX" --listen 127.0.0.1:0 --state-dir "$SANDBOX_DIR" "$@" \
		</dev/null >>"$SANDBOX_DIR/sandbox.log" 2>&1 3>&- &
	SANDBOX_PID=$!
	export SANDBOX_PID
	# the watchdog: kill the sandbox once this bats run is gone
	(
		while kill -0 "$$" 2>/dev/null && kill -0 "$SANDBOX_PID" 2>/dev/null; do
			sleep 1
		done
		kill "$SANDBOX_PID" 2>/dev/null
	) </dev/null >/dev/null 2>&1 3>&- &
	_sandbox_wait_ready || return 1
	SANDBOX_URL=$(cat "$SANDBOX_DIR/ready")
	JRA_CONFIG="$SANDBOX_DIR/jra.yaml"
	export SANDBOX_URL JRA_CONFIG
}

_sandbox_kill() {
	local i
	[ -n "${SANDBOX_PID:-}" ] || return 0
	kill -TERM "$SANDBOX_PID" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$SANDBOX_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SANDBOX_PID" 2>/dev/null; then
		echo "jra-sandbox did not stop on SIGTERM within 10 s; killing it" >&2
		kill -KILL "$SANDBOX_PID" 2>/dev/null || true
	fi
	SANDBOX_EXIT=0
	wait "$SANDBOX_PID" 2>/dev/null || SANDBOX_EXIT=$?
	unset SANDBOX_PID
}

stop_sandbox() {
	local rc=0
	SANDBOX_EXIT=0
	_sandbox_kill
	if [ "$SANDBOX_EXIT" != 0 ]; then
		echo "jra-sandbox exited with status $SANDBOX_EXIT on SIGTERM (expected 0)" >&2
		rc=1
	fi
	if [ -n "${SANDBOX_DIR:-}" ] && [ -d "$SANDBOX_DIR" ]; then
		if [ "$rc" != 0 ] || { [ -n "${BATS_ERROR_STATUS:-}" ] &&
		   [ "${BATS_ERROR_STATUS}" != 0 ]; }; then
			echo "--- jra-sandbox log"
			tail -n 80 "$SANDBOX_DIR/sandbox.log"
		fi
		rm -rf "$SANDBOX_DIR"
	fi
	unset SANDBOX_DIR SANDBOX_URL JRA_CONFIG
	return "$rc"
}

restart_sandbox() {
	_sandbox_kill
	if [ "${SANDBOX_EXIT:-0}" != 0 ]; then
		echo "jra-sandbox exited with status $SANDBOX_EXIT on SIGTERM (expected 0)" >&2
		return 1
	fi
	start_sandbox "$@"
}

sbx_req() {
	local path=$1
	shift
	"$SBXREQ" --url "$SANDBOX_URL/registrar/v1/$path" \
		--key "${SBX_KEY:-$SANDBOX_DIR/r0001-ed25519.key}" \
		--keyid "${SBX_KEYID:-r0001-ed25519}" --alg "${SBX_ALG:-ed25519}" \
		--ca "$SANDBOX_DIR/ca.pem" "$@"
}

sbx_req_as() {
	local id=$1
	shift
	SBX_KEY=$SANDBOX_DIR/$id.key SBX_KEYID=$id-key SBX_ALG=ed25519 sbx_req "$@"
}

add_registrar() {
	local id=$1 pem out
	openssl genpkey -algorithm ed25519 -out "$SANDBOX_DIR/$id.key" 2>/dev/null || return 1
	chmod 600 "$SANDBOX_DIR/$id.key"
	pem=$(openssl pkey -in "$SANDBOX_DIR/$id.key" -pubout | awk '{printf "%s\\n", $0}')
	out=$(sbx_api POST registrars "{\"id\":\"$id\",\"name\":\"$id Ltd\",\"keys\":[{\"keyid\":\"$id-key\",\"alg\":\"ed25519\",\"public_key_pem\":\"$pem\"}]}")
	case $out in
	"HTTP/"*" 201"*) return 0 ;;
	*) printf 'cannot add registrar %s:\n%s\n' "$id" "$out" >&2; return 1 ;;
	esac
}

sbx_api() {
	local method=$1 path=$2 body=${3-}
	if [ -n "$body" ]; then
		curl -sS -i --cacert "$SANDBOX_DIR/ca.pem" -X "$method" \
			-H 'Content-Type: application/json' --data-binary "$body" \
			"$SANDBOX_URL/sandbox/v1/$path" | tr -d '\r'
	else
		curl -sS -i --cacert "$SANDBOX_DIR/ca.pem" -X "$method" \
			"$SANDBOX_URL/sandbox/v1/$path" | tr -d '\r'
	fi
	echo
}

# sbx_apply FQDN PERIOD: applies through the registrar API, without jra;
# sets KID to the new subscriber's EAB kid.
sbx_apply() {
	run sbx_req fqdns --data "{\"fqdn\":\"$1\",\"period\":\"$2\",\"agreed_terms_version\":\"2025-08-22\"}"
	[ "$(http_status)" = 201 ]
	KID=$(json_str kid)
	[ -n "$KID" ]
}

# eab_file_private FILE: FILE holds EAB credentials, mode 0600, a kid and a
# 43-character hmac_key, and the last `run --separate-stderr` showed the kid
# but printed the key nowhere; sets EAB_KID and EAB_KEY.
eab_file_private() {
	[ "$(stat -c %a "$1")" = 600 ]
	EAB_KEY=$(jq -r .hmac_key "$1")
	EAB_KID=$(jq -r .kid "$1")
	[[ "$EAB_KEY" =~ ^[A-Za-z0-9_-]{43}$ ]]
	[[ "$output" != *"$EAB_KEY"* ]]
	[[ "$stderr" != *"$EAB_KEY"* ]]
	[[ "$output" == *"$EAB_KID"* ]]
}

# sbx_issue KID NAME...: the sandbox issues a certificate for the NAMEs on
# the ACME account KID, as its ACME side would; sets SERIAL.
sbx_issue() {
	local kid=$1 names
	shift
	names=$(printf '"%s",' "$@")
	run sbx_api POST issuance "{\"eab_kid\":\"$kid\",\"names\":[${names%,}]}"
	[ "$(http_status)" = 201 ]
	SERIAL=$(json_str serial)
	[ -n "$SERIAL" ]
}

http_status() {
	printf '%s\n' "$output" | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p'
}

http_body() {
	printf '%s\n' "$output" | sed '1,/^$/d' | sed '/^$/d' | tail -n 1
}

http_header() {
	printf '%s\n' "$output" | sed '/^$/q' |
		sed -n "s/^$1: *//Ip" | head -n 1
}

json_str() {
	local json=${2-$(http_body)}
	printf '%s\n' "$json" | grep -o "\"$1\":\"[^\"]*\"" | head -n 1 |
		sed "s/^\"$1\":\"\(.*\)\"\$/\1/"
}

json_num() {
	local json=${2-$(http_body)}
	printf '%s\n' "$json" | grep -o "\"$1\":-\{0,1\}[0-9][0-9]*" | head -n 1 |
		sed "s/^\"$1\"://"
}

problem_type() {
	json_str type | sed 's/^urn:jra:problem://'
}
