#!/usr/bin/env bats
# The batch journal's edges: --resume after the command; a batch that ran
# to its end with items left unanswered keeps its journal and names the
# command that finishes them with their first Idempotency-Keys; SIGINT
# sends nothing more than the transfers under way; a journal whose keys
# the CA may have forgotten (contract §3: 24 hours) is refused.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	start_sandbox
}

teardown() {
	stop_sandbox
}

journals() {
	ls "$XDG_STATE_HOME/jra" 2>/dev/null
}

# apply FQDN...: each applied for, with a subscriber of its own; KID: the last one's
apply() {
	local f
	for f; do
		run --separate-stderr "$JRA" -o jsonl apply "$f" --period 1m --agree-terms
		[ "$status" -eq 0 ]
		KID=$(json_str kid "$output")
	done
}

# issue FQDN: a certificate for FQDN of subscriber KID (its usage starts); sets SERIAL
issue() {
	run sbx_api POST issuance "{\"eab_kid\":\"$KID\",\"names\":[\"$1\"]}"
	[ "$(http_status)" = 201 ]
	SERIAL=$(json_str serial)
}

# left_unanswered CMD...: runs jra -v CMD... --retries 0 with the sandbox
# dropping the first request after it took effect, and checks the journal
# is kept and the command it names; sets RESUME_CMD.
left_unanswered() {
	local first
	run sbx_api POST faults '{"mode":"drop-after-commit","count":1}'
	[ "$(http_status)" = 200 ]
	run --separate-stderr "$JRA" -v "$@" --retries 0
	echo "$stderr"
	[ "$status" -eq 75 ] || [ "$status" -eq 2 ]
	[[ "$stderr" == *"jra: 1 items got no final answer and may have taken effect; the journal '$XDG_STATE_HOME/jra/"* ]]
	[ "$(journals | wc -l)" -eq 1 ]
	first=$stderr
	RESUME_CMD=$(sed -n 's/^jra: to send them again with the same keys, run: //p' <<<"$first")
	[[ "$RESUME_CMD" == "$JRA -v $1 "*" --retries 0 --resume" ]]
	# without --resume the same batch would send new keys: refused
	run --separate-stderr "$JRA" "$@"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--resume"* ]]
}

# resumed: runs RESUME_CMD; exactly one request goes out, with the first
# key (the CA replays its answer), and the journal is gone.
resumed() {
	eval "run --separate-stderr $RESUME_CMD"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^jra: \(POST\|PATCH\|DELETE\) ' <<<"$stderr")" -eq 1 ]
	[ "$(grep -c -- '-> 20[01] replayed' <<<"$stderr")" -eq 1 ]
	[ -z "$(journals)" ]
}

@test "cancel -f: unanswered items keep the journal; --resume after the command ends it" {
	apply a.example.jp b.example.jp c.example.jp
	printf '%s.example.jp\n' a b c >"$BATS_TEST_TMPDIR/list"
	left_unanswered cancel --yes -f "$BATS_TEST_TMPDIR/list"
	resumed
	# each cancellation took effect once: the dropped one was not sent anew
	for f in a b c; do
		run "$JRA" -o jsonl status "$f.example.jp"
		[ "$(json_str state "$output")" = ended ]
	done
}

@test "withdraw-cancel and modify: unanswered items keep the journal; --resume after the command ends it" {
	local f
	for f in a b; do
		apply "$f.example.jp"
		issue "$f.example.jp"
	done
	run "$JRA" cancel --yes a.example.jp b.example.jp
	[ "$status" -eq 0 ]
	left_unanswered withdraw-cancel a.example.jp b.example.jp
	resumed
	left_unanswered modify a.example.jp b.example.jp --customer-ref 'ref x'
	[[ "$RESUME_CMD" == *" 'ref x' "* ]]
	resumed
	for f in a b; do
		run "$JRA" -o jsonl status "$f.example.jp"
		[ "$(json_str customer_ref "$output")" = "ref x" ]
	done
}

