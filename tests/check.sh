#!/bin/sh
# Installs what is missing, builds jra with warnings as errors, and runs the
# whole test suite (unit tests, then end-to-end tests against jra-sandbox).
set -eu
cd "$(dirname "$0")/.."

sh tests/deps.sh

builddir=${JRA_BUILDDIR:-build}
if [ -d "$builddir" ]; then
	meson setup --reconfigure "$builddir" -Dwerror=true >/dev/null
else
	meson setup "$builddir" -Dwerror=true >/dev/null
fi
ninja -C "$builddir"
meson test -C "$builddir" --print-errorlogs "$@"
