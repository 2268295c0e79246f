#!/bin/sh
# Checks that the man pages keep up with --help: every long option that
# 'jra --help' or 'jra help CMD' prints appears in jra(1) or jra-CMD(1),
# every command has its page and is named in jra(1), and every mode a
# command's usage lines name (transfer code, subscriber show, ...) appears
# in the command's page.  With --single, every long option PROG --help
# prints appears in PAGE (jra-sandbox and its page).
# usage: options.sh JRA PAGE...
#        options.sh --single PROG PAGE
set -eu

single=
if [ "$1" = --single ]; then
	single=1
	shift
fi
jra=$1
shift
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The page named NAME (jra.1, jra-apply.1) among the arguments, rendered
# as plain text, one paragraph a line so that nothing is split by wrapping.
render() {
	for page in $pages; do
		case $page in
		*/"$1" | "$1")
			mandoc -Tascii -Owidth=1000 "$page" | sed 's/.\x08//g' >"$2"
			return 0 ;;
		esac
	done
	return 1
}

pages="$*"

# Whether WORD appears in FILE as a word of its own ("--subscriber" does not
# match inside "--subscriber-name").
has_word() {
	grep -Eq -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" "$2"
}

missing() {
	printf 'not ok - %s\n' "$*"
	fail=1
}

# The long options of a help text.
long_options() {
	grep -Eo -- '--[a-z0-9][a-z0-9-]*' "$1" | sort -u
}

# Usage lines' modes: "usage: jra transfer code FQDN", "or: jra transfer
# approve|reject FQDN..." give code, approve, reject.
modes() {
	sed -nE "s/^ *(usage|or): jra $2 ([a-z][a-z|-]*)( .*)?\$/\\2/p" "$1" | tr '|' '\n' |
		sort -u
}

if [ -n "$single" ]; then
	LC_ALL=C "$jra" --help >"$tmp/help"
	name=$(basename "$1")
	render "$name" "$tmp/page" || { missing "cannot render $1"; exit 1; }
	for opt in $(long_options "$tmp/help"); do
		has_word "$opt" "$tmp/page" || missing "$name lacks $opt ($(basename "$jra") --help)"
	done
	[ $fail -eq 0 ] && printf 'ok - %s names every option of %s --help\n' "$name" \
		"$(basename "$jra")"
	exit $fail
fi

LC_ALL=C "$jra" --help >"$tmp/help"
render jra.1 "$tmp/page" || { missing "no page jra.1 among the pages"; exit 1; }
for opt in $(long_options "$tmp/help"); do
	has_word "$opt" "$tmp/page" || missing "jra.1 lacks $opt (jra --help)"
done

commands=$(sed -n '/^commands:$/,/^$/p' "$tmp/help" | sed -nE 's/^    ([a-z][a-z-]*) .*/\1/p')
[ -n "$commands" ] || { missing "no commands found in jra --help"; exit 1; }
n=0
for cmd in $commands; do
	n=$((n + 1))
	has_word "$cmd" "$tmp/page" || missing "jra.1 does not name the command $cmd"
	LC_ALL=C "$jra" help "$cmd" >"$tmp/help.$cmd"
	if ! render "jra-$cmd.1" "$tmp/page.$cmd"; then
		missing "no page jra-$cmd.1 for the command $cmd"
		continue
	fi
	for opt in $(long_options "$tmp/help.$cmd"); do
		has_word "$opt" "$tmp/page.$cmd" || missing "jra-$cmd.1 lacks $opt (jra help $cmd)"
	done
	for mode in $(modes "$tmp/help.$cmd" "$cmd"); do
		has_word "$mode" "$tmp/page.$cmd" ||
			missing "jra-$cmd.1 lacks the mode '$mode' (jra help $cmd)"
	done
done
[ $fail -eq 0 ] && printf 'ok - jra.1 and %d command pages name every option and mode\n' "$n"
exit $fail
