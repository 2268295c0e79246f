#!/bin/sh
# Checks the message catalogs in PODIR: each passes msgfmt --check (printf
# conversions the same and in the same order, a sound header), has no
# fuzzy and no untranslated entry, and translates every message that the
# sources listed in PODIR/POTFILES mark today with _() or N_().  Also that
# every source marking messages is listed there, and that no jra_error()
# and the like is given an English message without _().  common/sfv.c is
# left in English: its messages are made of RFC 8941 grammar terms.
# Usage: po.sh PODIR
set -u
podir=$1
top=$podir/..
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

# what meson's i18n module runs (po/meson.build), from the top of the tree
(cd "$top" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ \
	--flag=N_:1:pass-c-format --files-from=po/POTFILES \
	-o "$tmp/jra.pot") || exit 1

# every source that marks messages is in POTFILES, so that xgettext sees it
for f in $(cd "$top" && grep -l '\bN\?_("' cmd/*.[ch] common/*.[ch]); do
	# i18n.h defines _() and N_(); it marks nothing
	[ "$f" = common/i18n.h ] && continue
	if ! grep -qx "$f" "$podir/POTFILES"; then
		echo "not ok: $f marks messages but is not listed in po/POTFILES"
		fail=1
	fi
done

# a message for a person made without _(): jra_error(e, CODE, "text" on one
# line; a format that starts with a conversion ("%s") is not a message
if (cd "$top" && grep -nE '\bjra_(error|error_hint|error_prefix|usage_error)\([^;"]*[ ,]"[^"%]' \
	cmd/*.c common/*.c | grep -v '^common/sfv\.c:'); then
	echo "not ok: the messages above are not marked for translation: wrap them in _()"
	fail=1
fi

for lang in $(grep -v '^#' "$podir/LINGUAS"); do
	po=$podir/$lang.po
	if ! msgfmt --check -o /dev/null "$po"; then
		echo "not ok: $po does not pass msgfmt --check"
		fail=1
	fi
	stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)
	case $stats in
	*fuzzy* | *untranslated*)
		echo "not ok: $po: $stats"
		fail=1
		;;
	esac
	# every msgid of the sources is in the catalog (msgcmp names each missing one)
	if ! msgcmp --use-untranslated "$po" "$tmp/jra.pot"; then
		echo "not ok: $po lacks messages of the sources: translate them" \
			"(ninja jra-update-po merges them in)"
		fail=1
	fi
	[ "$fail" = 0 ] && echo "ok: $po: $stats"
done
exit "$fail"
