#!/usr/bin/env bats
# Crash-safe batches: jra killed in the middle of a batch finishes it with
# --resume, sending each unfinished item again with its first
# Idempotency-Key (contract §3), so that every item takes effect once; and
# SIGINT stops the batch between requests and exits 75.

bats_require_minimum_version 1.5.0
load helpers

N=200

setup() {
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	start_sandbox
	for i in $(seq 1 "$N"); do
		"$JRA" apply "r$i.example.jp" --period 1m --agree-terms >/dev/null
	done
	seq 1 "$N" | sed 's/.*/r&.example.jp/' >"$BATS_TEST_TMPDIR/list"
	# every answer 30 ms late: the batch takes a while, and can be cut short
	run sbx_api POST faults '{"mode":"delay","count":100000,"delay_ms":30}'
	[ "$(http_status)" = 200 ]
}

teardown() {
	stop_sandbox
}

# waits until the sandbox has answered at least $1 cancellations
wait_cancels() {
	local i
	for i in $(seq 1 200); do
		[ "$(grep -c 'POST /registrar/v1/fqdns/.*/cancellation -> 200' \
		    "$SANDBOX_DIR/sandbox.log")" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "killed mid-batch, --resume finishes it: each cancellation takes effect once" {
	local list=$BATS_TEST_TMPDIR/list pid f sent replayed
	"$JRA" -o jsonl cancel --yes -f "$list" >"$BATS_TEST_TMPDIR/out1" 2>/dev/null &
	pid=$!
	wait_cancels 40
	kill -KILL "$pid"
	wait "$pid" || true
	[ -n "$(ls "$XDG_STATE_HOME/jra")" ]

	# the same batch again without --resume is refused and names the way out
	run --separate-stderr "$JRA" -o jsonl cancel --yes -f "$list"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--resume"* ]]

	run --separate-stderr "$JRA" -v --resume -o jsonl cancel --yes -f "$list"
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ ([0-9]+)\ items\ were\ done\ by\ an\ earlier\ run ]]
	[ "${BASH_REMATCH[1]}" -ge 1 ]
	# the items done before were not sent again
	[ "$(grep -c '^jra: POST .*/cancellation -> ' <<<"$stderr")" -eq \
	  $((N - BASH_REMATCH[1])) ]
	# a finished batch leaves no journal behind
	[ -z "$(ls "$XDG_STATE_HOME/jra")" ]

	# every FQDN was cancelled by exactly one request the sandbox acted on:
	# what it saw, less the answers it replayed to the second run
	for i in $(seq 1 "$N"); do
		f=r$i.example.jp
		sent=$(grep -c "POST /registrar/v1/fqdns/$f/cancellation -> 200" \
		       "$SANDBOX_DIR/sandbox.log")
		replayed=$(grep -c "fqdns/$f/cancellation -> 200 replayed" <<<"$stderr" || true)
		[ $((sent - replayed)) -eq 1 ] || { echo "$f: $sent sent, $replayed replayed"; false; }
	done
	for f in r1.example.jp "r$N.example.jp"; do
		run "$JRA" -o jsonl status "$f"
		[ "$(json_str state "$output")" = ended ]
	done
}

@test "SIGINT lets the requests under way finish, says what was not done and exits 75" {
	local list=$BATS_TEST_TMPDIR/list pid rc=0 done_n left
	"$JRA" -o jsonl cancel --yes -f "$list" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_cancels 20
	kill -INT "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 75 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/err")" =~ interrupted:\ ([0-9]+)\ done,\ ([0-9]+)\ not\ started ]]
	done_n=${BASH_REMATCH[1]} left=${BASH_REMATCH[2]}
	[ "$left" -gt 0 ]
	[ $((done_n + left)) -eq "$N" ]
	# what it says was done is what it printed, and what the sandbox did
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq "$done_n" ]
	[ "$(grep -c 'cancellation -> 200' "$SANDBOX_DIR/sandbox.log")" -eq "$done_n" ]
	grep -q -- "--resume" "$BATS_TEST_TMPDIR/err"

	run --separate-stderr "$JRA" --resume -o jsonl cancel --yes -f "$list"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq "$left" ]
	[ "$(grep -c 'cancellation -> 200' "$SANDBOX_DIR/sandbox.log")" -eq "$N" ]
}
