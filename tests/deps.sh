#!/bin/sh
# Installs what building and testing jra needs, from Debian's packages.
# Run as root on Debian 12; does nothing when everything is already there.
set -eu

pkgs="meson ninja-build pkg-config gcc libc6-dev
libcurl4-openssl-dev libssl-dev libjansson-dev libyaml-dev libidn2-dev libpsl-dev
libmicrohttpd-dev libsqlite3-dev
bats openssl curl jq faketime ca-certificates mandoc groff-base scdoc gettext locales valgrind zsh fish bash-completion
time clang
hyperfine wrk sqlite3"

# the tests of the Japanese messages run jra under both
locales="ja_JP.UTF-8 en_US.UTF-8"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

# "ja_JP.UTF-8" is listed by locale -a as "ja_JP.utf8"
has_locale() {
	want=$(printf '%s' "$1" | sed 's/UTF-8$/utf8/')
	locale -a 2>/dev/null | grep -qx "$want"
}

nolocale=
for l in $locales; do
	has_locale "$l" || nolocale="$nolocale $l"
done
[ -z "$missing" ] && [ -z "$nolocale" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	[ -n "$missing" ] && echo "jra: these packages are missing:$missing" >&2
	[ -n "$nolocale" ] && echo "jra: these locales are missing:$nolocale" >&2
	echo "jra: run this script as root, or install them with apt-get" >&2
	exit 1
fi
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$nolocale" ]; then
	for l in $nolocale; do
		# uncomment "# ja_JP.UTF-8 UTF-8", or add the line when absent
		if grep -q "^# *$l UTF-8\$" /etc/locale.gen; then
			sed -i "s/^# *$l UTF-8\$/$l UTF-8/" /etc/locale.gen
		elif ! grep -q "^$l UTF-8\$" /etc/locale.gen; then
			echo "$l UTF-8" >>/etc/locale.gen
		fi
	done
	locale-gen >/dev/null
fi
