#!/usr/bin/env bats
# jra-sandbox's registrar API beyond the life of one FQDN: lists and
# their cursors, PATCH, subscribers and EAB rotation, Idempotency-Key
# (contract §3), injected faults and the rate limit.

load helpers

setup() {
	start_sandbox --now 2026-06-01T01:00:00Z
}

teardown() {
	stop_sandbox
}

apply() {
	run sbx_req fqdns --data "{\"fqdn\":\"$1\",\"period\":\"1m\",\"agreed_terms_version\":\"2025-08-22\"${2:+,$2}}"
	[ "$(http_status)" = 201 ]
}

# The fqdn members of the items in $output, one a line.
item_fqdns() {
	http_body | grep -o '"fqdn":"[^"]*"' | sed 's/"fqdn":"\(.*\)"/\1/'
}

@test "GET /fqdns pages in fqdn order with a cursor that survives changes" {
	for n in e a d c b; do
		apply "$n.example.jp"
	done
	run sbx_req 'fqdns?limit=2'
	[ "$(http_status)" = 200 ]
	[ "$(item_fqdns | tr '\n' ' ')" = "a.example.jp b.example.jp " ]
	local cursor
	cursor=$(json_str next_cursor)
	[ -n "$cursor" ]
	# an FQDN that sorts before the cursor appears meanwhile: the next page does not move
	apply 0.example.jp
	run sbx_req "fqdns?limit=2&cursor=$cursor"
	[ "$(item_fqdns | tr '\n' ' ')" = "c.example.jp d.example.jp " ]
	cursor=$(json_str next_cursor)
	run sbx_req "fqdns?limit=2&cursor=$cursor"
	[ "$(item_fqdns | tr '\n' ' ')" = "e.example.jp " ]
	[[ "$(http_body)" == *'"next_cursor":null'* ]]
}

@test "GET /fqdns filters by state, subscriber and end date" {
	apply a.example.jp
	local kid sub
	kid=$(json_str kid)
	sub=$(json_str subscriber)
	apply b.example.jp
	run sbx_api POST issuance "{\"eab_kid\":\"$kid\",\"names\":[\"a.example.jp\"]}"
	run sbx_req 'fqdns?state=active'
	[ "$(item_fqdns | tr '\n' ' ')" = "a.example.jp " ]
	run sbx_req 'fqdns?state=applied'
	[ "$(item_fqdns | tr '\n' ' ')" = "b.example.jp " ]
	run sbx_req "fqdns?subscriber=$sub"
	[ "$(item_fqdns | tr '\n' ' ')" = "a.example.jp " ]
	# the end date is 2026-07-31; both bounds are exclusive
	run sbx_req 'fqdns?end_before=2026-08-01'
	[ "$(item_fqdns | tr '\n' ' ')" = "a.example.jp " ]
	run sbx_req 'fqdns?end_before=2026-07-31'
	[ "$(item_fqdns)" = "" ]
	run sbx_req 'fqdns?end_after=2026-07-30'
	[ "$(item_fqdns | tr '\n' ' ')" = "a.example.jp " ]
	run sbx_req 'fqdns?state=gone'
	[ "$(http_status)" = 400 ]
	run sbx_req 'fqdns?limit=1001'
	[ "$(http_status)" = 400 ]
}

@test "PATCH changes renewal_period and customer_ref, and nothing else" {
	apply a.example.jp '"customer_ref":"c-1"'
	run sbx_req fqdns/a.example.jp -X PATCH --data '{"customer_ref":"c-2","renewal_period":"1y"}'
	[ "$(http_status)" = 200 ]
	[ "$(json_str customer_ref)" = c-2 ]
	[ "$(json_str renewal_period)" = 1y ]
	[ "$(json_str period)" = 1m ]
	run sbx_req fqdns/a.example.jp -X PATCH --data '{"period":"1y"}'
	[ "$(http_status)" = 400 ]
	run sbx_req fqdns/a.example.jp/cancellation -X POST
	run sbx_req fqdns/a.example.jp -X PATCH --data '{"customer_ref":"c-3"}'
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = invalid-state ]
}

