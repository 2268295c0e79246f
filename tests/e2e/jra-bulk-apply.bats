#!/usr/bin/env bats
# Onboarding customers in bulk: 'subscriber create' gives one subscriber
# its EAB credentials (shown once, or kept in a 0600 file), then 'apply'
# puts many FQDNs under it as a batch: input order, -j, the journal and
# --resume, and no new subscriber (and EAB secret) per line.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	start_sandbox
}

teardown() {
	stop_sandbox
}

# create NAME: a new subscriber; sets SUB
create() {
	run --separate-stderr "$JRA" -o jsonl subscriber create "$1" --customer-ref "ref-$1"
	[ "$status" -eq 0 ]
	SUB=$(json_str id "$output")
	[ -n "$SUB" ]
}

# list N PREFIX: N FQDNs PREFIXi.example.jp, one a line, in $BATS_TEST_TMPDIR/list
list() {
	local i
	for i in $(seq 1 "$1"); do
		echo "$2$i.example.jp"
	done >"$BATS_TEST_TMPDIR/list"
}

applied_201() {
	grep -c 'POST /registrar/v1/fqdns -> 201' "$SANDBOX_DIR/sandbox.log" || true
}

@test "subscriber create prints the kid, the key and the ACME clients' lines once" {
	run --separate-stderr "$JRA" subscriber create "Example KK" --customer-ref C-1
	[ "$status" -eq 0 ]
	kid=$(printf '%s\n' "$output" | sed -n 's/^eab kid *//p')
	key=$(printf '%s\n' "$output" | sed -n 's/^eab hmac_key *//p')
	[ -n "$kid" ]
	[[ "$key" =~ ^[A-Za-z0-9_-]{43}$ ]]
	[[ "$output" == *"certbot register --server '"*"' --eab-kid '$kid' --eab-hmac-key '$key'"* ]]
	[[ "$output" == *"acme.sh --register-account --server '"*"' --eab-kid '$kid' --eab-hmac-key '$key'"* ]]
	[ "$(grep -c 'POST /registrar/v1/subscribers -> 201' "$SANDBOX_DIR/sandbox.log")" -eq 1 ]

	run --separate-stderr "$JRA" -o jsonl subscriber create "Other KK"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	id=$(json_str id "$output")
	[[ "$(jq -r .eab.hmac_key <<<"$output")" =~ ^[A-Za-z0-9_-]{43}$ ]]
	run --separate-stderr "$JRA" -o jsonl subscriber show "$id"
	[ "$status" -eq 0 ]
	[ "$(jq -r .name <<<"$output")" = "Other KK" ]
	[ "$(jq -r .customer_ref <<<"$output")" = null ]
}

@test "subscriber create --eab-out writes a new 0600 file and no secret on stdout" {
	local f=$BATS_TEST_TMPDIR/customer.eab.json
	run --separate-stderr "$JRA" subscriber create "File KK" --eab-out "$f"
	[ "$status" -eq 0 ]
	eab_file_private "$f"
	kid=$EAB_KID
	[[ "$output" == *"written to '$f'"* ]]

	# json: the key stays in the file
	run --separate-stderr "$JRA" -o json subscriber create "File2 KK" --eab-out "$f.2"
	[ "$status" -eq 0 ]
	[ "$(jq -r .eab.hmac_key <<<"$output")" = null ]
	[ "$(jq -r .eab.kid <<<"$output")" = "$(jq -r .kid "$f.2")" ]

	# rotate-eab --eab-out keeps the new key off the terminal as well
	id=$(jq -r .id <<<"$output")
	run --separate-stderr "$JRA" subscriber rotate-eab "$id" --eab-out "$f.3"
	[ "$status" -eq 0 ]
	eab_file_private "$f.3"

	# never overwritten, and nothing created then
	run --separate-stderr "$JRA" subscriber create "Third KK" --eab-out "$f"
	[ "$status" -eq 65 ]
	[ "$(jq -r .kid "$f")" = "$kid" ]
	[ "$(grep -c 'POST /registrar/v1/subscribers -> 201' "$SANDBOX_DIR/sandbox.log")" -eq 2 ]
}

@test "subscriber create: a usage error sends nothing" {
	run --separate-stderr "$JRA" subscriber create
	[ "$status" -eq 64 ]
	run --separate-stderr "$JRA" subscriber create A B
	[ "$status" -eq 64 ]
	run --separate-stderr "$JRA" subscriber show S1 --customer-ref x
	[ "$status" -eq 64 ]
	run grep -c 'POST /registrar/v1/subscribers' "$SANDBOX_DIR/sandbox.log"
	[ "$output" -eq 0 ]
}

