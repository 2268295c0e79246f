#!/bin/sh
# Runs every built libFuzzer target for a short time from its seed corpus.
# Builds nothing: usage: smoke.sh FUZZ_BUILD_DIR FUZZ_SOURCE_DIR [SECONDS]
# New inputs go to a scratch directory; the seeds in the tree are not
# changed.  Fails at the first target that crashes, leaks or hangs, and
# prints the input that did it.
set -eu

bindir=$1
srcdir=$2
secs=${3:-${JRA_FUZZ_SECONDS:-30}}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/jra-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

ran=0
for exe in "$bindir"/fuzz_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	name=${exe##*/fuzz_}
	seeds=$srcdir/corpus/$name
	[ -d "$seeds" ] || { echo "smoke: no seed corpus $seeds" >&2; exit 1; }
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$scratch/$name-"
	[ -f "$srcdir/$name.dict" ] && set -- "$@" -dict="$srcdir/$name.dict"
	mkdir "$scratch/$name"
	echo "== fuzz_$name for $secs s"
	if ! "$exe" "$@" "$scratch/$name" "$seeds" >"$scratch/$name.log" 2>&1; then
		tail -n 60 "$scratch/$name.log" >&2
		for a in "$scratch/$name"-*; do
			[ -f "$a" ] || continue
			echo "smoke: fuzz_$name failed on this input (base64):" >&2
			base64 "$a" >&2
		done
		exit 1
	fi
	grep -E '^stat::number_of_executed_units|^Done' "$scratch/$name.log" || true
	ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "smoke: no fuzz_* targets in $bindir" >&2; exit 1; }
echo "smoke: $ran targets, $secs s each, no finding"
