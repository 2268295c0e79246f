#!/usr/bin/env bats
# jra against a hostile server (hostile.c): every broken answer ends in one
# clear message and the exit code cron needs, within --timeout, without
# following a redirect and without holding more than the response cap.
#
# meson passes JRA (the jra binary) and HOSTILE (the server) in the
# environment.

load hostile

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

@test "a list of empty pages with ever new cursors: 65, not an endless loop" {
	start_hostile endless-list
	jra_timed status --all
	[ "$status" -eq 65 ]
	one_message "empty page"
	[ "$(requests)" -eq 1 ]
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
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	jra_timed --retries 1 cancel example.jp
	[ "$status" -eq 69 ]
	# the CA may have acted: the journal stays, and jra names the way to finish
	[ -n "$(ls "$XDG_STATE_HOME/jra")" ]
	printf '%s\n' "$stderr" | grep -q '^jra: to send them again with the same keys, run: .* --resume$'
	stderr=$(printf '%s\n' "$stderr" | grep -v -e '^jra: 1 items got no final answer' \
		 -e '^jra: to send them again with the same keys')
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

@test "401 replayed-nonce: signed anew and retried, as the same bytes reached the CA twice" {
	start_hostile replayed-nonce 1
	jra_timed --retries 1 status example.jp
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 2 ]
	within $SLACK
}

@test "401 replayed-nonce with no retry left: temporary, 75, not an authentication error" {
	start_hostile replayed-nonce 5
	jra_timed --retries 0 status example.jp
	[ "$status" -eq 75 ]
	one_message "this nonce was used in the last 600 s (replayed-nonce)"
	[ "$(requests)" -eq 1 ]
}
