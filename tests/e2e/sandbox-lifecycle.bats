#!/usr/bin/env bats
# The life of an FQDN in jra-sandbox: usage start on first issuance
# (terms §10.2), end dates, continuation (§10.3), cancellation (§10.4),
# certificate validity (§3) and revocation at the end of service (§12.4).
# Expected dates are computed here with date(1) from the rule's wording.

load helpers

# 2026-01-31T15:30Z is 2026-02-01 00:30 in JST.  TZ=JST-9 is the POSIX
# spelling of UTC+9 without DST, which needs no time-zone database.
START=2026-01-31T15:30:00Z

setup() {
	start_sandbox --now "$START"
}

teardown() {
	stop_sandbox
}

# The last day of the month that follows the month of date $1 (YYYY-MM-DD) by $2 months.
last_day_after() {
	local first
	first=$(date -u -d "${1%-*}-01 +$(($2 + 1)) month" +%F)
	date -u -d "$first -1 day" +%F
}

advance_days() {
	run sbx_api POST clock/advance "{\"days\":$1}"
	[ "$(http_status)" = 200 ]
}

set_clock() {
	run sbx_api PUT clock "{\"now\":\"$1\"}"
	[ "$(http_status)" = 200 ]
}

@test "an FQDN stays applied until its first certificate" {
	sbx_apply example.jp 1m
	run sbx_req fqdns/example.jp
	[ "$(json_str state)" = applied ]
	[[ "$(http_body)" == *'"start_date":null'* ]]
}

@test "terms §10.2: usage starts on the JST date of the first issuance; 1m ends a month later" {
	sbx_apply example.jp 1m
	sbx_issue "$KID" example.jp www.example.jp
	run sbx_req fqdns/example.jp
	[ "$(json_str state)" = active ]
	local jst_day
	jst_day=$(TZ=JST-9 date -d "$START" +%F)
	[ "$jst_day" = 2026-02-01 ]
	[ "$(json_str start_date)" = "$jst_day" ]
	[ "$(json_str end_date)" = "$(last_day_after "$jst_day" 1)" ]
}

@test "terms §10.2: 1y ends on the last day of the same month next year" {
	sbx_apply example.jp 1y
	sbx_issue "$KID" www.example.jp
	run sbx_req fqdns/example.jp
	[ "$(json_str end_date)" = "$(last_day_after 2026-02-01 12)" ]
	[ "$(json_str end_date)" = 2027-02-28 ]
}

@test "terms §3: a certificate is valid until 23:59:59 JST of the issuance date + 90 days" {
	sbx_apply example.jp 1m
	sbx_issue "$KID" example.jp
	local want
	want=$(date -u -d "$(TZ=JST-9 date -d "$START" +%F) +90 day 23:59:59 +0900" +%FT%TZ)
	[ "$(json_str not_after)" = "$want" ]
}

@test "terms §5.2: only covered names of the subscriber's live FQDNs are issued" {
	sbx_apply example.jp 1m
	local kid1=$KID
	sbx_apply other.jp 1m
	run sbx_api POST issuance "{\"eab_kid\":\"$kid1\",\"names\":[\"other.jp\"]}"
	[ "$(http_status)" = 403 ]
	run sbx_api POST issuance "{\"eab_kid\":\"$kid1\",\"names\":[\"mail.example.jp\"]}"
	[ "$(http_status)" = 403 ]
	sbx_apply '*.wild.jp' 1m
	sbx_issue "$KID" '*.wild.jp' wild.jp
	run sbx_api POST issuance "{\"eab_kid\":\"$KID\",\"names\":[\"www.wild.jp\"]}"
	[ "$(http_status)" = 403 ]
}

@test "terms §10.3: with no cancellation the service continues with renewal_period" {
	sbx_apply example.jp 1m
	sbx_issue "$KID" example.jp
	run sbx_req fqdns/example.jp -X PATCH --data '{"renewal_period":"1y"}'
	[ "$(http_status)" = 200 ]
	[ "$(json_str renewal_period)" = 1y ]
	local end
	end=$(last_day_after 2026-02-01 1)
	# to late on the end date (the clock runs on meanwhile): nothing happens yet
	set_clock "$(date -u -d "$end 23:59:00 +0900" +%FT%TZ)"
	run sbx_req fqdns/example.jp
	[ "$(json_str end_date)" = "$end" ]
	# 00:00 JST the day after: continued by a year from the old end date
	run sbx_api POST clock/advance '{"seconds":60}'
	run sbx_req fqdns/example.jp
	[ "$(json_str state)" = active ]
	[ "$(json_str start_date)" = 2026-02-01 ]
	[ "$(json_str end_date)" = "$(last_day_after "$end" 12)" ]
}

