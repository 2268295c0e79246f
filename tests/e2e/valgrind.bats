#!/usr/bin/env bats
# jra under valgrind's memcheck against the hostile server and on a few
# representative command lines: no invalid read or write, no use of
# uninitialised memory, and no leak (valgrind exits 99 on any of them).
#
# meson passes JRA and HOSTILE, as for hostile.bats.

load hostile

export JRA_VALGRIND=1

@test "valgrind: an FQDN in each output format, in parallel" {
	start_hostile fqdn
	for fmt in table json jsonl csv; do
		jra_timed -o "$fmt" status -j 4 a.example.jp b.example.jp c.example.jp
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
	done
	[ "$(requests)" -eq 12 ]
}

@test "valgrind: a batch from a file, logging headers and bodies" {
	start_hostile fqdn
	printf '# renewals\nexample.jp\n\n日本.jp\nbad..name\n' >"$BATS_TEST_TMPDIR/list"
	jra_timed -vv status -j 2 -f "$BATS_TEST_TMPDIR/list"
	[ "$status" -eq 2 ]
	printf '%s\n' "$stderr" | grep -q "^jra: .*bad..name"
	printf '%s\n' "$stderr" | grep -q "^< HTTP/1.1 200"
}

@test "valgrind: a dry run of a batch of changes" {
	start_hostile fqdn
	printf 'a.example.jp\nb.example.jp\n' >"$BATS_TEST_TMPDIR/list"
	jra_timed --dry-run cancel -f "$BATS_TEST_TMPDIR/list"
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq 0 ]
}

@test "valgrind: garbage" {
	start_hostile garbage
	jra_timed status example.jp
	[ "$status" -eq 65 ]
}

@test "valgrind: a 10 MB chunked body" {
	start_hostile big-chunked
	jra_timed status example.jp
	[ "$status" -eq 65 ]
}

@test "valgrind: a truncated answer, retried" {
	start_hostile truncated
	jra_timed --retries 1 status example.jp
	[ "$status" -eq 75 ]
}

@test "valgrind: a redirect" {
	start_hostile redirect
	jra_timed status example.jp
	[ "$status" -eq 65 ]
}

@test "valgrind: a slow drip in a parallel batch" {
	start_hostile drip
	jra_timed --timeout 2 status -j 4 a.example.jp b.example.jp c.example.jp
	[ "$status" -eq 75 ]
}

@test "valgrind: 500 forever on a change" {
	start_hostile error
	jra_timed --retries 1 cancel example.jp
	[ "$status" -eq 69 ]
}

@test "valgrind: members of the wrong types, one FQDN and a list" {
	start_hostile wrong-types
	jra_timed status example.jp
	[ "$status" -eq 65 ]
	jra_timed -o csv status --all
	[ "$status" -eq 65 ]
}
