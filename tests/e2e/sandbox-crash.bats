#!/usr/bin/env bats
# Persistence: every change is one SQLite transaction, so after kill -9 in
# the middle of a batch and a restart on the same state directory, nothing
# that was acknowledged is lost and nothing half-done is visible.

load helpers

setup() {
	start_sandbox
}

teardown() {
	stop_sandbox
}

# apply_loop N LOG: applies crashN.example.jp for 1..N, one request each,
# appending "i status" to LOG ("none" when no answer came).
apply_loop() {
	local i out code
	for i in $(seq 1 "$1"); do
		out=$(sbx_req fqdns --data "{\"fqdn\":\"crash$i.example.jp\",\"period\":\"1m\",\"agreed_terms_version\":\"2025-08-22\",\"subscriber_name\":\"Crash $i\"}" 2>/dev/null) || true
		code=$(printf '%s\n' "$out" | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p')
		echo "$i ${code:-none}" >>"$2"
	done
}

@test "kill -9 during 200 applies: every apply answered 201 is there after a restart" {
	local log=$BATS_TEST_TMPDIR/answers i code n acked listed loader
	: >"$log"
	apply_loop 200 "$log" &
	loader=$!
	# pull the plug once a good part of the batch has been answered (at most 60 s)
	for i in $(seq 1 600); do
		[ "$(wc -l <"$log")" -ge 60 ] && break
		sleep 0.1
	done
	[ "$(wc -l <"$log")" -ge 60 ]
	kill -KILL "$SANDBOX_PID"
	wait "$SANDBOX_PID" 2>/dev/null || true
	unset SANDBOX_PID
	wait "$loader"
	[ "$(wc -l <"$log")" -eq 200 ]
	# some requests found no server: the kill did land mid-batch
	grep -q ' none$' "$log"

	start_sandbox
	acked=0
	while read -r i code; do
		[ "$code" = 201 ] || continue
		acked=$((acked + 1))
		run sbx_req "fqdns/crash$i.example.jp"
		if [ "$(http_status)" != 200 ]; then
			echo "crash$i.example.jp was answered 201 but is gone after the restart" >&2
			return 1
		fi
		[ "$(json_str state)" = applied ]
	done <"$log"
	[ "$acked" -ge 60 ]

	# nothing half-done: every FQDN listed has its subscriber, which lists it
	run sbx_req "fqdns?limit=1000"
	[ "$(http_status)" = 200 ]
	listed=$(http_body | grep -o '"fqdn":"crash[0-9]*\.example\.jp"' | wc -l)
	[ "$listed" -ge "$acked" ]
	n=$(grep -c ' none$' "$log")
	# at most one request was in flight when the server died
	[ "$listed" -le $((acked + 1)) ]
	for s in $(http_body | grep -o '"subscriber":"[^"]*"' | sed 's/.*:"\(.*\)"/\1/' | sort -u); do
		run sbx_req "subscribers/$s"
		[ "$(http_status)" = 200 ]
		[[ "$(http_body)" == *'"fqdns":["crash'* ]]
	done
	# and the sandbox takes new work where it left off
	run sbx_req fqdns --data '{"fqdn":"after-crash.example.jp","period":"1y","agreed_terms_version":"2025-08-22"}'
	[ "$(http_status)" = 201 ]
	echo "acknowledged $acked, listed $listed, unanswered $n" >&2
}

@test "kill -9: a nonce answered before it, even with a refusal, is still refused after a restart" {
	local ok_nonce=crashnonce-ok-0123456789abcdef refused_nonce=crashnonce-404-0123456789abcdef
	run sbx_req terms --nonce "$ok_nonce"
	[ "$(http_status)" = 200 ]
	# the handler refuses this one; its nonce is spent all the same
	run sbx_req fqdns/absent.example.jp --nonce "$refused_nonce"
	[ "$(http_status)" = 404 ]
	kill -KILL "$SANDBOX_PID"
	wait "$SANDBOX_PID" 2>/dev/null || true
	unset SANDBOX_PID

	start_sandbox
	run sbx_req terms --nonce "$ok_nonce"
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = replayed-nonce ]
	run sbx_req fqdns/absent.example.jp --nonce "$refused_nonce"
	[ "$(http_status)" = 401 ]
	[ "$(problem_type)" = replayed-nonce ]
	run sbx_req terms
	[ "$(http_status)" = 200 ]
}