@test "terms §10.3: a 1m continuation from a January end date ends in February" {
	set_clock 2026-12-10T00:00:00Z
	sbx_apply example.jp 1m
	sbx_issue "$KID" example.jp
	run sbx_req fqdns/example.jp
	[ "$(json_str end_date)" = 2027-01-31 ]
	set_clock 2027-01-31T15:00:00Z
	run sbx_req fqdns/example.jp
	[ "$(json_str end_date)" = "$(last_day_after 2027-01-31 1)" ]
	[ "$(json_str end_date)" = 2027-02-28 ]
}

@test "terms §10.4: cancelling an applied FQDN ends it at once, withdrawn" {
	sbx_apply example.jp 1m
	run sbx_req fqdns/example.jp/cancellation -X POST
	[ "$(http_status)" = 200 ]
	[ "$(json_str state)" = ended ]
	[ "$(json_str end_reason)" = withdrawn ]
	run sbx_req fqdns/example.jp/cancellation -X POST
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = invalid-state ]
	# ended, it can be applied for again
	sbx_apply example.jp 1m
}

@test "terms §10.4, §12.4: a cancellation ends the service after the end date and revokes with reason 5" {
	sbx_apply example.jp 1m
	sbx_issue "$KID" example.jp www.example.jp
	local serial=$SERIAL
	run sbx_req fqdns/example.jp/cancellation -X POST
	[ "$(json_str state)" = cancel-pending ]
	run sbx_req fqdns/example.jp/cancellation -X POST
	[ "$(http_status)" = 200 ]
	[ "$(json_str state)" = cancel-pending ]
	local end
	end=$(last_day_after 2026-02-01 1)
	set_clock "$(date -u -d "$end 23:59:00 +0900" +%FT%TZ)"
	run sbx_req fqdns/example.jp
	[ "$(json_str state)" = cancel-pending ]
	[ "$(json_str status)" = valid ]
	run sbx_api POST clock/advance '{"seconds":60}'
	run sbx_req fqdns/example.jp
	[ "$(json_str state)" = ended ]
	[ "$(json_str end_reason)" = cancelled ]
	[ "$(json_str ended_at)" = "$(date -u -d "$end +1 day 00:00 +0900" +%FT%TZ)" ]
	[ "$(json_str serial)" = "$serial" ]
	[ "$(json_str status)" = revoked ]
	[ "$(json_num revocation_reason)" = 5 ]
}

@test "terms §12.4: a multi-domain certificate is revoked when any of its FQDNs ends" {
	sbx_apply example.jp 1m
	local kid=$KID sub
	sub=$(json_str subscriber)
	run sbx_req fqdns --data "{\"fqdn\":\"second.jp\",\"period\":\"1m\",\"subscriber\":\"$sub\",\"agreed_terms_version\":\"2025-08-22\"}"
	[ "$(http_status)" = 201 ]
	sbx_issue "$kid" example.jp second.jp
	local multi=$SERIAL
	sbx_issue "$kid" www.example.jp
	local single=$SERIAL
	run sbx_req fqdns/second.jp/cancellation -X POST
	set_clock 2026-03-31T15:00:00Z
	run sbx_req fqdns/second.jp
	[ "$(json_str state)" = ended ]
	run sbx_req fqdns/example.jp
	[ "$(json_str state)" = active ]
	[[ "$(http_body)" == *"\"serial\":\"$multi\",\"names\":[\"example.jp\",\"second.jp\"],"*'"status":"revoked"'* ]]
	[[ "$(http_body)" == *"\"serial\":\"$single\""*'"status":"valid"'* ]]
}

@test "DELETE cancellation withdraws it; the service then continues" {
	sbx_apply example.jp 1m
	sbx_issue "$KID" example.jp
	run sbx_req fqdns/example.jp/cancellation -X DELETE
	[ "$(http_status)" = 409 ]
	run sbx_req fqdns/example.jp/cancellation -X POST
	run sbx_req fqdns/example.jp/cancellation -X DELETE
	[ "$(http_status)" = 200 ]
	[ "$(json_str state)" = active ]
	[[ "$(http_body)" == *'"cancel_requested_at":null'* ]]
	set_clock 2026-03-31T15:00:00Z
	run sbx_req fqdns/example.jp
	[ "$(json_str state)" = active ]
	[ "$(json_str end_date)" = 2026-04-30 ]
}

