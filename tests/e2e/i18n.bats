#!/usr/bin/env bats
# jra in Japanese: LANG=ja_JP.UTF-8 gives the messages, the help and the
# table headers of po/ja.po, any other locale English; the exit status and
# what scripts read (JSON, JSONL, CSV) never change with the language.
# meson passes JRA_BUILD_LOCALEDIR, where the build tree keeps the catalogs.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	: "${JRA_BUILD_LOCALEDIR:?set JRA_BUILD_LOCALEDIR to the po directory of the build tree}"
	[ -f "$JRA_BUILD_LOCALEDIR/ja/LC_MESSAGES/jra.mo" ] || {
		echo "no $JRA_BUILD_LOCALEDIR/ja/LC_MESSAGES/jra.mo: build po/ first" >&2
		return 1
	}
	locale -a | grep -qix 'ja_JP.utf-\?8' || {
		echo "the ja_JP.UTF-8 locale is missing: run tests/deps.sh as root" >&2
		return 1
	}
	export JRA_LOCALEDIR=$JRA_BUILD_LOCALEDIR
	unset LANGUAGE LC_ALL LC_MESSAGES
	start_sandbox --now 2026-01-31T15:30:00Z
}

teardown() {
	stop_sandbox
}

@test "cancel of an unknown FQDN answers in Japanese with the exit status of English" {
	LANG=C run --separate-stderr "$JRA" cancel no-such.jp
	local en_status=$status en_stderr=$stderr
	[ "$en_status" -ne 0 ]
	[[ "$en_stderr" == "jra: cannot cancel 'no-such.jp': not found"* ]]
	LANG=ja_JP.UTF-8 run --separate-stderr "$JRA" cancel no-such.jp
	[ "$status" -eq "$en_status" ]
	[[ "$stderr" == "jra: 'no-such.jp' の利用終了の届け出ができません: 見つかりません"* ]]
	[[ "$stderr" != *"cannot cancel"* ]]
}

@test "a usage error is in Japanese with exit status 64 in both languages" {
	LANG=C run --separate-stderr "$JRA" cancel
	[ "$status" -eq 64 ]
	[[ "$stderr" == "jra: cancel needs FQDNs or -f FILE"* ]]
	LANG=ja_JP.UTF-8 run --separate-stderr "$JRA" cancel
	[ "$status" -eq 64 ]
	[[ "$stderr" == "jra: cancel には FQDN または -f FILE が必要です"* ]]
	[[ "$stderr" == *"使い方: jra cancel FQDN..."* ]]
}

@test "help cancel is in Japanese, with the same options as in English" {
	LANG=C run --separate-stderr "$JRA" help cancel
	[ "$status" -eq 0 ]
	local en=$output
	[[ "$en" == "usage: jra cancel FQDN..."* ]]
	[[ "$en" == *"Files the cancellation of FQDNs"* ]]
	LANG=ja_JP.UTF-8 run --separate-stderr "$JRA" help cancel
	[ "$status" -eq 0 ]
	[[ "$output" == "使い方: jra cancel FQDN..."* ]]
	[[ "$output" == *"利用FQDNの利用終了を届け出ます。利用期間満了日の終了をもって"* ]]
	[[ "$output" == *"このヘルプを表示する"* ]]
	[[ "$output" != *"show this help"* ]]
	# the option column is the same in both: completions and the doc test read it
	[ "$(printf '%s\n' "$output" | sed -n 's/^    \(-[^ ]*\).*/\1/p')" = \
	  "$(printf '%s\n' "$en" | sed -n 's/^    \(-[^ ]*\).*/\1/p')" ]
}

@test "a locale other than Japanese gives English, and LC_ALL wins over LANG" {
	LANG=C run "$JRA" --help
	local en=$output
	[[ "$en" == *"commands:"* ]]
	LANG=en_US.UTF-8 run "$JRA" --help
	[ "$output" = "$en" ]
	LANG=ja_JP.UTF-8 LC_ALL=C run "$JRA" --help
	[ "$output" = "$en" ]
	LANG=C LC_ALL=ja_JP.UTF-8 run "$JRA" --help
	[[ "$output" == *"コマンド:"* ]]
	# messages from LC_MESSAGES, their encoding from LC_CTYPE (here LANG)
	LANG=en_US.UTF-8 LC_MESSAGES=ja_JP.UTF-8 run "$JRA" --help
	[[ "$output" == *"コマンド:"* ]]
}

@test "json, jsonl and csv output are byte for byte the same in both languages" {
	"$JRA" apply a.example.jp --period 1m --agree-terms >/dev/null
	"$JRA" apply b.example.jp --period 1y --agree-terms >/dev/null
	"$JRA" cancel b.example.jp >/dev/null
	for fmt in json jsonl csv; do
		LANG=C "$JRA" -o "$fmt" status a.example.jp b.example.jp >"$SANDBOX_DIR/en.$fmt"
		LANG=ja_JP.UTF-8 "$JRA" -o "$fmt" status a.example.jp b.example.jp \
			>"$SANDBOX_DIR/ja.$fmt"
		[ -s "$SANDBOX_DIR/en.$fmt" ]
		cmp "$SANDBOX_DIR/en.$fmt" "$SANDBOX_DIR/ja.$fmt"
	done
	LANG=C "$JRA" -o json status --all >"$SANDBOX_DIR/en.all"
	LANG=ja_JP.UTF-8 "$JRA" -o json status --all >"$SANDBOX_DIR/ja.all"
	cmp "$SANDBOX_DIR/en.all" "$SANDBOX_DIR/ja.all"
	# CSV keeps its English header: scripts name the columns
	[[ "$(head -n 1 "$SANDBOX_DIR/ja.csv")" == FQDN,STATE,SUBSCRIBER,PERIOD,* ]]
}

@test "the table header is translated and its columns stay aligned" {
	"$JRA" apply a.example.jp --period 1m --agree-terms >/dev/null
	LANG=C run --separate-stderr "$JRA" status --all
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "FQDN  "*"STATE  "*"SUBSCRIBER"* ]]
	LANG=ja_JP.UTF-8 run --separate-stderr "$JRA" status --all
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "利用FQDN  "*"状態  "*"本サービス利用者  "*"利用期間満了日"* ]]
	[[ "${lines[1]}" == "a.example.jp  applied  "* ]]
	# the value of STATE starts under its header: 利用FQDN is 8 columns wide
	local col
	col=$(printf '%s\n' "${lines[1]}" | awk '{ print index($0, "applied") }')
	[ "$col" -eq 15 ]
}