@test "a batch of 50 FQDNs from a file, -j 4: each applied once, under the subscriber, in input order" {
	create "Bulk KK"
	list 50 bulk
	run --separate-stderr "$JRA" -o jsonl apply -f "$BATS_TEST_TMPDIR/list" -j 4 \
		--period 1y --agree-terms --subscriber "$SUB" --customer-ref batch-1
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 50 ]
	# the answers in input order
	[ "$(jq -r .fqdn <<<"$output")" = "$(cat "$BATS_TEST_TMPDIR/list")" ]
	[ "$(jq -r .subscriber <<<"$output" | sort -u)" = "$SUB" ]
	[ "$(jq -r .eab <<<"$output" | sort -u)" = null ]
	[ "$(applied_201)" -eq 50 ]
	# no subscriber created but the one
	[ "$(grep -c 'POST /registrar/v1/subscribers -> 201' "$SANDBOX_DIR/sandbox.log")" -eq 1 ]
	# what the sandbox holds: each FQDN once, under that subscriber
	run --separate-stderr "$JRA" -o jsonl status --all --subscriber "$SUB"
	[ "$status" -eq 0 ]
	[ "$(jq -r .fqdn <<<"$output" | sort)" = "$(sort "$BATS_TEST_TMPDIR/list")" ]
	[ "$(jq -r .customer_ref <<<"$output" | sort -u)" = batch-1 ]
	# a finished batch leaves no journal behind
	[ -z "$(ls "$XDG_STATE_HOME/jra")" ]
}

@test "a batch with a bad line and an FQDN in service exits 2 and reports each" {
	create "Mixed KK"
	run --separate-stderr "$JRA" apply taken.example.jp --period 1m --agree-terms
	[ "$status" -eq 0 ]
	printf '%s\n' ok1.example.jp 'bad..example.jp' taken.example.jp ok2.example.jp \
		>"$BATS_TEST_TMPDIR/list"
	run --separate-stderr "$JRA" -o jsonl apply -f "$BATS_TEST_TMPDIR/list" \
		--period 1m --agree-terms --subscriber "$SUB"
	echo "$stderr"
	[ "$status" -eq 2 ]
	[ "$(jq -r .fqdn <<<"$output")" = "$(printf '%s\n' ok1.example.jp ok2.example.jp)" ]
	[[ "$stderr" == *"bad..example.jp"* ]]
	[[ "$stderr" == *"cannot apply for 'taken.example.jp'"* ]]
	[ "$(grep -c '^jra: ' <<<"$stderr")" -ge 2 ]
	# the one in service stays with its own subscriber
	run "$JRA" -o jsonl status taken.example.jp
	[ "$(json_str subscriber "$output")" != "$SUB" ]
}

@test "a batch without --subscriber is refused (64) and sends nothing; so is --eab-out" {
	run --separate-stderr "$JRA" apply a.example.jp b.example.jp --period 1m --agree-terms
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"jra subscriber create"* ]]
	list 3 nosub
	run --separate-stderr "$JRA" apply -f "$BATS_TEST_TMPDIR/list" --period 1m \
		--agree-terms --subscriber-name "New KK"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"jra subscriber create"* ]]
	run --separate-stderr "$JRA" apply -f "$BATS_TEST_TMPDIR/list" --period 1m \
		--agree-terms --subscriber S1 --eab-out "$BATS_TEST_TMPDIR/eab.json"
	[ "$status" -eq 64 ]
	[ ! -e "$BATS_TEST_TMPDIR/eab.json" ]
	run grep -c 'registrar/v1' "$SANDBOX_DIR/sandbox.log"
	[ "$output" -eq 0 ]
}

