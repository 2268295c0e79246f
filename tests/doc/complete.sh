#!/bin/sh
# Runs jra's shell completion for SHELL (bash, zsh or fish) over partial
# command lines and checks what it offers.  bash: the script is sourced and
# _jra run with COMP_WORDS/COMP_CWORD set as bash sets them; zsh: _jra runs
# with words/CURRENT/PREFIX set and the completion system's compadd,
# _describe, _files and compset replaced by functions that collect what
# would be offered; fish: 'complete -C LINE', fish's own completion run.
# Exits 77 (skipped) when SHELL is not installed.
# usage: complete.sh SHELL JRA SCRIPT
set -eu

sh=$1
jra=$2
script=$3
command -v "$sh" >/dev/null 2>&1 || { echo "# $sh is not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
jra_dir=$(cd "$(dirname "$jra")" && pwd)
script=$(cd "$(dirname "$script")" && pwd)/$(basename "$script")

profiles() {
	mkdir -p "$(dirname "$1")"
	{
		printf 'default_profile: %s\nprofiles:\n' "$2"
		for p in "$2" "$3"; do
			printf '  %s:\n    endpoint: https://127.0.0.1:8443/registrar/v1\n' "$p"
			printf '    registrar: R0001\n    key_id: k1\n    key_file: k1.key\n'
			printf '    alg: ed25519\n'
		done
	} >"$1"
}
profiles "$tmp/xdg/jra/config.yaml" xdg-one xdg-two
profiles "$tmp/other.yaml" sandbox production
profiles "$tmp/env.yaml" env-one env-two
printf 'profiles: [\n' >"$tmp/broken.yaml"
mkdir -p "$tmp/home" "$tmp/files"
: >"$tmp/files/fqdns.txt"
: >"$tmp/files/fqdns.csv"
: >"$tmp/files/other.txt"

# The words offered for LINE (a trailing space: an empty word), sorted,
# on one line, without the "--option=" that some shells keep in front.
offered() {
	case $sh in
	bash)
		bash --norc --noprofile -c '
			. "$1"
			line=$2
			read -ra COMP_WORDS <<<"${line//=/ = }"
			[[ $line == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE=$line
			COMP_POINT=${#line}
			_jra
			printf "%s\n" "${COMPREPLY[@]}"' bash "$script" "$1" ;;
	zsh)
		zsh -f -c '
			compadd() {
				local a
				while [[ $1 != -- ]]; do shift; done
				shift
				for a; do [[ $a == ${PREFIX}* ]] && reply+=($a); done
			}
			_describe() {
				local s
				for s in ${(P)${@[-1]}}; do
					s=${s%%:*}
					[[ $s == ${PREFIX}* ]] && reply+=($s)
				done
			}
			_files() { reply+=(${PREFIX}*(N)) }
			compset() {
				[[ $1 == -P && $PREFIX == *=* ]] || return 1
				IPREFIX=${PREFIX%%=*}=
				PREFIX=${PREFIX#*=}
			}
			# autoloading runs _jra once, with nothing to complete
			source "$1" >/dev/null 2>&1
			local -a words
			local CURRENT PREFIX IPREFIX=
			reply=()
			words=(${(s: :)2})
			[[ $2 == *" " ]] && words+=("")
			CURRENT=$#words
			PREFIX=$words[-1]
			_jra
			print -rl -- $reply' zsh "$script" "$1" ;;
	fish)
		fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$script" "$1" |
			cut -f1 ;;
	esac | sed 's/^--[a-z-]*=//' | sort | tr '\n' ' ' | sed 's/ $//'
}

export PATH="$jra_dir:$PATH" HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/xdg"
export XDG_DATA_HOME="$tmp/home/.local/share" LC_ALL=C
unset JRA_CONFIG JRA_PROFILE
n=0
fail=0
# check ENV LINE EXPECTED: ENV is "-" or VAR=VALUE set for this line only.
check() {
	n=$((n + 1))
	if [ "$1" = - ]; then
		got=$(offered "$2")
	else
		got=$(export "$1" && offered "$2")
	fi
	if [ "$got" = "$3" ]; then
		printf 'ok %d - [%s]\n' "$n" "$2"
	else
		printf 'not ok %d - [%s]: expected [%s], got [%s]\n' "$n" "$2" "$3" "$got"
		fail=1
	fi
}

commands="apply cancel config help modify revoke status subscriber transfer whoami withdraw-cancel"
check - "jra " "$commands"
check - "jra ap" "apply"
check - "jra w" "whoami withdraw-cancel"
check - "jra help w" "whoami withdraw-cancel"
check - "jra --ver" "--verbose --version"
check - "jra -q -o j" "json jsonl"
check - "jra --output=c" "csv"
check - "jra revoke --reason k" "keyCompromise"
check - "jra revoke --reason=" "affiliationChanged cessationOfOperation keyCompromise superseded unspecified"
check - "jra revoke --serial 4f --reason " "affiliationChanged cessationOfOperation keyCompromise superseded unspecified"
check - "jra apply x.jp --period " "1m 1y"
check - "jra modify x.jp --renewal-period=1" "1m 1y"
check - "jra modify x.jp --re" "--renewal-period --resume --retries"
check - "jra cancel -f x --res" "--resume"
check - "jra transfer approve x.jp --res" "--resume"
check - "jra status --all --state " "active applied cancel-pending ended"
check - "jra status --end" "--ending-after --ending-before"
check - "jra transfer " "approve cancel code reject request status"
check - "jra transfer request x.jp --c" "--code"
check - "jra subscriber r" "rotate-eab"
check - "jra config " "check"
check - "jra cancel -j 4 -f $tmp/files/fq" "$tmp/files/fqdns.csv $tmp/files/fqdns.txt"
check - "jra -p " "xdg-one xdg-two"
check - "jra -c $tmp/other.yaml -p " "production sandbox"
check - "jra --config=$tmp/other.yaml --profile=p" "production"
check JRA_CONFIG="$tmp/env.yaml" "jra --profile " "env-one env-two"
check - "jra -c $tmp/broken.yaml -p " ""
# The values the completions carry themselves are what jra's help names.
values() {
	n=$((n + 1))
	help=$(LC_ALL=C "$jra" $1)
	shift
	for v; do
		if ! printf '%s\n' "$help" | grep -q -- "$v"; then
			printf 'not ok %d - %s is not in the help of jra\n' "$n" "$v"
			fail=1
			return
		fi
	done
	printf 'ok %d - the values of the help\n' "$n"
}
values "help revoke" unspecified keyCompromise affiliationChanged superseded cessationOfOperation
values "help status" applied active cancel-pending ended
values "--help" table json jsonl csv
echo "1..$n"
exit $fail
