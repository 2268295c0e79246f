#!/bin/sh
# Lints every built man page and fails on any warning: groff in its
# strictest mode (-ww), plus mandoc for outright errors.  scdoc's output
# trips mandoc's stylistic paragraph-macro warnings, which groff does not
# share, so mandoc is asked for errors only.
# usage: man.sh PAGE...
set -eu
status=0
for page in "$@"; do
	out=$(groff -ww -z -man "$page" 2>&1; mandoc -Tlint -W error "$page" 2>&1) || true
	if [ -n "$out" ]; then
		printf '%s: %s\n' "$page" "$out"
		status=1
	fi
done
exit $status
