#!/usr/bin/env bats
# Transfers between registrars (contract §5, Transfer): the losing side's
# one-time code valid 14 days, the gaining side's request, approval,
# rejection, cancellation, and automatic approval after 5 days.

load helpers

setup() {
	start_sandbox --now 2026-03-10T03:00:00Z
	add_registrar R0002
	sbx_apply example.jp 1y
	sbx_issue "$KID" example.jp www.example.jp
}

teardown() {
	stop_sandbox
}

new_code() {
	run sbx_req fqdns/example.jp/transfer-code -X POST
	[ "$(http_status)" = 201 ]
	CODE=$(json_str code)
	[ -n "$CODE" ]
}

request() {
	run sbx_req_as R0002 fqdns/example.jp/transfer --data "{\"code\":\"$1\"}"
}

@test "a code is only for an active FQDN, and expires exactly 14 days after it is issued" {
	run sbx_req fqdns --data '{"fqdn":"applied.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	run sbx_req fqdns/applied.jp/transfer-code -X POST
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = invalid-state ]
	new_code
	local now
	run sbx_api GET clock
	now=$(json_str now)
	new_code
	local exp
	exp=$(json_str expires_at)
	local want
	want=$(date -u -d "@$(( $(date -u -d "$now" +%s) + 14 * 86400 ))" +%FT%TZ)
	# issued within a second of the clock read
	[ "$exp" = "$want" ] || [ "$exp" = "$(date -u -d "@$(( $(date -u -d "$want" +%s) + 1 ))" +%FT%TZ)" ]
}

@test "a wrong, expired or spent code answers 403 bad-transfer-code" {
	new_code
	request wrong-code
	[ "$(http_status)" = 403 ]
	[ "$(problem_type)" = bad-transfer-code ]
	run sbx_api POST clock/advance '{"days":14}'
	request "$CODE"
	[ "$(http_status)" = 403 ]
	[ "$(problem_type)" = bad-transfer-code ]
	new_code
	request "$CODE"
	[ "$(http_status)" = 202 ]
	run sbx_req fqdns/example.jp/transfer/reject -X POST
	[ "$(http_status)" = 200 ]
	request "$CODE"
	[ "$(http_status)" = 403 ]
	[ "$(problem_type)" = bad-transfer-code ]
}

@test "a code for an FQDN that is not in service is simply bad, not 404" {
	run sbx_req_as R0002 fqdns/nothing.jp/transfer --data '{"code":"x"}'
	[ "$(http_status)" = 403 ]
	[ "$(problem_type)" = bad-transfer-code ]
}

@test "approval moves the FQDN to the gaining registrar; certificates stay valid" {
	new_code
	request "$CODE"
	[ "$(http_status)" = 202 ]
	[ "$(json_str state)" = pending ]
	[ "$(json_str losing_registrar)" = R0001 ]
	[ "$(json_str gaining_registrar)" = R0002 ]
	run sbx_req fqdns/example.jp/transfer/approve -X POST
	[ "$(http_status)" = 200 ]
	[ "$(json_str registrar)" = R0002 ]
	run sbx_req_as R0002 fqdns/example.jp
	[ "$(http_status)" = 200 ]
	[ "$(json_str state)" = active ]
	[ "$(json_str serial)" = "$SERIAL" ]
	[ "$(json_str status)" = valid ]
	run sbx_req fqdns/example.jp
	[ "$(http_status)" = 404 ]
	run sbx_req fqdns/example.jp/transfer
	[ "$(http_status)" = 200 ]
	[ "$(json_str state)" = approved ]
}

@test "while a transfer is pending any new request answers 409 transfer-pending" {
	new_code
	local code=$CODE
	request "$code"
	[ "$(http_status)" = 202 ]
	request "$code"
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = transfer-pending ]
	request whatever
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = transfer-pending ]
	run sbx_req fqdns/example.jp/transfer-code -X POST
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = transfer-pending ]
	run sbx_req fqdns/example.jp
	[ "$(json_str gaining_registrar)" = R0002 ]
}

