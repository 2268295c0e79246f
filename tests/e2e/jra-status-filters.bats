#!/usr/bin/env bats
# jra status --all with the end-date filters: a 1m and a 1y FQDN started on
# the same day end on different dates (terms §10.2), and the filters tell
# them apart.  Dates are computed here from the rule.

bats_require_minimum_version 1.5.0

load helpers

# 2026-03-10 10:00 JST; a 1m FQDN ends 2026-04-30, a 1y one 2027-03-31.
setup_file() {
	start_sandbox --now 2026-03-10T01:00:00Z
	for p in 1m 1y; do
		run "$JRA" -o json apply "filter-$p.example.jp" --period "$p" --agree-terms
		[ "$status" -eq 0 ]
		kid=$(jq -r .eab.kid <<<"$output")
		sbx_issue "$kid" "filter-$p.example.jp"
	done
}

teardown_file() {
	stop_sandbox
}

# The last day of the month $2 months after the month of $1.
last_day() {
	date -u -d "$(date -u -d "${1%-*}-01 +$(($2 + 1)) month" +%F) -1 day" +%F
}

@test "--ending-before and --ending-after pick FQDNs by their end date" {
	local end1m end1y
	end1m=$(last_day 2026-03-10 1)
	end1y=$(last_day 2026-03-10 12)
	run "$JRA" -o json status filter-1m.example.jp
	[ "$(jq -r .end_date <<<"$output")" = "$end1m" ]

	run "$JRA" -o jsonl status --all --ending-before "$(date -u -d "$end1m +1 day" +%F)"
	[ "$status" -eq 0 ]
	[ "$(jq -r .fqdn <<<"$output")" = filter-1m.example.jp ]

	run "$JRA" -o jsonl status --all --ending-after "$end1m"
	[ "$status" -eq 0 ]
	[ "$(jq -r .fqdn <<<"$output")" = filter-1y.example.jp ]
	[ "$(jq -r .end_date <<<"$output")" = "$end1y" ]

	# the API's names are aliases
	run "$JRA" -o jsonl status --all --end-after "$end1m"
	[ "$(jq -r .fqdn <<<"$output")" = filter-1y.example.jp ]
}

@test "the filters without --all are a usage error" {
	run "$JRA" status --ending-before 2026-12-01 filter-1m.example.jp
	[ "$status" -eq 64 ]
}
