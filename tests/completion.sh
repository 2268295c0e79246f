#!/bin/sh
# The shell completions complete commands, modes and options of the jra
# binary given (bash and fish run for real; zsh is checked for syntax).
# usage: completion.sh JRA COMPLETIONS-DIR
set -eu
jra=$1
dir=$2
PATH=$(cd "$(dirname "$jra")" && pwd):$PATH
export PATH
status=0

# expect SHELL LINE WANT: the completions of LINE include the word WANT
expect() {
	case $1 in
	bash)
		got=$(bash -c '. "$1"; read -ra COMP_WORDS <<<"$2"; [ "${2% }" != "$2" ] && COMP_WORDS+=("");
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _jra; printf "%s\n" "${COMPREPLY[@]}"' \
			sh "$dir/jra.bash" "$2") ;;
	fish)
		got=$(fish -c 'source $argv[1]; complete -C $argv[2]' "$dir/jra.fish" "$2" | cut -f1) ;;
	esac
	if ! printf '%s\n' "$got" | grep -qx -- "$3"; then
		echo "$1: '$2' does not complete to '$3' (got: $(printf '%s' "$got" | tr '\n' ' '))"
		status=1
	fi
}

for sh in bash fish; do
	command -v $sh >/dev/null || { echo "$sh is missing"; status=1; continue; }
	expect $sh "jra st" status
	expect $sh "jra withdraw" withdraw-cancel
	expect $sh "jra status --a" --all
	expect $sh "jra -o js" jsonl
	expect $sh "jra transfer " approve
	expect $sh "jra subscriber " rotate-eab
	expect $sh "jra config " check
	expect $sh "jra revoke --reason super" superseded
	expect $sh "jra apply --eab" --eab-out
	expect $sh "jra help wh" whoami
done
if command -v zsh >/dev/null; then
	zsh -n "$dir/_jra" || status=1
else
	echo "zsh is missing"
	status=1
fi
exit $status
