#!/bin/sh
# Every long option that 'jra --help' or 'jra COMMAND --help' prints must be
# in jra(1), so that the page cannot fall behind the program.
# usage: help-man.sh JRA MAN-SOURCE
set -eu
jra=$1
page=$2
status=0
commands=$("$jra" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 && $1 != "commands:" { print $1 }')
[ -n "$commands" ] || { echo "no commands in 'jra --help'"; exit 1; }
for cmd in "" $commands; do
	# shellcheck disable=SC2086
	help=$("$jra" $cmd --help)
	for opt in $(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		if ! grep -q -- "\*$opt\*" "$page"; then
			echo "jra ${cmd:-(global)}: option $opt is not in $(basename "$page")"
			status=1
		fi
	done
	if [ -n "$cmd" ] && ! grep -q "^\*$cmd[* ]" "$page"; then
		echo "jra $cmd is not described under COMMANDS in $(basename "$page")"
		status=1
	fi
done
exit $status