@test "the gaining side sees GET transfer until it ends; it can cancel" {
	new_code
	request "$CODE"
	run sbx_req_as R0002 fqdns/example.jp/transfer
	[ "$(http_status)" = 200 ]
	[ "$(json_str state)" = pending ]
	# but not the FQDN itself
	run sbx_req_as R0002 fqdns/example.jp
	[ "$(http_status)" = 404 ]
	run sbx_req_as R0002 fqdns/example.jp/transfer -X DELETE
	[ "$(http_status)" = 200 ]
	[ "$(json_str state)" = cancelled ]
	run sbx_req_as R0002 fqdns/example.jp/transfer
	[ "$(http_status)" = 404 ]
	run sbx_req fqdns/example.jp/transfer
	[ "$(json_str state)" = cancelled ]
	run sbx_req_as R0002 fqdns/example.jp/transfer -X DELETE
	[ "$(http_status)" = 409 ]
	run sbx_req fqdns/example.jp/transfer/approve -X POST
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = invalid-state ]
}

@test "rejection keeps the FQDN where it was" {
	new_code
	request "$CODE"
	run sbx_req fqdns/example.jp/transfer/reject -X POST
	[ "$(http_status)" = 200 ]
	[ "$(json_str registrar)" = R0001 ]
	[[ "$(http_body)" == *'"transfer":null'* ]]
	run sbx_req_as R0002 fqdns/example.jp/transfer
	[ "$(http_status)" = 404 ]
}

@test "unanswered, a transfer is approved by the first daily processing 5x24 h after the request" {
	new_code
	request "$CODE"
	local at
	at=$(json_str auto_approve_at)
	[ "$(date -u -d "$at" +%s)" -eq $(( $(date -u -d "$(json_str requested_at)" +%s) + 5 * 86400 )) ]
	run sbx_api PUT clock "{\"now\":\"$at\"}"
	run sbx_req fqdns/example.jp/transfer
	[ "$(json_str state)" = pending ]
	# the next 00:00 JST after auto_approve_at
	local midnight
	midnight=$(date -u -d "$(TZ=JST-9 date -d "$at" +%F) +1 day 00:00 +0900" +%FT%TZ)
	run sbx_api PUT clock "{\"now\":\"$midnight\"}"
	run sbx_req fqdns/example.jp/transfer
	[ "$(json_str state)" = approved ]
	[ "$(json_str closed_at)" = "$midnight" ]
	run sbx_req_as R0002 fqdns/example.jp
	[ "$(json_str registrar)" = R0002 ]
}

@test "an FQDN that ends while a transfer is pending cancels the transfer" {
	run sbx_req fqdns --data '{"fqdn":"short.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	local kid
	kid=$(json_str kid)
	run sbx_api POST issuance "{\"eab_kid\":\"$kid\",\"names\":[\"short.jp\"]}"
	[ "$(http_status)" = 201 ]
	# two days before the end date 2026-04-30, so the end comes before any auto-approval
	run sbx_api PUT clock '{"now":"2026-04-28T03:00:00Z"}'
	run sbx_req fqdns/short.jp/transfer-code -X POST
	local code
	code=$(json_str code)
	run sbx_req fqdns/short.jp/cancellation -X POST
	[ "$(json_str state)" = cancel-pending ]
	run sbx_req_as R0002 fqdns/short.jp/transfer --data "{\"code\":\"$code\"}"
	[ "$(http_status)" = 202 ]
	# ended at 00:00 JST the day after the end date
	run sbx_api PUT clock '{"now":"2026-04-30T15:00:00Z"}'
	run sbx_req fqdns/short.jp
	[ "$(json_str state)" = ended ]
	run sbx_req fqdns/short.jp/transfer
	[ "$(json_str state)" = cancelled ]
}

@test "the registrar that manages an FQDN cannot request its transfer" {
	new_code
	run sbx_req fqdns/example.jp/transfer --data "{\"code\":\"$CODE\"}"
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = invalid-state ]
}