@test "transfer code: the code of the lost answer comes back, not a second one" {
	local code
	apply a.example.jp
	issue a.example.jp
	left_unanswered transfer code a.example.jp
	eval "run --separate-stderr ${RESUME_CMD/ -v / -o jsonl -v }"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"-> 201 replayed"* || "$stderr" == *"-> 200 replayed"* ]]
	code=$(json_str code "$output")
	[ -n "$code" ]
	[ -z "$(journals)" ]
}

@test "revoke: an unanswered revocation is finished with its key, not refused as done" {
	local s1
	apply a.example.jp
	issue a.example.jp
	s1=$SERIAL
	issue a.example.jp
	left_unanswered revoke --serial "$s1" --serial "$SERIAL" --yes
	resumed
}

# count_cancels: the cancellations the sandbox has answered
count_cancels() {
	grep -c 'POST /registrar/v1/fqdns/.*/cancellation -> 200' "$SANDBOX_DIR/sandbox.log" || true
}

@test "SIGINT sends nothing more than the transfers under way; the journal marks the rest unsent" {
	local n=24 list=$BATS_TEST_TMPDIR/list pid rc=0 i c0 c1 done_n left
	seq 1 "$n" | sed 's/.*/s&.example.jp/' >"$list"
	for i in $(seq 1 "$n"); do
		"$JRA" apply "s$i.example.jp" --period 1m --agree-terms >/dev/null
	done
	# every answer 300 ms late: with -j 2 two requests are under way at a
	# time, and the window holds six more read ahead
	run sbx_api POST faults '{"mode":"delay","count":100000,"delay_ms":300}'
	[ "$(http_status)" = 200 ]
	"$JRA" -o jsonl cancel --yes -j 2 -f "$list" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for i in $(seq 1 200); do
		[ "$(count_cancels)" -ge 4 ] && break
		sleep 0.02
	done
	c0=$(count_cancels)
	kill -INT "$pid"
	wait "$pid" || rc=$?
	c1=$(count_cancels)
	cat "$BATS_TEST_TMPDIR/err"
	[ "$rc" -eq 75 ]
	# the two under way (and one more if one ended as the signal came), no more
	echo "answered: $c0 before SIGINT, $c1 after"
	[ $((c1 - c0)) -le 3 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/err")" =~ interrupted:\ ([0-9]+)\ done,\ ([0-9]+)\ not\ started ]]
	done_n=${BASH_REMATCH[1]} left=${BASH_REMATCH[2]}
	[ "$done_n" -eq "$c1" ]
	[ $((done_n + left)) -eq "$n" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq "$done_n" ]
	grep -q "^jra: to finish the batch, run: $JRA -o jsonl cancel --yes -j 2 -f $list --resume\$" \
		"$BATS_TEST_TMPDIR/err"
	# the journal: each item read is done (D) or unsent (U), none in doubt
	run awk '$1 ~ /^[KDU]$/ { s[$2] = $1 }
		END { for (i in s) n[s[i]]++; printf "%d %d %d\n", n["K"], n["D"], n["U"] }' \
		"$XDG_STATE_HOME"/jra/*
	echo "journal: $output (K D U)"
	[ "${output%% *}" -eq 0 ]
	[ "$(cut -d' ' -f2 <<<"$output")" -eq "$done_n" ]
	[ "$(cut -d' ' -f3 <<<"$output")" -ge 1 ]
	# unsent keys never reached the CA: their age does not matter
	awk '$1 == "K" { $4 -= 48 * 3600 } { print }' "$XDG_STATE_HOME"/jra/* >"$BATS_TEST_TMPDIR/aged"
	cat "$BATS_TEST_TMPDIR/aged" >"$XDG_STATE_HOME"/jra/*
	run --separate-stderr "$JRA" -o jsonl cancel --yes -j 2 -f "$list" --resume
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq "$left" ]
	# every FQDN cancelled by one request, none sent twice
	[ "$(count_cancels)" -eq "$n" ]
	[ -z "$(journals)" ]
}

@test "a second SIGINT does not wait; --resume sends the requests it cut short with their keys" {
	local n=6 list=$BATS_TEST_TMPDIR/list pid rc=0 i
	seq 1 "$n" | sed 's/.*/t&.example.jp/' >"$list"
	for i in $(seq 1 "$n"); do
		"$JRA" apply "t$i.example.jp" --period 1m --agree-terms >/dev/null
	done
	# the first two cancellations take 3 s each: jra is waiting for them
	run sbx_api POST faults '{"mode":"delay","count":2,"delay_ms":3000}'
	[ "$(http_status)" = 200 ]
	SECONDS=0
	"$JRA" -o jsonl cancel --yes -j 2 -f "$list" >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		[ "$(awk '$1 == "K"' "$XDG_STATE_HOME"/jra/* 2>/dev/null | wc -l)" -ge 2 ] && break
		sleep 0.05
	done
	sleep 0.3
	kill -INT "$pid"
	sleep 0.2
	kill -INT "$pid"
	wait "$pid" || rc=$?
	# killed by the second signal, before the CA answered
	[ "$rc" -eq 130 ]
	[ "$SECONDS" -lt 3 ]
	# nothing answered; the two cut short are in doubt (and so are the items
	# read ahead: jra had no time to mark them unsent)
	run awk '$1 ~ /^[KDU]$/ { s[$2] = $1 } END { for (i in s) if (s[i] == "K") n++; print n + 0 }' \
		"$XDG_STATE_HOME"/jra/*
	[ "$output" -ge 2 ]
	! grep -q '^D ' "$XDG_STATE_HOME"/jra/*
	# the CA finishes them; --resume gets their answers again and sends the rest
	sleep 3
	run --separate-stderr "$JRA" -v -o jsonl cancel --yes -j 2 -f "$list" --resume
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq "$n" ]
	[ "$(grep -c -- '-> 200 replayed' <<<"$stderr")" -eq 2 ]
	[ -z "$(journals)" ]
}

@test "a journal whose keys the CA may have forgotten is refused, with what to do" {
	apply a.example.jp b.example.jp
	left_unanswered cancel --yes a.example.jp b.example.jp
	command -v faketime >/dev/null || skip "faketime is not installed"
	# faketime preloads itself; an ASan build must be told that is fine
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		run --separate-stderr faketime -f '+24h' "$JRA" cancel --yes a.example.jp \
		b.example.jp --resume
	echo "$stderr"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"is too old to finish: 1 of its items may have been sent without an answer, the first 24 hours ago"* ]]
	[[ "$stderr" == *"hint: check what became of the batch's items with 'jra status', then delete '$XDG_STATE_HOME/jra/"* ]]
	# nothing was sent
	[ "$(grep -c 'cancellation' "$SANDBOX_DIR/sandbox.log")" -eq 2 ]
	# without --resume the age is what stops it too
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		run --separate-stderr faketime -f '+24h' "$JRA" cancel --yes a.example.jp b.example.jp
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"too old"* ]]
	# within 23 hours it is sent again: here the CA refuses the signature
	# (this machine's clock is off), which says nothing of the first try,
	# so the journal stays
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		run --separate-stderr faketime -f '+22h' "$JRA" cancel --yes a.example.jp \
		b.example.jp --resume
	echo "$stderr"
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"(stale-signature)"* ]]
	[[ "$stderr" == *"jra: 1 items got no final answer"* ]]
	[ "$(journals | wc -l)" -eq 1 ]
	# and with the right clock it is finished
	run --separate-stderr "$JRA" cancel --yes a.example.jp b.example.jp --resume
	[ "$status" -eq 0 ]
	[ -z "$(journals)" ]
}