@test "an unanswered application keeps the journal; --resume applies each FQDN exactly once" {
	local rc=0
	create "Resume KK"
	list 5 res
	# the first application's answer is lost (the terms are read with a GET
	# before it, which the fault leaves alone)
	run sbx_api POST faults '{"mode":"drop-after-commit","count":1,"method":"POST"}'
	[ "$(http_status)" = 200 ]
	"$JRA" -o jsonl apply -f "$BATS_TEST_TMPDIR/list" -j 1 --period 1m --agree-terms \
		--subscriber "$SUB" --retries 0 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" ||
		rc=$?
	stderr=$(cat "$BATS_TEST_TMPDIR/err")
	echo "$stderr"
	grep -q 'GET /registrar/v1/terms -> 200$' "$SANDBOX_DIR/sandbox.log"
	[ "$rc" -eq 75 ] || [ "$rc" -eq 2 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 4 ]
	[[ "$stderr" == *"jra: 1 items got no final answer and may have taken effect"* ]]
	[ "$(ls "$XDG_STATE_HOME/jra" | wc -l)" -eq 1 ]
	[ "$(applied_201)" -eq 5 ]
	# again without --resume: refused, it would send new keys
	run --separate-stderr "$JRA" -o jsonl apply -f "$BATS_TEST_TMPDIR/list" -j 1 \
		--period 1m --agree-terms --subscriber "$SUB"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"--resume"* ]]

	run --separate-stderr "$JRA" -v --resume -o jsonl apply -f "$BATS_TEST_TMPDIR/list" \
		-j 1 --period 1m --agree-terms --subscriber "$SUB"
	echo "$stderr"
	[ "$status" -eq 0 ]
	# the lost answer comes back with the first key, not as fqdn-in-service
	[ "${#lines[@]}" -eq 1 ]
	[ "$(grep -c '^jra: POST ' <<<"$stderr")" -eq 1 ]
	[ "$(grep -c -- '-> 201 replayed' <<<"$stderr")" -eq 1 ]
	# what the sandbox acted on, less the answer it replayed
	[ "$(applied_201)" -eq 6 ]
	! grep -q 'POST /registrar/v1/fqdns -> 409' "$SANDBOX_DIR/sandbox.log"
	[ -z "$(ls "$XDG_STATE_HOME/jra")" ]
	run --separate-stderr "$JRA" -o jsonl status --all --subscriber "$SUB"
	[ "$(jq -r .fqdn <<<"$output" | sort)" = "$(sort "$BATS_TEST_TMPDIR/list")" ]
}

@test "a killed batch apply finishes with --resume: each FQDN applied exactly once" {
	local list=$BATS_TEST_TMPDIR/list pid i
	create "Killed KK"
	list 60 kill
	run sbx_api POST faults '{"mode":"delay","count":100000,"delay_ms":30}'
	[ "$(http_status)" = 200 ]
	"$JRA" -o jsonl apply -f "$list" --period 1m --agree-terms --subscriber "$SUB" \
		>"$BATS_TEST_TMPDIR/out1" 2>/dev/null &
	pid=$!
	for i in $(seq 1 200); do
		[ "$(applied_201)" -ge 20 ] && break
		sleep 0.05
	done
	kill -KILL "$pid"
	wait "$pid" || true
	[ "$(applied_201)" -lt 60 ]
	[ -n "$(ls "$XDG_STATE_HOME/jra")" ]

	run --separate-stderr "$JRA" --resume -o jsonl apply -f "$list" --period 1m \
		--agree-terms --subscriber "$SUB"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ ([0-9]+)\ items\ were\ done\ by\ an\ earlier\ run ]]
	[ -z "$(ls "$XDG_STATE_HOME/jra")" ]
	run --separate-stderr "$JRA" -o jsonl status --all --subscriber "$SUB"
	[ "$(jq -r .fqdn <<<"$output" | sort)" = "$(sort "$list")" ]
	# each created by one request: none refused as already in service
	[ "$(applied_201)" -ge 60 ]
	! grep -q 'POST /registrar/v1/fqdns -> 409' "$SANDBOX_DIR/sandbox.log"
}

@test "SIGINT stops a batch apply (75) with what was done; --resume applies the rest once" {
	local list=$BATS_TEST_TMPDIR/list pid rc=0 done_n left i
	create "Interrupted KK"
	list 40 int
	run sbx_api POST faults '{"mode":"delay","count":100000,"delay_ms":30}'
	[ "$(http_status)" = 200 ]
	"$JRA" -o jsonl apply -f "$list" --period 1y --agree-terms --subscriber "$SUB" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for i in $(seq 1 200); do
		[ "$(applied_201)" -ge 10 ] && break
		sleep 0.05
	done
	kill -INT "$pid"
	wait "$pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/err"
	[ "$rc" -eq 75 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/err")" =~ interrupted:\ ([0-9]+)\ done,\ ([0-9]+)\ not\ started ]]
	done_n=${BASH_REMATCH[1]} left=${BASH_REMATCH[2]}
	[ "$left" -gt 0 ]
	[ $((done_n + left)) -eq 40 ]
	# what it says was done is what it printed, in input order, and what the sandbox did
	[ "$(jq -r .fqdn "$BATS_TEST_TMPDIR/out")" = "$(head -n "$done_n" "$list")" ]
	[ "$(applied_201)" -eq "$done_n" ]
	grep -q -- "--resume" "$BATS_TEST_TMPDIR/err"

	run --separate-stderr "$JRA" --resume -o jsonl apply -f "$list" --period 1y \
		--agree-terms --subscriber "$SUB"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq "$left" ]
	[ "$(jq -r .fqdn <<<"$output")" = "$(tail -n "$left" "$list")" ]
	[ "$(applied_201)" -eq 40 ]
	! grep -q 'POST /registrar/v1/fqdns -> 409' "$SANDBOX_DIR/sandbox.log"
}
