#!/usr/bin/env bats
# Load on the sandbox: 8 concurrent jra processes race to apply the same
# FQDNs, then keep changing them (modify, cancel, withdraw-cancel) for a
# while.  No 5xx, every FQDN applied exactly once, nothing lost, and the
# database passes PRAGMA integrity_check.  JRA_LOAD_SECONDS sets how long
# the churn lasts (default 60).

bats_require_minimum_version 1.5.0

load helpers

setup() {
	start_sandbox
}

teardown() {
	stop_sandbox
}

N=24
WORKERS=8

# race WORKER: applies every FQDN of the list in its own order, logging
# "fqdn exit kid" for each.
race() {
	local w=$1 f out code
	for f in $(shuf "$BATS_TEST_TMPDIR/list"); do
		code=0
		out=$("$JRA" -o json apply "$f" --period 1m --agree-terms 2>/dev/null) || code=$?
		echo "$f $code $(jq -r '.eab.kid // "-"' <<<"${out:-{\}}")" >>"$BATS_TEST_TMPDIR/race.$w"
	done
}

# churn WORKER DEADLINE: changes the FQDNs until the deadline, logging each
# exit status.
churn() {
	local w=$1 deadline=$2 i=0 code
	while [ "$(date +%s)" -lt "$deadline" ]; do
		code=0
		case $((i % 4)) in
		0) "$JRA" modify -j 4 -f "$BATS_TEST_TMPDIR/list" --renewal-period 1y >/dev/null 2>&1 || code=$? ;;
		1) "$JRA" cancel --yes -j 4 -f "$BATS_TEST_TMPDIR/list" >/dev/null 2>&1 || code=$? ;;
		2) "$JRA" withdraw-cancel -j 4 -f "$BATS_TEST_TMPDIR/list" >/dev/null 2>&1 || code=$? ;;
		3) "$JRA" status -j 4 -f "$BATS_TEST_TMPDIR/list" -o jsonl >/dev/null 2>&1 || code=$? ;;
		esac
		echo "$code" >>"$BATS_TEST_TMPDIR/churn.$w"
		i=$((i + w + 1))
	done
}

@test "8 concurrent jra processes: no 5xx, each FQDN applied once, nothing lost, an intact database" {
	local i w pids= f wins kid deadline
	for i in $(seq 1 $N); do echo "load$i.example.jp"; done >"$BATS_TEST_TMPDIR/list"

	for w in $(seq 1 $WORKERS); do
		race "$w" &
		pids="$pids $!"
	done
	for i in $pids; do wait "$i"; done

	# exactly one apply of each FQDN won; the others were refused (exit 1)
	cat "$BATS_TEST_TMPDIR"/race.* >"$BATS_TEST_TMPDIR/race"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/race")" -eq $((N * WORKERS)) ]
	! awk '$2 != 0 && $2 != 1' "$BATS_TEST_TMPDIR/race" | grep -q .
	while read -r f; do
		wins=$(awk -v f="$f" '$1 == f && $2 == 0' "$BATS_TEST_TMPDIR/race" | wc -l)
		[ "$wins" -eq 1 ] || { echo "$f was applied $wins times" >&2; return 1; }
		kid=$(awk -v f="$f" '$1 == f && $2 == 0 { print $3 }' "$BATS_TEST_TMPDIR/race")
		sbx_issue "$kid" "$f"
	done <"$BATS_TEST_TMPDIR/list"

	deadline=$(($(date +%s) + ${JRA_LOAD_SECONDS:-60}))
	pids=
	for w in $(seq 1 $WORKERS); do
		churn "$w" "$deadline" &
		pids="$pids $!"
	done
	for i in $pids; do wait "$i"; done

	# refusals (1) and partly refused batches (2) are expected in a race;
	# anything else (69, 70, 75, 77) is not
	cat "$BATS_TEST_TMPDIR"/churn.* >"$BATS_TEST_TMPDIR/churn"
	[ -s "$BATS_TEST_TMPDIR/churn" ]
	! grep -vqx -e 0 -e 1 -e 2 "$BATS_TEST_TMPDIR/churn"
	! grep -q -- '-> 5[0-9][0-9]' "$SANDBOX_DIR/sandbox.log"

	# every FQDN is still there, once, and live (the clock did not move)
	run sbx_req "fqdns?limit=1000"
	[ "$(http_status)" = 200 ]
	[ "$(http_body | jq '[.items[] | select(.fqdn | startswith("load"))] | length')" -eq $N ]
	[ "$(http_body | jq '[.items[] | select(.state == "active" or .state == "cancel-pending")] | length')" -eq $N ]

	run sqlite3 "$SANDBOX_DIR/sandbox.db" 'PRAGMA integrity_check'
	[ "$output" = ok ]
	echo "churn: $(wc -l <"$BATS_TEST_TMPDIR/churn") batches" >&2
}