@test "certificates expire in the daily processing after not_after" {
	sbx_apply example.jp 1y
	sbx_issue "$KID" example.jp
	local na
	na=$(json_str not_after)
	# a minute before it, since the clock runs on
	set_clock "$(date -u -d "@$(( $(date -u -d "$na" +%s) - 59 ))" +%FT%TZ)"
	run sbx_req fqdns/example.jp
	[ "$(json_str status)" = valid ]
	run sbx_api POST clock/advance '{"seconds":60}'
	run sbx_req fqdns/example.jp
	[ "$(json_str status)" = expired ]
}

@test "a GET runs the daily processing owed when another process moved the clock" {
	sbx_apply example.jp 1y
	sbx_issue "$KID" example.jp
	local na
	na=$(json_str not_after)
	set_clock "$(date -u -d "@$(( $(date -u -d "$na" +%s) - 59 ))" +%FT%TZ)"
	# as another process on the same state directory would: the offset only
	sqlite3 -cmd ".timeout 10000" "$SANDBOX_DIR/sandbox.db" \
		"UPDATE meta SET value = value + 60 WHERE key = 'clock_offset'"
	[ "$(sqlite3 "$SANDBOX_DIR/sandbox.db" 'SELECT status FROM certs')" = valid ]
	run sbx_req fqdns/example.jp
	[ "$(http_status)" = 200 ]
	[ "$(json_str status)" = expired ]
	# the daily processing of that 00:00 JST, not just the answer's view of it
	[ "$(sqlite3 -cmd ".timeout 10000" "$SANDBOX_DIR/sandbox.db" 'SELECT status FROM certs')" = expired ]
}

@test "the clock only moves forward" {
	run sbx_api PUT clock '{"now":"2026-01-01T00:00:00Z"}'
	[ "$(http_status)" = 400 ]
	run sbx_api GET clock
	[[ "$(json_str now)" == 2026-01-31T15:3* ]]
	run sbx_api POST clock/advance '{"days":-1}'
	[ "$(http_status)" = 400 ]
	run sbx_api POST clock/advance '{"days":1,"seconds":1}'
	[ "$(http_status)" = 400 ]
}

@test "apply refuses bad input with the contract's problems" {
	run sbx_req fqdns --data '{"fqdn":"co.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	[ "$(http_status)" = 400 ]
	[ "$(problem_type)" = invalid-fqdn ]
	[[ "$(http_body)" == *'"errors":[{"field":"fqdn"'* ]]
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2020-01-01"}'
	[ "$(http_status)" = 422 ]
	[ "$(problem_type)" = terms-outdated ]
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"2m","agreed_terms_version":"2025-08-22"}'
	[ "$(http_status)" = 400 ]
	[[ "$(http_body)" == *'"field":"period"'* ]]
	sbx_apply a.example.jp 1m
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = fqdn-in-service ]
}

@test "GET /fqdns/{fqdn} takes the percent-encoded wildcard" {
	sbx_apply '*.example.jp' 1m
	run sbx_req 'fqdns/%2A.example.jp'
	[ "$(http_status)" = 200 ]
	[ "$(json_str fqdn)" = '*.example.jp' ]
	[[ "$(http_body)" == *'"covered_names":["*.example.jp","example.jp"]'* ]]
}

@test "terms §5.2: an FQDN too long for a www. name covers itself only, and is issued for" {
	local l63 name
	l63=$(printf '%063d' 0 | tr 0 a)
	# 249 octets: www. + it is 253, the longest a name can be
	name="b.$l63.$l63.$l63.$(printf "%052d" 0 | tr 0 b).jp"
	[ "${#name}" -eq 249 ]
	sbx_apply "$name" 1m
	run sbx_req "fqdns/$name"
	[ "$(http_body | jq -c '.covered_names | map(length)')" = "[249,253]" ]
	# 250 octets: www. + it would be 254, no name at all
	name="bb.$l63.$l63.$l63.$(printf "%052d" 0 | tr 0 b).jp"
	[ "${#name}" -eq 250 ]
	sbx_apply "$name" 1m
	run sbx_req "fqdns/$name"
	[ "$(http_body | jq -c .covered_names)" = "[\"$name\"]" ]
	sbx_issue "$KID" "$name"
	run sbx_req "fqdns/$name"
	[ "$(json_str state)" = active ]
}
