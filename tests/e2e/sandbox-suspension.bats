#!/usr/bin/env bats
# Registrar suspension (terms §10.6) and its three effects.

load helpers

setup() {
	start_sandbox --now 2026-03-10T03:00:00Z
}

teardown() {
	stop_sandbox
}

suspend() {
	run sbx_api PUT registrars/R0001/suspension "{\"suspended\":$1}"
	[ "$(http_status)" = 200 ]
}

apply() {
	run sbx_req fqdns --data "{\"fqdn\":\"$1\",\"period\":\"1m\",\"agreed_terms_version\":\"2025-08-22\"}"
	[ "$(http_status)" = 201 ]
	KID=$(json_str kid)
}

@test "GET /registrar shows the suspension" {
	run sbx_req registrar
	[[ "$(http_body)" == *'"suspended":false'* ]]
	suspend true
	run sbx_req registrar
	[[ "$(http_body)" == *'"suspended":true'* ]]
	run sbx_api PUT registrars/R9999/suspension '{"suspended":true}'
	[ "$(http_status)" = 404 ]
}

@test "terms §10.6: a suspended registrar cannot apply, nor create subscribers" {
	suspend true
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	[ "$(http_status)" = 403 ]
	[ "$(problem_type)" = registrar-suspended ]
	run sbx_req subscribers --data '{"name":"x"}'
	[ "$(http_status)" = 403 ]
	suspend false
	apply a.example.jp
}

@test "terms §10.6: FQDNs applied before the suspension cannot start usage while it lasts" {
	apply a.example.jp
	suspend true
	run sbx_api POST issuance "{\"eab_kid\":\"$KID\",\"names\":[\"a.example.jp\"]}"
	[ "$(http_status)" = 403 ]
	[ "$(problem_type)" = registrar-suspended ]
	run sbx_req fqdns/a.example.jp
	[ "$(json_str state)" = applied ]
	suspend false
	run sbx_api POST issuance "{\"eab_kid\":\"$KID\",\"names\":[\"a.example.jp\"]}"
	[ "$(http_status)" = 201 ]
}

@test "terms §10.6: an active FQDN still gets certificates during a suspension" {
	apply a.example.jp
	run sbx_api POST issuance "{\"eab_kid\":\"$KID\",\"names\":[\"a.example.jp\"]}"
	suspend true
	run sbx_api POST issuance "{\"eab_kid\":\"$KID\",\"names\":[\"www.a.example.jp\"]}"
	[ "$(http_status)" = 201 ]
}

@test "terms §10.6: an FQDN whose end date falls in the suspension ends on it, cancellation or not" {
	apply a.example.jp
	local kid_a=$KID
	apply b.example.jp
	local kid_b=$KID
	run sbx_api POST issuance "{\"eab_kid\":\"$kid_a\",\"names\":[\"a.example.jp\"]}"
	local serial
	serial=$(json_str serial)
	run sbx_api POST issuance "{\"eab_kid\":\"$kid_b\",\"names\":[\"b.example.jp\"]}"
	run sbx_req fqdns/b.example.jp/cancellation -X POST
	[ "$(json_str state)" = cancel-pending ]
	suspend true
	# a suspended registrar cannot withdraw a cancellation
	run sbx_req fqdns/b.example.jp/cancellation -X DELETE
	[ "$(http_status)" = 403 ]
	[ "$(problem_type)" = registrar-suspended ]
	# both end on 2026-04-30; the next 00:00 JST is 2026-04-30T15:00Z
	run sbx_api PUT clock '{"now":"2026-04-30T15:00:00Z"}'
	run sbx_req fqdns/a.example.jp
	[ "$(json_str state)" = ended ]
	[ "$(json_str end_reason)" = suspension ]
	[ "$(json_str status)" = revoked ]
	[ "$(json_num revocation_reason)" = 5 ]
	run sbx_req fqdns/b.example.jp
	[ "$(json_str end_reason)" = suspension ]
}

@test "after the suspension is lifted, the service continues as usual" {
	apply a.example.jp
	run sbx_api POST issuance "{\"eab_kid\":\"$KID\",\"names\":[\"a.example.jp\"]}"
	suspend true
	suspend false
	run sbx_api PUT clock '{"now":"2026-04-30T15:00:00Z"}'
	run sbx_req fqdns/a.example.jp
	[ "$(json_str state)" = active ]
	[ "$(json_str end_date)" = 2026-05-31 ]
}