@test "a wrong body is refused with every wrong field named, in the order the handlers check" {
	run sbx_req fqdns --data '{"fqdn":5,"period":"2y","subscriber":"S000001","subscriber_name":"n"}'
	[ "$(http_status)" = 400 ]
	[ "$(http_header Content-Type)" = application/problem+json ]
	[[ "$(http_body)" == '{"type":"urn:jra:problem:invalid-request","title":"Invalid request","status":400,"detail":"the request has 4 invalid fields","errors":[{"field":"fqdn","detail":"must be a string"},{"field":"agreed_terms_version","detail":"is required"},{"field":"period","detail":"must be 1m or 1y"},{"field":"subscriber_name","detail":"is only for a new subscriber; leave it out when subscriber is given"}]}' ]]
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","fqdn":"b.example.jp"}'
	[ "$(http_status)" = 400 ]
	[[ "$(json_str detail)" == "the body is not a JSON object: duplicate object key"* ]]
	# the FQDN is looked up first: an unknown one is 404 whatever the body says
	run sbx_req fqdns/none.example.jp/revocation --data '{"reason":2}'
	[ "$(http_status)" = 404 ]
	apply a.example.jp
	run sbx_req fqdns/a.example.jp/revocation --data '{"reason":"1","serials":[]}'
	[ "$(http_status)" = 400 ]
	[[ "$(http_body)" == *'"detail":"bad serials","errors":[{"field":"serials","detail":"must be a non-empty array of serials"}]}' ]]
	run sbx_req fqdns/a.example.jp/revocation --data '{"reason":2}'
	[ "$(http_status)" = 422 ]
	[ "$(problem_type)" = reason-not-allowed ]
	run sbx_req fqdns/a.example.jp/transfer --data '{"subscriber":7}'
	[ "$(http_status)" = 400 ]
	[[ "$(http_body)" == *'"errors":[{"field":"code","detail":"is required"},{"field":"subscriber","detail":"must be a string"}]}' ]]
	run sbx_api POST faults '{"mode":"delay","count":-1}'
	[[ "$output" == "HTTP/"*" 400"* ]]
	[[ "$output" == *'"errors":[{"field":"count","detail":"must be an integer from 0 to 1000000"},{"field":"delay_ms","detail":"is required with mode delay"}]}'* ]]
	run sbx_api POST clock/advance '{"days":1,"seconds":1}'
	[[ "$output" == *'"errors":[{"field":"seconds","detail":"give exactly one of days and seconds"}]}'* ]]
	# nothing was armed: the next request is answered
	run sbx_req fqdns/a.example.jp
	[ "$(http_status)" = 200 ]
}

@test "subscribers: create, read, rotate EAB; the old kid stops working" {
	run sbx_req subscribers --data '{"name":"Example Co","customer_ref":"cust-9"}'
	[ "$(http_status)" = 201 ]
	local id kid hmac
	id=$(json_str id)
	kid=$(json_str kid)
	hmac=$(json_str hmac_key)
	# 256 bits in base64url without padding
	[ "${#hmac}" -eq 43 ]
	[[ "$hmac" =~ ^[A-Za-z0-9_-]+$ ]]
	[ "$(json_str eab_kid)" = "$kid" ]
	run sbx_req "subscribers/$id"
	[ "$(http_status)" = 200 ]
	[ "$(json_str customer_ref)" = cust-9 ]
	[[ "$(http_body)" != *hmac_key* ]]
	apply a.example.jp "\"subscriber\":\"$id\""
	[[ "$(http_body)" != *'"eab"'* ]]
	run sbx_req "subscribers/$id/eab" -X POST
	[ "$(http_status)" = 200 ]
	local kid2
	kid2=$(json_str kid)
	[ -n "$kid2" ] && [ "$kid2" != "$kid" ]
	run sbx_api POST issuance "{\"eab_kid\":\"$kid\",\"names\":[\"a.example.jp\"]}"
	[ "$(http_status)" = 401 ]
	run sbx_api POST issuance "{\"eab_kid\":\"$kid2\",\"names\":[\"a.example.jp\"]}"
	[ "$(http_status)" = 201 ]
	run sbx_req subscribers/S999999
	[ "$(http_status)" = 404 ]
}

@test "contract §3: the same Idempotency-Key and request answers the first response again" {
	local body='{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	run sbx_req fqdns --data "$body" --idempotency-key key-1
	[ "$(http_status)" = 201 ]
	local first
	first=$(http_body)
	[ -z "$(http_header Idempotent-Replayed)" ]
	run sbx_req fqdns --data "$body" --idempotency-key key-1
	[ "$(http_status)" = 201 ]
	[ "$(http_header Idempotent-Replayed)" = true ]
	[ "$(http_body)" = "$first" ]
	run sbx_req fqdns --data '{"fqdn":"b.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}' \
		--idempotency-key key-1
	[ "$(http_status)" = 422 ]
	[ "$(problem_type)" = idempotency-key-reuse ]
	# kept 24 h
	run sbx_api POST clock/advance '{"seconds":86401}'
	run sbx_req fqdns --data "$body" --idempotency-key key-1
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = fqdn-in-service ]
}

