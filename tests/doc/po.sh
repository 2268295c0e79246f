#!/bin/sh
# Checks the message catalogs in PODIR: each passes msgfmt --check (printf
# conversions the same and in the same order, a sound header), has no
# fuzzy and no untranslated entry, and translates every message that the
# sources listed in PODIR/POTFILES mark today with _() or N_().
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
