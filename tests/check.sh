#!/bin/sh
# Installs what is missing, builds jra with warnings as errors, and runs the
# whole test suite (unit tests, then end-to-end tests against jra-sandbox);
# then builds again with AddressSanitizer and UndefinedBehaviorSanitizer
# and runs the suite once more; then, when clang is there, builds the
# libFuzzer targets and runs them for 30 s each.  Extra arguments go to
# `meson test`.
set -eu
cd "$(dirname "$0")/.."

sh tests/deps.sh

run_suite() {
	builddir=$1
	shift
	if [ -d "$builddir" ]; then
		meson setup --reconfigure "$builddir" -Dwerror=true "$@" >/dev/null
	else
		meson setup "$builddir" -Dwerror=true "$@" >/dev/null
	fi
	ninja -C "$builddir"
	meson test -C "$builddir" --print-errorlogs $JRA_TEST_ARGS
}

JRA_TEST_ARGS="$*"
run_suite "${JRA_BUILDDIR:-build}"
if [ "${JRA_SANITIZE:-1}" = 1 ]; then
	echo "== again with AddressSanitizer and UndefinedBehaviorSanitizer"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_suite "${JRA_BUILDDIR:-build}-sanitize" -Dsanitize=true
fi
if [ "${JRA_FUZZ:-1}" = 1 ] && command -v clang >/dev/null; then
	echo "== libFuzzer targets, 30 s each"
	(
		export CC=clang
		JRA_TEST_ARGS="--suite fuzz"
		run_suite "${JRA_BUILDDIR:-build}-fuzz" -Dfuzz=true
	)
fi