@test "contract §3: a key still in progress answers 409 idempotency-key-in-use" {
	run sbx_api POST faults '{"mode":"delay","count":1,"delay_ms":2500}'
	[ "$(http_status)" = 200 ]
	local body='{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	sbx_req fqdns --data "$body" --idempotency-key slow-1 >"$SANDBOX_DIR/first.out" 3>&- &
	local pid=$!
	sleep 1
	run sbx_req fqdns --data "$body" --idempotency-key slow-1
	[ "$(http_status)" = 409 ]
	[ "$(problem_type)" = idempotency-key-in-use ]
	wait "$pid"
	output=$(cat "$SANDBOX_DIR/first.out")
	[ "$(http_status)" = 201 ]
}

@test "fault status-503 answers 503 with Retry-After for the next N requests" {
	run sbx_api POST faults '{"mode":"status-503","count":2}'
	run sbx_req terms
	[ "$(http_status)" = 503 ]
	[ "$(problem_type)" = unavailable ]
	[ -n "$(http_header Retry-After)" ]
	run sbx_req terms
	[ "$(http_status)" = 503 ]
	run sbx_req terms
	[ "$(http_status)" = 200 ]
}

@test "fault drop-before-commit closes without a byte and changes nothing" {
	run sbx_api POST faults '{"mode":"drop-before-commit","count":1}'
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	[ "$status" -eq 3 ]
	[ -z "$(http_status)" ]
	run sbx_req fqdns/a.example.jp
	[ "$(http_status)" = 404 ]
}

@test "fault drop-after-commit closes without a byte after the change is saved" {
	run sbx_api POST faults '{"mode":"drop-after-commit","count":1}'
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}' \
		--idempotency-key drop-1
	[ "$status" -eq 3 ]
	[ -z "$(http_status)" ]
	run sbx_req fqdns/a.example.jp
	[ "$(http_status)" = 200 ]
	# the retry with the same key learns what happened
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}' \
		--idempotency-key drop-1
	[ "$(http_status)" = 201 ]
	[ "$(http_header Idempotent-Replayed)" = true ]
}

@test "fault delay holds the answer back" {
	run sbx_api POST faults '{"mode":"delay","count":1,"delay_ms":1500}'
	local t0 t1
	t0=$(date +%s%N)
	run sbx_req terms
	t1=$(date +%s%N)
	[ "$(http_status)" = 200 ]
	[ $(((t1 - t0) / 1000000)) -ge 1500 ]
}

@test "a fault aimed at one method leaves the others alone and uncounted" {
	run sbx_api POST faults '{"mode":"status-503","count":1,"method":"POST"}'
	[ "$(http_status)" = 200 ]
	[ "$(json_str method)" = POST ]
	run sbx_req terms
	[ "$(http_status)" = 200 ]
	run sbx_req terms
	[ "$(http_status)" = 200 ]
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	[ "$(http_status)" = 503 ]
	run sbx_req fqdns --data '{"fqdn":"a.example.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	[ "$(http_status)" = 201 ]
	run sbx_api POST faults '{"mode":"status-503","count":1,"method":"PUT"}'
	[ "$(http_status)" = 400 ]
}

@test "faults refuse an unknown mode" {
	run sbx_api POST faults '{"mode":"explode","count":1}'
	[ "$(http_status)" = 400 ]
}

@test "the rate limit answers 429 rate-limited with Retry-After" {
	restart_sandbox --rate-limit 3/min
	for i in 1 2 3; do
		run sbx_req terms
		[ "$(http_status)" = 200 ]
	done
	run sbx_req terms
	[ "$(http_status)" = 429 ]
	[ "$(problem_type)" = rate-limited ]
	local ra
	ra=$(http_header Retry-After)
	[ "$ra" -ge 1 ] && [ "$ra" -le 60 ]
}

@test "an IDN FQDN is applied in its A-label form and shown in Unicode too" {
	apply xn--wgv71a119e.jp
	[ "$(json_str unicode)" = "日本語.jp" ]
	run sbx_req fqdns/xn--wgv71a119e.jp
	[ "$(http_status)" = 200 ]
	[[ "$(http_body)" == *'"covered_names":["xn--wgv71a119e.jp","www.xn--wgv71a119e.jp"]'* ]]
	# the wire form only: Unicode is refused
	run sbx_req fqdns --data '{"fqdn":"日本語.jp","period":"1m","agreed_terms_version":"2025-08-22"}'
	[ "$(http_status)" = 400 ]
	[ "$(problem_type)" = invalid-fqdn ]
}

@test "unknown paths and methods are refused with problems" {
	run sbx_req nothing-here
	[ "$(http_status)" = 404 ]
	[ "$(problem_type)" = not-found ]
	run sbx_req terms -X DELETE
	[ "$(http_status)" = 405 ]
}
